import * as core from '@actions/core'
import { enableCapture } from './capture/enable.js'
import { getInputs } from './inputs.js'
import type { Privilege } from './privilege.js'
import { saveCaptureState } from './state.js'

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

/**
 * The main step: enables capture for every later step of the job. Trouble with capture becomes
 * a warning, never a failed job; only invalid inputs throw.
 */
export async function run(): Promise<void> {
  const startedAt = Date.now()
  const inputs = getInputs()
  const { state, facts } = await enableCapture(inputs, startedAt)
  saveCaptureState(state)

  core.startGroup(
    `crash-capture: ${state.mode === 'pipe-handler' ? 'capturing every crash' : 'capture is off'}`
  )
  core.info(`Mode: ${state.mode} (${state.reason})`)
  core.info(`Privilege: ${describePrivilege(facts.privilege)}`)
  if (facts.previous) {
    core.info(`Previous core_pattern: ${JSON.stringify(facts.previous.corePattern)}`)
    core.info(
      `Previous core_pipe_limit: ${facts.previous.corePipeLimit}, suid_dumpable: ${facts.previous.suidDumpable}`
    )
  }
  if (state.mode === 'pipe-handler') {
    core.info(
      `Compression: ${facts.compressor ? `zstd -1 (${facts.compressor})` : 'none (zstd is not installed)'}`
    )
    core.info(
      `Limits: ${inputs.maxCoreSize} bytes per core, ${inputs.maxTotalSize} bytes in all, ${inputs.minFreeSpace} bytes kept free`
    )
  }
  core.endGroup()

  if (state.mode === 'pipe-handler') {
    core.info(`crash-capture: every crash of a later step is captured (${state.reason}).`)
  } else {
    core.warning(
      `crash-capture cannot capture crashes here: ${state.reason}. The job goes on; crashes of later steps will not be backtraced.`
    )
  }
}
