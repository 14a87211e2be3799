import * as glob from '@actions/glob'
import { lstat, rm, stat } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join, resolve } from 'node:path'
import {
  ElfError,
  fileBuildId,
  handleBuildId,
  handleSoname,
  readCore,
  type CoreInfo
} from '../elf/core-file.js'
import { copyFromHandle, openRegular } from '../safe-file.js'
import type { Crash } from './crash.js'

/** What identify() learned, besides the crash record it completes. */
export interface Identified {
  crash: Crash
  /** The core as the ELF reader saw it, or null when it could not be read. */
  core: CoreInfo | null
  /** Sentences for the report: mismatches, unreadable cores. */
  problems: string[]
}

const DELETED = / \(deleted\)$/

/** The name qemu-user gives the core of a guest program it ran. */
export const QEMU_CORE = /^qemu_.+_\d+\.core$/

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false
  )
}

/** A file checked against a build-id and copied from the same open descriptor, or why not. */
export type VerifiedCopy = { file: string; soname: string | null } | { problem: string }

/**
 * Candidate executables from the `executables` input, expanded once per post step, and the
 * verified copies of files the cores name, made once however many cores name them.
 *
 * Every file a core names is chosen by the crashed program and may be swapped at any moment
 * (for a symlink to a secret, a FIFO, another build). So each is opened once (openRegular), its
 * build-id read from that descriptor, and, when it matches, copied from that same descriptor
 * into the stage: gdb and the artifact only ever use the copy.
 */
export class ExecutableCandidates {
  private files: Promise<string[]> | null = null
  private readonly ids = new Map<string, Promise<string | null>>()
  private readonly copies = new Map<string, Promise<VerifiedCopy>>()

  /** `stage`: where verified copies go (`objects/<build-id>/<name>`). */
  constructor(
    private readonly patterns: string[],
    private readonly stage: string
  ) {}

  /** The build-id of a file on disk, or null (missing, not a regular file, no build-id). */
  buildIdOf(path: string): Promise<string | null> {
    let id = this.ids.get(path)
    if (!id) {
      id = fileBuildId(path)
      this.ids.set(path, id)
    }
    return id
  }

  /**
   * A private copy of `path` when its build-id is `buildId`; with `buildId` null, a copy of
   * whatever regular file is there (the caller decides whether that may be trusted).
   */
  verifiedCopy(path: string, buildId: string | null): Promise<VerifiedCopy> {
    const key = `${buildId ?? ''}\0${path}`
    let copy = this.copies.get(key)
    if (!copy) {
      copy = this.copy(path, buildId, this.copies.size)
      this.copies.set(key, copy)
    }
    return copy
  }

  private async copy(path: string, buildId: string | null, index: number): Promise<VerifiedCopy> {
    let opened
    try {
      opened = await openRegular(path)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      return { problem: code === 'ENOENT' ? `${path} is gone` : (error as Error).message }
    }
    try {
      const found = await handleBuildId(opened.handle)
      if (buildId && found !== buildId)
        return {
          problem: `${path} changed since the crash (build-id ${found ?? 'none'} instead of ${buildId})`
        }
      const folder = buildId ?? `no-build-id-${index}`
      const file = join(this.stage, 'objects', folder, basename(path) || 'file')
      await rm(file, { force: true })
      await copyFromHandle(opened.handle, file)
      return { file, soname: await handleSoname(opened.handle) }
    } catch (error) {
      return { problem: `${path} could not be copied: ${(error as Error).message}` }
    } finally {
      await opened.handle.close()
    }
  }

