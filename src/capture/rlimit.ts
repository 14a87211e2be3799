import { readFile } from 'node:fs/promises'
import { describeFailure, runCommand } from '../process.js'

/** What raising the runner's core limit did. */
export type RaisedLimit =
  { ok: true; pid: number; before: string; after: string } | { ok: false; reason: string }

/** The soft and hard RLIMIT_CORE of a process, or why they could not be read. */
export async function readCoreLimit(pid: number): Promise<{ soft: string; hard: string } | string> {
  const result = await runCommand(
    'prlimit',
    ['--pid', String(pid), '--core', '--raw', '--noheadings', '--output', 'SOFT,HARD'],
    {
      timeoutMs: 10_000
    }
  )
  if (result.code !== 0) return `prlimit ${describeFailure(result)}`
  const [soft, hard] = result.stdout.trim().split(/\s+/)
  if (!soft || !hard) return `prlimit printed '${result.stdout.trim()}'`
  return { soft, hard }
}

/**
 * Raises the soft RLIMIT_CORE of the runner's worker process (our parent) to its hard limit, so
 * that every later step, which the worker starts, inherits it: the fallback when the pipe
 * handler cannot be installed. Needs no privilege for a process of the same user.
 */
export async function raiseParentCoreLimit(pid = process.ppid): Promise<RaisedLimit> {
  if (pid <= 0) {
    // Started from outside its pid namespace (`docker exec`, as for every step of a job
    // container): there is no worker to raise, each step starts with the container's limit.
    const own = await readCoreLimit(process.pid)
    if (typeof own === 'string') return { ok: false, reason: own }
    if (own.soft === '0')
      return {
        ok: false,
        reason:
          "each step of a container starts with the container's core limit, 0 here: add `--ulimit core=-1` to the container's options"
      }
    return { ok: true, pid: process.pid, before: own.soft, after: own.soft }
  }
  const before = await readCoreLimit(pid)
  if (typeof before === 'string') return { ok: false, reason: before }
  if (before.soft === before.hard) return { ok: true, pid, before: before.soft, after: before.soft }
  const result = await runCommand(
    'prlimit',
    ['--pid', String(pid), `--core=${before.hard}:${before.hard}`],
    { timeoutMs: 10_000 }
  )
  if (result.code !== 0) return { ok: false, reason: `prlimit ${describeFailure(result)}` }
  const after = await readCoreLimit(pid)
  if (typeof after === 'string') return { ok: false, reason: after }
  return { ok: true, pid, before: before.soft, after: after.soft }
}

/** Says where the current core_pattern sends cores, for the log. */
export async function describeCorePattern(): Promise<string> {
  const pattern = (await readFile('/proc/sys/kernel/core_pattern', 'utf8').catch(() => '')).replace(
    /\n$/,
    ''
  )
  if (pattern === '') return 'core_pattern cannot be read'
  if (pattern.startsWith('|')) {
    return /systemd-coredump/.test(pattern)
      ? `core_pattern pipes cores to systemd-coredump ('${pattern}'); the post step reads them with coredumpctl`
      : `core_pattern pipes cores to another program ('${pattern}'); the post step can only collect what it leaves in the search paths`
  }
  return pattern.startsWith('/')
    ? `core_pattern writes cores to '${pattern}'; the post step collects them from the search paths`
    : `core_pattern writes cores to '${pattern}' in the crashing process's working directory; the post step collects them from the search paths`
}
