// What every bundle of crash-capture is built with (scripts/bundle.mjs, and the tests that check
// what these options change): node ESM, and three dependencies replaced by faster equivalents.
import { fileURLToPath } from 'node:url'

const here = (path) => fileURLToPath(new URL(path, import.meta.url))

/** @type {import('esbuild').BuildOptions} */
export const bundleOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  legalComments: 'none',
  // The zip writer's CRC-32 from zlib (see src/upload/crc32.ts).
  alias: { 'crc-32': here('../src/upload/crc32.ts') },
  plugins: [
    {
      // @actions/core's OIDC client (and undici with it) loaded on first use, never at start
      // (see src/upload/lazy-oidc.mjs).
      name: 'lazy-oidc',
      setup(build) {
        build.onResolve({ filter: /^\.\/oidc-utils\.js$/ }, (args) =>
          /[\\/]@actions[\\/]core[\\/]lib[\\/]core\.js$/.test(args.importer)
            ? { path: here('../src/upload/lazy-oidc.mjs') }
            : undefined
        )
        build.onResolve({ filter: /^crash-capture:oidc-utils$/ }, () => ({
          path: here('../node_modules/@actions/core/lib/oidc-utils.js')
        }))
      }
    },
    {
      // The zip writer's file reads in 1 MiB pieces (see src/upload/archiver-utils.cjs).
      name: 'archiver-reads',
      setup(build) {
        build.onResolve({ filter: /^archiver-utils$/ }, () => ({
          path: here('../src/upload/archiver-utils.cjs')
        }))
      }
    }
  ],
  logLevel: 'warning',
  // Some bundled CommonJS dependencies call require() for node built-ins.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"
  }
}
