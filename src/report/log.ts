import * as core from '@actions/core'
import { randomBytes } from 'node:crypto'
import type { Analysis } from '../analyze/analysis.js'
import type { CrashGroup } from '../analyze/group.js'
import { isRunning } from '../collect/crash.js'
import { commandLine, crashTitle, signalDescription, threadPlaces } from './describe.js'

/** The lines printed inside one crash's log group. Untrusted: they go inside a command guard. */
export function crashLogLines(analysis: Analysis): string[] {
  const { crash } = analysis
  const lines = [
    `Signal:       ${signalDescription(analysis)}`,
    `Executable:   ${crash.executablePath ?? '(unknown)'}`,
    `Command line: ${commandLine(analysis)}`,
    `Directory:    ${crash.cwd ?? '(unknown)'}`,
    `Process:      pid ${crash.pid}, thread ${crash.tid}, uid ${crash.uid}, comm ${JSON.stringify(crash.comm)}`,
    `Core:         ${crash.coreState}${crash.coreNote ? ` (${crash.coreNote})` : ''}`
  ]
  if (crash.otherRoot)
    lines.push(
      `Root:         another root file system${crash.otherRoot.container ? ` (container ${crash.otherRoot.container.slice(0, 12)})` : ''}: ${crash.rootFiles.length} mapped code files were copied from it and used for its libraries`
    )
  const blame = analysis.blame
  if (blame?.path)
    lines.push(
      `Blamed frame: #${blame.frame.level} ${blame.frame.function ?? '??'} at ${blame.path}:${blame.line}`
    )
  if (isRunning(crash))
    for (const place of threadPlaces(analysis))
      lines.push(
        `Thread ${place.thread} (LWP ${place.lwp}): waits in ${place.function ?? '??'} at ${place.path}:${place.line ?? '?'}`
      )
  for (const problem of analysis.problems) lines.push(`Problem:      ${problem}`)
  // The sanitizer's own report (access, free and allocation stacks), symbolised where it was
  // not, then gdb's backtrace of the process that aborted after it.
  const report = analysis.sanitizer
  if (report) {
    lines.push('', `${report.tool}: ${report.headline}`)
    for (const stack of report.stacks) {
      lines.push(stack.title)
      for (const frame of stack.frames)
        lines.push(
          `    #${frame.level} ${frame.function ?? '??'}${frame.projectPath ? ` at ${frame.projectPath}:${frame.line ?? '?'}` : frame.file ? ` at ${frame.file}:${frame.line ?? '?'}` : frame.objfile ? ` in ${frame.objfile}` : ''}`
        )
    }
    if (report.summary) lines.push(`SUMMARY: ${report.summary}`)
  }
  lines.push('', analysis.text || '(no backtrace)')
  return lines
}

/**
 * A group as text: its first crash's title (with how many more share the signature) and lines,
 * then one line per further crash: a storm of one bug is one section, not 50 copies of the
 * same backtrace. The log and the local command both print groups this way.
 */
export function groupText(group: CrashGroup): { title: string; lines: string[] } {
  const [first, ...others] = group.analyses
  const more = others.length > 0 ? ` (+${others.length} more of the same signature)` : ''
  return {
    title: crashTitle(first!) + more,
    lines: [
      ...crashLogLines(first!),
      ...others.map((other) => `Same crash: ${crashSummaryLine(other)}`)
    ]
  }
}

/**
 * Prints each group as a log group, crashing thread first. Everything from the crash is printed
 * between `::stop-commands::<token>` and `::<token>::`, with a fresh random token, so a line
 * such as `::error::` or `::add-mask::` inside it is shown, not run.
 */
export function printCrashes(groups: CrashGroup[], prefix = ''): void {
  for (const group of groups) {
    if (group.analyses.length === 0) continue
    const { title, lines } = groupText(group)
    // startGroup escapes its title (%, CR, LF) through @actions/core.
    core.startGroup(prefix + title)
    const token = randomBytes(16).toString('hex')
    core.info(`::stop-commands::${token}`)
    for (const line of lines) core.info(line)
    core.info(`::${token}::`)
    core.endGroup()
  }
}

/** One line for a further crash of a group: pid, signal and what to find it by. */
function crashSummaryLine(analysis: Analysis): string {
  const stored =
    analysis.crash.core || analysis.crash.packedCore
      ? `crash ${analysis.crash.id}`
      : `crash ${analysis.crash.id}, no core (${analysis.crash.coreState})`
  return `pid ${analysis.crash.pid}, ${signalDescription(analysis)}, ${stored}`
}
