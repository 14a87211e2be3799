import type { JournalLine } from '../collect/journal.js'
import { newFrame } from './analysis.js'
import { stacksOf, type SanitizerReport } from './sanitizer.js'

/**
 * A sanitizer report a process sent to the system log (`log_to_syslog=1`) and went on, or
 * ended without a core: UndefinedBehaviorSanitizer's recovering diagnostics, ThreadSanitizer's
 * races, standalone LeakSanitizer's leaks at exit. Every string comes from the process.
 */
export interface LoggedReport {
  pid: number
  uid: number
  /** Seconds since the epoch. */
  time: number
  exe: string | null
  cmdline: string | null
  comm: string | null
  report: SanitizerReport
}

/** Lines of one report kept: a report is text for people, and a process chooses its size. */
const MAX_LINES = 400

/**
 * UBSan's checks, named from their messages as `-fsanitize=` names them: the kind groups one
 * check across places and runs. Anything else keeps its message's words.
 */
const UBSAN_CHECKS: [RegExp, string][] = [
  [/^(signed integer overflow|negation of -?\d+ cannot be represented)/, 'signed-integer-overflow'],
  [/^unsigned integer overflow/, 'unsigned-integer-overflow'],
  [/^division by zero/, 'integer-divide-by-zero'],
  [/^(shift exponent|left shift of)/, 'shift'],
  [/misaligned address/, 'alignment'],
  [/null pointer|applying (zero|non-zero) offset to null/, 'null'],
  [/^index -?\d+ out of bounds/, 'bounds'],
  [/not a valid value for type '(bool|_Bool)'/, 'bool'],
  [/not a valid value for type/, 'enum'],
  [
    /^(pointer index expression|addition of unsigned offset|subtraction of unsigned offset|applying non-zero offset)/,
    'pointer-overflow'
  ],
  [/^execution reached an unreachable program point/, 'unreachable'],
  [/^execution reached the end of a value-returning function/, 'return'],
  [/^variable length array bound/, 'vla-bound'],
  [/is outside the range of representable values/, 'float-cast-overflow'],
  [/through pointer to incorrect function type/, 'function'],
  [/^load of value .* which is not a valid value/, 'bool'],
  [/^(load|store) of address .* with insufficient space/, 'object-size']
]

function ubsanKind(message: string): string {
  for (const [pattern, kind] of UBSAN_CHECKS) if (pattern.test(message)) return kind
  return message
    .replace(/0x[0-9a-f]+|-?\d+/g, 'N')
    .split(' ')
    .slice(0, 6)
    .join(' ')
}

/**
 * A process's syslog messages as its lines. The runtime sends one message per line of each
 * piece it prints, so a line printed in pieces (ThreadSanitizer's `by thread T2` + `:`) arrives
 * as several messages: one that starts with `:`, ` (` or ` at:` (TSan's pieces) is the rest of
 * the line before it (report lines start at column 0, 2 or 4).
 */
