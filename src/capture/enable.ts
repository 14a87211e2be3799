import { randomBytes } from 'node:crypto'
import { lstat, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import type { Inputs } from '../inputs.js'
import { detectPrivilege, runAsRoot, type Privilege } from '../privilege.js'
import { findProgram, shellQuote } from '../process.js'
import type { CaptureState, KernelSettings } from '../state.js'
import { readKernelSettings, writeKernelSettings } from './kernel.js'
import { describeCorePattern, raiseParentCoreLimit } from './rlimit.js'

/** The specifiers the handler expects, in its argument order (see handler.sh). */
export const HANDLER_SPECIFIERS = '%P %i %s %t %u %g %c %d %e'

/** Tenths of a second a handler waits for a writer slot before it drops its core. */
const SLOT_WAIT_TENTHS = 300

/** Crashes past max-cores still get a record (without core), up to this many more. */
export const MORE_RECORDS = 1000

/** KiB the full metadata of one crash may take (cmdline, maps, status, with their caps). */
const META_KB = 1200

/** The kernel keeps at most 127 bytes of core_pattern (CORENAME_MAX_SIZE is 128). */
const MAX_PATTERN_LENGTH = 127

const TOOL_DIRS = ['/usr/bin', '/bin', '/usr/sbin', '/sbin']
const REQUIRED_TOOLS = ['mkdir', 'readlink', 'cat', 'stat', 'cp', 'ln', 'rm', 'df', 'du', 'head']
const MORE_REQUIRED_TOOLS = ['wc', 'mv', 'chown', 'sleep']

/** Facts behind the capture mode, logged by main in one group. */
export interface CaptureFacts {
  privilege: Privilege | null
  previous: KernelSettings | null
  compressor: string | null
  /** Things main found and handled, for warnings. */
  notes: string[]
}

/** Who installed a session: written to `owner.json` so a later main can tell live from stale. */
interface SessionOwner {
  runId: string
  job: string
  attempt: string
  /** The runner worker (main's parent) of that job. */
  ppid: number
  /** The settings that main found and its post restores. */
  previous: KernelSettings
}

function jobIdentity(): Omit<SessionOwner, 'previous'> {
  return {
    runId: process.env.GITHUB_RUN_ID ?? '',
    job: process.env.GITHUB_JOB ?? '',
    attempt: process.env.GITHUB_RUN_ATTEMPT ?? '',
    ppid: process.ppid
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * When core_pattern already names one of our handlers: its session, whether it belongs to this
 * very job (an earlier `uses:` of the action, whose post will run after ours) or is stale, and
 * the settings its main had found.
 */
async function leftoverSession(
  pattern: string
): Promise<{ session: string; live: boolean; previous: KernelSettings | null } | null> {
  const match = /^\|(\/[A-Za-z0-9._/-]+)\/handler\.sh (.*)$/.exec(pattern)
  if (!match || match[2] !== HANDLER_SPECIFIERS) return null
  const session = match[1]!
  let owner: Partial<SessionOwner>
  try {
    owner = JSON.parse(await readFile(`${session}/owner.json`, 'utf8')) as Partial<SessionOwner>
  } catch {
    return { session, live: false, previous: null }
  }
  const me = jobIdentity()
  const live =
    owner.runId === me.runId &&
    owner.job === me.job &&
    owner.attempt === me.attempt &&
    typeof owner.ppid === 'number' &&
    alive(owner.ppid)
  const p = owner.previous
  const previous =
    p &&
    typeof p.corePattern === 'string' &&
    typeof p.corePipeLimit === 'string' &&
    typeof p.suidDumpable === 'string'
      ? p
      : null
  return { session, live, previous }
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

/** Renders the handler's config file: absolute tool paths and limits, sourced by handler.sh. */
export async function renderHandlerConfig(inputs: Inputs, owner: string): Promise<string> {
  const lines: string[] = ['# Written by crash-capture main; sourced by handler.sh.']
  for (const tool of [...REQUIRED_TOOLS, ...MORE_REQUIRED_TOOLS]) {
    const path = await findTool(tool)
    if (!path)
      throw new Error(`the handler needs '${tool}', found in none of ${TOOL_DIRS.join(', ')}`)
    lines.push(`${tool.toUpperCase()}=${shellQuote(path)}`)
  }
  lines.push(`ZSTD=${shellQuote((await findTool('zstd')) ?? '')}`)
  lines.push(`MAX_CORE_KB=${Math.floor(inputs.maxCoreSize / 1024)}`)
  lines.push(`MAX_TOTAL_KB=${Math.floor(inputs.maxTotalSize / 1024)}`)
  lines.push(`MIN_FREE_KB=${Math.floor(inputs.minFreeSpace / 1024)}`)
  lines.push(`MAX_CORES=${inputs.maxCores}`)
  // Records (a few KiB each) of crashes past max-cores are kept up to this many.
  lines.push(`MAX_RECORDS=${inputs.maxCores + MORE_RECORDS}`)
  // What the full metadata of one crash may take: cmdline 64 KiB, maps 1 MiB, status 16 KiB.
  lines.push(`META_KB=${META_KB}`)
  lines.push(`SETUID_CORES=${inputs.setuidCores ? 'include' : 'exclude'}`)
  // Writers at once: enough to keep both CPUs busy compressing, few enough not to thrash.
  lines.push(`MAX_WRITERS=${Math.max(2, availableParallelism())}`)
  lines.push(`SLOT_WAIT=${SLOT_WAIT_TENTHS}`)
  lines.push(`OWNER=${shellQuote(owner)}`)
  return lines.join('\n') + '\n'
}

/** A session id: safe in a path and in core_pattern, unique per main step. */
function sessionId(): string {
  const run = (process.env.GITHUB_RUN_ID ?? '').replace(/[^0-9]/g, '').slice(0, 20) || 'local'
  return `${run}-${randomBytes(4).toString('hex')}`
}

/**
 * Why `crashDir` is not a safe place for a handler the kernel runs as root, or null when it is.
 * Every existing component, from `/` down, must be a real directory (not a symlink) owned by
 * root that no one else can write to: otherwise its owner could rename the session away and
 * plant a handler of their own. A root-owned sticky directory (`/tmp`) may be an ancestor, since
 * no one but root can rename root's entries in it, but never the crash directory itself. Missing
 * components are fine: main creates them as root. Checked before anything is created, so that a
 * planted symlink is never followed by `install -d`.
 */
export async function unsafeCrashDir(crashDir: string): Promise<string | null> {
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
    if (info.uid !== 0) return `${path} is owned by uid ${info.uid}, not root`
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

async function installFiles(
  privilege: Privilege,
  session: string,
  handler: string,
  config: string,
  owner: SessionOwner
): Promise<void> {
  const scratch = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), 'crash-capture-'))
  try {
    await writeFile(join(scratch, 'handler.sh'), handler)
    await writeFile(join(scratch, 'config'), config)
    const install = (what: string, args: string[]) =>
      runAsRoot(privilege, what, 'install', ['-o', 'root', '-g', 'root', ...args])
    await install('Installing the handler', [
      '-m',
      '0755',
      join(scratch, 'handler.sh'),
      `${session}/handler.sh`
    ])
    await install('Installing the handler config', [
      '-m',
      '0644',
      join(scratch, 'config'),
      `${session}/config`
    ])
    await writeFile(join(scratch, 'owner.json'), JSON.stringify(owner) + '\n')
    await install('Recording the session owner', [
      '-m',
      '0644',
      join(scratch, 'owner.json'),
      `${session}/owner.json`
    ])
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}

/**
 * Enables capture for the rest of the job: creates a fresh root-owned session directory,
 * installs the pipe handler in it and points core_pattern at it. Never throws for a machine
 * where this is impossible: the state then says mode 'none' and why.
 */
export async function enableCapture(
  inputs: Inputs,
  startedAt: number,
  save: (state: CaptureState) => void
): Promise<Enabled> {
  const none = (reason: string, facts: Partial<CaptureFacts> = {}): Enabled => ({
    state: {
      startedAt,
      mode: 'none',
      reason,
      sessionDir: null,
      installedPattern: null,
      previous: null,
      complete: true
    },
    facts: { privilege: null, previous: null, compressor: null, notes: [], ...facts }
  })
  // Without the handler: raise the runner's soft core limit so the existing pattern gets cores.
  const fallback = async (reason: string, facts: Partial<CaptureFacts> = {}): Promise<Enabled> => {
    const raised = await raiseParentCoreLimit()
    if (!raised.ok)
      return none(`${reason}; raising the core limit failed too (${raised.reason})`, facts)
    const where = await describeCorePattern()
    const enabled = none(
      `${reason}. Instead the soft core limit of the runner process (pid ${raised.pid}) is ${raised.after} (was ${raised.before}) for the later steps, and ${where}`,
      facts
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
  let previous: KernelSettings
  try {
    previous = await readKernelSettings()
  } catch (error) {
    return none(`the kernel settings cannot be read: ${(error as Error).message}`, { privilege })
  }
  const notes: string[] = []
  const leftover = await leftoverSession(previous.corePattern)
  if (leftover && !leftover.live) {
    // A job that died before its post step left our handler installed (a reused machine): put
    // back what that job had found, not its stale handler, and clear its root-owned leftovers.
    notes.push(
      `A previous job left crash-capture's handler installed (${leftover.session}); the settings it had found will be restored after this job${leftover.previous ? '' : " (unknown: the kernel's defaults)"}.`
    )
    previous = leftover.previous ?? { corePattern: 'core', corePipeLimit: '0', suidDumpable: '0' }
    await runAsRoot(privilege, 'Removing a stale session directory', 'rm', [
      '-rf',
      '--',
      leftover.session
    ]).catch(() => undefined)
  }
  const compressor = await findTool('zstd')
  const facts: CaptureFacts = { privilege, previous, compressor, notes }

  const session = `${inputs.crashDir}/${sessionId()}`
  const pattern = `|${session}/handler.sh ${HANDLER_SPECIFIERS}`
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return none(
      `the handler path is too long for core_pattern (${pattern.length} > ${MAX_PATTERN_LENGTH} bytes): choose a shorter crash-dir`,
      facts
    )
  }

  const unsafe = await unsafeCrashDir(inputs.crashDir)
  if (unsafe) {
    return none(
      `crash-dir ${inputs.crashDir} is not safe for a handler that runs as root (${unsafe}): choose a directory whose every parent is owned by root and writable only by root`,
      facts
    )
  }

  // Saved before anything changes: a main cancelled or killed from here on still has its post
  // step restore the settings and remove the session directory.
  const installed: CaptureState = {
    startedAt,
    mode: 'pipe-handler',
    reason: `core_pattern now pipes every core to ${session}/handler.sh, whatever the crashing process's ulimit -c`,
    sessionDir: session,
    installedPattern: pattern,
    previous,
    complete: false
  }
  save(installed)

  try {
    const handler = await readFile(handlerSource(), 'utf8')
    // Without root, the handler hands each finished crash folder to this user: the post step then
    // reads it, and gdb runs on it, without privilege.
    const owner = privilege === 'sudo' ? `${process.getuid?.()}:${process.getgid?.()}` : ''
    const config = await renderHandlerConfig(inputs, owner)
    const rootDirs = (what: string, mode: string, dirs: string[]) =>
      runAsRoot(privilege, what, 'install', ['-d', '-m', mode, '-o', 'root', '-g', 'root', ...dirs])
    await rootDirs('Creating the crash directory', '0755', [inputs.crashDir, session])
    await assertRootOwnedDirectory(inputs.crashDir)
    // crashes/ can be listed (folder names are `<time>-<pid>`); each crash folder stays 0700 root
    // until the handler has finished it. The rest is the handler's alone.
    await rootDirs('Creating the crashes directory', '0755', [`${session}/crashes`])
    await rootDirs("Creating the handler's private directories", '0700', [
      `${session}/executables`,
      `${session}/tickets`,
      `${session}/slots`
    ])
    await installFiles(privilege, session, handler, config, { ...jobIdentity(), previous })
  } catch (error) {
    await runAsRoot(privilege, 'Removing the session directory', 'rm', [
      '-rf',
      '--',
      session
    ]).catch(() => undefined)
    return none(`the handler could not be installed: ${(error as Error).message}`, facts)
  }

  try {
    // suid_dumpable 2 lets processes that changed their user id dump too; with a pipe pattern
    // the core goes to our handler, never to a directory the crashing process chose.
    await writeKernelSettings(privilege, {
      corePattern: pattern,
      corePipeLimit: '0',
      suidDumpable: '2'
    })
  } catch (error) {
    await writeKernelSettings(privilege, previous, true).catch(() => undefined)
    await runAsRoot(privilege, 'Removing the session directory', 'rm', [
      '-rf',
      '--',
      session
    ]).catch(() => undefined)
    return fallback(
      `the kernel settings could not be changed (a read-only /proc/sys, as in a job container: capture then depends on the host's core_pattern): ${(error as Error).message}`,
      facts
    )
  }

  return { state: { ...installed, complete: true }, facts }
}
