import { commentMarker } from './comment.js'
import { fromBlame } from './describe.js'
import { code, codeBlock, escape } from './markdown.js'
import { sourceLocation, type SourceLinks } from './summary.js'

/** One job's shared report, as the aggregate reads it back (every field checked). */
export interface JobReport {
  key: string
  label: string
  attempt: number
  artifact: { name: string; url: string | null } | null
  groups: ReportGroup[]
  expected: number
}

/** One group of a job's report, reduced to what the run-wide view shows. */
export interface ReportGroup {
  signature: string
  functions: string[]
  count: number
  signal: string
  executable: string
  blame: { path: string; line: number | null; function: string | null } | null
  /** The crashing thread's frames of the group's first crash, as text lines. */
  frames: string[]
}

/** A signature across the run: the jobs it hit and how often. */
export interface RunGroup {
  signature: string
  functions: string[]
  count: number
  jobs: { label: string; count: number; artifact: JobReport['artifact'] }[]
  /** The first job's view of it. */
  first: ReportGroup
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '')
const num = (v: unknown): number | null =>
  typeof v === 'number' && Number.isSafeInteger(v) ? v : null

function frameText(frame: Record<string, unknown>): string {
  const name = str(frame.function) || '??'
  const file = str(frame.projectPath) || str(frame.file)
  const line = num(frame.line)
  return `#${num(frame.level) ?? '?'} ${name}${file ? ` at ${file}${line !== null ? `:${line}` : ''}` : ''}`
}

/** A report's frames from the blamed one down (see fromBlame). */
function reportFrames(frames: Record<string, unknown>[], level: number | null): string[] {
  const start = level === null ? 0 : frames.findIndex((f) => num(f.level) === level)
  return fromBlame(frames, start, 12, frameText)
}

/** Reads one report.json written by a job's post step; null when it is not one. */
export function parseJobReport(text: string): JobReport | null {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null) return null
  const v = value as Record<string, unknown>
  const job = (v.job ?? {}) as Record<string, unknown>
  const key = str(job.key)
  if (!key) return null
  const artifact = (v.artifact ?? null) as Record<string, unknown> | null
  const groups: ReportGroup[] = []
  for (const g of Array.isArray(v.groups) ? (v.groups as Record<string, unknown>[]) : []) {
    const crashes = Array.isArray(g.crashes) ? (g.crashes as Record<string, unknown>[]) : []
    const first = crashes[0] ?? {}
    const threads = Array.isArray(first.threads) ? (first.threads as Record<string, unknown>[]) : []
    const thread = threads.find((t) => t.crashed === true) ?? threads[0]
    const frames = Array.isArray(thread?.frames) ? (thread.frames as Record<string, unknown>[]) : []
    const blame = (first.blame ?? null) as Record<string, unknown> | null
    const signal = (first.signal ?? {}) as Record<string, unknown>
    const path = str(first.executablePath).replace(/ \(deleted\)$/, '')
    groups.push({
      signature: str(g.signature),
      functions: Array.isArray(g.functions) ? g.functions.map(str) : [],
      count: num(g.count) ?? crashes.length,
      signal: str(signal.name) || 'a signal',
      executable: path.split('/').pop() || str(first.comm) || 'unknown executable',
      blame:
        blame && str(blame.path)
          ? { path: str(blame.path), line: num(blame.line), function: str(blame.function) || null }
          : null,
      frames: reportFrames(frames, num(blame?.level))
    })
  }
  return {
    key,
    label: str(job.label) || key,
    attempt: num(job.attempt) ?? 1,
    artifact:
      artifact && str(artifact.name)
        ? { name: str(artifact.name), url: str(artifact.url) || null }
        : null,
    groups: groups.filter((g) => g.signature),
    expected: num(v.expectedCrashes) ?? 0
  }
}

/**
 * The latest attempt of each job ("Re-run failed jobs" reruns some; the others keep their
 * earlier report), merged by signature, most jobs first.
 */
