import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { runAsRoot, type Privilege } from '../privilege.js'
import { readProcStat } from '../process.js'
import type { KernelSettings } from '../state.js'

/**
 * The capture of one kernel, shared by every job that runs on it. core_pattern, core_pipe_limit
 * and suid_dumpable are global, and one host can run several jobs at once (several runners on a
 * self-hosted machine, Actions Runner Controller pods on one node), so there is exactly one
 * handler, `<crash-dir>/handler.sh`, and each job registers a folder `<crash-dir>/jobs/<id>/`:
 *
 *   host.json          the settings the first job in found; the last job out restores them
 *   handler.sh         the handler (it finds its tools in a fixed PATH of the host)
 *   jobs/<id>/         a registration: job.json, tracking (RUNNER_TRACKING_ID), config (limits),
 *                      crashes/ and the handler's private folders
 *   unattributed/      records of crashes no registered job could claim
 *
 * The folder itself is flock(1)ed while a main registers or a post leaves.
 *
 * A registration whose runner process is gone (a job killed before its post step) is reaped by
 * the next main or post, so a dead job cannot pin the host's settings forever.
 */

/** The specifiers the handler expects, in its argument order (see handler.sh). */
export const HANDLER_SPECIFIERS = '%P %i %s %t %u %g %c %d %e'

/** Crashes past max-cores still get a record (without core), up to this many more. */
export const MORE_RECORDS = 1000

/** The crash-dir a registration folder (`<crash-dir>/jobs/<id>`) belongs to. */
export function crashDirOf(jobDir: string): string {
  return dirname(dirname(jobDir))
}

/** The core_pattern of the host capture under `crashDir`. */
export function hostPattern(crashDir: string): string {
  return `|${crashDir}/handler.sh ${HANDLER_SPECIFIERS}`
}

/** What `host.json` keeps. */
export interface HostRecord {
  /** The settings found by the first job in, restored by the last one out. */
  previous: KernelSettings
}

/** One job registered with the host capture, as its `job.json` says. */
export interface Registration {
  id: string
  dir: string
  /** RUNNER_TRACKING_ID of the job's processes; empty when the runner gave none. */
  trackingId: string
  /** The runner worker of the job (main's parent) and its start time, against pid reuse. */
  runnerPid: number
  runnerStart: string | null
  runId: string
  job: string
  registeredAt: number
}

/** A new registration id: sorts by time (the handler lets the latest match win). */
export function registrationId(): string {
  return `${Date.now()}-${randomBytes(4).toString('hex')}`
}

/** The start time of a process (field 22 of /proc/PID/stat), or null when it is gone. */
export async function processStart(pid: number): Promise<string | null> {
  return (await readProcStat(pid))?.fields[19] ?? null
}

/** True while the registration's runner process is the one that registered. */
export async function registrationAlive(registration: Registration): Promise<boolean> {
  if (registration.runnerPid <= 1) return false
  const start = await processStart(registration.runnerPid)
  return start !== null && (registration.runnerStart === null || start === registration.runnerStart)
}

function parseRegistration(id: string, dir: string, text: string): Registration | null {
  try {
    const v = JSON.parse(text) as Record<string, unknown>
    const str = (x: unknown) => (typeof x === 'string' ? x : '')
    return {
      id,
      dir,
      trackingId: str(v.trackingId),
      runnerPid: typeof v.runnerPid === 'number' ? v.runnerPid : 0,
      runnerStart: typeof v.runnerStart === 'string' ? v.runnerStart : null,
      runId: str(v.runId),
      job: str(v.job),
      registeredAt: typeof v.registeredAt === 'number' ? v.registeredAt : 0
    }
  } catch {
    return null
  }
}

/**
 * The registrations under `crashDir`: folders of jobs/ that still have their `config` (a post
 * that left removed it). An unreadable job.json counts as a dead registration.
 */
