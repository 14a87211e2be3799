import { constants, existsSync } from 'node:fs'
import { chmod, copyFile, link, mkdir, rm, stat, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { Analysis } from '../analyze/analysis.js'
import type { Crash } from '../collect/crash.js'
import { spawn, type ChildProcess } from 'node:child_process'
import { findProgram, inParallel, lowerPriority, shellQuote } from '../process.js'
import { copyFromHandle, openRegular } from '../safe-file.js'

/** What the artifact holds (input `upload`). */
export enum UploadMode {
  /** Cores, the executable and libraries as a sysroot, and the reports. */
  All = 'all',
  /** Only the reports: no core and no binary, for projects whose memory may hold secrets. */
  Reports = 'reports',
  /** No artifact. */
  None = 'none'
}

/** A staged bundle. */
export interface Bundle {
  /** The folder the artifact's paths are relative to. */
  root: string
  /** What the size budget left out, in sentences. */
  dropped: string[]
}

const DELETED = / \(deleted\)$/

/** Artifact paths may not contain these (actions/toolkit path validation), nor control chars. */
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /["\\:<>|*?\u0000-\u001f]/g

/** A path from a crash made safe inside the artifact: forbidden characters become `_`. */
export function safeRelative(path: string): string {
  return path
    .split('/')
    .filter((part) => part !== '' && part !== '.' && part !== '..')
    .map((part) => part.replace(FORBIDDEN, '_'))
    .join('/')
}

/**
 * A record (a crash, a report) as the bundle tells it: every path of the runner's stage becomes
 * the path of the same file inside the bundle, or null when the bundle does not have it; the
 * executable and libraries point into its `sysroot/`. Paths of the crashed process (its
 * executable path, its working directory) stay as they were: they are facts about the crash.
 */
export function portable<T>(record: T, stage: string, root: string): T {
  const inBundle = (relative: string) => (existsSync(join(root, relative)) ? relative : null)
  const sysroot = (path: unknown) =>
    typeof path === 'string'
      ? ((file) => inBundle(file) ?? inBundle(`${file}.zst`))(
          `sysroot/${safeRelative(path.replace(DELETED, ''))}`
        )
      : null
  const map = (value: unknown): unknown => {
    if (typeof value === 'string')
      return value.startsWith(`${stage}/`) ? inBundle(value.slice(stage.length + 1)) : value
    if (Array.isArray(value)) return value.map(map)
    if (typeof value !== 'object' || value === null) return value
    const object = Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, map(v)])
    )
    // A crash record: its executable and libraries are in the bundle's sysroot.
    if ('executablePath' in object && Array.isArray(object.libraries)) {
      const original = value as {
        core?: unknown
        packedCore?: unknown
        executable?: unknown
        executablePath?: unknown
        libraries: { path?: unknown }[]
      }
      // Its core is in the bundle compressed, or as it was.
      if (typeof object.id === 'string' && (original.core || original.packedCore))
        object.core =
          inBundle(`${object.id}/core.zst`) ??
          inBundle(`${object.id}/core.tar.zst`) ??
          inBundle(`${object.id}/core`)
      object.executable = original.executable ? sysroot(original.executablePath) : null
      object.libraries = original.libraries.map((library) => ({
        ...library,
        file: sysroot(library.path)
      }))
    }
    return object
  }
  return map(record) as T
}

/** Staging's compressors run beside gdb, whose analysis the step waits for (see lowerPriority). */
const STAGING_NICENESS = 10

/**
 * Compresses a file into the bundle with zstd, read through a descriptor that cannot follow a
 * link. A core (`sparse`) goes through GNU tar's sparse mode first: a core is mostly holes,
 * which plain zstd reads as zeros in full (224 MiB, 0.25 s, for a server core holding 16 MiB;
 * tar skips them with SEEK_HOLE, 0.06 s); the archive holds one member, `core`, and unpacks
 * sparse. Without a tar that can (busybox), plain zstd. Returns the file written and its size,
 * or null when zstd failed (then the file is copied as it is).
 */
