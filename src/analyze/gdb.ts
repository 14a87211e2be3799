import { access, constants, readFile, writeFile } from 'node:fs/promises'
import { delimiter, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Crash } from '../collect/crash.js'
import { describeFailure, runCommand } from '../process.js'
import { runAsRoot, type Privilege } from '../privilege.js'
import {
  bareAnalysis,
  parseGdbDocument,
  removeNoise,
  signalCodeName,
  type Analysis,
  type GdbDocument
} from './analysis.js'
import { chooseBlame, SourceResolver, type BlameOptions } from './blame.js'

const SYSTEM_PATH = [
  '/usr/local/sbin',
  '/usr/local/bin',
  '/usr/sbin',
  '/usr/bin',
  '/sbin',
  '/bin'
].join(delimiter)

/** Finds an executable program in a PATH-like list of directories; null when absent. */
export async function findProgram(name: string, path: string): Promise<string | null> {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue
    const candidate = join(dir, name)
    try {
      await access(candidate, constants.X_OK)
      return candidate
    } catch {
      // next
    }
  }
  return null
}

/** Finds gdb on PATH; null when it is not installed. */
export function findGdb(): Promise<string | null> {
  return findProgram('gdb', process.env.PATH ?? '')
}

/** Package managers tried in order, with the commands that install gdb. */
const INSTALLERS: { tool: string; steps: string[][] }[] = [
  {
    tool: 'apt-get',
    steps: [
      [
        'env',
        'DEBIAN_FRONTEND=noninteractive',
        'apt-get',
        'install',
        '-y',
        '--no-install-recommends',
        'gdb'
      ],
      ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'update'],
      [
        'env',
        'DEBIAN_FRONTEND=noninteractive',
        'apt-get',
        'install',
        '-y',
        '--no-install-recommends',
        'gdb'
      ]
    ]
  },
  { tool: 'dnf', steps: [['dnf', 'install', '-y', 'gdb']] },
  { tool: 'apk', steps: [['apk', 'add', 'gdb']] }
]

/**
 * Installs gdb with the system's package manager. apt-get is tried with the cached package lists
 * first and after `apt-get update` when that fails. Throws with the reason when it cannot.
 */
export async function installGdb(privilege: Privilege | null): Promise<string> {
  if (!privilege)
    throw new Error('gdb is not installed, and installing it needs root or passwordless sudo')
  for (const installer of INSTALLERS) {
    if (!(await findProgram(installer.tool, SYSTEM_PATH))) continue
    let lastError = ''
    for (const step of installer.steps) {
      try {
        await runAsRoot(privilege, `Installing gdb (${step.join(' ')})`, step[0]!, step.slice(1))
      } catch (error) {
        lastError = (error as Error).message
        continue
      }
      const gdb = await findProgram('gdb', `${process.env.PATH ?? ''}${delimiter}${SYSTEM_PATH}`)
      if (gdb) return gdb
    }
    throw new Error(`gdb could not be installed with ${installer.tool}: ${lastError}`)
  }
  throw new Error('gdb is not installed and no known package manager (apt-get, dnf, apk) was found')
}

/** Options for analysing crashes. */
export interface AnalyzeOptions extends BlameOptions {
  gdb: string
  /** Milliseconds one gdb process may spend per core before it is killed. */
  timeoutMsPerCore: number
  /** gdb processes run at the same time. */
  parallel: number
}

/** The settings every gdb run starts with (see the notes: -iex, not -ex, for debuginfod). */
const GDB_SETTINGS = [
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
}

/** Runs one gdb over cores of one executable; returns a sentence when gdb itself failed. */
async function runBatch(
  options: AnalyzeOptions,
  executable: string | null,
  jobs: Job[],
  listFile: string
): Promise<string | null> {
  await writeFile(
    listFile,
    JSON.stringify(jobs.map((job) => ({ core: job.crash.core, json: job.json, text: job.text })))
  )
  const args = ['-nx', '-batch']
  for (const setting of GDB_SETTINGS) args.push('-iex', setting)
  args.push('-x', scriptPath())
  if (executable) args.push(executable)
  const env: NodeJS.ProcessEnv = { ...process.env, CRASH_CAPTURE_JOBS: listFile }
  delete env.DEBUGINFOD_URLS
  const result = await runCommand(options.gdb, args, {
    // Never the workspace: gdb resolves relative DWARF names against its cwd.
    cwd: jobs[0]!.crash.dir,
    env,
    timeoutMs: options.timeoutMsPerCore * jobs.length,
    maxOutput: 1024 * 1024
  })
  if (result.timedOut) return `gdb ran longer than its timeout and was killed`
  if (result.code !== 0) return `gdb ${describeFailure(result)}`
  return null
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
  if (document.signal) {
    analysis.signal = document.signal
  } else if (analysis.signal.code !== null) {
    analysis.signal.codeName = signalCodeName(analysis.signal.number, analysis.signal.code)
  }
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
 * Backtraces every crash. Cores of the same executable file share one gdb that loads the
 * symbols once and switches cores with `core-file`; when that gdb is killed at its timeout,
 * the cores it had not finished are retried one per gdb, so one bad core never costs the others.
 */
export async function analyzeCrashes(
  crashes: Crash[],
  options: AnalyzeOptions
): Promise<Analysis[]> {
  const resolver = new SourceResolver(options)
  const results = new Map<Crash, Analysis>()
  const batches = new Map<string, Job[]>()
  for (const crash of crashes) {
    if (!crash.core) {
      results.set(
        crash,
        bareAnalysis(crash, [`No core to analyse: ${crash.coreNote ?? 'none was stored'}`])
      )
      continue
    }
    const job = {
      crash,
      json: join(crash.dir, 'backtrace.json'),
      text: join(crash.dir, 'backtrace.txt')
    }
    const key = crash.executable ?? ''
    batches.set(key, [...(batches.get(key) ?? []), job])
  }

  const queue: { executable: string | null; jobs: Job[]; retry: boolean }[] = [...batches].map(
    ([executable, jobs]) => ({ executable: executable || null, jobs, retry: jobs.length > 1 })
  )
  const worker = async (): Promise<void> => {
    for (let batch = queue.shift(); batch; batch = queue.shift()) {
      const failure = await runBatch(
        options,
        batch.executable,
        batch.jobs,
        join(batch.jobs[0]!.crash.dir, 'gdb-jobs.json')
      )
      const unfinished: Job[] = []
      for (const job of batch.jobs) {
        const output = await readOutput(job)
        if (output) results.set(job.crash, toAnalysis(job, output, resolver, options))
        else unfinished.push(job)
      }
      if (unfinished.length === 0) continue
      if (batch.retry) {
        // The first unfinished core is the one gdb was stuck on; give it and the rest one gdb each.
        for (const job of unfinished)
          queue.push({ executable: batch.executable, jobs: [job], retry: false })
      } else {
        for (const job of unfinished) {
          results.set(job.crash, bareAnalysis(job.crash, [failure ?? 'gdb wrote no backtrace']))
        }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, options.parallel) }, worker))
  return crashes.map((crash) => results.get(crash) ?? bareAnalysis(crash, ['not analysed']))
}
