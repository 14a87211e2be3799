import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);

// src/upload/upload.ts
var FORBIDDEN_NAME = /["\\/:<>|*?\u0000-\u001f]/g;
function safeArtifactName(name) {
  return name.replace(FORBIDDEN_NAME, "-").slice(0, 200) || "crash-capture";
}
function artifactUrl(id, env = process.env) {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: run } = env;
  if (!server || !repo || !run || !/^\d+$/.test(run)) return null;
  return `${server.replace(/\/+$/, "")}/${repo}/actions/runs/${run}/artifacts/${id}`;
}
function canUpload(env = process.env) {
  return Boolean(env.ACTIONS_RUNTIME_TOKEN && env.ACTIONS_RESULTS_URL);
}
var clientModule = null;
function loadArtifactClient() {
  clientModule ??= import("./artifact-FAPSS2AK.js");
  return clientModule;
}
function artifactNames(name) {
  return [1, 2, 3, 4, 5].map((attempt) => attempt === 1 ? name : `${name}-${attempt}`);
}
function isNameTaken(error) {
  return /\(409\)|already exists/i.test(error.message);
}
async function uploadBundle(bundle, options) {
  const { DefaultArtifactClient } = await loadArtifactClient();
  const client = new DefaultArtifactClient();
  let lastError = null;
  for (const name of artifactNames(options.name)) {
    try {
      const result = await client.uploadArtifact(name, bundle.files, bundle.root, {
        retentionDays: options.retentionDays ?? void 0,
        compressionLevel: options.compressionLevel
      });
      if (result.id === void 0) throw new Error("the artifact service returned no artifact id");
      return { id: result.id, name, url: artifactUrl(result.id), size: result.size ?? 0 };
    } catch (error) {
      lastError = error;
      if (!isNameTaken(lastError)) break;
    }
  }
  throw lastError ?? new Error("the upload failed");
}

export {
  safeArtifactName,
  artifactUrl,
  canUpload,
  artifactNames,
  isNameTaken,
  uploadBundle
};
