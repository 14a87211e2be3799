/** What became of the core of one crash. */
export type CoreState =
  /** The whole core is stored. */
  | 'complete'
  /** The core was cut at a size limit; gdb may still read the first threads. */
  | 'truncated'
  /** No core was stored (a disk limit); the metadata is kept. */
  | 'dropped'
  /** The handler had not finished when the post step collected. */
  | 'incomplete'

/** Where a crash was found. */
export type CrashSource =
  /** Our core_pattern pipe handler. */
  | 'handler'
  /** A core file written by a file core_pattern, found through the search paths. */
  | 'core-file'
  /** systemd-coredump, read with coredumpctl. */
  | 'systemd-coredump'
  /** A process of the job still running when post ran, dumped with gcore (no crash). */
  | 'leftover'
  /** A process of the job still running when hang-timeout passed, dumped by the watcher. */
  | 'hang'
  /** A sanitizer report a process sent to the system log and went on (no core). */
  | 'sanitizer'

/** One crash event on disk, as collected by the post step. */
export interface Crash {
  /** Unique in the job: `<epoch seconds>-<pid>` for the handler's crashes. */
  id: string
  source: CrashSource
  /** Folder in the post step's staging area holding this crash's files. */
  dir: string
  pid: number
  tid: number
  /** Signal number that killed the process. */
  signal: number
  /** Epoch seconds of the crash. */
  time: number
  uid: number
  gid: number
  /** The crashing thread's comm (at most 15 bytes, chosen by the program). */
  comm: string
  /** Path of the executable at crash time; may end in ` (deleted)`. */
  executablePath: string | null
  /** A copy of the exact executable, readable by gdb, or null. */
  executable: string | null
  /** argv of the crashed process. */
  commandLine: string[]
  /** Working directory of the crashed process. */
  cwd: string | null
  /** Path of the uncompressed core, or null when there is none. */
  core: string | null
  /** The whole core as the handler compressed it (zstd), hard-linked into the stage, or null:
   * the artifact takes it as it is. */
  packedCore: string | null
  coreState: CoreState
  /** Why the core is not complete, or a problem reading it; null when all is well. */
  coreNote: string | null
  /** Path of the process's /proc/PID/maps text, or null. */
  maps: string | null
  /** GNU build-id of the executable the core was made from (from the core itself), or null. */
  buildId: string | null
  /** How the executable was found, or why none could be used: a sentence for the report. */
  executableReason: string | null
  /** Shared libraries the process had mapped whose file on disk still had the build-id the
   * core recorded: `path` as mapped, `file` a private copy made from the checked descriptor
   * (the only one gdb and the artifact use), `soname` its DT_SONAME (the name the link map
   * has for it when it differs from the file's). */
  libraries: { path: string; file: string; soname: string | null }[]
  /** Set when the process ran in another root file system than the host's (a `docker run`
   * container, a chroot): `container` is the container id its cgroup names, if any. */
  otherRoot: { container: string | null } | null
  /** Copies of that root's mapped code files the handler took (staged), to match by build-id. */
  rootFiles: string[]
  /** What went wrong finding or identifying this crash, in sentences for the report. */
  problems: string[]
  /**
   * An earlier crash of the job with the same crash site (see collect/site.ts), whose backtrace
   * stands for this one: the core of this crash was not decompressed nor given to gdb.
   */
  twinOf: string | null
  /** The core's machine as the ELF reader names it (x86_64, aarch64, i386), or null. */
  machine: string | null
  /** Where a PIE executable was loaded when its core does not tell gdb (qemu-user's), as hex. */
  loadDisplacement: string | null
}

/** True for a process that did not crash but was still running (left over, or hung). */
export function isRunning(crash: Pick<Crash, 'source'>): boolean {
  return crash.source === 'leftover' || crash.source === 'hang'
}

/** A crash record with nothing known yet but where it came from. */
export function newCrash(
  id: string,
  source: CrashSource,
  dir: string,
  known: Partial<Crash> = {}
): Crash {
  return {
    id,
    source,
    dir,
    pid: -1,
    tid: -1,
    signal: -1,
    time: -1,
    uid: -1,
    gid: -1,
    comm: '',
    executablePath: null,
    executable: null,
    commandLine: [],
    cwd: null,
    core: null,
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
    ...known
  }
}
