// @actions/core's OIDC client, bundled in place of its lib/oidc-utils.js
// (scripts/bundle-options.mjs) so that it loads on first use: that file imports
// @actions/http-client and with it undici, 0.8 MB of JavaScript that every main and post step
// compiled at start (~45 ms here) though crash-capture never asks for an ID token.
// core.getIDToken still works, one import later.
export class OidcClient {
  static async getIDToken(audience) {
    const { OidcClient: client } = await import('crash-capture:oidc-utils')
    return client.getIDToken(audience)
  }
}
