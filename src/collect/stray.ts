import * as glob from '@actions/glob'
import { access, constants, lstat, mkdir, readdir } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { Stats } from 'node:fs'
import { looksLikeCore } from '../elf/core-file.js'
import { newCrash, type Crash } from './crash.js'

/** The default search paths: where file core_patterns and old CI recipes put cores. */
export function defaultSearchPaths(workspace: string): string[] {
  return [
    '/tmp/core*',
    '/tmp/core/*',
    '/tmp/cores/*',
    `${workspace}/**/core`,
    `${workspace}/**/core.[0-9]*`,
    // qemu-user writes the core of a program of another machine into its working directory.
    `${workspace}/**/qemu_*.core`
  ]
}

/** A file's identity, to never report the same core twice. */
export function fileKey(info: { dev: number; ino: number }): string {
  return `${info.dev}:${info.ino}`
}

/**
 * Finds core files written outside our handler: files matching the search paths that are real
 * ELF cores (magic and e_type checked) modified after `since` (ms epoch), skipping the ones in
 * `seen` (dev:ino). Each becomes a crash record to complete with identify().
 */
export async function collectStrayCores(
  patterns: string[],
  since: number,
  stageDir: string,
  seen: Set<string>
): Promise<{ crashes: Crash[]; problems: string[] }> {
  const crashes: Crash[] = []
  const problems: string[] = []
  if (patterns.length === 0) return { crashes, problems }
  const globber = await glob.create(patterns.join('\n'), {
    matchDirectories: false,
    followSymbolicLinks: false,
    implicitDescendants: false
  })
  for await (const path of globber.globGenerator()) {
    const found = await acceptCore(path, since, seen)
    if (found && 'problem' in found) problems.push(found.problem)
    if (found && 'mtimeMs' in found)
      crashes.push(await crashFromCoreFile(path, found.mtimeMs, stageDir, crashes.length + 1))
  }
  return { crashes, problems }
}

/**
 * Whether a file found on disk is a core of this job to analyse: a regular file (lstat: a
 * symlink is never followed to whatever it names), modified after `since`, not seen yet, owned
 * by this user or root (another user's, in /tmp or a shared core folder, is theirs to plant),
 * an ELF core. Its stat when it is (it is then marked seen); a sentence when it may be a core
 * this step cannot use; else null.
 */
async function acceptCore(
  path: string,
  since: number,
  seen: Set<string>
): Promise<Stats | { problem: string } | null> {
  const info = await lstat(path).catch(() => null)
  if (!info?.isFile() || info.mtimeMs < since || seen.has(fileKey(info))) return null
  const me = process.getuid?.() ?? 0
  if (info.uid !== me && info.uid !== 0)
    return (await looksLikeCore(path))
      ? {
          problem: `${path} is ignored: it is owned by uid ${info.uid}, neither this user nor root, so another user could have planted it.`
        }
      : null
  if (!(await looksLikeCore(path))) {
    // An unreadable file (a root-owned core, mode 0600) is worth a word; anything else is not a core.
    const readable = await access(path, constants.R_OK).then(
      () => true,
      () => false
    )
    return !readable && info.size > 0
      ? { problem: `${path} may be a core but this user cannot read it (owner uid ${info.uid}).` }
      : null
  }
  seen.add(fileKey(info))
  return info
}

/** A crash record for a core file found on disk, to complete with identify(). */
export async function crashFromCoreFile(
  path: string,
  mtimeMs: number,
  stageDir: string,
  index: number,
  /** The id's first word: `core`, or `qemu` for a guest core found through its emulator. */
  kind = 'core'
): Promise<Crash> {
  const id = `${kind}-${Math.floor(mtimeMs / 1000)}-${index}`
  const dir = join(stageDir, id)
  await mkdir(dir, { recursive: true })
  return newCrash(id, 'core-file', dir, { time: Math.floor(mtimeMs / 1000), core: path })
}

/** qemu-user's emulators (qemu-aarch64, qemu-arm-static, …), by the executable's name. */
const QEMU_USER = /^qemu-[a-z0-9_]+(-static)?$/

/**
 * A program of another machine run by qemu-user that crashes makes two crashes: qemu writes the
 * program's own core (qemu_<prog>_<date>_<pid>.core, in the working directory, when the core
 * limit allows), then kills itself with the same signal, which the handler records as a crash
 * of qemu. The program's core is the crash to report: for each handler crash of an emulator,
 * its core is looked for in the emulator's working directory by pid (no tree walk) and takes
 * the emulator's place; without one, the emulator's crash stays, saying how to get it.
 */
export async function replaceEmulatorCrashes(
  crashes: Crash[],
  since: number,
  stageDir: string,
  seen: Set<string>
): Promise<Crash[]> {
  const result: Crash[] = []
  for (const crash of crashes) {
    const emulator = crash.executablePath ? basename(crash.executablePath) : ''
    // A crash in another root (a `docker run` container) names a cwd that is not this one's.
    if (crash.source !== 'handler' || !QEMU_USER.test(emulator) || !crash.cwd || crash.otherRoot) {
      result.push(crash)
      continue
    }
    const suffix = `_${crash.pid}.core`
    const names = await readdir(crash.cwd).catch(() => [] as string[])
    let guest: Crash | null = null
    for (const name of names.filter((n) => n.startsWith('qemu_') && n.endsWith(suffix))) {
      const path = join(crash.cwd, name)
      const found = await acceptCore(path, since, seen)
      if (!found || !('mtimeMs' in found)) continue
      guest = await crashFromCoreFile(path, found.mtimeMs, stageDir, result.length + 1, 'qemu')
      guest.problems.push(
        `Run by ${emulator} (pid ${crash.pid}), which wrote this core and then died of the same signal: that crash is this one.`
      )
      break
    }
    if (guest) {
      result.push(guest)
    } else {
      crash.problems.push(
        `${emulator} re-raised the signal of the program it ran: with cores allowed (ulimit -c unlimited) qemu writes that program's own core (qemu_<program>_<date>_${crash.pid}.core) in its working directory, and it is reported instead.`
      )
      result.push(crash)
    }
  }
  return result
}