export async function listRegistrations(crashDir: string): Promise<Registration[]> {
  const jobs = join(crashDir, 'jobs')
  const names = await readdir(jobs).catch(() => [] as string[])
  const found: Registration[] = []
  for (const id of names.sort()) {
    const dir = join(jobs, id)
    if (!(await stat(join(dir, 'config')).catch(() => null))) continue
    const text = await readFile(join(dir, 'job.json'), 'utf8').catch(() => '')
    found.push(
      parseRegistration(id, dir, text) ?? {
        id,
        dir,
        trackingId: '',
        runnerPid: 0,
        runnerStart: null,
        runId: '',
        job: '',
        registeredAt: 0
      }
    )
  }
  return found
}

/** Reads host.json; null when there is none or it makes no sense. */
export async function readHostRecord(crashDir: string): Promise<HostRecord | null> {
  try {
    const v = JSON.parse(await readFile(join(crashDir, 'host.json'), 'utf8')) as {
      previous?: Record<string, unknown>
    }
    const p = v.previous
    if (
      p &&
      typeof p.corePattern === 'string' &&
      typeof p.corePipeLimit === 'string' &&
      typeof p.suidDumpable === 'string'
    )
      return {
        previous: {
          corePattern: p.corePattern,
          corePipeLimit: p.corePipeLimit,
          suidDumpable: p.suidDumpable
        }
      }
  } catch {
    // none
  }
  return null
}

/** How long a step waits for the lock. */
const LOCK_WAIT_MS = 60_000

/**
 * Runs `fn` holding the host lock: flock(1) on the crash-dir folder itself, held by a small root process
 * that keeps it until its standard input closes. The kernel releases an flock when its holder
 * dies, and the holder dies when this process does (its stdin closes): a main or post killed
 * midway never leaves the lock taken. Two mains, or two posts, or a main and a post, never
 * interleave their changes.
 */
export async function withHostLock<T>(
  privilege: Privilege,
  crashDir: string,
  fn: () => Promise<T>
): Promise<T> {
  const lock = crashDir
  const args = ['-x', '-w', String(LOCK_WAIT_MS / 1000), lock, '-c', 'echo locked; read _']
  const holder =
    privilege === 'root'
      ? spawn('flock', args, { stdio: ['pipe', 'pipe', 'pipe'] })
      : spawn('sudo', ['-n', '--', 'flock', ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  holder.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-500)))
  await new Promise<void>((taken, failed) => {
    holder.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('locked')) taken()
    })
    holder.on('error', (error) => failed(new Error(`the host lock ${lock}: ${error.message}`)))
    holder.on('close', (code) =>
      failed(
        new Error(
          `the host lock ${lock} could not be taken (flock exited with ${code}: ${stderr.trim()})`
        )
      )
    )
  })
  try {
    return await fn()
  } finally {
    holder.stdin.end()
    await new Promise((resolve) =>
      holder.exitCode !== null ? resolve(null) : holder.on('close', resolve)
    )
  }
}

/** Files to install as root into one folder: name → content. */
export async function installRootFiles(
  privilege: Privilege,
  dir: string,
  files: Record<string, { content: string; mode: string }>
): Promise<void> {
  const scratch = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), 'crash-capture-'))
  try {
    const byMode = new Map<string, string[]>()
    for (const [name, file] of Object.entries(files)) {
      await writeFile(join(scratch, name), file.content)
      byMode.set(file.mode, [...(byMode.get(file.mode) ?? []), join(scratch, name)])
    }
    for (const [mode, paths] of byMode) {
      await runAsRoot(
        privilege,
        `Installing ${Object.keys(files).join(', ')} into ${dir}`,
        'install',
        ['-o', 'root', '-g', 'root', '-m', mode, '-t', dir, ...paths]
      )
    }
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}

/** Removes folders below crash-dir as root; trouble is ignored (a later step retries). */
export async function removeAsRoot(privilege: Privilege, paths: string[]): Promise<void> {
  if (paths.length === 0) return
  await runAsRoot(privilege, 'Removing crash-capture folders', 'rm', ['-rf', '--', ...paths]).catch(
    () => undefined
  )
}
