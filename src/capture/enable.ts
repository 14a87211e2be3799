import { spawn } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { chmod, lstat, mkdir, readFile, rm } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { delimiter, isAbsolute, join } from 'node:path'
import type { Inputs } from '../inputs.js'
import { detectPrivilege, runAsRoot, type Privilege } from '../privilege.js'
import { findProgram, shellQuote } from '../process.js'
import type { CaptureState, KernelSettings } from '../state.js'
import {
  hostPattern,
  MORE_RECORDS,
  installRootFiles,
  listRegistrations,
  processStart,
  readHostRecord,
  registrationAlive,
  registrationId,
  removeAsRoot,
  withHostLock,
  type Registration
} from './host.js'
import { readKernelSettings, writeKernelSettings } from './kernel.js'
import { findHandlerPlace, readOnlyProcSys, type HandlerPlace } from './place.js'
import { describeCorePattern, raiseParentCoreLimit } from './rlimit.js'

/** Tenths of a second a handler waits for a writer slot before it drops its core. */
const SLOT_WAIT_TENTHS = 300

/** KiB the full metadata of one crash may take (cmdline, maps, status, with their caps). */
const META_KB = 1200

/** The kernel keeps at most 127 bytes of core_pattern (CORENAME_MAX_SIZE is 128). */
const MAX_PATTERN_LENGTH = 127

/** How long main waits for its self-check crash to reach the handler. */
const SELF_CHECK_MS = 2_000

const TOOL_DIRS = ['/usr/bin', '/bin', '/usr/sbin', '/sbin']
const REQUIRED_TOOLS = [
  'mkdir',
  'readlink',
  'cat',
  'stat',
  'cp',
  'ln',
  'rm',
  'df',
  'du',
  'head',
  'wc',
  'mv',
  'chown',
  'chmod',
  'sleep',
  'tr',
  'sed'
]

/** Facts behind the capture mode, logged by main in one group. */
export interface CaptureFacts {
  privilege: Privilege | null
  previous: KernelSettings | null
  compressor: string | null
  /** Other jobs capturing on this kernel when main registered. */
  otherJobs: number
  /** How long the self-check crash took to arrive, in ms; null when none ran. */
  selfCheckMs: number | null
  /** Where the handler lives, and how the kernel sees it there; null without one. */
  handler: string | null
  /** Things main found and handled, for warnings. */
  notes: string[]
}

/** The outcome of enable(): the state for post and the facts for the log. */
export interface Enabled {
  state: CaptureState
  facts: CaptureFacts
}

/** Finds a tool by absolute path: the handler runs with no PATH at all. */
function findTool(name: string): Promise<string | null> {
  return findProgram(name, TOOL_DIRS.join(delimiter))
}

/** The URL of the handler script shipped next to this module (src/capture or dist/). */
function handlerSource(): URL {
  return new URL('./handler.sh', import.meta.url)
}

/** Why the handler could not run on this host, or null: it finds these tools in its PATH. */
async function missingTools(): Promise<string | null> {
  for (const tool of REQUIRED_TOOLS) {
    if (!(await findTool(tool)))
      return `the handler needs '${tool}', found in none of ${TOOL_DIRS.join(', ')}`
  }
  return null
}

