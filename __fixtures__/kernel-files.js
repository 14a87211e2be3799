/** The kernel settings tests may change, and where the global setup keeps their values. */
export const KERNEL_FILES = [
  '/proc/sys/kernel/core_pattern',
  '/proc/sys/kernel/core_pipe_limit',
  '/proc/sys/fs/suid_dumpable'
]
export const KERNEL_SNAPSHOT = '/tmp/crash-capture-kernel-snapshot.json'
