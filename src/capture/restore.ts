import type { Privilege } from '../privilege.js'
import type { CaptureState } from '../state.js'
import { readKernelSettings, writeKernelSettings } from './kernel.js'

/** What restoreCapture did, for the log. */
export interface Restored {
  /** True when core_pattern no longer points at this session's handler. */
  handlerDetached: boolean
  /** True when core_pattern still named our handler at the end of the job: every core of the
   * job went to it, so no other place can hold one. */
  handledAll: boolean
  /** Sentences for warnings; empty when everything went back as it was. */
  warnings: string[]
}

/**
 * Puts back the kernel settings main replaced. core_pattern is restored only while it still
 * names our handler: something else that changed it during the job keeps its value.
 */
export async function restoreCapture(
  state: CaptureState,
  privilege: Privilege | null
): Promise<Restored> {
  if (state.mode !== 'pipe-handler' || !state.previous) {
    return { handlerDetached: true, handledAll: false, warnings: [] }
  }
  const warnings: string[] = []
  if (!privilege) {
    return {
      handlerDetached: false,
      handledAll: false,
      warnings: ['The kernel settings cannot be restored: neither root nor passwordless sudo now.']
    }
  }
  const current = await readKernelSettings()
  const handledAll = current.corePattern === state.installedPattern
  const wanted = { ...state.previous }
  if (!state.complete) {
    warnings.push(
      'The main step did not finish (cancelled or killed while it enabled capture): whatever it had changed is put back now.'
    )
  }
  if (current.corePattern !== state.installedPattern) {
    // A main that stopped before its write never installed the pattern: nothing to say then.
    if (state.complete)
      warnings.push(
        `core_pattern was changed during the job by something else (now '${current.corePattern}'): it is left as it is.`
      )
    wanted.corePattern = current.corePattern
  }
  try {
    await writeKernelSettings(privilege, wanted, true)
  } catch (error) {
    warnings.push(`Restoring the kernel settings failed: ${(error as Error).message}`)
    const after = await readKernelSettings().catch(() => current)
    return { handlerDetached: after.corePattern !== state.installedPattern, handledAll, warnings }
  }
  return { handlerDetached: true, handledAll, warnings }
}
