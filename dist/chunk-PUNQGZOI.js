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

export {
  safeArtifactName,
  artifactUrl,
  canUpload
};