/** A job's config, sourced by handler.sh for the crashes it routes to that job: its limits. */
export function renderJobConfig(
  inputs: Inputs,
  owner: string,
  selfCheck: string,
  host: { compress: boolean; root: string }
): string {
  return [
    '# Written by crash-capture main for one job; sourced by handler.sh.',
    `MAX_CORE_KB=${Math.floor(inputs.maxCoreSize / 1024)}`,
    `MAX_TOTAL_KB=${Math.floor(inputs.maxTotalSize / 1024)}`,
    `MIN_FREE_KB=${Math.floor(inputs.minFreeSpace / 1024)}`,
    `MAX_CORES=${inputs.maxCores}`,
    // Records (a few KiB each) of crashes past max-cores are kept up to this many.
    `MAX_RECORDS=${inputs.maxCores + MORE_RECORDS}`,
    // What the full metadata of one crash may take: cmdline 64 KiB, maps 1 MiB, status 16 KiB.
    `META_KB=${META_KB}`,
    `SETUID_CORES=${inputs.setuidCores ? 'include' : 'exclude'}`,
    // Writers at once: enough to keep both CPUs busy compressing, few enough not to thrash.
    `MAX_WRITERS=${Math.max(2, availableParallelism())}`,
    `SLOT_WAIT=${SLOT_WAIT_TENTHS}`,
    `OWNER=${shellQuote(owner)}`,
    `SELF_CHECK=${shellQuote(selfCheck)}`,
    // zstd where post runs (the handler's host may have it where a job container has not).
    `COMPRESS=${host.compress ? 'zstd' : 'none'}`,
    // The device and inode of main's root: a crash there is analysed with post's own files.
    `JOB_ROOT=${shellQuote(host.root)}`,
    ''
  ].join('\n')
}

/** The device and inode of this process's root, as the handler's `stat -c %d:%i` prints them. */
async function rootId(): Promise<string> {
  const info = await lstat('/')
  return `${info.dev}:${info.ino}`
}

/** The reason given when the kernel settings cannot be written, with the two ways out. */
function readOnlyProcSysReason(detail: string): string {
  return `the kernel settings cannot be changed here (${detail}), as in a job container without \`options: --privileged\`: add that option to the job's container, or run the tests with \`docker run\` from a job on the host. Capture depends on the host's core_pattern meanwhile`
}

/** The runner's tracking id of this job, when it is one the handler can match. */
function trackingId(): string {
  const id = process.env.RUNNER_TRACKING_ID ?? ''
  return /^[A-Za-z0-9_.-]{1,128}$/.test(id) ? id : ''
}

/**
 * Why `crashDir` is not a safe place for a handler the kernel runs as root, or null when it is.
 * Every existing component, from `/` down, must be a real directory (not a symlink) owned by
 * root that no one else can write to: otherwise its owner could rename the session away and
 * plant a handler of their own. A root-owned sticky directory (`/tmp`) may be an ancestor, since
 * no one but root can rename root's entries in it, but never the crash directory itself. Missing
 * components are fine: main creates them as root. Checked before anything is created, so that a
 * planted symlink is never followed by `install -d`. Under a bind mount from the host (`trusted`,
 * a job container's `/__w`), the mount's owner may own folders too: the runner's user, which
 * already starts the job's containers and so is as strong as root.
 */
export async function unsafeCrashDir(
  crashDir: string,
  trusted: HandlerPlace['trusted'] = null
): Promise<string | null> {
  const parts = crashDir.split('/').filter(Boolean)
  for (let i = 0; i <= parts.length; i++) {
    const path = '/' + parts.slice(0, i).join('/')
    let info
    try {
      info = await lstat(path)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
      return `${path} cannot be checked: ${(error as Error).message}`
    }
    if (info.isSymbolicLink()) return `${path} is a symbolic link`
    if (!info.isDirectory()) return `${path} is not a directory`
    const mayOwn =
      trusted && (path === trusted.top || path.startsWith(`${trusted.top}/`)) ? trusted.uid : 0
    if (info.uid !== 0 && info.uid !== mayOwn)
      return `${path} is owned by uid ${info.uid}, not root`
    const sticky = (info.mode & 0o1000) !== 0 && i < parts.length
    if ((info.mode & 0o022) !== 0 && !sticky)
      return `${path} is writable by ${info.mode & 0o002 ? 'everyone' : 'its group'}`
  }
  return null
}

async function assertRootOwnedDirectory(path: string): Promise<void> {
  const info = await lstat(path)
  if (!info.isDirectory() || info.uid !== 0 || (info.mode & 0o022) !== 0) {
    throw new Error(`${path} must be a directory owned by root and writable only by root`)
  }
}

/**
 * Runs a throwaway process that crashes (a shell killing itself with SIGSEGV, its soft core
 * limit raised) with `env`, and waits, bounded, until `arrived()` says it came: the proof that a
 * crash of a later step will land where post looks. Returns the time it took, or null.
 */
