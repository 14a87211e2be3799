import { execFileSync } from 'node:child_process'
import { chmodSync, cpSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT } from '../scripts/runner.mjs'

/** An unprivileged user for the tests, like GitHub's `runner`. */
export interface TestUser {
  name: string
  uid: number
  gid: number
}

/**
 * Creates (once) a user, with passwordless sudo like GitHub's `runner` when `sudo` is true. The
 * machine's sudo package is installed by .ci/run and scripts/check-system.mjs.
 */
export function ensureUser(name: string, sudo: boolean): TestUser {
  if (!existsSync('/usr/bin/sudo'))
    throw new Error('sudo is not installed: run scripts/check-system.mjs or .ci/run')
  try {
    execFileSync('id', ['-u', name], { stdio: 'ignore' })
  } catch {
    execFileSync('useradd', ['--create-home', '--shell', '/bin/sh', name])
  }
  const sudoers = `/etc/sudoers.d/crash-capture-test-${name}`
  if (sudo) {
    writeFileSync(sudoers, `${name} ALL=(ALL) NOPASSWD: ALL\n`)
    chmodSync(sudoers, 0o440)
  }
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim())
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim())
  return { name, uid, gid }
}

/**
 * A world-readable copy of dist/: the checkout may sit in a directory other users cannot enter
 * (CI clones it wherever it likes).
 */
export function readableDist(): string {
  const dir = mkdtempSync(join(tmpdir(), 'crash-capture-dist-'))
  chmodSync(dir, 0o755)
  cpSync(join(ROOT, 'dist'), dir, { recursive: true })
  return dir
}
