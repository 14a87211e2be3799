import { constants } from 'node:os'
import type { Crash } from '../collect/crash.js'
import type { CoreInfo } from '../elf/core-file.js'
import type { SanitizerReport } from './sanitizer.js'

/** One stack frame as gdb saw it. Every string in it comes from the crashed program. */
export interface Frame {
  level: number
  pc: string
  /** Function name, null for `??`. */
  function: string | null
  /** Source file as recorded in DWARF, often relative. */
  file: string | null
  /** gdb's resolved path: not necessarily absolute or existing. */
  fullname: string | null
  line: number | null
  /** The file mapped at the pc (executable or library), as it was named at crash time. */
  objfile: string | null
  /** File and line of the function's declaration (for inline frames: the call site). */
  functionFile: string | null
  functionLine: number | null
  inline: boolean
  /** The kernel's `<signal handler called>` frame. */
  signalHandler: boolean
  /** The source path relative to the workspace when it is the project's own file, else null. */
  projectPath: string | null
}

/** One thread of the crashed process. */
export interface Thread {
  /** gdb's thread number (not the LWP). */
  num: number
  lwp: number
  name: string | null
  /** True for the thread that received the signal. */
  crashed: boolean
  frames: Frame[]
  /** Why unwinding stopped early, e.g. "memory error while unwinding"; null when it did not. */
  unwindStopReason: string | null
  /** True when the stack had more frames than were kept. */
  truncated: boolean
}

/** The signal that killed the process. */
export interface SignalInfo {
  number: number
  /** `SIGSEGV`, or `signal 42` when unknown. */
  name: string
  /** si_code, null when unknown. */
  code: number | null
  /** `SEGV_MAPERR`, `SI_TKILL`, …; null when unknown. */
  codeName: string | null
  /** Fault address for SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGTRAP, as hex. */
  address: string | null
}

/** The frame blamed for a crash: the first one in the project's own code. */
export interface Blame {
  frame: Frame
  /** Path relative to the workspace, with `/` separators; null when no frame is in the project. */
  path: string | null
  line: number | null
  /** `line`: the frame's own line; `function`: its function's declaration (optimised code). */
  kind: 'line' | 'function' | 'none'
}

/** What the analysis learned about one crash. */
export interface Analysis {
  crash: Crash
  signal: SignalInfo
  threads: Thread[]
  /** The thread that received the signal, or null when gdb gave no threads. */
  crashingThread: Thread | null
  /** gdb's human backtrace, crashing thread first, noise lines removed. */
  text: string
  /** The frame to blame, or null when there are no frames at all. */
  blame: Blame | null
  /** What went wrong analysing this crash, in sentences for the report. */
  problems: string[]
  /** Path of the JSON gdb wrote, or null. */
  jsonPath: string | null
  /** Path of the text backtrace, or null. */
  textPath: string | null
  /** The sanitizer's report found in the core (AddressSanitizer, LeakSanitizer), or null. */
  sanitizer: SanitizerReport | null
}

/** Signal numbers to names; where two names share a number (SIGIOT), the usual one wins. */
const SIGNAL_NAMES = new Map<number, string>()
for (const [name, number] of Object.entries(constants.signals)) {
  if (!SIGNAL_NAMES.has(number)) SIGNAL_NAMES.set(number, name)
}
SIGNAL_NAMES.set(constants.signals.SIGABRT, 'SIGABRT')

/** The name of a signal number, like `SIGSEGV`. */
export function signalName(number: number): string {
  return SIGNAL_NAMES.get(number) ?? `signal ${number}`
}

const GENERIC_CODES: Record<number, string> = {
  0: 'SI_USER',
  128: 'SI_KERNEL',
  [-1]: 'SI_QUEUE',
  [-2]: 'SI_TIMER',
  [-3]: 'SI_MESGQ',
  [-4]: 'SI_ASYNCIO',
  [-5]: 'SI_SIGIO',
  [-6]: 'SI_TKILL'
}

const FAULT_CODES: Record<number, string[]> = {
  4: [
    'ILL_ILLOPC',
    'ILL_ILLOPN',
    'ILL_ILLADR',
    'ILL_ILLTRP',
    'ILL_PRVOPC',
    'ILL_PRVREG',
    'ILL_COPROC',
    'ILL_BADSTK'
  ],
  5: ['TRAP_BRKPT', 'TRAP_TRACE', 'TRAP_BRANCH', 'TRAP_HWBKPT'],
  7: ['BUS_ADRALN', 'BUS_ADRERR', 'BUS_OBJERR', 'BUS_MCEERR_AR', 'BUS_MCEERR_AO'],
  8: [
    'FPE_INTDIV',
    'FPE_INTOVF',
    'FPE_FLTDIV',
    'FPE_FLTOVF',
    'FPE_FLTUND',
    'FPE_FLTRES',
    'FPE_FLTINV',
    'FPE_FLTSUB'
  ],
  11: ['SEGV_MAPERR', 'SEGV_ACCERR', 'SEGV_BNDERR', 'SEGV_PKUERR']
}

/** The symbolic name of an si_code for a signal, like `SEGV_MAPERR`; null when unknown. */
export function signalCodeName(signal: number, code: number): string | null {
  if (code > 0 && code < 128) return FAULT_CODES[signal]?.[code - 1] ?? null
  return GENERIC_CODES[code] ?? null
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null
}

function int(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : null
}

