import { runCommand, describeFailure, type RunResult } from './process.js'

/** How this process gets root for the few operations that need it. */
export type Privilege = 'root' | 'sudo'

/** A privileged command that failed; the message says which and why. */
export class PrivilegeError extends Error {
  constructor(what: string, result: RunResult) {
    super(`${what} failed: ${describeFailure(result)}`)
    this.name = 'PrivilegeError'
  }
}

/** Finds out whether we are root or have passwordless sudo; null when neither. */
export async function detectPrivilege(): Promise<Privilege | null> {
  if (process.getuid?.() === 0) return 'root'
  const probe = await runCommand('sudo', ['-n', 'true'], { timeoutMs: 10_000 })
  return probe.code === 0 ? 'sudo' : null
}

/**
 * Runs a command as root: directly when we are root, through `sudo -n` otherwise. Throws
 * PrivilegeError when it fails.
 */
export async function runAsRoot(
  privilege: Privilege,
  what: string,
  command: string,
  args: readonly string[],
  input?: string
): Promise<RunResult> {
  const result =
    privilege === 'root'
      ? await runCommand(command, args, { input, timeoutMs: 60_000 })
      : await runCommand('sudo', ['-n', '--', command, ...args], { input, timeoutMs: 60_000 })
  if (result.code !== 0) throw new PrivilegeError(what, result)
  return result
}

/** Writes a value to a file as root, without a trailing newline (for /proc/sys entries). */
export async function writeAsRoot(
  privilege: Privilege,
  path: string,
  value: string
): Promise<void> {
  await runAsRoot(privilege, `Writing ${path}`, 'tee', [path], value)
}
