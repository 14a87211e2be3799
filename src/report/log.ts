import * as core from '@actions/core'
import { randomBytes } from 'node:crypto'
import type { Analysis } from '../analyze/analysis.js'
import type { CrashGroup } from '../analyze/group.js'
import { commandLine, crashTitle, signalDescription } from './describe.js'

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
  const blame = analysis.blame
  if (blame?.path)
    lines.push(
      `Blamed frame: #${blame.frame.level} ${blame.frame.function ?? '??'} at ${blame.path}:${blame.line}`
    )
  for (const problem of analysis.problems) lines.push(`Problem:      ${problem}`)
  lines.push('', analysis.text || '(no backtrace)')
  return lines
}

/**
 * Prints each crash as a log group, crashing thread first. Everything from the crash is printed
 * between `::stop-commands::<token>` and `::<token>::`, with a fresh random token, so a line
 * such as `::error::` or `::add-mask::` inside it is shown, not run.
 */
export function printCrashes(groups: CrashGroup[], prefix = ''): void {
  for (const group of groups) {
    for (const analysis of group.analyses) {
      // startGroup escapes its title (%, CR, LF) through @actions/core.
      core.startGroup(prefix + crashTitle(analysis))
      const token = randomBytes(16).toString('hex')
      core.info(`::stop-commands::${token}`)
      for (const line of crashLogLines(analysis)) core.info(line)
      core.info(`::${token}::`)
      core.endGroup()
    }
  }
}
