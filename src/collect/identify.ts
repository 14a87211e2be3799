import * as glob from '@actions/glob'
import { stat } from 'node:fs/promises'
import { isAbsolute, resolve } from 'node:path'
import { ElfError, fileBuildId, readCore, type CoreInfo } from '../elf/core-file.js'
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

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false
  )
}

/** Candidate executables from the `executables` input, expanded once per post step, and the
 * build-ids of files on disk, read once however many cores name them. */
export class ExecutableCandidates {
  private files: Promise<string[]> | null = null
  private readonly ids = new Map<string, Promise<string | null>>()

  constructor(private readonly patterns: string[]) {}

  /** The build-id of a file on disk, or null (missing, not ELF, no build-id). */
  buildIdOf(path: string): Promise<string | null> {
    let id = this.ids.get(path)
    if (!id) {
      id = fileBuildId(path)
      this.ids.set(path, id)
    }
    return id
  }

  /** The files the patterns match (directories excluded). */
  list(): Promise<string[]> {
    if (this.patterns.length === 0) return Promise.resolve([])
    this.files ??= glob
      .create(this.patterns.join('\n'), { matchDirectories: false, followSymbolicLinks: true })
      .then((globber) => globber.glob())
      .catch(() => [])
    return this.files
  }
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
  candidates: ExecutableCandidates
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
    if (crash.signal <= 0 && core.signal) crash.signal = core.signal.number
    if (crash.pid <= 0 && core.pid !== null) crash.pid = core.pid
    if (crash.tid <= 0 && core.threads[0]) crash.tid = core.threads[0].tid
    if (crash.uid < 0 && core.uid !== null) crash.uid = core.uid
    if (!crash.comm && core.command) crash.comm = core.command
    if (crash.commandLine.length === 0 && core.arguments) crash.commandLine = [core.arguments]
    if (!crash.executablePath && core.executable) crash.executablePath = core.executable
    crash.buildId = core.executable ? (core.buildIds.get(core.executable) ?? null) : null
    // Libraries the same way: one rebuilt or upgraded since the crash makes its frames wrong.
    for (const [mapped, id] of core.buildIds) {
      if (mapped === core.executable) continue
      const path = mapped.replace(DELETED, '')
      const onDisk = await candidates.buildIdOf(path)
      if (onDisk === id) {
        crash.libraries.push(path)
      } else {
        problems.push(
          onDisk === null
            ? `The library ${path} the process had mapped is gone or unreadable: frames inside it may show as ??.`
            : `The library ${path} changed since the crash (build-id differs): frames inside it may be wrong.`
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
  const recorded = crash.executablePath?.replace(DELETED, '') ?? null
  const paths: string[] = []
  if (recorded && isAbsolute(recorded)) paths.push(recorded)
  if (core?.execfn)
    paths.push(
      isAbsolute(core.execfn) || !crash.cwd ? core.execfn : resolve(crash.cwd, core.execfn)
    )
  for (const path of [...new Set(paths)]) {
    if (!(await isFile(path))) continue
    const id = await candidates.buildIdOf(path)
    if (!wanted || id === wanted) {
      crash.executable = path
      crash.executableReason = wanted
        ? `${path}, whose build-id matches the core`
        : `${path}, as recorded in the core (no build-id to compare)`
      return { crash, core, problems }
    }
    problems.push(
      `Build-id mismatch: ${path} is not the binary that crashed (it was rebuilt or replaced: ${id ?? 'no build-id'} instead of ${wanted}); its backtrace would be wrong, so it is not used.`
    )
  }
  if (wanted) {
    for (const path of await candidates.list()) {
      if ((await candidates.buildIdOf(path)) === wanted) {
        crash.executable = path
        crash.executableReason = `${path} (input executables), whose build-id matches the core`
        return { crash, core, problems }
      }
    }
  }
  crash.executableReason = recorded?.length
    ? `no file with the core's build-id was found (recorded path: ${crash.executablePath}); add it to the executables input`
    : 'the core names no executable'
  problems.push(`No executable for this core: ${crash.executableReason}.`)
  return { crash, core, problems }
}
