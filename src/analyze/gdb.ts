import { createHash } from 'node:crypto'
import { constants } from 'node:fs'
import { copyFile, link, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { basename, delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Crash } from '../collect/crash.js'
import { pieEntry, type CoreInfo } from '../elf/core-file.js'
import { describeFailure, findProgram, runCommand } from '../process.js'
import { safeRelative } from '../upload/bundle.js'
import { runAsRoot, type Privilege } from '../privilege.js'
import {
  bareAnalysis,
  fillFromCore,
  parseGdbDocument,
  signalName,
  removeNoise,
  type Analysis,
  type GdbDocument
} from './analysis.js'
import { addSanitizerReport } from './sanitizer.js'
import { chooseBlame, SourceResolver, type BlameOptions } from './blame.js'
import { parseCrashingThread, parseTerminatingSignal } from './bt-text.js'

const SYSTEM_PATH = [
  '/usr/local/sbin',
  '/usr/local/bin',
  '/usr/sbin',
  '/usr/bin',
  '/sbin',
  '/bin'
].join(delimiter)

/** Finds gdb on PATH; null when it is not installed. */
export function findGdb(): Promise<string | null> {
  return findProgram('gdb', process.env.PATH ?? '')
}

/** The gdb that reads cores of every machine: Debian's and Alpine's gdb-multiarch. */
export function findMultiarchGdb(): Promise<string | null> {
  return findProgram('gdb-multiarch', process.env.PATH ?? '')
}

/**
 * The core machines (as the ELF reader names them) this host's gdb reads: its own and its
 * 32-bit sibling. Any other needs gdb-multiarch. Empty for a host the table does not know: then
 * every core is given to gdb.
 */
export function hostMachines(): Set<string> {
  if (process.arch === 'x64') return new Set(['x86_64', 'i386'])
  if (process.arch === 'arm64') return new Set(['aarch64'])
  if (process.arch === 'ia32') return new Set(['i386'])
  return new Set()
}

/**
 * Where a PIE executable was loaded, as hex, for a core without file mappings (qemu-user's: no
 * NT_FILE, and the executable's own pages are not in it, so gdb takes the link-time addresses
 * and names no function): the core's AT_ENTRY minus the file's entry point. Null otherwise.
 */
async function loadDisplacement(crash: Crash, core: CoreInfo): Promise<string | null> {
  if (core.mappings.length > 0 || core.entry === null || !crash.executable) return null
  const entry = await pieEntry(crash.executable)
  if (entry === null || core.entry <= entry) return null
  return `0x${(core.entry - entry).toString(16)}`
}

/** True when a core is of a machine the host's gdb does not read. */
export function isForeign(core: { machine: string } | undefined, host = hostMachines()): boolean {
  return !!core && host.size > 0 && !host.has(core.machine)
}

function aptInstall(name: string): string[] {
  return [
    'env',
    'DEBIAN_FRONTEND=noninteractive',
    'apt-get',
    'install',
    '-y',
    '--no-install-recommends',
    name
  ]
}

/**
 * Package managers tried in order, with the commands that install gdb, or with `multiarch` a
 * gdb for every machine, and the program each gives. Fedora's gdb reads every machine.
 */
function installers(multiarch: boolean): { tool: string; steps: string[][]; program: string }[] {
  const name = multiarch ? 'gdb-multiarch' : 'gdb'
  return [
    {
      tool: 'apt-get',
      steps: [
        aptInstall(name),
        ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'update'],
        aptInstall(name)
      ],
      program: name
    },
    { tool: 'dnf', steps: [['dnf', 'install', '-y', 'gdb']], program: 'gdb' },
    { tool: 'apk', steps: [['apk', 'add', name]], program: name }
  ]
}

/**
 * Installs gdb (or with `multiarch`, gdb-multiarch) with the system's package manager. apt-get
 * is tried with the cached package lists first and after `apt-get update` when that fails.
 * Throws with the reason when it cannot.
 */
