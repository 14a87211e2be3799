import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readKernel, restoreKernel } from './kernel.js'

/**
 * Makes real cores with a plain file core_pattern: runs each shell script (in `cwd`, with
 * `ulimit -c unlimited`) and returns the core it left, by name. The kernel settings are put
 * back before returning, whatever happens.
 */
export function dumpCores(cwd: string, scripts: Record<string, string>): Map<string, string> {
  const before = readKernel()
  const root = mkdtempSync(join(tmpdir(), 'crash-capture-cores-'))
  const cores = new Map<string, string>()
  try {
    for (const [name, script] of Object.entries(scripts)) {
      const dir = join(root, name)
      mkdirSync(dir)
      restoreKernel({ '/proc/sys/kernel/core_pattern': `${dir}/core.%p` })
      spawnSync('sh', ['-c', `ulimit -c unlimited; ${script}`], { cwd })
      const [file] = readdirSync(dir)
      if (!file) throw new Error(`no core for ${name}`)
      cores.set(name, join(dir, file))
    }
  } finally {
    restoreKernel(before)
  }
  return cores
}
