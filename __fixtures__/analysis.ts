import type { Analysis, Frame, Thread } from '../src/analyze/analysis.js'
import type { Crash } from '../src/collect/crash.js'

/** A frame with defaults for everything not given. */
export function frame(values: Partial<Frame> & { level: number }): Frame {
  return {
    pc: '0x1000',
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
    ...values
  }
}

/** A crash record with defaults. */
export function crash(values: Partial<Crash> = {}): Crash {
  return {
    id: '1700000000-100',
    source: 'handler',
    dir: '/tmp/none',
    pid: 100,
    tid: 100,
    signal: 11,
    time: 1700000000,
    uid: 1000,
    gid: 1000,
    comm: 'app',
    executablePath: '/work/app/bin/app',
    executable: null,
    commandLine: ['./bin/app', '--flag'],
    cwd: '/work/app',
    core: '/tmp/none/core',
    packedCore: null,
    coreState: 'complete',
    coreNote: null,
    maps: null,
    buildId: null,
    executableReason: null,
    libraries: [],
    otherRoot: null,
    rootFiles: [],
    problems: [],
    twinOf: null,
    machine: null,
    loadDisplacement: null,
    ...values
  }
}

/** An analysis whose crashing thread has the given frames. */
export function analysis(
  frames: Frame[],
  values: Partial<Analysis> = {},
  crashValues: Partial<Crash> = {}
): Analysis {
  const thread: Thread = {
    num: 1,
    lwp: 100,
    name: null,
    crashed: true,
    frames,
    unwindStopReason: null,
    truncated: false
  }
  return {
    crash: crash(crashValues),
    signal: { number: 11, name: 'SIGSEGV', code: 1, codeName: 'SEGV_MAPERR', address: '0x0' },
    threads: [thread],
    crashingThread: thread,
    text: '#0 boom ()',
    blame: null,
    problems: [],
    jsonPath: null,
    textPath: null,
    sanitizer: null,
    ...values
  }
}