export async function installGdb(privilege: Privilege | null, multiarch = false): Promise<string> {
  const what = multiarch ? 'gdb-multiarch' : 'gdb'
  if (!privilege)
    throw new Error(`${what} is not installed, and installing it needs root or passwordless sudo`)
  for (const installer of installers(multiarch)) {
    // The step's PATH first (what `env` and sudo will run), then the usual system folders.
    if (!(await findProgram(installer.tool, `${process.env.PATH ?? ''}${delimiter}${SYSTEM_PATH}`)))
      continue
    let lastError = ''
    for (const step of installer.steps) {
      try {
        await runAsRoot(
          privilege,
          `Installing ${what} (${step.join(' ')})`,
          step[0]!,
          step.slice(1)
        )
      } catch (error) {
        lastError = (error as Error).message
        continue
      }
      const gdb = await findProgram(
        installer.program,
        `${process.env.PATH ?? ''}${delimiter}${SYSTEM_PATH}`
      )
      if (gdb) return gdb
    }
    throw new Error(`${what} could not be installed with ${installer.tool}: ${lastError}`)
  }
  throw new Error(
    `${what} is not installed and no known package manager (apt-get, dnf, apk) was found`
  )
}

/** Options for analysing crashes. */
export interface AnalyzeOptions extends BlameOptions {
  gdb: string
  /** For cores of another machine than the host's (isForeign): gdb-multiarch, or why none. */
  multiarch?: string | { missing: string }
  /** Load addresses of PIE executables gdb cannot find in their cores (see loadDisplacement). */
  displacements?: Map<Crash, string>
  /** Milliseconds one gdb process may spend per core before it is killed. */
  timeoutMsPerCore: number
  /** gdb processes run at the same time. */
  parallel: number
  /** The project's gdb scripts (absolute paths), sourced before the backtraces. */
  scripts: string[]
  /** gdb commands run on each core after the backtrace. */
  commands: string[]
  /** Where to say something once (for example that gdb lacks Python). */
  warn?: (message: string) => void
  /** gdb's index cache that main filled with the system libraries' (see warm.ts), if any. */
  indexCache?: string | null
}

/**
 * The settings every gdb run starts with, as `-iex` so that they hold before anything is loaded
 * (see the notes: with -ex the debuginfod prompt still appears). `auto-load off` comes first:
 * library paths come from the core's link map, so the crashing program chooses them, and gdb's
 * safe-path check compares them unresolved (`/usr/share/gdb/auto-load/../../tmp/x/lib.so`
 * passes), which would run the library's `.debug_gdb_scripts` Python or load a libthread_db
 * from its folder. backtrace.py registers the system's libstdc++ printers itself.
 */
export const GDB_SETTINGS = [
  'set auto-load off',
  'set libthread-db-search-path $sdir',
  'set debuginfod enabled off',
  'set pagination off',
  'set height 0',
  'set width 0',
  'set confirm off',
  'set style enabled off',
  'set print frame-arguments scalars',
  'set print entry-values no',
  'set max-value-size 65536',
  'set print elements 200'
]

function scriptPath(): string {
  return fileURLToPath(new URL('./backtrace.py', import.meta.url))
}

interface Job {
  crash: Crash
  json: string
  text: string
  /** The crash's private sysroot: its verified libraries under their mapped paths. */
  sysroot: string
  /** solib-search-path: the folders of those libraries in the sysroot. */
  search: string
  /** Where a PIE executable was loaded, when gdb cannot tell from the core (hex), else null. */
  displacement: string | null
}

/**
 * Builds a private sysroot for a set of libraries: hard links to the copies identify() made of
 * the libraries whose build-id matched the core, under their mapped paths made safe. gdb is
 * pointed at it (and at their folders, for link-map names that differ from the mapped paths,
 * such as /lib against /usr/lib), so it never opens a path from the core itself: not a swapped
 * file, not a FIFO. Crashes with the same libraries share one (`sysroots/<hash>`): one gdb then
 * keeps its loaded libraries from core to core instead of reloading them for a new sysroot.
 */
