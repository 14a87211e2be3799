import { writeFile } from 'node:fs/promises'
import type { CrashGroup } from '../analyze/group.js'
import type { JobIdentity } from '../job.js'
import { isRunning } from '../collect/crash.js'
import { threadPlaces } from './describe.js'

/** Version of the JSON report's shape; raised on any incompatible change. */
export const REPORT_VERSION = 1

function groupRecord(group: CrashGroup): object {
  return {
    signature: group.signature,
    functions: group.functions,
    callPaths: group.callPaths,
    count: group.analyses.length,
    crashes: group.analyses.map((analysis) => ({
      ...analysis.crash,
      signal: analysis.signal,
      blame: analysis.blame && {
        level: analysis.blame.frame.level,
        function: analysis.blame.frame.function,
        path: analysis.blame.path,
        line: analysis.blame.line,
        kind: analysis.blame.kind
      },
      problems: analysis.problems,
      sanitizer: analysis.sanitizer && {
        tool: analysis.sanitizer.tool,
        kind: analysis.sanitizer.kind,
        headline: analysis.sanitizer.headline,
        summary: analysis.sanitizer.summary,
        stacks: analysis.sanitizer.stacks,
        text: analysis.sanitizer.text
      },
      backtrace: analysis.textPath,
      backtraceJson: analysis.jsonPath,
      threads: analysis.threads,
      ...(isRunning(analysis.crash) ? { threadPlaces: threadPlaces(analysis) } : {})
    }))
  }
}

/**
 * The JSON report: every crash with its record, analysis and group; `groups` and `crashes`
 * are the crashes that count, `expected` the ones an expected-crashes rule matched.
 */
export function buildReport(
  groups: CrashGroup[],
  mode: string,
  expected: CrashGroup[] = [],
  job: JobIdentity | null = null,
  artifact: { name: string; id: number; url: string | null } | null = null,
  running: CrashGroup[] = [],
  hangs: CrashGroup[] = []
): object {
  return {
    version: REPORT_VERSION,
    mode,
    job,
    artifact,
    crashes: groups.reduce((n, g) => n + g.analyses.length, 0),
    groups: groups.map(groupRecord),
    expectedCrashes: expected.reduce((n, g) => n + g.analyses.length, 0),
    expected: expected.map(groupRecord),
    // Processes of the job still running when post ran: not crashes, and not counted.
    stillRunning: running.map(groupRecord),
    // Processes the hang watcher found still running after hang-timeout.
    hangs: hangs.map(groupRecord)
  }
}

/** Writes the JSON report to `path`. */
export async function writeReport(path: string, report: object): Promise<void> {
  await writeFile(path, JSON.stringify(report, null, 2) + '\n')
}