async function crashAndWait(
  env: NodeJS.ProcessEnv,
  arrived: () => boolean
): Promise<number | null> {
  const started = performance.now()
  const child = spawn('/bin/sh', ['-c', 'ulimit -c unlimited 2>/dev/null; kill -s SEGV $$'], {
    env: { PATH: '/usr/bin:/bin', ...env },
    stdio: 'ignore'
  })
  await new Promise((resolve) => child.on('close', resolve).on('error', resolve))
  for (let delay = 1; ; delay = Math.min(delay * 2, 20)) {
    if (arrived()) return Math.round(performance.now() - started)
    if (performance.now() - started >= SELF_CHECK_MS) return null
    await new Promise((resolve) => setTimeout(resolve, delay))
  }
}

/** The handler's self-check: a crash with this job's tracking id and mark, noted in its folder. */
function selfCheck(jobDir: string, mark: string): Promise<number | null> {
  return crashAndWait({ RUNNER_TRACKING_ID: trackingId(), CRASH_CAPTURE_SELF_CHECK: mark }, () =>
    existsSync(join(jobDir, 'self-check'))
  )
}

/** The kernel's last words about a failed dump, when the log can be read. */
async function kernelCoredumpLine(privilege: Privilege): Promise<string | null> {
  const result = await runAsRoot(privilege, 'Reading the kernel log', 'dmesg', []).catch(() => null)
  const lines = result?.stdout.split('\n').filter((line) => line.includes('coredump')) ?? []
  return lines.at(-1)?.trim().slice(0, 300) ?? null
}

/**
 * The fallback after a failed self-check: core_pattern names a file in a folder below
 * RUNNER_TEMP (the job's own, visible to its containers too), the runner's soft core limit is
 * raised (a file pattern honours it), and a self-check proves it. Null when that fails too;
 * everything is then put back.
 */
async function filePattern(
  privilege: Privilege,
  why: string,
  startedAt: number,
  save: (state: CaptureState) => void
): Promise<Enabled | null> {
  const temp = process.env.RUNNER_TEMP
  if (!temp) return null
  const before = await readKernelSettings()
  const coreDir = join(temp, `crash-capture-cores-${registrationId()}`)
  const pattern = `${coreDir}/core.%P`
  if (pattern.length > MAX_PATTERN_LENGTH) return null
  const state: CaptureState = {
    startedAt,
    mode: 'file-pattern',
    reason: `${why}. Instead core_pattern writes core files into ${coreDir}, and the runner's soft core limit is raised for the later steps`,
    sessionDir: null,
    installedPattern: pattern,
    previous: before,
    complete: false,
    otherJobs: 0,
    coreDir
  }
  save(state)
  try {
    // Any user's crashing process must be able to create its core there, none to replace
    // another's: like /tmp.
    await mkdir(coreDir, { recursive: true })
    await chmod(coreDir, 0o1777)
    const raised = await raiseParentCoreLimit()
    if (!raised.ok) throw new Error(`the core limit could not be raised: ${raised.reason}`)
    await writeKernelSettings(privilege, { ...before, corePattern: pattern })
    // The self-check crash leaves a core there, which is removed: it is not the job's.
    // The only file there: %P is the pid in the initial pid namespace, not the one we see.
    let core = ''
    const took = await crashAndWait({}, () => {
      const name = readdirSync(coreDir).find((n) => n.startsWith('core.'))
      if (name) core = join(coreDir, name)
      return name !== undefined
    })
    if (took === null) throw new Error(`no core file appeared in ${coreDir}`)
    await rm(core, { force: true }).catch(() =>
      runAsRoot(privilege, 'Removing the self-check core', 'rm', ['-f', core])
    )
    save({ ...state, complete: true })
    return {
      state: { ...state, complete: true },
      facts: {
        privilege,
        previous: before,
        compressor: null,
        otherJobs: 0,
        selfCheckMs: took,
        handler: null,
        notes: []
      }
    }
  } catch {
    await writeKernelSettings(privilege, before, true).catch(() => undefined)
    await rm(coreDir, { recursive: true, force: true }).catch(() => undefined)
    return null
  }
}

