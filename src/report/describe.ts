import { crashStack, executableName, type Analysis, type Frame } from '../analyze/analysis.js'
import { isMachinery } from '../analyze/blame.js'
import type { CrashGroup } from '../analyze/group.js'
import { shellQuote } from '../process.js'

/** Plain-text descriptions shared by the log, annotations and the summary. Not escaped. */

/** The function a crash is blamed on, or `??`. */
export function blamedFunction(analysis: Analysis): string {
  return analysis.blame?.frame.function ?? '??'
}

/** `src/x.c:6` for a blamed frame in the project, else null. */
export function blamedLocation(analysis: Analysis): string | null {
  const blame = analysis.blame
  return blame?.path ? `${blame.path}:${blame.line}` : null
}

/** Signals whose default action dumps core. */
const CORE_SIGNALS = new Set([
  'SIGQUIT',
  'SIGILL',
  'SIGTRAP',
  'SIGABRT',
  'SIGBUS',
  'SIGFPE',
  'SIGSEGV',
  'SIGXCPU',
  'SIGXFSZ',
  'SIGSYS'
])

/**
 * True for a core that no fatal signal made: a snapshot of a live process (gdb's `gcore` stops
 * it with SIGSTOP), which is no crash.
 */
export function isSnapshot(analysis: Analysis): boolean {
  return analysis.signal.number > 0 && !CORE_SIGNALS.has(analysis.signal.name)
}

/** `SIGSEGV`, or `snapshot` for a core of a live process. */
function what(analysis: Analysis): string {
  if (analysis.crash.source === 'leftover') return 'still running'
  if (analysis.crash.source === 'hang') return 'hang'
  if (analysis.sanitizer) return `${analysis.sanitizer.tool}: ${analysis.sanitizer.kind}`
  return isSnapshot(analysis) ? `snapshot (${analysis.signal.name})` : analysis.signal.name
}

/** `SIGSEGV in sum_list() — 3 crashes` */
export function groupTitle(group: CrashGroup): string {
  const first = group.analyses[0]!
  const count = group.analyses.length
  const where = blamedFunction(first)
  const title = `${what(first)} in ${where === '??' ? '??' : `${where}()`} — ${executableName(first)}`
  const paths = group.callPaths > 1 ? ` from ${group.callPaths} call paths` : ''
  return count > 1 ? `${title}, ${count} crashes${paths}` : title
}

/** One crash's log group title: signal, function, location, executable and pid. */
export function crashTitle(analysis: Analysis): string {
  const location = blamedLocation(analysis)
  const where = `${blamedFunction(analysis)}${location ? ` (${location})` : ''}`
  if (analysis.crash.source === 'hang')
    return `⌛ hang in ${where} — ${executableName(analysis)}, pid ${analysis.crash.pid}`
  if (analysis.crash.source === 'leftover')
    return `⏳ still running in ${where} — ${executableName(analysis)}, pid ${analysis.crash.pid}`
  return `${isSnapshot(analysis) ? '📷' : '💥'} ${what(analysis)} in ${where} — ${executableName(analysis)}, pid ${analysis.crash.pid}`
}

/** Where each thread is, in the project: its first frame there, innermost first. */
export function threadPlaces(
  analysis: Analysis
): { thread: number; lwp: number; function: string | null; path: string; line: number | null }[] {
  const places = []
  for (const thread of analysis.threads) {
    const frame = thread.frames.find((f) => f.projectPath && !isMachinery(f, null))
    if (frame)
      places.push({
        thread: thread.num,
        lwp: thread.lwp,
        function: frame.function,
        path: frame.projectPath!,
        line: frame.line
      })
  }
  return places
}

/** `SIGSEGV`, `AddressSanitizer: heap-use-after-free`, `hang`: what happened, in a word. */
export function crashKind(analysis: Analysis): string {
  return what(analysis)
}

/** `SIGSEGV (SEGV_MAPERR) at 0x0`; a sanitizer's error line for its reports. */
export function signalDescription(analysis: Analysis): string {
  if (analysis.sanitizer) return `${analysis.sanitizer.tool}: ${analysis.sanitizer.headline}`
  const { signal } = analysis
  const code = signal.codeName ? ` (${signal.codeName})` : ''
  const address = signal.address ? ` at ${signal.address}` : ''
  return `${signal.name}${code}${address}`
}

/** `#0 sum_list at src/nullderef.c:6` or `#3 ?? in libc.so.6` */
export function frameLine(frame: Frame): string {
  const projectPath = frame.projectPath
  const name = frame.function ?? '??'
  const inline = frame.inline ? ' [inlined]' : ''
  if (frame.signalHandler) return `#${frame.level} <signal handler called>`
  if (projectPath && frame.line !== null)
    return `#${frame.level} ${name}${inline} at ${projectPath}:${frame.line}`
  if (frame.file && frame.line !== null)
    return `#${frame.level} ${name}${inline} at ${frame.file}:${frame.line}`
  const library = frame.objfile ? ` in ${frame.objfile.split('/').pop()}` : ''
  return `#${frame.level} ${name}${inline}${library}`
}

/** The command line as one string, arguments with spaces quoted for reading. */
export function commandLine(analysis: Analysis): string {
  return analysis.crash.commandLine
    .map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : shellQuote(arg)))
    .join(' ')
}

/**
 * A crash's frame lines from the blamed frame down, as a reader of their own code wants them:
 * the runtime frames above it are counted in a first line, not listed. `lines` turns frames
 * into text (it differs between a live analysis and a report read back).
 */
export function fromBlame<F>(
  frames: F[],
  start: number,
  max: number,
  line: (frame: F) => string
): string[] {
  const from = Math.max(0, start)
  const shown = frames.slice(from, from + max).map(line)
  const rest = frames.length - from - shown.length
  return [
    ...(from > 0 ? [`(${from} runtime frame${from === 1 ? '' : 's'} above)`] : []),
    ...shown,
    ...(rest > 0 ? [`… ${rest} more frames`] : [])
  ]
}

/** fromBlame for an analysis: from its blamed frame. */
export function blamedFrameLines(analysis: Analysis, max: number): string[] {
  const frames = crashStack(analysis)
  const start = analysis.blame ? frames.indexOf(analysis.blame.frame) : 0
  return fromBlame(frames, start, max, (frame) => frameLine(frame))
}
