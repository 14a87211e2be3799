import { constants } from 'node:os'
import type { Frame, Thread } from './analysis.js'

/**
 * Reads frames from gdb's `bt` text, for a gdb without Python (Debian's gdb-minimal). Less
 * exact than the Python API: no inline flag, no objfile for frames with debug info, and no
 * declaration file; good enough to blame a line and sign a crash.
 */

// #1  0x000055d1c0b3a167 in process (list=0x0) at /ws/src/nullderef.c:19
// #0  sum_list (head=0x0) at /ws/src/nullderef.c:12
// #3  0x00007f0e1c829d90 in __libc_start_main () from /lib/x86_64-linux-gnu/libc.so.6
// #4  <signal handler called>
const FRAME =
  /^#(\d+)\s+(?:(0x[0-9a-fA-F]+) in )?(.+?)(?: \((.*)\))?(?: at (.+):(\d+)| from (.+))?$/

/** Parses one `#N ...` line; null when the line is not a frame. */
export function parseFrameLine(line: string): Frame | null {
  const match = FRAME.exec(line.trimEnd())
  if (!match) return null
  const [, level, pc, name, , file, lineNo, from] = match
  const signalHandler = name === '<signal handler called>'
  return {
    level: Number(level),
    pc: pc ?? '0x0',
    function: signalHandler || name === '??' ? null : (name ?? null),
    file: file ?? null,
    fullname: file ?? null,
    line: lineNo ? Number(lineNo) : null,
    objfile: from ?? null,
    functionFile: null,
    functionLine: null,
    inline: false,
    signalHandler,
    projectPath: null
  }
}

/** The crashing thread's frames: the first run of `#N` lines, before any `Thread N` header. */
export function parseCrashingThread(text: string): Thread {
  const frames: Frame[] = []
  for (const line of text.split('\n')) {
    if (/^Thread \d+ /.test(line)) break
    const frame = parseFrameLine(line)
    if (frame) frames.push(frame)
  }
  return {
    num: 1,
    lwp: 0,
    name: null,
    crashed: true,
    frames,
    unwindStopReason: null,
    truncated: false
  }
}

/** The signal from gdb's `Program terminated with signal SIGSEGV, …` line; null if absent. */
export function parseTerminatingSignal(text: string): number | null {
  const match = /^Program terminated with signal (SIG[A-Z0-9]+)/m.exec(text)
  if (!match) return null
  const number = (constants.signals as Record<string, number>)[match[1]!]
  return number ?? null
}