/** The warning for a core_pattern that is not ours any more when a step puts things back. */
export function changedElsewhere(pattern: string): string {
  return `core_pattern was changed during the job by something else (now '${pattern}'): it is left as it is.`
}

/**
 * Leaves the host capture: removes the registration and, when no live job is left, puts back the
 * settings the first job in had found and removes the handler. Called by post, and by main when
 * its self-check failed. Returns what the log should say, and how many live jobs remain.
 */
export async function leaveHostCapture(
  privilege: Privilege,
  crashDir: string,
  jobDir: string,
  installedPattern: string,
  fallbackPrevious: KernelSettings | null,
  mainFinished = true
): Promise<{ others: number; handledAll: boolean; warnings: string[] }> {
  return withHostLock(privilege, crashDir, async () => {
    const warnings: string[] = []
    const current = await readKernelSettings()
    const handledAll = current.corePattern === installedPattern
    // Without its config the handler no longer routes crashes here; the crash folders stay
    // for this post step to collect.
    await removeAsRoot(privilege, [join(jobDir, 'config'), join(jobDir, 'tracking')])
    const live: Registration[] = []
    const dead: string[] = []
    for (const registration of await listRegistrations(crashDir)) {
      if (await registrationAlive(registration)) live.push(registration)
      else dead.push(registration.dir)
    }
    await removeAsRoot(privilege, dead)
    if (live.length > 0) return { others: live.length, handledAll, warnings }
    // The last job out restores what the first one in found.
    const previous = (await readHostRecord(crashDir))?.previous ?? fallbackPrevious
    if (previous) {
      const wanted = { ...previous }
      if (!handledAll) {
        // A main that stopped before its write never installed the pattern: nothing to say.
        if (mainFinished) warnings.push(changedElsewhere(current.corePattern))
        wanted.corePattern = current.corePattern
      }
      try {
        await writeKernelSettings(privilege, wanted, true)
      } catch (error) {
        warnings.push(`Restoring the kernel settings failed: ${(error as Error).message}`)
      }
    }
    await removeAsRoot(privilege, [
      join(crashDir, 'handler.sh'),
      // Left by earlier handlers, which read their tool paths from it.
      join(crashDir, 'config'),
      join(crashDir, 'host.json'),
      join(crashDir, 'unattributed')
    ])
    return { others: 0, handledAll, warnings }
  })
}

/**
 * Enables capture for the rest of the job: registers the job with the host's capture (creating
 * it when this is the first job capturing on the kernel), then proves it with a self-check
 * crash. Never throws for a machine where this is impossible: the state then says another mode
 * and why.
 */
