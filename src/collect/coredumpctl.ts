import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { constants } from 'node:os'
import { describeFailure, runCommand } from '../process.js'
import { newCrash, type Crash } from './crash.js'

/** One entry of `coredumpctl list --json=short`. */
export interface CoredumpEntry {
  /** Microseconds since the epoch. */
  time: number
  pid: number
  uid: number
  gid: number
  signal: number
  /** `present`, `missing`, `none`, `journal`, `truncated`, … */
  corefile: string
  exe: string | null
}

function toNumber(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value)
  return null
}

function toSignal(value: unknown): number | null {
  const n = toNumber(value)
  if (n !== null) return n
  if (typeof value !== 'string') return null
  const name = value.startsWith('SIG') ? value : `SIG${value}`
  return (constants.signals as Record<string, number>)[name] ?? null
}

/**
 * Parses `coredumpctl list --json=short` (columns time, pid, uid, gid, sig, corefile, exe, size,
 * as systemd's coredumpctl.c builds its table). Entries that make no sense are skipped.
 */
export function parseCoredumpList(text: string): CoredumpEntry[] {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return []
  }
  if (!Array.isArray(value)) return []
  const entries: CoredumpEntry[] = []
  for (const item of value) {
    if (typeof item !== 'object' || item === null) continue
    const v = item as Record<string, unknown>
    const time = toNumber(v.time)
    const pid = toNumber(v.pid)
    const signal = toSignal(v.sig)
    if (time === null || pid === null || signal === null) continue
    entries.push({
      time,
      pid,
      uid: toNumber(v.uid) ?? -1,
      gid: toNumber(v.gid) ?? -1,
      signal,
      corefile: typeof v.corefile === 'string' ? v.corefile : 'unknown',
      exe: typeof v.exe === 'string' ? v.exe : null
    })
  }
  return entries
}

/** What collecting from systemd-coredump gave, with one line for the log. */
export interface CoredumpCollection {
  crashes: Crash[]
  problems: string[]
  /** One sentence: not installed, nothing found, or how many. */
  status: string
}

/**
 * Collects the crashes systemd-coredump kept since `since` (ms epoch): lists them with
 * coredumpctl and extracts each core with `coredumpctl dump`, every call under a timeout.
 */
export async function collectCoredumps(
  since: number,
  stageDir: string,
  timeoutMs = 60_000
): Promise<CoredumpCollection> {
  const list = await runCommand(
    'coredumpctl',
    ['list', '--json=short', '--no-pager', '--quiet', `--since=@${Math.floor(since / 1000)}`],
    { timeoutMs }
  )
  if (list.startError)
    return {
      crashes: [],
      problems: [],
      status: 'systemd-coredump is not installed: nothing to collect from it.'
    }
  if (list.timedOut)
    return {
      crashes: [],
      problems: ['coredumpctl did not answer in time.'],
      status: 'coredumpctl timed out.'
    }
  // coredumpctl exits 1 with "No coredumps found." when there are none.
  const entries = list.code === 0 ? parseCoredumpList(list.stdout) : []
  if (list.code !== 0 && !/No coredumps found/i.test(list.stderr + list.stdout)) {
    return {
      crashes: [],
      problems: [`coredumpctl list failed: ${describeFailure(list)}`],
      status: 'coredumpctl failed.'
    }
  }
  const crashes: Crash[] = []
  const problems: string[] = []
  for (const entry of entries.filter((e) => e.time / 1000 >= since)) {
    const id = `coredump-${Math.floor(entry.time / 1e6)}-${entry.pid}`
    const dir = join(stageDir, id)
    await mkdir(dir, { recursive: true })
    const core = join(dir, 'core')
    let coreNote: string | null = null
    let stored: string | null = null
    if (['present', 'journal', 'truncated'].includes(entry.corefile)) {
      const dump = await runCommand(
        'coredumpctl',
        ['dump', '--no-pager', '--quiet', `--output=${core}`, String(entry.pid)],
        { timeoutMs }
      )
      if (dump.code === 0) stored = core
      else coreNote = `coredumpctl dump failed: ${describeFailure(dump)}`
    } else {
      coreNote = `systemd-coredump kept no core (${entry.corefile})`
    }
    crashes.push(
      newCrash(id, 'systemd-coredump', dir, {
        pid: entry.pid,
        signal: entry.signal,
        time: Math.floor(entry.time / 1e6),
        uid: entry.uid,
        gid: entry.gid,
        executablePath: entry.exe,
        core: stored,
        coreState: stored ? (entry.corefile === 'truncated' ? 'truncated' : 'complete') : 'dropped',
        coreNote,
        problems: coreNote ? [coreNote] : []
      })
    )
  }
  return {
    crashes,
    problems,
    status: `systemd-coredump: ${crashes.length} crash(es) since the main step.`
  }
}
