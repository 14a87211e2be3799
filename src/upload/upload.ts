/** Where the artifact went. */
export interface Uploaded {
  id: number
  name: string
  /** Link to the artifact on the run's page, or null outside GitHub. */
  url: string | null
  size: number
}

/** Options of one upload, from the inputs. */
export interface UploadOptions {
  name: string
  retentionDays: number | null
  /** zlib level of every file; null: zstd files stored as they are, the rest at 6. */
  compressionLevel: number | null
}

/** Artifact names may not contain these (actions/toolkit name validation). */
// eslint-disable-next-line no-control-regex
const FORBIDDEN_NAME = /["\\/:<>|*?\u0000-\u001f]/g

/** An artifact name with its forbidden characters replaced. */
export function safeArtifactName(name: string): string {
  return name.replace(FORBIDDEN_NAME, '-').slice(0, 200) || 'crash-capture'
}

/** Link to an artifact on the run's page, or null outside GitHub. */
export function artifactUrl(id: number, env: NodeJS.ProcessEnv = process.env): string | null {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: run } = env
  if (!server || !repo || !run || !/^\d+$/.test(run)) return null
  return `${server.replace(/\/+$/, '')}/${repo}/actions/runs/${run}/artifacts/${id}`
}

/** True when the runner gave this step what an artifact upload needs. */
export function canUpload(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.ACTIONS_RUNTIME_TOKEN && env.ACTIONS_RESULTS_URL)
}
