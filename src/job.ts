/**
 * Which job of the run this is. GitHub gives a node action no matrix values, but the runner
 * evaluates input defaults with the `matrix` and `strategy` contexts, so action.yml passes
 * `${{ toJSON(matrix) }}`, `${{ strategy.job-index }}` and `${{ strategy.job-total }}` as
 * inputs; the identity is made of them once, next to the inputs.
 */
export interface JobIdentity {
  /** The job id (`GITHUB_JOB`), shared by every leg of a matrix. */
  job: string
  /** Readable: the matrix's `name` when it has one, else its values; the job id outside a matrix. */
  label: string
  /** Unique within the run: the job id and, in a matrix, the leg's index. */
  key: string
  /** The leg's index and the number of legs, or null outside a matrix. */
  index: number | null
  total: number | null
  /** GITHUB_RUN_ATTEMPT, 1 when unknown. */
  attempt: number
}

/** What the inputs and the environment say about the job. */
export interface JobFacts {
  matrix: string
  jobIndex: string
  jobTotal: string
  env?: NodeJS.ProcessEnv
}

function scalar(value: unknown): string | null {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return null
}

/** The matrix's `name`, or its scalar values joined; null when it is empty or not an object. */
function matrixLabel(json: string): string | null {
  let matrix: unknown
  try {
    matrix = JSON.parse(json)
  } catch {
    return null
  }
  if (typeof matrix !== 'object' || matrix === null || Array.isArray(matrix)) return null
  const values = matrix as Record<string, unknown>
  const name = scalar(values.name)
  if (name) return name
  const parts = Object.values(values)
    .map((value) => scalar(value) ?? (value === null ? null : JSON.stringify(value)))
    .filter((part): part is string => part !== null && part !== '')
  return parts.length > 0 ? parts.join(', ') : null
}

function wholeNumber(text: string): number | null {
  return /^\d{1,6}$/.test(text.trim()) ? Number(text.trim()) : null
}

/** The job's identity from its inputs and environment. */
export function jobIdentity(facts: JobFacts): JobIdentity {
  const env = facts.env ?? process.env
  const job = (env.GITHUB_JOB ?? '').trim() || 'job'
  const total = wholeNumber(facts.jobTotal)
  const index = total !== null && total > 1 ? wholeNumber(facts.jobIndex) : null
  const inMatrix = index !== null
  const label = (inMatrix ? matrixLabel(facts.matrix) : null) ?? job
  return {
    job,
    // Control characters never make it into a label: it goes into titles and names.
    // eslint-disable-next-line no-control-regex
    label: label.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 200),
    key: inMatrix ? `${job}-${index}` : job,
    index,
    total: inMatrix ? total : null,
    attempt: wholeNumber(env.GITHUB_RUN_ATTEMPT ?? '') ?? 1
  }
}

/** The prefix of the small per-job report artifacts the aggregate action reads. */
export const REPORT_ARTIFACT_PREFIX = 'crash-capture-report'

/** Artifact names may not contain these (actions/toolkit name validation). */
// eslint-disable-next-line no-control-regex
const FORBIDDEN_NAME = /["\\/:<>|*?\u0000-\u001f\s]+/g

/** A part of an artifact name: forbidden characters and blanks become `-`. */
function namePart(text: string, max: number): string {
  return text.replace(FORBIDDEN_NAME, '-').replace(/-+/g, '-').replace(/^-|-$/g, '').slice(0, max)
}

/**
 * An artifact name for this job: `<prefix>-<key>-<label>-attempt<N>`, unique in the run for any
 * number of legs and attempts (the key is), readable (the label), within the name rules.
 */
export function artifactNameFor(identity: JobIdentity, prefix: string): string {
  const label = identity.index !== null ? namePart(identity.label, 80) : ''
  return [prefix, namePart(identity.key, 80), label, `attempt${identity.attempt}`]
    .filter(Boolean)
    .join('-')
}