async function privateSysroot(
  crash: Crash,
  made: Map<string, Promise<{ sysroot: string; search: string }>>
): Promise<{ sysroot: string; search: string }> {
  const key = createHash('sha256')
    .update(JSON.stringify(crash.libraries.map((l) => [l.path, l.file, l.soname]).sort()))
    .digest('hex')
    .slice(0, 16)
  let sysroot = made.get(key)
  if (!sysroot) {
    sysroot = buildSysroot(join(dirname(crash.dir), 'sysroots', key), crash.libraries)
    made.set(key, sysroot)
  }
  return sysroot
}

async function buildSysroot(
  sysroot: string,
  libraries: Crash['libraries']
): Promise<{ sysroot: string; search: string }> {
  await rm(sysroot, { recursive: true, force: true })
  await mkdir(sysroot, { recursive: true })
  const folders = new Set<string>()
  const place = async (file: string, target: string) => {
    await mkdir(dirname(target), { recursive: true })
    await link(file, target).catch(() => copyFile(file, target, constants.COPYFILE_EXCL))
  }
  for (const library of libraries) {
    const relative = safeRelative(library.path)
    if (!relative) continue
    await place(library.file, join(sysroot, relative)).catch(() => undefined)
    folders.add(dirname(join(sysroot, relative)))
  }
  // The link map names a dependency by its soname (`libstdc++.so.6`), the core's mappings by
  // its file (`libstdc++.so.6.0.30`): gdb finds it under that name in the search path.
  for (const library of libraries) {
    const relative = safeRelative(library.path)
    if (!relative || !library.soname || library.soname === basename(relative)) continue
    await place(library.file, join(sysroot, dirname(relative), library.soname)).catch(
      () => undefined
    )
  }
  return { sysroot, search: [...folders].join(delimiter) }
}

/** The settings that make gdb read and write its index cache in `dir`. */
export function indexCacheSettings(dir: string): string[] {
  return [`set index-cache directory ${dir}`, 'set index-cache enabled on']
}

/** What one gdb run over a batch of cores did. */
interface BatchResult {
  /** A sentence when gdb itself failed, else null. */
  failure: string | null
  /** True when this gdb has no Python: the text fallback is needed. */
  noPython: boolean
}

export function gdbEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra }
  delete env.DEBUGINFOD_URLS
  // gdb would search it for libraries the sysroot does not have.
  delete env.LD_LIBRARY_PATH
  return env
}

export function settingsArgs(extra: string[] = []): string[] {
  const args = ['-nx', '-batch']
  for (const setting of [...GDB_SETTINGS, ...extra]) args.push('-iex', setting)
  return args
}