async function compressInto(
  zstd: string,
  tar: string | null,
  from: string,
  target: string,
  sparse: boolean
): Promise<{ to: string; size: number } | null> {
  await mkdir(dirname(target), { recursive: true })
  const { handle } = await openRegular(from)
  try {
    if (sparse && tar) {
      const packed = `${target}.tar.zst`
      // tar reads /proc/self/fd/0: the descriptor opened above, whatever the core's name. Both
      // must succeed: a tar without --sparse (busybox) writes nothing, which zstd packs fine.
      const archive = lowerPriority(
        spawn(
          tar,
          [
            '--sparse',
            '--dereference',
            '--transform=s,.*,core,',
            '--owner=0',
            '--group=0',
            '--numeric-owner',
            '-C',
            '/proc/self/fd',
            '-cf',
            '-',
            '0'
          ],
          { stdio: [handle.fd, 'pipe', 'ignore'] }
        ),
        STAGING_NICENESS
      )
      const compress = lowerPriority(
        spawn(zstd, ['-q', '-1', '-o', packed], { stdio: [archive.stdout, 'ignore', 'ignore'] }),
        STAGING_NICENESS
      )
      // zstd holds the pipe now: this process's end would keep tar writing if zstd died.
      archive.stdout?.destroy()
      const [tarStatus, zstdStatus] = await Promise.all([exitOf(archive), exitOf(compress)])
      if (tarStatus === 0 && zstdStatus === 0)
        return { to: packed, size: (await stat(packed)).size }
      await rm(packed, { force: true })
    }
    const packed = `${target}.zst`
    // One thread for a core: with -T0 zstd took three times longer on a sparse core here.
    const args = ['-q', '-1', ...(sparse ? [] : ['-T0']), '-o', packed]
    const compress = spawn(zstd, args, { stdio: [handle.fd, 'ignore', 'ignore'] })
    if ((await exitOf(lowerPriority(compress, STAGING_NICENESS))) === 0)
      return { to: packed, size: (await stat(packed)).size }
    await rm(packed, { force: true })
    return null
  } finally {
    await handle.close()
  }
}

/**
 * A child's exit status, or null when it could not start or was killed. On `exit`, not `close`:
 * a child whose output went to another process never closes its streams here.
 */
function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.on('error', () => resolve(null))
    child.on('exit', (status) => resolve(status))
  })
}

async function sizeOf(path: string): Promise<number | null> {
  return stat(path).then(
    (s) => (s.isFile() ? s.size : null),
    () => null
  )
}

/** `uname -m` values of the machines whose gdb reads a core of that machine (ELF reader names). */
const MACHINE_UNAME: Record<string, string> = {
  x86_64: 'x86_64|amd64',
  i386: 'x86_64|amd64|i386|i486|i586|i686',
  aarch64: 'aarch64|arm64'
}

/**
 * The script that opens one crash in gdb from the bundle. Every name in it comes from the crash
 * (folder names of mapped libraries, the executable's path), so each is a single-quoted shell
 * word joined to the double-quoted `$root`: no name is ever parsed as shell text.
 */
