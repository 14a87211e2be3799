import { mkdir, readdir, readFile, stat, statfs } from 'node:fs/promises'
import { join } from 'node:path'
import { GDB_SETTINGS } from '../analyze/gdb.js'
import { runAsRoot, type Privilege } from '../privilege.js'
import { inParallel, readProcStat } from '../process.js'
import { newCrash, type Crash } from './crash.js'

/**
 * Processes of the job still running when post runs: daemons and workers a step started and
 * never stopped, or a hung test the runner's timeout left behind. The runner puts the job's
 * RUNNER_TRACKING_ID in the environment of every process of the job and kills those still
 * carrying it right after the post steps ("Cleaning up orphan processes"), so post is the last
 * one that can look at them. A process whose tracking id was cleared is one the user chose to
 * keep: it is left alone.
 */

/** At most this many processes are dumped; the others are listed from /proc. */
const MAX_DUMPS = 30
/** Time one gdb may take to attach, dump and detach. */
const DUMP_TIMEOUT_MS = 30_000

export interface Leftover {
  pid: number
  comm: string
  state: string
  /** The kernel function it sleeps in, from /proc/PID/wchan. */
  wchan: string | null
  threads: number
}

/**
 * The processes carrying `trackingId` in their environment, but this process and its
 * ancestors (the runner and the post step itself) and zombies. Reads only what this user may
 * read: processes of other users (a daemon started with sudo) are not looked at.
 */
export async function findLeftovers(trackingId: string): Promise<Leftover[]> {
  if (!/^[A-Za-z0-9_.-]{1,128}$/.test(trackingId)) return []
  const ancestors = new Set<number>()
  for (let pid = process.pid; pid > 0 && !ancestors.has(pid);) {
    ancestors.add(pid)
    pid = Number((await readProcStat(pid))?.fields[1] ?? 0)
  }
  const wanted = Buffer.from(`RUNNER_TRACKING_ID=${trackingId}\0`)
  const found: Leftover[] = []
  for (const name of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(name) || ancestors.has(Number(name))) continue
    const environ = await readFile(`/proc/${name}/environ`).catch(() => null)
    if (!environ) continue
    const at = environ.indexOf(wanted)
    if (at < 0 || (at > 0 && environ[at - 1] !== 0)) continue
    const info = await readProcStat(Number(name))
    if (!info || info.fields[0] === 'Z' || info.fields[0] === 'X') continue
    const wchan = await readFile(`/proc/${name}/wchan`, 'utf8').catch(() => '')
    found.push({
      pid: Number(name),
      comm: info.comm,
      state: info.fields[0] ?? '?',
      wchan: wchan && wchan !== '0' ? wchan : null,
      threads: Number(info.fields[17] ?? 1)
    })
  }
  return found
}

/** The process's resident memory in bytes, from /proc/PID/status. */
async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '')
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024
}

/**
 * Dumps each leftover process with gdb's gcore, as root (ptrace is limited to a process's own
 * descendants on most runners), without reading any symbol (`-readnever`) and with the same
 * settings as every gdb here (auto-load off): the core is then analysed like any other, as
 * the post step's user. The process goes on running. A process too large for the limits, or
 * one gdb cannot dump in time, becomes a record from /proc alone.
 */
export async function dumpLeftovers(
  leftovers: Leftover[],
  stageDir: string,
  privilege: Privilege | null,
  limits: { maxCoreSize: number; minFreeSpace: number }
): Promise<Crash[]> {
  const crashes: Crash[] = []
  const now = Math.floor(Date.now() / 1000)
  await inParallel(leftovers, 2, async (leftover, index) => {
    const id = `running-${now}-${leftover.pid}`
    const dir = join(stageDir, id)
    await mkdir(dir, { recursive: true })
    const cmdline = await readFile(`/proc/${leftover.pid}/cmdline`).catch(() => Buffer.alloc(0))
    const crash = newCrash(id, 'leftover', dir, {
      pid: leftover.pid,
      tid: leftover.pid,
      signal: 0,
      time: now,
      comm: leftover.comm,
      commandLine: cmdline
        .subarray(0, 65536)
        .toString('utf8')
        .split('\0')
        .filter((arg, i, all) => arg !== '' || i < all.length - 1),
      coreState: 'dropped',
      coreNote: null
    })
    crash.problems.push(
      `Still running at the end of the job: state ${leftover.state}${leftover.wchan ? `, waiting in ${leftover.wchan}` : ''}, ${leftover.threads} thread(s).`
    )
    crashes.push(crash)
    const size = await residentBytes(leftover.pid)
    const room =
      (await statfs(dir)
        .then((s) => s.bavail * s.bsize)
        .catch(() => 0)) - limits.minFreeSpace
    if (!privilege) crash.coreNote = 'not dumped: taking its stacks needs root or passwordless sudo'
    else if (index >= MAX_DUMPS) crash.coreNote = `not dumped: only the first ${MAX_DUMPS} are`
    else if (size > limits.maxCoreSize || size * 2 > room)
      crash.coreNote = `not dumped: ${size} bytes resident is more than max-core-size or the free space allows`
    if (crash.coreNote) return
    const core = join(dir, 'core')
    const result = await runAsRoot(privilege!, 'Dumping a process still running', 'timeout', [
      '-k',
      '2',
      String(DUMP_TIMEOUT_MS / 1000),
      'gdb',
      '-nx',
      '-batch',
      '-readnever',
      ...GDB_SETTINGS.flatMap((setting) => ['-iex', setting]),
      '-p',
      String(leftover.pid),
      '-ex',
      `gcore ${core}`,
      '-ex',
      'detach'
    ]).catch((error: Error) => ({ code: 1, stdout: '', stderr: error.message }))
    const info = await stat(core).catch(() => null)
    if (!info?.isFile()) {
      crash.coreNote = `not dumped: gdb could not (${
        String(result.stderr ?? '')
          .trim()
          .split('\n')
          .pop()
          ?.slice(0, 200) ?? 'no output'
      })`
      return
    }
    // gdb wrote it as root: the analysis runs as this step's user.
    if (process.getuid?.() !== 0)
      await runAsRoot(privilege!, 'Handing the dump to this user', 'chown', [
        `${process.getuid?.()}:${process.getgid?.()}`,
        core
      ]).catch(() => undefined)
    crash.core = core
    crash.coreState = 'complete'
  })
  return crashes.sort((a, b) => a.pid - b.pid)
}
