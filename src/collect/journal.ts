import { existsSync } from 'node:fs'
import type { Privilege } from '../privilege.js'
import { findProgram, runCommand } from '../process.js'

/** One line a process sent to the system log, with who sent it (journald's trusted fields). */
export interface JournalLine {
  pid: number
  uid: number
  /** Microseconds since the epoch, when journald received it. */
  time: number
  exe: string | null
  cmdline: string | null
  comm: string | null
  message: string
}

/** Where the system log is: the socket syslog(3) writes to. */
export const SYSLOG_SOCKET = '/dev/log'

/** Output journalctl may give: a test suite of a sanitizer build can log a lot. */
const MAX_JOURNAL = 64 * 1024 * 1024

/** True when this machine has a system log that syslog(3) reaches and journalctl reads. */
export async function hasJournal(): Promise<boolean> {
  return (
    existsSync(SYSLOG_SOCKET) && (await findProgram('journalctl', process.env.PATH ?? '')) !== null
  )
}

/** A journald field: text, or bytes (an array) when the message was not UTF-8. */
function text(value: unknown): string | null {
  if (typeof value === 'string') return value
  if (Array.isArray(value) && value.every((b) => typeof b === 'number'))
    return Buffer.from(value as number[]).toString('utf8')
  return null
}

/**
 * The syslog lines of user `uid`'s processes since `sinceMs`, in the order journald received
 * them: what the sanitizers print with `log_to_syslog=1` besides stderr. journalctl runs as
 * root when post may (the system journal is root's and the `adm` group's), else as this user.
 * Returns the reason instead when the journal cannot be read.
 */
export async function readJournal(
  sinceMs: number,
  uid: number,
  privilege: Privilege | null
): Promise<{ lines: JournalLine[] } | { problem: string }> {
  const journalctl = await findProgram('journalctl', process.env.PATH ?? '')
  if (!journalctl) return { problem: 'journalctl is not installed' }
  const args = [
    `--since=@${Math.floor(sinceMs / 1000)}`,
    '--output=json',
    '--no-pager',
    '--quiet',
    '_TRANSPORT=syslog',
    `_UID=${uid}`
  ]
  const asRoot = privilege === 'sudo' ? ['sudo', '-n', journalctl, ...args] : [journalctl, ...args]
  const result = await runCommand(asRoot[0]!, asRoot.slice(1), {
    timeoutMs: 60_000,
    maxOutput: MAX_JOURNAL
  })
  if (result.startError || result.code !== 0)
    return {
      problem: `journalctl failed: ${(result.stderr || result.startError || `status ${result.code}`).toString().trim().slice(0, 300)}`
    }
  const lines: JournalLine[] = []
  for (const row of result.stdout.split('\n')) {
    if (!row) continue
    let entry: Record<string, unknown>
    try {
      entry = JSON.parse(row) as Record<string, unknown>
    } catch {
      continue
    }
    const message = text(entry.MESSAGE)
    const pid = Number(text(entry._PID))
    const time = Number(text(entry.__REALTIME_TIMESTAMP)) || 0
    // --since counts whole seconds: lines of that second before the job started are not its.
    if (message === null || !Number.isInteger(pid) || pid <= 0 || time < sinceMs * 1000) continue
    lines.push({
      pid,
      uid: Number(text(entry._UID)),
      time,
      exe: text(entry._EXE),
      cmdline: text(entry._CMDLINE),
      comm: text(entry._COMM),
      message
    })
  }
  return { lines }
}
