import { readFile } from 'node:fs/promises'
import type { KernelSettings } from '../state.js'
import { writeAsRoot, type Privilege } from '../privilege.js'

/** The /proc/sys files behind the three settings main changes and post restores. */
export const KERNEL_FILES = {
  corePattern: '/proc/sys/kernel/core_pattern',
  corePipeLimit: '/proc/sys/kernel/core_pipe_limit',
  suidDumpable: '/proc/sys/fs/suid_dumpable'
} as const

async function readSetting(path: string): Promise<string> {
  // The kernel ends each value with one newline that is not part of it.
  return (await readFile(path, 'utf8')).replace(/\n$/, '')
}

/** Reads the current core_pattern, core_pipe_limit and suid_dumpable. */
export async function readKernelSettings(): Promise<KernelSettings> {
  const [corePattern, corePipeLimit, suidDumpable] = await Promise.all([
    readSetting(KERNEL_FILES.corePattern),
    readSetting(KERNEL_FILES.corePipeLimit),
    readSetting(KERNEL_FILES.suidDumpable)
  ])
  return { corePattern, corePipeLimit, suidDumpable }
}

/**
 * The order of the writes. The kernel logs "Unsafe core_pattern used with fs.suid_dumpable=2"
 * when suid_dumpable is 2 while core_pattern is neither a pipe nor an absolute path, so capture
 * writes core_pattern before suid_dumpable and a restore puts suid_dumpable back first: the
 * unsafe combination never exists, not even for a moment.
 */
const INSTALL_ORDER: (keyof KernelSettings)[] = ['corePattern', 'corePipeLimit', 'suidDumpable']

/**
 * Writes the settings that differ from the current ones and reads them back: core_pattern is
 * global to the machine, so a value that did not stick is an error, not an assumption.
 * `restoring` writes in the reverse order of an install.
 */
export async function writeKernelSettings(
  privilege: Privilege,
  wanted: KernelSettings,
  restoring = false
): Promise<void> {
  const current = await readKernelSettings()
  const order = restoring ? [...INSTALL_ORDER].reverse() : INSTALL_ORDER
  for (const key of order) {
    if (current[key] !== wanted[key]) await writeAsRoot(privilege, KERNEL_FILES[key], wanted[key])
  }
  const after = await readKernelSettings()
  for (const key of Object.keys(KERNEL_FILES) as (keyof KernelSettings)[]) {
    if (after[key] !== wanted[key]) {
      throw new Error(
        `${KERNEL_FILES[key]} reads '${after[key]}' after writing '${wanted[key]}' to it`
      )
    }
  }
}