export function debugScript(
  crash: Crash,
  executable: string | null,
  sysroot: string,
  libDirs: string[],
  /** The workspace the build was made in (CI), mapped to CRASH_SOURCES for absolute paths. */
  workspace: string | null = null,
  /** The sysroot files of the crash (relative to `sysroot`), unpacked when they travel as .zst. */
  files: string[] = []
): string {
  const inRoot = (path: string) => `"$root/"${shellQuote(path)}`
  const machine = crash.machine
  const displacement =
    crash.loadDisplacement && /^0x[0-9a-f]{1,16}$/.test(crash.loadDisplacement)
      ? crash.loadDisplacement
      : null
  const search = libDirs.map((dir) => inRoot(`${sysroot}/${dir}`)).join(':')
  const exe = executable ? inRoot(`${sysroot}/${executable}`) : ''
  return [
    '#!/bin/sh',
    `# Opens crash ${shellQuote(crash.id)} in gdb with the executable and the shared libraries it ran with,`,
    '# from this bundle alone. Extra arguments go to gdb, for example: sh debug.sh -batch -ex bt',
    '# auto-load stays off: the library names come from the crashed program.',
    '# The sources: set CRASH_SOURCES to your checkout when the build was made elsewhere (CI).',
    'here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd) || exit 1',
    'root=$(dirname -- "$here")',
    'if [ -n "${CRASH_SOURCES:-}" ]; then',
    '  set -- -iex "directory $CRASH_SOURCES" "$@"',
    // eslint-disable-next-line no-control-regex
    ...(workspace && !/[\u0000-\u001f]/.test(workspace)
      ? [`  set -- -iex "set substitute-path "${shellQuote(workspace)}" $CRASH_SOURCES" "$@"`]
      : []),
    'else',
    '  echo "debug.sh: to see the sources, run it with CRASH_SOURCES=<your checkout>" >&2',
    'fi',
    // The core and the binaries travel compressed: unpacked (sparse) beside them on first use.
    'unpack() {',
    '  [ -f "$1" ] && return 0',
    '  [ -f "$1.zst" ] || [ -f "$1.tar.zst" ] || return 0',
    '  if ! command -v zstd >/dev/null 2>&1; then',
    '    echo "debug.sh: the bundle is compressed with zstd: install zstd (apt-get install zstd, brew install zstd)" >&2',
    '    exit 1',
    '  fi',
    '  if [ -f "$1.zst" ]; then',
    '    zstd -d -q "$1.zst" -o "$1" || exit 1',
    '  else',
    '    zstd -d -q -c "$1.tar.zst" | tar -xf - -C "$(dirname -- "$1")" core || exit 1',
    '  fi',
    '}',
    'unpack "$here/core"',
    ...files.map((file) => `unpack ${inRoot(`${sysroot}/${file}`)}`),
    // A core of another machine than this one (an arm64 runner's, on a laptop) needs a gdb
    // that reads it: gdb-multiarch where there is one.
    'gdb=gdb',
    ...(machine && MACHINE_UNAME[machine]
      ? [
          `case "$(uname -m)" in ${MACHINE_UNAME[machine]}) ;; *)`,
          '  if command -v gdb-multiarch >/dev/null 2>&1; then gdb=gdb-multiarch; else',
          `    echo "debug.sh: this is a core of ${machine}: install gdb-multiarch (apt-get install gdb-multiarch) if gdb cannot read it" >&2`,
          '  fi ;;',
          'esac'
        ]
      : []),
    // qemu-user's cores do not tell gdb where a PIE was loaded: post worked it out.
    ...(displacement && exe ? [`set -- -ex "symbol-file -o ${displacement} "${exe} "$@"`] : []),
    `exec "$gdb" -nx -iex 'set auto-load off' -iex 'set libthread-db-search-path $sdir' \\`,
    "  -iex 'set debuginfod enabled off' \\",
    `  -iex "set sysroot "${inRoot(sysroot)} \\`,
    `  -iex "set solib-search-path "${search || "''"} \\`,
    `  "$@" ${exe} "$here/core"`,
    ''
  ].join('\n')
}

const README = `# crash-capture bundle

One folder per crash, named \`<time>-<pid>\` (or \`core-…\`, \`coredump-…\` for cores found
outside the handler). Each holds:

- \`backtrace.txt\`: gdb's backtrace, crashing thread first, then every thread;
- \`backtrace.json\`: the same frames as structured data;
- \`crash.json\`: the crash record (signal, executable, command line, blamed frame, problems);
- \`sanitizer.txt\`: a sanitizer's report as the process printed it, when there is one;
- \`core.zst\` or \`core.tar.zst\`: the core dump, compressed with zstd (a core found on disk goes
  through tar first, which keeps its holes); \`core\` where zstd was missing; none in bundles
  made with \`upload: reports\`;
- \`debug.sh\`: opens the core in gdb with the exact executable and libraries of the crash
  (it unpacks the core and the files it needs first, with zstd).

\`sysroot/\` holds the executables and the shared libraries the processes had mapped, under
their original absolute paths (each as \`<name>.zst\` where zstd was found), so that gdb on
another machine uses these and not its own:

    sh <crash-folder>/debug.sh                   # interactive gdb
    sh <crash-folder>/debug.sh -batch -ex 'thread apply all bt full'

Cores hold the memory of the crashed process, which can include secrets (tokens, keys, data):
treat this bundle like the secrets your tests use.
`