/** Runs one gdb over cores of one executable with the Python script. */
async function runBatch(
  options: AnalyzeOptions,
  executable: string | null,
  jobs: Job[],
  listFile: string
): Promise<BatchResult> {
  // Results are read back from these files: never let an earlier run's stand in for this one.
  await Promise.all(
    jobs.flatMap((job) => [rm(job.json, { force: true }), rm(job.text, { force: true })])
  )
  await writeFile(
    listFile,
    JSON.stringify(
      jobs.map((job) => ({
        core: job.crash.core,
        json: job.json,
        text: job.text,
        sysroot: job.sysroot,
        search: job.search,
        displacement: job.displacement
      }))
    )
  )
  // With several cores, gdb re-reads every shared library's debug info at each `core-file`:
  // an index cache (main's, or fresh in the stage; never the user's home) makes the re-reads
  // cheap (measured: 20 cores with libc debug info, 3.5 s → 2.3 s).
  const cacheDir =
    options.indexCache ??
    (jobs.length > 1 ? join(dirname(jobs[0]!.crash.dir), 'gdb-index-cache') : null)
  // Turned on with -ex, which runs after gdb loaded the executable named on its command line:
  // the cache serves the libraries each `core-file` reloads, and gdb does not write an index of
  // the executable that no other gdb reads (30-40 ms for a 30 MiB -g server).
  const cache = cacheDir ? indexCacheSettings(cacheDir).flatMap((setting) => ['-ex', setting]) : []
  const args = [...settingsArgs(), ...cache, '-x', scriptPath()]
  if (executable) args.push(executable)
  const result = await runCommand(options.gdb, args, {
    // Never the workspace: gdb resolves relative DWARF names against its cwd.
    cwd: jobs[0]!.crash.dir,
    env: gdbEnv({
      CRASH_CAPTURE_JOBS: listFile,
      CRASH_CAPTURE_SCRIPTS: JSON.stringify(options.scripts),
      CRASH_CAPTURE_COMMANDS: JSON.stringify(options.commands)
    }),
    timeoutMs: options.timeoutMsPerCore * jobs.length,
    maxOutput: 1024 * 1024
  })
  const noPython = /Python scripting is not supported in this copy of GDB/.test(
    result.stdout + result.stderr
  )
  if (result.timedOut)
    return { failure: 'gdb ran longer than its timeout and was killed', noPython }
  if (result.code !== 0) return { failure: `gdb ${describeFailure(result)}`, noPython }
  return { failure: null, noPython }
}

/**
 * The fallback for a gdb without Python: one gdb per core printing `bt full` of the crashing
 * thread and then of every thread, with absolute file names, parsed from the text.
 */
async function analyzeFromText(
  options: AnalyzeOptions,
  executable: string | null,
  job: Job,
  resolver: SourceResolver
): Promise<Analysis> {
  const args = settingsArgs([
    'set filename-display absolute',
    `set sysroot ${job.sysroot}`,
    `set solib-search-path ${job.search}`
  ])
  for (const script of options.scripts) args.push('-x', script)
  args.push('-ex', 'bt full 64', '-ex', 'thread apply all -ascending bt full 64')
  for (const command of options.commands) args.push('-ex', command)
  if (executable) args.push(executable)
  args.push(job.crash.core!)
  const result = await runCommand(options.gdb, args, {
    cwd: job.crash.dir,
    env: gdbEnv({}),
    timeoutMs: options.timeoutMsPerCore,
    maxOutput: 1024 * 1024
  })
  const analysis = bareAnalysis(job.crash, [
    'gdb has no Python support: frames were read from its text output (install the full gdb package for exact frames)'
  ])
  if (result.timedOut || result.startError) {
    analysis.problems.push(`gdb ${describeFailure(result)}`)
    return analysis
  }
  const text = removeNoise(result.stdout)
  const signal = parseTerminatingSignal(text)
  if (signal !== null && analysis.signal.number < 0) {
    analysis.signal = { ...analysis.signal, number: signal, name: signalName(signal) }
  }
  const thread = parseCrashingThread(text.slice(text.indexOf('\n#') >= 0 ? text.indexOf('\n#') : 0))
  for (const frame of thread.frames) frame.projectPath = resolver.projectPath(frame.fullname)
  analysis.threads = thread.frames.length > 0 ? [thread] : []
  analysis.crashingThread = analysis.threads[0] ?? null
  analysis.text = text
  analysis.blame = chooseBlame(analysis.crashingThread, resolver, options.skipFrames)
  await writeFile(job.text, text).catch(() => undefined)
  analysis.textPath = job.text
  return analysis
}

async function readOutput(job: Job): Promise<{ document: GdbDocument; text: string } | null> {
  try {
    const [json, text] = await Promise.all([readFile(job.json, 'utf8'), readFile(job.text, 'utf8')])
    return { document: parseGdbDocument(json), text }
  } catch {
    return null
  }
}