export function mergeReports(reports: JobReport[]): { groups: RunGroup[]; jobs: JobReport[] } {
  const latest = new Map<string, JobReport>()
  for (const report of reports) {
    const seen = latest.get(report.key)
    if (!seen || report.attempt > seen.attempt) latest.set(report.key, report)
  }
  const jobs = [...latest.values()].sort((a, b) =>
    a.key.localeCompare(b.key, 'en', { numeric: true })
  )
  const groups = new Map<string, RunGroup>()
  for (const job of jobs) {
    for (const group of job.groups) {
      const run = groups.get(group.signature) ?? {
        signature: group.signature,
        functions: group.functions,
        count: 0,
        jobs: [],
        first: group
      }
      run.count += group.count
      run.jobs.push({ label: job.label, count: group.count, artifact: job.artifact })
      groups.set(group.signature, run)
    }
  }
  return {
    groups: [...groups.values()].sort((a, b) => b.jobs.length - a.jobs.length || b.count - a.count),
    jobs
  }
}

function title(group: RunGroup): string {
  const where = group.first.blame?.function ?? group.functions[0] ?? '??'
  return `${group.first.signal} in ${where}() — ${group.first.executable}`
}

function jobList(group: RunGroup, max: number): string {
  const shown = group.jobs.slice(0, max).map((job) => {
    const name = code(job.label)
    return job.artifact?.url ? `${name} ([artifact](${job.artifact.url}))` : name
  })
  return shown.join(', ') + (group.jobs.length > max ? `, … ${group.jobs.length - max} more` : '')
}

/** The run-wide summary: per signature, the jobs it hit, its count, blame and first frames. */
export function renderRunSummary(
  groups: RunGroup[],
  jobs: JobReport[],
  links: SourceLinks | null
): string {
  const crashed = jobs.filter((j) => j.groups.length > 0).length
  if (groups.length === 0)
    return `## crash-capture: the run\n\nNo crash in the ${jobs.length} job report(s) of this run. ✅\n`
  const crashes = groups.reduce((n, g) => n + g.count, 0)
  const parts = [
    `## 💥 crash-capture: ${crashes} crash${crashes === 1 ? '' : 'es'} of ${groups.length} kind${groups.length === 1 ? '' : 's'} in ${crashed} job${crashed === 1 ? '' : 's'} of this run`,
    ''
  ]
  for (const [index, group] of groups.entries()) {
    const blame = group.first.blame
    parts.push(
      `### ${index + 1}. ${escape(title(group))}: ${group.jobs.length} job${group.jobs.length === 1 ? '' : 's'}, ${group.count} crash${group.count === 1 ? '' : 'es'}`,
      '',
      `- Blamed: ${blame ? sourceLocation(blame.path, blame.line, links) : '_no frame in the repository_'}`,
      `- Signature: ${code(group.signature)}: ${group.functions.map(code).join(' ← ')}`,
      `- Jobs: ${jobList(group, 50)}`,
      '',
      `Frames in ${code(group.jobs[0]!.label)}:`,
      '',
      codeBlock(group.first.frames.join('\n') || '(no frames)'),
      ''
    )
  }
  return parts.join('\n')
}

/** The run-wide sticky comment: one per run and workflow. */
export function renderRunComment(
  groups: RunGroup[],
  key: string,
  runUrl: string | null,
  links: SourceLinks | null
): string {
  const crashes = groups.reduce((n, g) => n + g.count, 0)
  const run = runUrl ? `[this run](${runUrl})` : 'this run'
  if (groups.length === 0)
    return [
      commentMarker(key),
      '### ✅ crash-capture: no crash in this run',
      '',
      `${run} found no crash in any job.`,
      ''
    ].join('\n')
  const parts = [
    commentMarker(key),
    `### 💥 crash-capture: ${crashes} crash${crashes === 1 ? '' : 'es'} of ${groups.length} kind${groups.length === 1 ? '' : 's'} in ${run}`,
    ''
  ]
  for (const [index, group] of groups.slice(0, 20).entries()) {
    const blame = group.first.blame
    parts.push(
      `**${index + 1}. ${escape(title(group))}**${blame ? ` at ${sourceLocation(blame.path, blame.line, links)}` : ''}: ${group.jobs.length} job${group.jobs.length === 1 ? '' : 's'} (${jobList(group, 10)})`,
      ''
    )
  }
  if (groups.length > 20)
    parts.push(`_${groups.length - 20} more kinds: see the run's summary._`, '')
  return parts.join('\n')
}
