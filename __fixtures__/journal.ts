import { spawn } from 'node:child_process'
import { existsSync, lstatSync, mkdirSync, rmSync, symlinkSync, unlinkSync } from 'node:fs'

const JOURNALD = '/lib/systemd/systemd-journald'
const RUNTIME = '/run/systemd/journal'
const DEV_LOG = '/dev/log'

/** A system log for the tests: the machine's own, or a journald started for them. */
export interface Journal {
  /** Stops what was started (nothing when the machine's own journal was used). */
  stop(): Promise<void>
}

/**
 * The real system log that sanitizers' `log_to_syslog=1` writes to: journald, as on GitHub's
 * runners. When this machine has none running (a VM without systemd as init, a container),
 * Debian's systemd-journald is started on its own (it creates its sockets without systemd)
 * and /dev/log is pointed at it, as systemd's socket unit does; stop() undoes all of it.
 * Returns why not when there is no journald to start.
 */
export async function startJournal(): Promise<Journal | { skipped: string }> {
  if (existsSync(DEV_LOG)) return { stop: async () => undefined }
  if (!existsSync(JOURNALD))
    return { skipped: `${JOURNALD} is not installed (apt-get install systemd)` }
  const madeRuntime = !existsSync(RUNTIME)
  mkdirSync(RUNTIME, { recursive: true })
  const journald = spawn(JOURNALD, [], { stdio: 'ignore', detached: true })
  const exited = new Promise<void>((resolve) => journald.on('exit', () => resolve()))
  for (let waited = 0; !existsSync(`${RUNTIME}/dev-log`) && waited < 5000; waited += 50)
    await new Promise((resolve) => setTimeout(resolve, 50))
  if (!existsSync(`${RUNTIME}/dev-log`)) {
    journald.kill('SIGKILL')
    return { skipped: 'systemd-journald did not create its syslog socket' }
  }
  symlinkSync(`${RUNTIME}/dev-log`, DEV_LOG)
  return {
    stop: async () => {
      if (lstatSync(DEV_LOG, { throwIfNoEntry: false })?.isSymbolicLink()) unlinkSync(DEV_LOG)
      journald.kill('SIGTERM')
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))])
      if (journald.exitCode === null) journald.kill('SIGKILL')
      if (madeRuntime) rmSync(RUNTIME, { recursive: true, force: true })
    }
  }
}