/** What the heavy part of the bundle holds for one crash, for its debug.sh. */
interface CrashFiles {
  /** The executable's path in the crash's sysroot, or null. */
  executable: string | null
  /** The crash's sysroot folder in the bundle: `sysroot`, or `<id>/sysroot` on a clash. */
  base: string
  /** The folders of its libraries in that sysroot. */
  libDirs: string[]
  /** Its files in that sysroot, unpacked by debug.sh when they travel as .zst. */
  files: string[]
}

/** One file of the heavy part: how to make it, and what it is for. */
type HeavyItem =
  /** A crash's core. */
  | { coreOf: Crash }
  /** An executable or library: a file to put at `to` in the bundle. */
  | { coreOf?: undefined; from: string; to: string }

/**
 * Stages the artifact in two parts. The heavy one (each crash's core and, in one shared
 * `sysroot/`, every executable and library under its original path, stored once however many
 * crashes use it) as soon as the crashes are collected: it is compressed while gdb runs. The
 * reports (backtraces, records, debug.sh) once the analysis is done. Past `maxBytes`, the cores
 * that no longer fit are left out (the later crashes'), and that is recorded; the reports are
 * always in.
 */
export class BundleStager {
  readonly root: string
  private readonly notes = new Map<Crash, string[]>()
  private readonly crashFiles = new Map<Crash, CrashFiles>()
  private readonly withCore = new Set<Crash>()
  private readonly dropped: string[] = []
  private total = 0

  constructor(
    private readonly stage: string,
    private readonly mode: UploadMode.All | UploadMode.Reports,
    private readonly maxBytes: number,
    /** The workspace of the build, for debug.sh's source mapping. */
    private readonly workspace: string | null = null,
    /** Told of each file once it is whole in the bundle, in the bundle's order. */
    private readonly onFile: (path: string) => void = () => undefined
  ) {
    this.root = join(stage, 'bundle')
  }

  private note(crash: Crash, note: string): void {
    this.notes.set(crash, [...(this.notes.get(crash) ?? []), note])
  }

  /** Bytes of the files staged so far. */
  get bytes(): number {
    return this.total
  }

  private add(path: string, size: number): void {
    this.total += size
    this.onFile(path)
  }

  /**
   * Writes a text of ours at `name` in the bundle (a record, debug.sh, the report, which knows
   * the bundle): its folder must be there. An executable one is 0755 whatever the umask.
   */
  async addFile(name: string, text: string, executable = false): Promise<void> {
    const path = join(this.root, name)
    await writeFile(path, text)
    if (executable) await chmod(path, 0o755)
    this.add(path, Buffer.byteLength(text))
  }

  /**
   * Puts a file of the runner's stage into the bundle: our own staged files (verified copies,
   * backtraces, the handler's compressed cores) are hard-linked; anything else (a core found in
   * a search path) is read once through a descriptor that cannot follow a link.
   */
  private async place(from: string, to: string): Promise<number> {
    const target = join(this.root, to)
    await mkdir(dirname(target), { recursive: true })
    if (from.startsWith(this.stage + '/')) {
      await link(from, target).catch(() => copyFile(from, target, constants.COPYFILE_EXCL))
    } else {
      const { handle } = await openRegular(from)
      try {
        await copyFromHandle(handle, target)
      } finally {
        await handle.close()
      }
    }
    return (await stat(target)).size
  }

