import * as core from '@actions/core'
import { hasJournal, SYSLOG_SOCKET } from './collect/journal.js'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { enableCapture, type CaptureFacts } from './capture/enable.js'
import { readKernelSettings } from './capture/kernel.js'
import { readCoreLimit } from './capture/rlimit.js'
import { startWatcher } from './hang.js'
import { warmLibraryIndex } from './analyze/warm.js'
import { getInputs, type Inputs } from './inputs.js'
import type { Privilege } from './privilege.js'
import { saveCaptureState } from './state.js'

/** Bytes in binary units, as the inputs take them: `4 GiB`, `512 MiB`, `100 bytes`. */
export function humanSize(bytes: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 'bytes'
  for (const next of units) {
    if (value < 1024) break
    value /= 1024
    unit = next
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`
}

function describePrivilege(privilege: Privilege | null): string {
  if (privilege === 'root') return 'root'
  if (privilege === 'sudo') {
    return (
      'passwordless sudo: `sudo -n` is used only to create the root-owned crash directory, install ' +
      'the handler in it and write kernel.core_pattern, core_pipe_limit and fs.suid_dumpable; ' +
      'everything else runs as this user'
    )
  }
  return 'none (not root, no passwordless sudo)'
}

/** The facts behind the mode, one line each: kernel settings, core limits, container. */
async function describeMachine(facts: CaptureFacts): Promise<string[]> {
  const lines: string[] = []
  const settings = facts.previous ?? (await readKernelSettings().catch(() => null))
  if (settings) {
    lines.push(`core_pattern before: ${JSON.stringify(settings.corePattern)}`)
    lines.push(
      `core_pipe_limit before: ${settings.corePipeLimit}, suid_dumpable before: ${settings.suidDumpable}`
    )
  }
  // A step of a job container is started by `docker exec`: its parent is outside its view.
  const limit = await readCoreLimit(process.ppid > 0 ? process.ppid : process.pid)
  if (typeof limit !== 'string') {
    lines.push(
      `Core limit of the ${process.ppid > 0 ? 'runner process' : 'container'} (soft, hard): ${limit.soft}, ${limit.hard}`
    )
  }
  const container = existsSync('/.dockerenv') || existsSync('/run/.containerenv')
  lines.push(`In a container: ${container ? 'yes' : 'no'}`)
  return lines
}

/** Starts the hang watcher (see src/watch.ts) and saves it for post, which stops it. */
async function watchForHangs(timeoutMs: number, inputs: Inputs): Promise<void> {
  const temp = process.env.RUNNER_TEMP
  const trackingId = process.env.RUNNER_TRACKING_ID ?? ''
  if (!temp || !trackingId) {
    core.warning(
      'hang-timeout is set, but this runner gives no RUNNER_TEMP or RUNNER_TRACKING_ID: no watcher.'
    )
    return
  }
  const watcher = await startWatcher({
    trackingId,
    runnerPid: process.ppid > 0 ? process.ppid : process.pid,
    deadline: Date.now() + timeoutMs,
    action: inputs.hangAction,
    dir: join(temp, `crash-capture-hang-${process.pid}-${Date.now()}`),
    limits: { maxCoreSize: inputs.maxCoreSize, minFreeSpace: inputs.minFreeSpace }
  })
  if (!watcher) return
  core.saveState('watcher', JSON.stringify(watcher))
  core.info(
    `Hang watcher: pid ${watcher.pid}; after ${Math.round(timeoutMs / 1000)} s it takes the stacks of every process of the job still running${inputs.hangAction === 'kill' ? ' and kills them' : ''}.`
  )
}

/** What main adds in front of the user's ASAN_OPTIONS (theirs come later and win). */
export const ASAN_ADDED = 'abort_on_error=1:disable_coredump=0'

/**
 * What main adds for the sanitizers that print and go on (UBSan recovers, TSan goes on after a
 * race, LSan reports at exit): a copy of every line in the system log, where post reads them
 * (stderr keeps its report as it was); UBSan prints the stack of each diagnostic too.
 */
export const LOGGED_ADDED: Record<string, string> = {
  UBSAN_OPTIONS: 'print_stacktrace=1:log_to_syslog=1',
  TSAN_OPTIONS: 'log_to_syslog=1',
  LSAN_OPTIONS: 'log_to_syslog=1'
}

/** One sanitizer variable for the later steps: ours first, the user's after (theirs win). */
function addOptions(name: string, ours: string): string {
  const theirs = process.env[name] ?? ''
  const value = theirs ? `${ours}:${theirs}` : ours
  core.exportVariable(name, value)
  return `${name}=${value}${theirs ? ' (yours after ours: yours win)' : ''}`
}

/**
 * Makes AddressSanitizer (and LeakSanitizer under it) abort with a core after printing its
 * report, for every later step: by default it exits with status 1 and no core. The report still
 * goes to stderr as before; ASan keeps it in memory too, so post reads it from the core. The
 * sanitizers that go on (UBSan, TSan, standalone LSan) copy their reports to the system log
 * when there is one.
 */
async function setUpSanitizers(): Promise<void> {
  const set = [addOptions('ASAN_OPTIONS', ASAN_ADDED)]
  const journal = await hasJournal()
  if (journal)
    for (const [name, ours] of Object.entries(LOGGED_ADDED)) set.push(addOptions(name, ours))
  core.info(
    `Sanitizers: ${set.join(', ')} for the later steps; sanitizers: off leaves them alone.` +
      (journal
        ? ''
        : ` No system log here (${SYSLOG_SOCKET} and journalctl): UBSan, TSan and standalone LSan reports stay on stderr only.`)
  )
}

/**
 * The main step: enables capture for every later step of the job. Trouble with capture becomes
 * a warning, never a failed job; only invalid inputs throw.
 */
export async function run(): Promise<void> {
  const startedAt = Date.now()
  const inputs = getInputs()
  const { state, facts } = await enableCapture(inputs, startedAt, saveCaptureState)
  saveCaptureState(state)

  const heading = {
    'pipe-handler': 'capturing every crash',
    'file-pattern': 'core files through a file core_pattern',
    rlimit: 'core files through the existing core_pattern',
    none: 'capture is off'
  }
  core.startGroup(`crash-capture: ${heading[state.mode]}`)
  core.info(`Mode: ${state.mode} (${state.reason})`)
  core.info(`Privilege: ${describePrivilege(facts.privilege)}`)
  for (const line of await describeMachine(facts)) core.info(line)
  if (state.mode === 'pipe-handler') {
    if (facts.handler) core.info(`Handler: ${facts.handler}`)
    core.info(
      `Compression: ${facts.compressor ? `zstd -1 (${facts.compressor})` : 'none (zstd is not installed)'}`
    )
    core.info(
      `Limits: ${humanSize(inputs.maxCoreSize)} per core, ${humanSize(inputs.maxTotalSize)} in all, ${humanSize(inputs.minFreeSpace)} kept free`
    )
    core.info(
      `Other jobs capturing on this kernel: ${facts.otherJobs}${facts.otherJobs > 0 ? ' (each crash goes to the job whose RUNNER_TRACKING_ID it carries)' : ''}`
    )
    core.info(`Self-check: captured in ${facts.selfCheckMs} ms`)
  }
  core.endGroup()

  if (state.mode !== 'none') {
    const indexed = await warmLibraryIndex().catch(() => [])
    if (indexed.length > 0)
      core.info(
        `crash-capture: indexing the debug info of ${indexed.length} system librar${indexed.length === 1 ? 'y' : 'ies'} with gdb in the background (nice 19), for the post step's gdb`
      )
  }
  if (inputs.sanitizers && state.mode !== 'none') await setUpSanitizers()
  if (inputs.hangTimeoutMs !== null) await watchForHangs(inputs.hangTimeoutMs, inputs)
  for (const note of facts.notes) core.warning(note)
  if (state.mode === 'pipe-handler') {
    core.info(`crash-capture: every crash of a later step is captured (${state.reason}).`)
  } else if (state.mode === 'file-pattern') {
    core.warning(
      `crash-capture cannot use its handler: ${state.reason}. Self-check: captured in ${facts.selfCheckMs} ms.`
    )
  } else if (state.mode === 'rlimit') {
    core.warning(`crash-capture cannot install its handler: ${state.reason}.`)
  } else {
    core.warning(
      `crash-capture cannot capture crashes here: ${state.reason}. The job goes on; crashes of later steps will not be backtraced.`
    )
  }
}
