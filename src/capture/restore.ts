import type { Privilege } from '../privilege.js'
import type { CaptureState } from '../state.js'
import { changedElsewhere, leaveHostCapture } from './enable.js'
import { crashDirOf } from './host.js'
import { readKernelSettings, writeKernelSettings } from './kernel.js'

/** What restoreCapture did, for the log. */
export interface Restored {
  /** True when the handler no longer routes crashes to this job's folder. */
  handlerDetached: boolean
  /** True when core_pattern still named the host handler at the end of the job: every core of
   * the job went to it, so no other place can hold one. */
  handledAll: boolean
  /** Live jobs still capturing on this kernel after this one left. */
  otherJobs: number
  /** Sentences for warnings; empty when everything went back as it was. */
  warnings: string[]
}

/**
 * Leaves the host capture. The last job out puts back the kernel settings the first one in had
 * found; core_pattern only while it still names our handler (something else that changed it
 * during the job keeps its value).
 */
export async function restoreCapture(
  state: CaptureState,
  privilege: Privilege | null
): Promise<Restored> {
  if (state.mode === 'file-pattern') return restoreFilePattern(state, privilege)
  if (state.mode !== 'pipe-handler' || !state.sessionDir || !state.installedPattern) {
    return { handlerDetached: true, handledAll: false, otherJobs: 0, warnings: [] }
  }
  if (!privilege) {
    return {
      handlerDetached: false,
      handledAll: false,
      otherJobs: 0,
      warnings: ['The kernel settings cannot be restored: neither root nor passwordless sudo now.']
    }
  }
  const warnings: string[] = []
  if (!state.complete) {
    warnings.push(
      'The main step did not finish (cancelled or killed while it enabled capture): whatever it had changed is put back now.'
    )
  }
  const crashDir = crashDirOf(state.sessionDir)
  try {
    const left = await leaveHostCapture(
      privilege,
      crashDir,
      state.sessionDir,
      state.installedPattern,
      state.previous,
      state.complete
    )
    return {
      handlerDetached: true,
      handledAll: left.handledAll,
      otherJobs: left.others,
      warnings: [...warnings, ...left.warnings]
    }
  } catch (error) {
    warnings.push(`Leaving the host capture failed: ${(error as Error).message}`)
    return { handlerDetached: false, handledAll: false, otherJobs: 0, warnings }
  }
}

/** Puts back core_pattern after the file-pattern fallback, while it is still ours. */
async function restoreFilePattern(
  state: CaptureState,
  privilege: Privilege | null
): Promise<Restored> {
  const done = (warnings: string[]): Restored => ({
    handlerDetached: true,
    handledAll: false,
    otherJobs: 0,
    warnings
  })
  if (!state.previous || !state.installedPattern) return done([])
  if (!privilege)
    return done(['The kernel settings cannot be restored: neither root nor passwordless sudo now.'])
  const current = await readKernelSettings()
  if (current.corePattern !== state.installedPattern)
    return done([changedElsewhere(current.corePattern)])
  try {
    await writeKernelSettings(
      privilege,
      { ...current, corePattern: state.previous.corePattern },
      true
    )
    return done([])
  } catch (error) {
    return done([`Restoring the kernel settings failed: ${(error as Error).message}`])
  }
}