  /**
   * Stages the cores of `crashes` (but those of `leaveOut`, whose records get the reason) and
   * their executables and libraries, compressed two at a time.
   */
  async stageHeavy(crashes: Crash[], leaveOut: Map<Crash, string> = new Map()): Promise<void> {
    await rm(this.root, { recursive: true, force: true })
    await mkdir(this.root, { recursive: true })
    if (this.mode !== UploadMode.All) return
    const zstd = await findProgram('zstd', process.env.PATH ?? '')
    const tar = zstd ? await findProgram('tar', process.env.PATH ?? '') : null
    const sysroot = new Map<string, string>() // path in sysroot → source file
    const shared: HeavyItem[] = []
    const cores: HeavyItem[] = []
    for (const crash of crashes) {
      const duplicate = leaveOut.get(crash)
      if (duplicate) {
        this.note(crash, duplicate)
        continue
      }
      if (crash.core || crash.packedCore) cores.push({ coreOf: crash })
      // A crash whose files clash with another crash's at the same path gets a sysroot of its own.
      const wanted: { path: string; from: string }[] = []
      const exePath =
        crash.executablePath?.replace(DELETED, '') ??
        (crash.executable ? `/unknown/${crash.comm || 'executable'}` : null)
      if (crash.executable && exePath) wanted.push({ path: exePath, from: crash.executable })
      // identify() kept the libraries whose file still matches the core; it reported the others.
      for (const library of crash.libraries) {
        wanted.push({ path: library.path, from: library.file })
        // gdb finds a dependency by its soname (`libstdc++.so.6`), not its file's name.
        if (library.soname && library.soname !== basename(library.path))
          wanted.push({ path: join(dirname(library.path), library.soname), from: library.file })
      }
      const clash = wanted.some((w) => {
        const taken = sysroot.get(safeRelative(w.path))
        return taken !== undefined && taken !== w.from
      })
      const base = clash ? `${crash.id}/sysroot` : 'sysroot'
      for (const w of wanted) {
        if (!clash && sysroot.has(safeRelative(w.path))) continue
        if (!clash) sysroot.set(safeRelative(w.path), w.from)
        shared.push({ from: w.from, to: `${base}/${safeRelative(w.path)}` })
      }
      this.crashFiles.set(crash, {
        executable: crash.executable && exePath ? safeRelative(exePath) : null,
        base,
        libDirs: [
          ...new Set(
            wanted.filter((w) => w.path !== exePath).map((w) => dirname(safeRelative(w.path)))
          )
        ],
        files: wanted.map((w) => safeRelative(w.path))
      })
    }

    // Made two at a time; taken in order as they are made (sysroot files first, cores in crash
    // order), so that the budget leaves out the later crashes' cores.
    const items = [...shared, ...cores]
    type Made = { path: string; size: number } | { error: string }
    const done: ((made: Made) => void)[] = []
    const made = items.map((_, index) => new Promise<Made>((resolve) => (done[index] = resolve)))
    const making = inParallel(items, 2, async (item, index) => {
      done[index]!(
        await (
          item.coreOf ? this.makeCore(item.coreOf, zstd, tar) : this.makeShared(item, zstd)
        ).catch((error: Error) => ({ error: error.message }))
      )
    })
    for (const [index, item] of items.entries()) {
      const result = await made[index]!
      const crash = item.coreOf
      if ('error' in result) {
        if (crash) this.note(crash, result.error)
        continue
      }
      if (!crash) {
        this.add(result.path, result.size)
        continue
      }
      if (this.total + result.size > this.maxBytes) {
        await rm(result.path, { force: true })
        const note = `the core (${result.size} bytes) was left out: the bundle would exceed max-artifact-size`
        this.dropped.push(`${crash.id}: ${note}`)
        this.note(crash, note)
        continue
      }
      this.withCore.add(crash)
      this.add(result.path, result.size)
    }
    await making
  }

  /**
   * An executable or library: compressed with zstd (a 30 MiB -g server is 5 MiB in zstd -1,
   * 60 ms; debug.sh unpacks the files its crash needs), else as it is. Files that cannot be
   * read are left out.
   */
  private async makeShared(
    item: { from: string; to: string },
    zstd: string | null
  ): Promise<{ path: string; size: number } | { error: string }> {
    try {
      const packed = zstd
        ? await compressInto(zstd, null, item.from, join(this.root, item.to), false)
        : null
      if (packed) return { path: packed.to, size: packed.size }
      return { path: join(this.root, item.to), size: await this.place(item.from, item.to) }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        return { error: `${item.from} is gone` }
      throw error
    }
  }

