import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Where a built root file system tarball is kept between test runs on one machine. */
const CACHE = '/var/cache/crash-capture-tests'

/**
 * A root file system of another Debian release than the host's (trixie; the host is bookworm),
 * so its libc is another build: made once with mmdebstrap (installed by .ci/run and
 * scripts/check-system.mjs; about 15 s), unpacked into a fresh folder. Returns the folder, or
 * the reason it cannot be had here (then the caller says it skipped).
 */
export function otherRootfs(): { dir: string } | { skipped: string } {
  const tarball = join(CACHE, 'trixie-minbase.tar')
  if (!existsSync(tarball)) {
    try {
      execFileSync('sh', ['-c', 'command -v mmdebstrap'], { stdio: 'ignore' })
    } catch {
      return { skipped: 'mmdebstrap is not installed' }
    }
    mkdirSync(CACHE, { recursive: true })
    try {
      execFileSync('mmdebstrap', ['--variant=minbase', '--quiet', 'trixie', `${tarball}.part`], {
        stdio: 'ignore',
        timeout: 300_000
      })
      execFileSync('mv', [`${tarball}.part`, tarball])
    } catch (error) {
      return {
        skipped: `mmdebstrap could not build a trixie root: ${(error as Error).message.split('\n')[0]}`
      }
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'crash-capture-rootfs-'))
  execFileSync('tar', ['-xf', tarball, '-C', dir])
  return { dir }
}