function parseFrame(value: unknown, index: number): Frame {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>
  return {
    level: int(v.level) ?? index,
    pc: str(v.pc) ?? '0x0',
    function: str(v.function),
    file: str(v.file),
    fullname: str(v.fullname),
    line: int(v.line),
    objfile: str(v.objfile),
    functionFile: str(v.function_file),
    functionLine: int(v.function_line),
    inline: v.inline === true,
    signalHandler: v.signal_handler === true,
    projectPath: null
  }
}

function parseThread(value: unknown): Thread | null {
  if (typeof value !== 'object' || value === null) return null
  const v = value as Record<string, unknown>
  const frames = Array.isArray(v.frames) ? v.frames.map(parseFrame) : []
  return {
    num: int(v.num) ?? 0,
    lwp: int(v.lwp) ?? 0,
    name: str(v.name),
    crashed: v.crashed === true,
    frames,
    unwindStopReason: str(v.unwind_stop_reason),
    truncated: v.truncated === true
  }
}

/** What the gdb script's JSON document says, read defensively. */
export interface GdbDocument {
  error: string | null
  signal: SignalInfo | null
  threads: Thread[]
  loadMessages: string
}

/** Parses the JSON document backtrace.py writes for one core. */
export function parseGdbDocument(text: string): GdbDocument {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return {
      error: `gdb's JSON could not be parsed: ${(error as Error).message}`,
      signal: null,
      threads: [],
      loadMessages: ''
    }
  }
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>
  const threads = Array.isArray(v.threads)
    ? v.threads.map(parseThread).filter((t): t is Thread => t !== null)
    : []
  let signal: SignalInfo | null = null
  if (typeof v.signal === 'object' && v.signal !== null) {
    const s = v.signal as Record<string, unknown>
    const number = int(s.number)
    if (number !== null) {
      const code = int(s.code)
      signal = {
        number,
        name: signalName(number),
        code,
        codeName: code === null ? null : signalCodeName(number, code),
        address: str(s.address)
      }
    }
  }
  return { error: str(v.error), signal, threads, loadMessages: str(v.load_messages) ?? '' }
}

/** Lines gdb prints that say nothing about the crash (measured on gdb 13 with 6.x kernels). */
const NOISE_LINES = [
  /^warning: Section [`'.]\.reg-xstate\/\d+' in core file too small\.$/,
  /^\[New LWP \d+\]$/,
  /^\[Thread debugging using libthread_db enabled\]$/,
  /^Using host libthread_db library .*$/
]

/** Removes gdb's noise lines from a backtrace text. */
export function removeNoise(text: string): string {
  return text
    .split('\n')
    .filter((line) => !NOISE_LINES.some((noise) => noise.test(line)))
    .join('\n')
}

/**
 * The stack a crash is told and grouped by: a sanitizer's report's first (the faulting access,
 * a leak's allocation, a race's access: the blamed frame is there; gdb's stack is the runtime
 * aborting after the report), else gdb's crashing thread's; empty without either.
 */
export function crashStack(analysis: Analysis): Frame[] {
  return analysis.sanitizer?.stacks[0]?.frames ?? analysis.crashingThread?.frames ?? []
}

/** The executable's base name as the crash knew it (its comm when the path is unknown). */
export function executableName(analysis: Analysis): string {
  const path = analysis.crash.executablePath?.replace(/ \(deleted\)$/, '')
  return (path?.split('/').pop() || analysis.crash.comm || 'unknown executable').slice(0, 200)
}

/** A frame with only what is known of it: the rest is null (no name, no source, no file). */
export function newFrame(known: Partial<Frame> & { level: number }): Frame {
  return {
    pc: '',
    function: null,
    file: null,
    fullname: null,
    line: null,
    objfile: null,
    functionFile: null,
    functionLine: null,
    inline: false,
    signalHandler: false,
    projectPath: null,
    ...known
  }
}

/** An analysis with only what the crash record says: for crashes gdb could not read. */
export function bareAnalysis(crash: Crash, problems: string[]): Analysis {
  return {
    crash,
    signal: {
      number: crash.signal,
      name: signalName(crash.signal),
      code: null,
      codeName: null,
      address: null
    },
    threads: [],
    crashingThread: null,
    text: '',
    blame: null,
    problems: [...crash.problems, ...problems],
    jsonPath: null,
    textPath: null,
    sanitizer: null
  }
}

/**
 * Fills an analysis that has no frames (gdb missing, killed, or no executable to give it) with
 * what the core itself says: the signal with its code and address, and every thread with its pc.
 */
export function fillFromCore(analysis: Analysis, core: CoreInfo | undefined): Analysis {
  if (!core || analysis.threads.length > 0) return analysis
  if (core.signal) {
    analysis.signal = {
      number: core.signal.number,
      name: signalName(core.signal.number),
      code: core.signal.code,
      codeName: signalCodeName(core.signal.number, core.signal.code),
      address: core.signal.address
    }
  }
  analysis.threads = core.threads.map((thread, index) => ({
    num: index + 1,
    lwp: thread.tid,
    name: null,
    crashed: index === 0,
    frames: thread.pc
      ? [
          newFrame({
            level: 0,
            pc: thread.pc,
            objfile:
              core.mappings.find((m) => BigInt(thread.pc!) >= m.start && BigInt(thread.pc!) < m.end)
                ?.path ?? null
          })
        ]
      : [],
    unwindStopReason: 'no backtrace: read from the core without gdb',
    truncated: false
  }))
  analysis.crashingThread = analysis.threads[0] ?? null
  analysis.blame = analysis.crashingThread?.frames[0]
    ? { frame: analysis.crashingThread.frames[0], path: null, line: null, kind: 'none' }
    : null
  return analysis
}
