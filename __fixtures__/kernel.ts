import { afterEach, beforeEach } from '@jest/globals'
import { readFileSync, writeFileSync } from 'node:fs'
import { KERNEL_FILES } from './kernel-files.js'

/** The kernel core settings, file by file. */
export type KernelSnapshot = Record<string, string>

/** Reads the current core_pattern, core_pipe_limit and suid_dumpable. */
export function readKernel(): KernelSnapshot {
  return Object.fromEntries(
    KERNEL_FILES.map((file) => [file, readFileSync(file, 'utf8').replace(/\n$/, '')])
  )
}

/** Writes back whatever differs from the snapshot. */
export function restoreKernel(snapshot: KernelSnapshot): void {
  for (const [file, value] of Object.entries(snapshot)) {
    if (readFileSync(file, 'utf8').replace(/\n$/, '') !== value) writeFileSync(file, value)
  }
}

/**
 * For a test file that changes kernel settings: snapshots them before each test and restores
 * them after it, passed or failed. Returns a reader of the snapshot of the running test.
 */
export function guardKernel(): () => KernelSnapshot {
  let before: KernelSnapshot = {}
  beforeEach(() => {
    before = readKernel()
  })
  afterEach(() => restoreKernel(before))
  return () => before
}
