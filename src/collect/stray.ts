import * as glob from '@actions/glob'
import { access, constants, lstat, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { looksLikeCore } from '../elf/core-file.js'
import { newCrash, type Crash } from './crash.js'

/** The default search paths: where file core_patterns and old CI recipes put cores. */
export function defaultSearchPaths(workspace: string): string[] {
  return [
    '/tmp/core*',
    '/tmp/core/*',
    '/tmp/cores/*',
    `${workspace}/**/core`,
    `${workspace}/**/core.[0-9]*`
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
  const me = process.getuid?.() ?? 0
  for await (const path of globber.globGenerator()) {
    // lstat: a symlink is never followed to whatever it names. A core owned by another user
    // (not root) is theirs to plant, in /tmp or a shared core folder: never ours to analyse.
    const info = await lstat(path).catch(() => null)
    if (!info?.isFile() || info.mtimeMs < since || seen.has(fileKey(info))) continue
    if (info.uid !== me && info.uid !== 0) {
      if (await looksLikeCore(path))
        problems.push(
          `${path} is ignored: it is owned by uid ${info.uid}, neither this user nor root, so another user could have planted it.`
        )
      continue
    }
    if (!(await looksLikeCore(path))) {
      // An unreadable file (a root-owned core, mode 0600) is worth a word; anything else is not a core.
      const readable = await access(path, constants.R_OK).then(
        () => true,
        () => false
      )
      if (!readable && info.size > 0) {
        problems.push(`${path} may be a core but this user cannot read it (owner uid ${info.uid}).`)
      }
      continue
    }
    seen.add(fileKey(info))
    crashes.push(await crashFromCoreFile(path, info.mtimeMs, stageDir, crashes.length + 1))
  }
  return { crashes, problems }
}

/** A crash record for a core file found on disk, to complete with identify(). */
export async function crashFromCoreFile(
  path: string,
  mtimeMs: number,
  stageDir: string,
  index: number
): Promise<Crash> {
  const id = `core-${Math.floor(mtimeMs / 1000)}-${index}`
  const dir = join(stageDir, id)
  await mkdir(dir, { recursive: true })
  return newCrash(id, 'core-file', dir, { time: Math.floor(mtimeMs / 1000), core: path })
}