  /**
   * A crash's core, compressed: the handler's own zstd file where post kept it beside the whole
   * core (hard-linked), else compressed here; as it is without zstd. Cores are read where they
   * lie, not copied at collection: one can be gone by now.
   */
  private async makeCore(
    crash: Crash,
    zstd: string | null,
    tar: string | null
  ): Promise<{ path: string; size: number } | { error: string }> {
    const kept = crash.packedCore
    if (kept && kept.startsWith(this.stage + '/') && (await sizeOf(kept)) !== null)
      return {
        path: join(this.root, crash.id, 'core.zst'),
        size: await this.place(kept, `${crash.id}/core.zst`)
      }
    const core = crash.core
    const gone = { error: 'the core was gone from its folder when the artifact was staged' }
    if (!core) return gone
    try {
      const packed = zstd
        ? await compressInto(zstd, tar, core, join(this.root, crash.id, 'core'), true)
        : null
      if (packed) return { path: packed.to, size: packed.size }
      return {
        path: join(this.root, crash.id, 'core'),
        size: await this.place(core, `${crash.id}/core`)
      }
    } catch (error) {
      // Told by the open itself: a look before it could see a core that is gone by the open.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return gone
      return {
        error: `the core could not be read when the artifact was staged: ${(error as Error).message}`
      }
    }
  }

  /** Stages every analysis's reports, its record and debug.sh; returns the whole bundle. */
  async stageReports(analyses: Analysis[]): Promise<Bundle> {
    for (const analysis of analyses) {
      const { crash } = analysis
      const dir = join(this.root, crash.id)
      await mkdir(dir, { recursive: true })
      for (const [from, name] of [
        [analysis.textPath, 'backtrace.txt'],
        [analysis.jsonPath, 'backtrace.json']
      ] as const) {
        if (from && (await sizeOf(from)) !== null)
          this.add(join(dir, name), await this.place(from, `${crash.id}/${name}`))
      }
      // The sanitizer's report as it printed it: the one text of a report read from the log.
      if (analysis.sanitizer)
        await this.addFile(`${crash.id}/sanitizer.txt`, analysis.sanitizer.text + '\n')
      const record = {
        ...crash,
        signal: analysis.signal,
        blame: analysis.blame && {
          function: analysis.blame.frame.function,
          path: analysis.blame.path,
          line: analysis.blame.line
        },
        problems: [...analysis.problems, ...(this.notes.get(crash) ?? [])]
      }
      await this.addFile(
        `${crash.id}/crash.json`,
        JSON.stringify(portable(record, this.stage, this.root), null, 2) + '\n'
      )
      const files = this.crashFiles.get(crash)
      if (files && this.withCore.has(crash)) {
        const script = debugScript(
          crash,
          files.executable,
          files.base,
          files.libDirs,
          this.workspace,
          files.files
        )
        await this.addFile(`${crash.id}/debug.sh`, script, true)
      }
    }
    await this.addFile('README.md', README)
    return { root: this.root, dropped: this.dropped }
  }
}

/** Stages the whole artifact at once (see BundleStager). */
export async function stageBundle(
  analyses: Analysis[],
  stage: string,
  mode: UploadMode.All | UploadMode.Reports,
  maxBytes: number,
  /** Crashes whose core stays out (a group's duplicates), with the reason for their record. */
  leaveOut: Map<Crash, string> = new Map(),
  /** The workspace of the build, for debug.sh's source mapping. */
  workspace: string | null = null
): Promise<Bundle> {
  const stager = new BundleStager(stage, mode, maxBytes, workspace)
  await stager.stageHeavy(
    analyses.map((a) => a.crash),
    leaveOut
  )
  return stager.stageReports(analyses)
}