function joinPieces(messages: string[]): string[] {
  const lines: string[] = []
  for (const message of messages) {
    const piece = message.replace(/\r?\n$/, '')
    if (lines.length > 0 && /^(:| \(| at:)/.test(piece)) lines[lines.length - 1] += piece
    else lines.push(piece)
  }
  return lines
}

const UBSAN_ERROR = /^(.+?):(\d+):(\d+): runtime error: (.*)$/
const TSAN_WARNING = /^WARNING: ThreadSanitizer: (.+?)(?: \(pid=\d+\))?\s*$/
const LSAN_ERROR = /^==\d+==ERROR: LeakSanitizer: detected memory leaks\s*$/
/** The line that ends a TSan (and ASan) report. */
const SEPARATOR = /^={10,}$/
const LEAK = /^(Direct|Indirect) leak of \d+ byte\(s\) in \d+ object\(s\) allocated from:\s*$/

/**
 * Where a report that starts at `from` ends: before the first line `stops` matches, or after
 * MAX_LINES lines, or at the end.
 */
function blockEnd(lines: string[], from: number, stops: (line: string) => boolean): number {
  let end = from + 1
  while (end < lines.length && end - from < MAX_LINES && !stops(lines[end]!)) end++
  return end
}

/** The reports in one process's lines, in order. */
function reportsOf(lines: string[]): SanitizerReport[] {
  const reports: SanitizerReport[] = []
  let i = 0
  while (i < lines.length) {
    const line = lines[i]!
    const ubsan = UBSAN_ERROR.exec(line)
    if (ubsan) {
      // The diagnostic, its notes and its stack: up to the next diagnostic or report.
      const end = blockEnd(
        lines,
        i,
        (l) => UBSAN_ERROR.test(l) || TSAN_WARNING.test(l) || SEPARATOR.test(l)
      )
      const body = lines.slice(i, end)
      const [, file, lineNo, column, message] = ubsan
      const location = `${file}:${lineNo}:${column}`
      const stacks = stacksOf(body.slice(1), message!)
      // The diagnostic names its stack (the lines between are notes and memory dumps).
      if (stacks[0]) stacks[0].title = message!
      // Without print_stacktrace, the diagnostic's place is its only frame.
      if (stacks.length === 0)
        stacks.push({
          title: message!,
          frames: [newFrame({ level: 0, file: file!, fullname: file!, line: Number(lineNo) })]
        })
      reports.push({
        tool: 'UndefinedBehaviorSanitizer',
        kind: ubsanKind(message!),
        headline: `${message!} at ${location}`,
        summary: null,
        location,
        stacks,
        text: body.join('\n')
      })
      i = end
      continue
    }
    const tsan = TSAN_WARNING.exec(line)
    if (tsan) {
      const end = blockEnd(lines, i, (l) => SEPARATOR.test(l))
      const body = lines.slice(i, end)
      const summary = body.map((l) => /^SUMMARY: ThreadSanitizer: (.*)$/.exec(l)?.[1]).find(Boolean)
      reports.push({
        tool: 'ThreadSanitizer',
        kind: tsan[1]!,
        headline: tsan[1]!,
        summary: summary ? `ThreadSanitizer: ${summary.trim()}` : null,
        location: summary ? (/ (\S+:\d+)(?::\d+)? in /.exec(summary)?.[1] ?? null) : null,
        // The racing accesses; thread creation stacks and locations are for reading, not blame.
        stacks: stacksOf(body.slice(1), tsan[1]!).filter((s) => !/^Thread T\d+/.test(s.title)),
        text: body.join('\n')
      })
      i = end
      continue
    }
    if (LSAN_ERROR.test(line)) {
      // Each leak (allocation stack) is one report: leaks group by where they were allocated.
      const end = blockEnd(lines, i, (l) => /^SUMMARY: LeakSanitizer/.test(l))
      const summary = lines[end]?.replace(/^SUMMARY: /, '') ?? null
      let j = i + 1
      while (j < end) {
        const leak = LEAK.exec(lines[j]!)
        if (!leak) {
          j++
          continue
        }
        let k = j + 1
        while (k < end && !LEAK.test(lines[k]!)) k++
        const body = lines.slice(j, k)
        reports.push({
          tool: 'LeakSanitizer',
          kind: leak[1] === 'Direct' ? 'leak' : 'indirect leak',
          headline: lines[j]!.replace(/ allocated from:\s*$/, ''),
          summary,
          location: null,
          stacks: stacksOf(body, lines[j]!),
          text: body.join('\n').trimEnd()
        })
        j = k
      }
      i = end + 1
      continue
    }
    i++
  }
  return reports
}

/**
 * The sanitizer reports in the system log's lines, per process in the order each printed them.
 * Processes in `skip` (those that left a core, whose report the core holds) are left out: a crash
 * and its report are one crash.
 */
export function loggedReports(lines: JournalLine[], skip: Set<number> = new Set()): LoggedReport[] {
  const byPid = new Map<number, JournalLine[]>()
  for (const line of lines) {
    if (skip.has(line.pid)) continue
    const list = byPid.get(line.pid) ?? []
    list.push(line)
    byPid.set(line.pid, list)
  }
  const found: LoggedReport[] = []
  for (const [pid, list] of byPid) {
    const first = list[0]!
    for (const report of reportsOf(joinPieces(list.map((l) => l.message))))
      found.push({
        pid,
        uid: first.uid,
        time: Math.floor(first.time / 1e6),
        exe: first.exe,
        cmdline: first.cmdline,
        comm: first.comm,
        report
      })
  }
  return found
}
