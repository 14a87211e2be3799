import type { Bundle } from './bundle.js'

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
  compressionLevel: number
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

let clientModule: Promise<typeof import('@actions/artifact')> | null = null

/**
 * Loads the artifact client: most of the post bundle (2.4 MB), ~0.1 s of compiling; only for the
 * small report artifact of a matrix leg (the crash artifact streams, see artifact-stream.ts).
 */
function loadArtifactClient(): Promise<typeof import('@actions/artifact')> {
  clientModule ??= import('@actions/artifact')
  return clientModule
}

/**
 * The names an upload tries in turn: the default name is unique in the run (see
 * artifactNameFor); a name given with `artifact-name` may be taken by another job, and then
 * `-2`, `-3`, … up to five.
 */
export function artifactNames(name: string): string[] {
  return [1, 2, 3, 4, 5].map((attempt) => (attempt === 1 ? name : `${name}-${attempt}`))
}

/** True when the artifact service refused a name because an artifact of the run has it. */
export function isNameTaken(error: Error): boolean {
  return /\(409\)|already exists/i.test(error.message)
}

/** Uploads files with @actions/artifact, under the first of artifactNames that is free. */
export async function uploadBundle(
  bundle: Pick<Bundle, 'files' | 'root'>,
  options: UploadOptions
): Promise<Uploaded> {
  // Loaded only when there is something to upload: the client is most of the post bundle.
  const { DefaultArtifactClient } = await loadArtifactClient()
  const client = new DefaultArtifactClient()
  let lastError: Error | null = null
  for (const name of artifactNames(options.name)) {
    try {
      const result = await client.uploadArtifact(name, bundle.files, bundle.root, {
        retentionDays: options.retentionDays ?? undefined,
        compressionLevel: options.compressionLevel
      })
      if (result.id === undefined) throw new Error('the artifact service returned no artifact id')
      return { id: result.id, name, url: artifactUrl(result.id), size: result.size ?? 0 }
    } catch (error) {
      lastError = error as Error
      if (!isNameTaken(lastError)) break
    }
  }
  throw lastError ?? new Error('the upload failed')
}