  /** The files the patterns match (directories excluded); a plain path is taken as it is. */
  list(): Promise<string[]> {
    if (this.patterns.length === 0) return Promise.resolve([])
    const plain = this.patterns.filter((pattern) => !/[*?[\]{}!#]/.test(pattern))
    const globs = this.patterns.filter((pattern) => !plain.includes(pattern))
    this.files ??= (
      globs.length === 0
        ? Promise.resolve([])
        : glob
            .create(globs.join('\n'), { matchDirectories: false, followSymbolicLinks: true })
            .then((globber) => globber.glob())
            .catch(() => [])
    ).then((found) => [...plain.map((path) => resolve(path)), ...found])
    return this.files
  }
}

/**
 * True when a folder lets others than its owner create or replace files in it (`/tmp`, a
 * world-writable core folder): a file found there without a build-id to check proves nothing.
 */
async function sharedFolder(path: string): Promise<boolean> {
  const info = await lstat(dirname(path)).catch(() => null)
  return !info || (info.mode & 0o022) !== 0
}

/**
 * Completes a crash record from its core: signal, threads, build-ids, and the executable,
 * resolved in this order, with the reason kept:
 * 1. the copy the handler took through /proc/PID/exe (exact by construction);
 * 2. the NT_FILE path holding AT_PHDR, or AT_EXECFN against the crash's cwd, when the file exists
 *    and its build-id is the core's;
 * 3. a file matching the `executables` input whose build-id is the core's.
 * A file at the recorded path with another build-id is a rebuilt binary: it is reported, never
 * used, because gdb would print garbage frames without saying so.
 */
export async function identify(
  crash: Crash,
  candidates: ExecutableCandidates,
  /** Try the candidates before the paths the core recorded (the local command's --exe). */
  preferCandidates = false
): Promise<Identified> {
  const problems: string[] = []
  let core: CoreInfo | null = null
  if (crash.core) {
    try {
      core = await readCore(crash.core)
    } catch (error) {
      const reason = error instanceof ElfError ? error.message : String(error)
      problems.push(`The core could not be read as an ELF core: ${reason}`)
    }
  }
  if (core) {
    if (core.truncated && crash.coreState === 'complete') {
      crash.coreState = 'truncated'
      crash.coreNote = `the core is cut short: ${core.size} of ${core.expectedSize} bytes`
    }
    crash.machine = core.machine
    // No NT_SIGINFO (qemu-user's cores): the crashing thread's pr_cursig.
    const cursig = core.threads[0]?.signal ?? 0
    const signal = core.signal?.number ?? (cursig > 0 ? cursig : null)
    if (crash.signal <= 0 && signal !== null) crash.signal = signal
    // qemu-user writes a guest's core into its working directory, as qemu_<prog>_<date>_<pid>.core.
    if (!crash.cwd && crash.core && QEMU_CORE.test(basename(crash.core)))
      crash.cwd = dirname(crash.core)
    if (crash.pid <= 0 && core.pid !== null) crash.pid = core.pid
    if (crash.tid <= 0 && core.threads[0]) crash.tid = core.threads[0].tid
    if (crash.uid < 0 && core.uid !== null) crash.uid = core.uid
    if (!crash.comm && core.command) crash.comm = core.command
    if (crash.commandLine.length === 0 && core.arguments) crash.commandLine = [core.arguments]
    if (!crash.executablePath && core.executable) crash.executablePath = core.executable
    crash.buildId = core.executable ? (core.buildIds.get(core.executable) ?? null) : null
    // A process of another root file system: its own libraries, copied by the handler, come
    // first (the host's files at the same paths are another build).
    const fromRoot = new Map<string, string>()
    for (const file of crash.rootFiles) {
      const id = await fileBuildId(file)
      if (id) fromRoot.set(id, file)
    }
    // Libraries the same way: one rebuilt or upgraded since the crash makes its frames wrong.
    for (const [mapped, id] of core.buildIds) {
      if (mapped === core.executable) continue
      const path = mapped.replace(DELETED, '')
      const copy = await candidates.verifiedCopy(fromRoot.get(id) ?? path, id)
      if ('file' in copy) {
        crash.libraries.push({ path, file: copy.file, soname: copy.soname })
      } else {
        problems.push(
          `The library ${path} is not used: ${copy.problem}. Frames inside it may show as ?? or be wrong.`
        )
      }
    }
  }

  if (crash.executable) {
    // The handler's copy: check it only to say so if the core disagrees.
    if (crash.buildId) {
      const copy = await fileBuildId(crash.executable)
      if (copy && copy !== crash.buildId)
        problems.push('The executable copy does not match the core (build-id differs).')
    }
    return { crash, core, problems }
  }

  const wanted = crash.buildId
  const fromCandidates = async (): Promise<boolean> => {
    if (!wanted) return core?.mappings.length === 0 ? await byName() : false
    for (const path of await candidates.list()) {
      if ((await candidates.buildIdOf(path)) !== wanted) continue
      const copy = await candidates.verifiedCopy(path, wanted)
      if ('problem' in copy) continue
      crash.executable = copy.file
      crash.executableReason = `${path} (given as a candidate), whose build-id matches the core`
      return true
    }
    return false
  }
  // A core without file mappings (qemu-user's) holds no build-id: a candidate the user named
  // with the program's name (pr_fname: its first 15 bytes) is taken on their word.
  const byName = async (): Promise<boolean> => {
    const command = core?.command
    if (!command) return false
    for (const path of await candidates.list()) {
      if (!basename(path).startsWith(command)) continue
      const copy = await candidates.verifiedCopy(path, null)
      if ('problem' in copy) continue
      crash.executable = copy.file
      crash.executablePath ??= path
      crash.executableReason = `${path} (given as a candidate, named like the program; the core has no build-id to compare)`
      return true
    }
    return false
  }
  if (preferCandidates && (await fromCandidates())) return { crash, core, problems }
  const recorded = crash.executablePath?.replace(DELETED, '') ?? null
  const paths: string[] = []
  if (recorded && isAbsolute(recorded)) paths.push(recorded)
  // AT_EXECFN is what was passed to execve: relative to the crash's cwd, never to ours.
  if (core?.execfn && (isAbsolute(core.execfn) || crash.cwd))
    paths.push(isAbsolute(core.execfn) ? core.execfn : resolve(crash.cwd!, core.execfn))
  for (const path of [...new Set(paths)]) {
    const id = await candidates.buildIdOf(path)
    if (id === null && !(await isFile(path))) continue
    if (wanted && id !== wanted) {
      problems.push(
        `Build-id mismatch: ${path} is not the binary that crashed (it was rebuilt or replaced: ${id ?? 'no build-id'} instead of ${wanted}); its backtrace would be wrong, so it is not used.`
      )
      continue
    }
    if (!wanted && crash.core && (await sharedFolder(crash.core))) {
      problems.push(
        `${path} is not used: the core has no build-id to check it against and was found in a folder others can write to (${dirname(crash.core)}), so either could have been planted.`
      )
      continue
    }
    const copy = await candidates.verifiedCopy(path, wanted)
    if ('problem' in copy) {
      problems.push(`The executable ${copy.problem}.`)
      continue
    }
    crash.executable = copy.file
    crash.executablePath ??= path
    crash.executableReason = wanted
      ? `${path}, whose build-id matches the core`
      : `${path}, as recorded in the core (no build-id to compare)`
    return { crash, core, problems }
  }
  if (!preferCandidates && (await fromCandidates())) return { crash, core, problems }
  crash.executableReason = recorded?.length
    ? `no file with the core's build-id was found (recorded path: ${crash.executablePath}); name the executable with --exe (local command) or the executables input (action)`
    : 'the core names no executable; name it with --exe (local command) or the executables input (action)'
  problems.push(`No executable for this core: ${crash.executableReason}.`)
  return { crash, core, problems }
}
