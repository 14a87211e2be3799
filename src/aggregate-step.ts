import * as core from '@actions/core'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CommentMode, getAggregateInputs, type AggregateInputs } from './inputs.js'
import { REPORT_ARTIFACT_PREFIX } from './job.js'
import {
  mergeReports,
  parseJobReport,
  renderRunComment,
  renderRunSummary,
  type JobReport,
  type RunGroup
} from './report/aggregate.js'
import { stickyComment } from './report/comment.js'
import { sourceLinksFromEnv } from './report/summary.js'
import { canUpload } from './upload/upload.js'

/** Output names, exactly as in aggregate/action.yml. */
export enum AggregateOutput {
  Crashes = 'crashes',
  Groups = 'groups',
  Jobs = 'jobs',
  Summary = 'summary'
}

/** GitHub shows at most 10 error annotations per step. */
const MAX_ANNOTATIONS = 10

/**
 * Every job's shared report in this run, through the artifact service: listed, and downloaded
 * one by one (each is a small JSON file; the cores are in other artifacts).
 */
async function readReports(): Promise<{ reports: JobReport[]; listed: number; ms: number }> {
  const started = Date.now()
  const { DefaultArtifactClient } = await import('@actions/artifact')
  const client = new DefaultArtifactClient()
  const { artifacts } = await client.listArtifacts({ latest: true })
  const shared = artifacts.filter((a) => a.name.startsWith(`${REPORT_ARTIFACT_PREFIX}-`))
  const dir = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), 'crash-capture-run-'))
  const reports: JobReport[] = []
  try {
    for (const artifact of shared) {
      const path = join(dir, String(artifact.id))
      try {
        await client.downloadArtifact(artifact.id, { path })
        const report = parseJobReport(await readFile(join(path, 'report.json'), 'utf8'))
        if (report) reports.push(report)
        else core.warning(`The artifact '${artifact.name}' holds no crash-capture report.`)
      } catch (error) {
        core.warning(
          `The report '${artifact.name}' could not be read: ${(error as Error).message.split('\n')[0]}`
        )
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
  return { reports, listed: shared.length, ms: Date.now() - started }
}

function annotate(groups: RunGroup[]): void {
  for (const group of groups.slice(0, MAX_ANNOTATIONS)) {
    const blame = group.first.blame
    const jobs = group.jobs.map((j) => j.label)
    core.error(
      [
        `${group.count} crash(es) in ${jobs.length} job(s): ${jobs.slice(0, 30).join(', ')}${jobs.length > 30 ? ', …' : ''}`,
        ...group.first.frames.slice(0, 8)
      ]
        .join('\n')
        .slice(0, 4096),
      {
        title:
          `${group.first.signal} in ${blame?.function ?? group.functions[0] ?? '??'}() — ${jobs.length} job(s)`.slice(
            0,
            255
          ),
        file: blame?.line !== null ? blame?.path : undefined,
        startLine: blame?.line ?? undefined
      }
    )
  }
}

/** The run's sticky comment: one per run and workflow, resolved like a job's. */
function comment(inputs: AggregateInputs, groups: RunGroup[]): Promise<void> {
  return stickyComment(
    inputs,
    (runUrl, existing) =>
      groups.length > 0 || existing || inputs.comment === CommentMode.Always
        ? renderRunComment(groups, inputs.commentKey, runUrl, sourceLinksFromEnv())
        : null,
    'run-wide pull request comment'
  )
}

/**
 * The aggregate action: reads the reports every job of the run shared, merges them by
 * signature, and reports once for the run. Each channel fails alone, with a warning.
 */
export async function run(): Promise<{ failure: string | null }> {
  const inputs = getAggregateInputs()
  if (!canUpload()) {
    core.warning(
      'crash-capture aggregate: no artifact service here (ACTIONS_RUNTIME_TOKEN is not set): nothing to read.'
    )
    return { failure: null }
  }
  const { reports, listed, ms } = await readReports()
  const { groups, jobs } = mergeReports(reports)
  core.info(
    `crash-capture: read ${reports.length} job report(s) of ${listed} shared, in ${ms} ms; ${jobs.length} job(s) after keeping each job's latest attempt.`
  )
  for (const group of groups)
    core.info(
      `crash-capture: ${group.signature}: ${group.count} crash(es) in ${group.jobs.length} job(s)`
    )
  annotate(groups)
  const summary = renderRunSummary(groups, jobs, sourceLinksFromEnv())
  try {
    await core.summary.addRaw(summary).write()
  } catch (error) {
    core.warning(`The job summary could not be written: ${(error as Error).message}`)
  }
  await comment(inputs, groups)
  const crashes = groups.reduce((n, g) => n + g.count, 0)
  const crashedJobs = jobs.filter((j) => j.groups.length > 0).length
  core.setOutput(AggregateOutput.Crashes, crashes)
  core.setOutput(AggregateOutput.Groups, groups.length)
  core.setOutput(AggregateOutput.Jobs, crashedJobs)
  core.setOutput(AggregateOutput.Summary, summary)
  if (crashes === 0 || !inputs.failOnCrash) return { failure: null }
  return {
    failure: `crash-capture: ${crashes} crash(es) of ${groups.length} kind(s) in ${crashedJobs} job(s) of this run. See the summary.`
  }
}