function toAnalysis(
  job: Job,
  output: { document: GdbDocument; text: string },
  resolver: SourceResolver,
  options: AnalyzeOptions
): Analysis {
  const { document } = output
  const analysis = bareAnalysis(job.crash, [])
  if (document.error) analysis.problems.push(`gdb could not open the core: ${document.error}`)
  if (/may not match specified executable/.test(document.loadMessages)) {
    analysis.problems.push(
      'gdb says the core may not match the executable: the frames may be wrong'
    )
  }
  if (document.signal) analysis.signal = document.signal
  for (const thread of document.threads) {
    for (const frame of thread.frames) frame.projectPath = resolver.projectPath(frame.fullname)
  }
  analysis.threads = document.threads
  analysis.crashingThread = document.threads.find((t) => t.crashed) ?? document.threads[0] ?? null
  analysis.text = removeNoise(output.text)
  analysis.blame = chooseBlame(analysis.crashingThread, resolver, options.skipFrames)
  analysis.jsonPath = job.json
  analysis.textPath = job.text
  return analysis
}

/**
 * Splits the cores of one executable over the parallel gdb processes. With the index cache one
 * gdb loads the symbols once and each further core costs ~0.04 s (the 30 MiB server of the
 * bench: 1 core 0.37 s, 4 cores 0.48 s in one gdb; two gdbs of 2 cores each 0.45 s, with twice
 * the CPU), so a second gdb pays its own load (~0.3 s) back only from about 16 cores on; below
 * that, the other CPU is left to the artifact's staging, which runs beside the analysis.
 */
function split(jobs: Job[], parallel: number): Job[][] {
  if (jobs.length < 16 || parallel < 2) return [jobs]
  const size = Math.ceil(jobs.length / parallel)
  const chunks: Job[][] = []
  for (let i = 0; i < jobs.length; i += size) chunks.push(jobs.slice(i, i + size))
  return chunks
}

/**
 * Backtraces crashes that have a core. Cores of the same executable file share one gdb that loads the
 * symbols once and switches cores with `core-file`; when that gdb is killed at its timeout,
 * the cores it had not finished are retried one per gdb, so one bad core never costs the others.
 */
export async function analyzeCrashes(
  crashes: Crash[],
  options: AnalyzeOptions
): Promise<Analysis[]> {
  const resolver = new SourceResolver(options)
  const results = new Map<Crash, Analysis>()
  const sysroots = new Map<string, Promise<{ sysroot: string; search: string }>>()
  const batches = new Map<string, Job[]>()
  for (const crash of crashes) {
    const job = {
      crash,
      json: join(crash.dir, 'backtrace.json'),
      text: join(crash.dir, 'backtrace.txt'),
      ...(await privateSysroot(crash, sysroots)),
      displacement: options.displacements?.get(crash) ?? null
    }
    const key = crash.executable ?? ''
    batches.set(key, [...(batches.get(key) ?? []), job])
  }

  const queue: { executable: string | null; jobs: Job[]; retry: boolean }[] = []
  for (const [executable, jobs] of batches) {
    for (const chunk of split(jobs, options.parallel)) {
      queue.push({ executable: executable || null, jobs: chunk, retry: chunk.length > 1 })
    }
  }
  let warnedNoPython = false
  const worker = async (): Promise<void> => {
    for (let batch = queue.shift(); batch; batch = queue.shift()) {
      const listFile = join(batch.jobs[0]!.crash.dir, 'gdb-jobs.json')
      const run = await runBatch(options, batch.executable, batch.jobs, listFile)
      const unfinished: Job[] = []
      for (const job of batch.jobs) {
        const output = await readOutput(job)
        if (output) results.set(job.crash, toAnalysis(job, output, resolver, options))
        else unfinished.push(job)
      }
      if (unfinished.length === 0) continue
      if (run.noPython) {
        if (!warnedNoPython)
          options.warn?.('gdb has no Python support: reading frames from its text output instead.')
        warnedNoPython = true
        for (const job of unfinished) {
          results.set(job.crash, await analyzeFromText(options, batch.executable, job, resolver))
        }
      } else if (batch.retry) {
        // The first unfinished core is the one gdb was stuck on; give it and the rest one gdb each.
        for (const job of unfinished)
          queue.push({ executable: batch.executable, jobs: [job], retry: false })
      } else {
        for (const job of unfinished) {
          results.set(job.crash, bareAnalysis(job.crash, [run.failure ?? 'gdb wrote no backtrace']))
        }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, options.parallel) }, worker))
  return crashes.map((crash) => results.get(crash) ?? bareAnalysis(crash, ['not analysed']))
}