export async function enableCapture(
  inputs: Inputs,
  startedAt: number,
  save: (state: CaptureState) => void
): Promise<Enabled> {
  const facts: CaptureFacts = {
    privilege: null,
    previous: null,
    compressor: null,
    otherJobs: 0,
    selfCheckMs: null,
    handler: null,
    notes: []
  }
  const none = (reason: string): Enabled => ({
    state: {
      startedAt,
      mode: 'none',
      reason,
      sessionDir: null,
      installedPattern: null,
      previous: null,
      complete: true,
      otherJobs: 0,
      coreDir: null
    },
    facts
  })
  // Without the handler: raise the runner's soft core limit so the existing pattern gets cores.
  const fallback = async (reason: string): Promise<Enabled> => {
    const raised = await raiseParentCoreLimit()
    if (!raised.ok) return none(`${reason}; raising the core limit failed too (${raised.reason})`)
    const where = await describeCorePattern()
    const enabled = none(
      `${reason}. Instead the soft core limit of the runner process (pid ${raised.pid}) is ${raised.after} (was ${raised.before}) for the later steps, and ${where}`
    )
    enabled.state.mode = 'rlimit'
    return enabled
  }

  if (process.platform !== 'linux') {
    return none(`capture needs Linux, and this runner is ${process.platform}`)
  }
  const privilege = await detectPrivilege()
  if (!privilege) {
    return fallback('the action is not root and has no passwordless sudo (sudo -n true failed)')
  }
  facts.privilege = privilege
  const readOnly = await readOnlyProcSys()
  if (readOnly) return fallback(readOnlyProcSysReason(readOnly))
  let found: KernelSettings
  try {
    found = await readKernelSettings()
  } catch (error) {
    return none(`the kernel settings cannot be read: ${(error as Error).message}`)
  }
  facts.previous = found
  facts.compressor = await findTool('zstd')

  // Without a place the kernel can run the handler from, a file pattern (which the kernel
  // resolves in the crashing process's own view) or the core limit.
  const instead = async (reason: string): Promise<Enabled> => {
    const enabled = await filePattern(privilege, reason, startedAt, save)
    if (!enabled) return fallback(reason)
    return {
      state: enabled.state,
      facts: { ...facts, previous: enabled.facts.previous, selfCheckMs: enabled.facts.selfCheckMs }
    }
  }
  const temp = process.env.RUNNER_TEMP
  const place = await findHandlerPlace(privilege, [
    inputs.crashDir,
    ...(temp && isAbsolute(temp) ? [join(temp, 'crash-capture')] : [])
  ])
  if ('reason' in place) return instead(place.reason)
  const crashDir = place.dir
  facts.handler = `${crashDir}/handler.sh (${place.how})`
  const pattern = hostPattern(place.kernelDir)
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return instead(
      `the handler path is too long for core_pattern (${pattern.length} > ${MAX_PATTERN_LENGTH} bytes): choose a shorter crash-dir`
    )
  }
  const unsafe = await unsafeCrashDir(crashDir, place.trusted)
  if (unsafe) {
    return none(
      `crash-dir ${crashDir} is not safe for a handler that runs as root (${unsafe}): choose a directory whose every parent is owned by root and writable only by root`
    )
  }
  // In the initial mount namespace the handler's tools are this system's; elsewhere (a job
  // container) the host's, which only the self-check can prove.
  if (place.kernelDir === crashDir && place.how === 'the initial mount namespace') {
    const missing = await missingTools()
    if (missing) return none(missing)
  }

  const id = registrationId()
  const jobDir = `${crashDir}/jobs/${id}`
  // Saved before anything changes: a main cancelled or killed from here on still has its post
  // step leave the host capture, restore the settings if it was the last, and clean up.
  const installed: CaptureState = {
    startedAt,
    mode: 'pipe-handler',
    reason: `core_pattern pipes every core to ${crashDir}/handler.sh, whatever the crashing process's ulimit -c`,
    sessionDir: jobDir,
    installedPattern: pattern,
    previous: found,
    complete: false,
    otherJobs: 0,
    coreDir: null
  }
  save(installed)

  const rootDirs = (what: string, mode: string, dirs: string[]) =>
    runAsRoot(privilege, what, 'install', ['-d', '-m', mode, '-o', 'root', '-g', 'root', ...dirs])
  try {
    await rootDirs('Creating the crash directory', '0755', [crashDir])
    await assertRootOwnedDirectory(crashDir)
    await withHostLock(privilege, crashDir, async () => {
      // Read again under the lock: another main may have created the capture meanwhile.
      const current = await readKernelSettings()
      const record = await readHostRecord(crashDir)
      const active = current.corePattern === pattern && record !== null
      const registrations = await listRegistrations(crashDir)
      const live: Registration[] = []
      for (const registration of registrations) {
        if (active && (await registrationAlive(registration))) live.push(registration)
      }
      const stale = registrations.filter((r) => !live.includes(r)).map((r) => r.dir)
      if (stale.length > 0)
        facts.notes.push(
          `${stale.length} job(s) that ended without their post step had registered with crash-capture on this machine; their leftovers were removed.`
        )
      await removeAsRoot(privilege, stale)
      facts.otherJobs = live.length
      installed.otherJobs = live.length
      // A capture owns the kernel when core_pattern names our handler and its record exists;
      // its settings found then stand, even when every job of it died. Otherwise this job
      // creates the capture with what it found. Without a live job, this one (re)installs the
      // handler: a dead job's may be another version's.
      const previous = active ? record.previous : current
      if (live.length === 0) {
        await removeAsRoot(privilege, [join(crashDir, 'unattributed')])
        await rootDirs('Creating the host folders', '0755', [
          join(crashDir, 'jobs'),
          join(crashDir, 'unattributed')
        ])
        await installRootFiles(privilege, crashDir, {
          'handler.sh': { content: await readFile(handlerSource(), 'utf8'), mode: '0755' },
          'host.json': { content: JSON.stringify({ previous }) + '\n', mode: '0644' }
        })
      }
      facts.previous = previous
      installed.previous = previous
      // crashes/ can be listed (folder names are `<time>-<pid>`); each crash folder stays 0700
      // root until the handler has finished it. The rest is the handler's alone.
      await rootDirs('Registering the job', '0755', [jobDir, join(jobDir, 'crashes')])
      await rootDirs("Creating the handler's private folders", '0700', [
        join(jobDir, 'executables'),
        join(jobDir, 'tickets'),
        join(jobDir, 'slots')
      ])
      // Without root, the handler hands each finished crash folder to this user: the post step
      // then reads it, and gdb runs on it, without privilege.
      // A step started from outside its pid namespace (`docker exec` in a job container) has
      // no parent there: the container's init then stands for the job.
      const runner = process.ppid > 0 ? process.ppid : 1
      const owner = privilege === 'sudo' ? `${process.getuid?.()}:${process.getgid?.()}` : ''
      await installRootFiles(privilege, jobDir, {
        'job.json': {
          content:
            JSON.stringify({
              trackingId: trackingId(),
              runnerPid: runner,
              runnerStart: await processStart(runner),
              runId: process.env.GITHUB_RUN_ID ?? '',
              job: process.env.GITHUB_JOB ?? '',
              registeredAt: Date.now()
            }) + '\n',
          mode: '0644'
        },
        tracking: { content: trackingId(), mode: '0644' },
        config: {
          content: renderJobConfig(inputs, owner, id, {
            compress: facts.compressor !== null,
            root: await rootId()
          }),
          mode: '0644'
        }
      })
      if (!active) {
        // suid_dumpable 2 lets processes that changed their user id dump too; with a pipe
        // pattern the core goes to our handler, never to a directory the crashing process chose.
        await writeKernelSettings(privilege, {
          corePattern: pattern,
          corePipeLimit: '0',
          suidDumpable: '2'
        })
      }
    })
  } catch (error) {
    const message = (error as Error).message
    const denied = /EROFS|Read-only file system|Permission denied/.test(message)
    return giveUp(
      denied ? readOnlyProcSysReason(message) : `the handler could not be installed: ${message}`
    )
  }
  save(installed)

  facts.selfCheckMs = await selfCheck(jobDir, id)
  if (facts.selfCheckMs === null) {
    const kernel = await kernelCoredumpLine(privilege)
    return giveUp(
      !trackingId() && facts.otherJobs > 0
        ? `the self-check failed: this job has no RUNNER_TRACKING_ID and ${facts.otherJobs} other job(s) capture on this kernel, so its crashes cannot be told apart`
        : `the self-check failed: a test crash did not reach the handler within ${SELF_CHECK_MS / 1000} s${kernel ? ` (kernel: ${kernel})` : ''}`
    )
  }
  return { state: { ...installed, complete: true }, facts }

  /**
   * Leaves the host capture again, then falls back: alone on the kernel, to a file pattern (it
   * works where the handler's path does not, in a container or mount namespace the kernel
   * cannot see into: the kernel writes core files in the crashing process's own view); else,
   * or when that fails too, to the raised core limit.
   */
  async function giveUp(reason: string): Promise<Enabled> {
    const left = await leaveHostCapture(privilege!, crashDir, jobDir, pattern, found, false).catch(
      () => null
    )
    await removeAsRoot(privilege!, [jobDir])
    if (left && left.others === 0) {
      await runAsRoot(privilege!, 'Removing the empty jobs folder', 'rmdir', [
        join(crashDir, 'jobs')
      ]).catch(() => undefined)
      return instead(reason)
    }
    return fallback(reason)
  }
}
