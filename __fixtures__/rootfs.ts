import { expect } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileBuildId } from '../src/elf/core-file.js'
import { crashLine } from './e2e.js'

/** Where a built root file system tarball is kept between test runs on one machine. */
const CACHE = '/var/cache/crash-capture-tests'

/**
 * The tarball of a root file system of another Debian release than the host's (trixie; the host
 * is bookworm), so its libc is another build, with gdb for a post step run in it: made once with
 * mmdebstrap (installed by .ci/run and scripts/check-system.mjs; about 15 s). Returns its path,
 * or the reason it cannot be had here (then the caller says it skipped).
 */
export function otherRootfsTarball(): { tarball: string } | { skipped: string } {
  const tarball = join(CACHE, 'trixie-gdb.tar')
  if (!existsSync(tarball)) {
    try {
      execFileSync('sh', ['-c', 'command -v mmdebstrap'], { stdio: 'ignore' })
    } catch {
      return { skipped: 'mmdebstrap is not installed' }
    }
    mkdirSync(CACHE, { recursive: true })
    try {
      execFileSync(
        'mmdebstrap',
        ['--variant=minbase', '--quiet', '--include=gdb', 'trixie', `${tarball}.part.tar`],
        {
          stdio: 'ignore',
          timeout: 300_000
        }
      )
      execFileSync('mv', [`${tarball}.part.tar`, tarball])
    } catch (error) {
      return {
        skipped: `mmdebstrap could not build a trixie root: ${(error as Error).message.split('\n')[0]}`
      }
    }
  }
  return { tarball }
}

/** That root file system unpacked into a fresh folder. */
export function otherRootfs(): { dir: string } | { skipped: string } {
  const made = otherRootfsTarball()
  if ('skipped' in made) return made
  const dir = mkdtempSync(join(tmpdir(), 'crash-capture-rootfs-'))
  execFileSync('tar', ['-xf', made.tarball, '-C', dir])
  return { dir }
}

/**
 * What a crash of `libc_strlen` in another root file system must give: the record says so (and
 * names the container when there is one), its libc is that root's (build-id `theirs`), the
 * blame is at its source line, and the bundle opens in gdb from its own sysroot.
 */
export async function expectOtherRootCrash(
  post: { stdout: string; outputs: Record<string, string> },
  theirs: string | null,
  options: { container?: boolean } = {}
): Promise<void> {
  const libc = '/usr/lib/x86_64-linux-gnu/libc.so.6'
  expect(theirs).not.toBeNull()
  expect(theirs).not.toBe(await fileBuildId(libc))
  const report = JSON.parse(readFileSync(post.outputs.report!, 'utf8')) as {
    groups: {
      crashes: {
        id: string
        otherRoot: { container: string | null } | null
        libraries: { path: string; file: string }[]
        blame: { path: string; line: number } | null
      }[]
    }[]
  }
  const [record] = report.groups.flatMap((g) => g.crashes)
  expect(record!.otherRoot).not.toBeNull()
  if (options.container) expect(record!.otherRoot!.container).toMatch(/^[0-9a-f]{64}$/)
  const used = record!.libraries.find((l) => l.path === libc)
  expect(used && (await fileBuildId(used.file))).toBe(theirs)
  expect(record!.blame).toMatchObject({
    path: 'src/libc_strlen.c',
    line: crashLine('libc_strlen')
  })
  expect(post.stdout).toContain('Root:         another root file system')

  // The bundle opens from its own sysroot: gdb loads that root's libc, found in the bundle.
  const bundle = /the bundle is at (\S+)/.exec(post.stdout)![1]!
  const debug = spawnSync(
    'sh',
    [join(bundle, record!.id, 'debug.sh'), '-batch', '-ex', 'info sharedlibrary', '-ex', 'bt'],
    { encoding: 'utf8' }
  )
  expect(debug.stdout).toMatch(/Yes.*bundle\/sysroot\/usr\/lib\/x86_64-linux-gnu\/libc\.so\.6/)
  expect(debug.stdout).toMatch(/in measure \(/)
}