/**
 * Analyses every crash: with gdb where it can give true frames (a core, the executable the core
 * was made from, and a gdb), from the core's own notes otherwise (signal, threads, pcs), and
 * fills from the core whatever gdb could not give. `gdb` is the analysis options, or the reason
 * there is no gdb.
 */
export async function analyzeAll(
  crashes: Crash[],
  cores: Map<Crash, CoreInfo>,
  gdb: AnalyzeOptions | { missing: string }
): Promise<Analysis[]> {
  const results = new Map<Crash, Analysis>()
  const usable: Crash[] = []
  const byId = new Map(crashes.map((crash) => [crash.id, crash]))
  for (const crash of crashes) {
    if (crash.twinOf && byId.has(crash.twinOf)) {
      // Its crash site is an earlier crash's: that backtrace stands for it (below).
    } else if (!crash.core) {
      results.set(
        crash,
        bareAnalysis(crash, [`No core to analyse: ${crash.coreNote ?? 'none was stored'}`])
      )
    } else if (!crash.executable) {
      // identify() said why; gdb without the right executable prints garbage frames.
      results.set(crash, bareAnalysis(crash, []))
    } else if ('missing' in gdb) {
      results.set(crash, bareAnalysis(crash, [gdb.missing]))
    } else {
      usable.push(crash)
    }
  }
  if (usable.length > 0 && !('missing' in gdb)) {
    const host = hostMachines()
    const foreign = usable.filter((crash) => isForeign(cores.get(crash), host))
    const native = usable.filter((crash) => !foreign.includes(crash))
    const analysed = native.length > 0 ? await analyzeCrashes(native, gdb) : []
    const multiarch = gdb.multiarch ?? { missing: 'gdb-multiarch was not looked for' }
    for (const crash of foreign) {
      const machine = cores.get(crash)!.machine
      if (typeof multiarch !== 'string')
        results.set(
          crash,
          bareAnalysis(crash, [
            `A core of ${machine} on a ${process.arch} machine needs gdb-multiarch: ${multiarch.missing}.`
          ])
        )
    }
    if (typeof multiarch === 'string' && foreign.length > 0) {
      const displacements = new Map<Crash, string>()
      for (const crash of foreign) {
        crash.loadDisplacement = await loadDisplacement(crash, cores.get(crash)!)
        if (crash.loadDisplacement) displacements.set(crash, crash.loadDisplacement)
      }
      for (const analysis of await analyzeCrashes(foreign, {
        ...gdb,
        gdb: multiarch,
        displacements
      })) {
        const machine = cores.get(analysis.crash)!.machine
        analysis.problems.push(
          `A core of ${machine}: backtraced with gdb-multiarch (${multiarch}).`
        )
        analysed.push(analysis)
      }
    }
    for (const analysis of analysed) {
      await addSanitizerReport(analysis, gdb)
      results.set(analysis.crash, analysis)
    }
  }
  for (const crash of crashes) {
    const first = crash.twinOf ? results.get(byId.get(crash.twinOf)!) : undefined
    if (!crash.twinOf || results.has(crash)) continue
    results.set(
      crash,
      first
        ? {
            ...first,
            crash,
            problems: [
              `Backtraced as ${crash.twinOf}: it crashed at the same place (signal, instruction and the code addresses on 8 KiB of its stack), so its core was not given to gdb.`
            ]
          }
        : bareAnalysis(crash, [`No core to analyse: ${crash.coreNote ?? 'none was stored'}`])
    )
  }
  return crashes.map((crash) => fillFromCore(results.get(crash)!, cores.get(crash)))
}
