import * as core from '@actions/core'
import { spawn } from 'node:child_process'
import { lstat, mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileBuildId } from '../elf/core-file.js'
import { lowerPriority } from '../process.js'
import { findGdb, gdbEnv, indexCacheSettings, settingsArgs } from './gdb.js'

/** The state key under which main leaves the index folder for post. */
const STATE_KEY = 'gdbIndex'

/**
 * The system's shared libraries this process runs with (the C library, the dynamic loader,
 * libstdc++, libm, libgcc_s) that have separate debug info installed (libc6-dbg and the like:
 * indexing that is the slow part; without it gdb reads a library's own symbols in a few ms):
 * root-owned files under /lib or /usr/lib, as mapped here.
 */
async function systemLibraries(): Promise<string[]> {
  const maps = await readFile('/proc/self/maps', 'utf8').catch(() => '')
  const paths = new Set<string>()
  for (const line of maps.split('\n')) {
    const path = line.slice(line.indexOf('/'))
    if (line.indexOf('/') < 0 || !/^\/(usr\/)?lib(64|32)?\/\S+\.so(\.\d+)*$/.test(path)) continue
    paths.add(path)
  }
  const trusted: string[] = []
  for (const path of paths) {
    const info = await stat(path).catch(() => null)
    if (!info?.isFile() || info.uid !== 0 || (info.mode & 0o022) !== 0) continue
    const id = await fileBuildId(path).catch(() => null)
    const debug = id && `/usr/lib/debug/.build-id/${id.slice(0, 2)}/${id.slice(2)}.debug`
    if (debug && (await stat(debug).catch(() => null))?.isFile()) trusted.push(path)
  }
  return trusted
}

/**
 * Builds gdb's index of the system's shared libraries with separate debug info in the
 * background, at nice 19, in a private folder that post's gdb then reads: with libc6-dbg,
 * indexing libc was 0.24 s of every post with a crash (one gdb on 4 cores of a server: 0.70 →
 * 0.55 s, 0.59 → 0.44 s), and costs the job as much CPU in the background. Nothing when gdb
 * is not installed yet or no such library has debug info (GitHub's runner images); never
 * waited for. Returns the libraries it indexes.
 */
export async function warmLibraryIndex(): Promise<string[]> {
  const gdb = await findGdb()
  if (!gdb) return []
  const libraries = await systemLibraries()
  if (libraries.length === 0) return []
  const dir = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), 'crash-capture-gdb-index-'))
  const args = settingsArgs(indexCacheSettings(dir))
  for (const library of libraries) args.push('-ex', `file ${library}`)
  // Not a process of the job's: the runner's cleanup and post's leftover search look for that.
  const env = gdbEnv({})
  delete env.RUNNER_TRACKING_ID
  const child = lowerPriority(
    spawn(gdb, args, { detached: true, stdio: 'ignore', env, cwd: dir }),
    19
  )
  child.on('error', () => undefined)
  child.unref()
  core.saveState(STATE_KEY, dir)
  return libraries
}

/** The index folder main made, when it is still ours and private; else null. */
export async function warmedIndex(): Promise<string | null> {
  const dir = core.getState(STATE_KEY)
  if (!dir) return null
  const info = await lstat(dir).catch(() => null)
  const ours = info?.isDirectory() && info.uid === process.getuid?.() && (info.mode & 0o077) === 0
  return ours ? dir : null
}

/** Removes the index folder main made. */
export async function removeWarmedIndex(): Promise<void> {
  const dir = await warmedIndex()
  if (dir) await rm(dir, { recursive: true, force: true }).catch(() => undefined)
}
