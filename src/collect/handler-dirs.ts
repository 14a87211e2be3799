import { constants } from 'node:fs'
import { spawn } from 'node:child_process'
import { copyFile, link, mkdir, open, readdir, stat, statfs } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { MORE_RECORDS } from '../capture/host.js'
import { describeFailure, inParallel, runCommand } from '../process.js'
import type { Crash, CoreState } from './crash.js'
import { crashSiteKey } from './site.js'

/** Crash folders are named `<epoch seconds>-<pid>` by the handler, `-2`… on a name clash. */
const CRASH_NAME = /^(\d{1,20})-(\d{1,10})(?:-\d)?$/

/** The crash folders of a session: real directories only (a planted symlink is not one). */
async function crashFolders(crashesDir: string): Promise<string[]> {
  const entries = await readdir(crashesDir, { withFileTypes: true }).catch(() => [])
  return entries.filter((e) => e.isDirectory() && CRASH_NAME.test(e.name)).map((e) => e.name)
}

/** Reads at most `max` bytes of a file as text; null when it does not exist. */
export async function readCapped(path: string, max = 64 * 1024): Promise<string | null> {
  let handle
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
  } catch {
    return null
  }
  try {
    const buffer = Buffer.alloc(max)
    const { bytesRead } = await handle.read(buffer, 0, max, 0)
    return buffer.subarray(0, bytesRead).toString('utf8')
  } finally {
    await handle.close()
  }
}

function parseKeyValues(text: string | null): Map<string, string> {
  const values = new Map<string, string>()
  for (const line of (text ?? '').split('\n')) {
    const at = line.indexOf('=')
    if (at > 0) values.set(line.slice(0, at), line.slice(at + 1))
  }
  return values
}

function toInt(value: string | undefined): number {
  const n = Number(value)
  return Number.isSafeInteger(n) ? n : -1
}

/** readlink output ends with one newline that is not part of the path. */
function stripNewline(text: string | null): string | null {
  if (text === null) return null
  const value = text.replace(/\n$/, '')
  return value === '' ? null : value
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false
  )
}

/**
 * Waits until every crash folder has its `result` file (the handler writes it last), at most
 * `timeoutMs`. Returns the names still unfinished.
 */
export async function waitForHandlers(crashesDir: string, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const names = await crashFolders(crashesDir)
    const pending: string[] = []
    for (const name of names) {
      if (!(await exists(join(crashesDir, name, 'result')))) pending.push(name)
    }
    if (pending.length === 0 || Date.now() >= deadline) return pending
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** Copies a file once into the stage, hard-linking where the file system allows. */
async function stageFile(from: string, to: string): Promise<void> {
  if (await exists(to)) return
  try {
    await link(from, to)
  } catch {
    await copyFile(from, to, constants.COPYFILE_EXCL)
  }
}

/** How much room staging the cores may take. */
export interface StageLimits {
  /** Bytes one decompressed core may have (max-core-size). */
  maxCoreSize: number
  /** Bytes that must stay free on the stage's file system (min-free-space). */
  minFreeSpace: number
}

/** Room kept beyond min-free-space for what post writes after the cores: library copies,
 * backtraces, gdb's index cache, the bundle's small files. */
const STAGE_MARGIN = 32 * 1024 * 1024

const BLOCK = 64 * 1024
const ZEROS = Buffer.alloc(BLOCK)

/** Bytes free for this user on the file system holding `path`. */
async function freeBytes(path: string): Promise<number> {
  const info = await statfs(path)
  return Number(info.bavail) * Number(info.bsize)
}

/**
 * Decompresses a zstd core into `target`, at most `limit` bytes, leaving holes where the core
 * has whole blocks of zeros (cores are mostly sparse; gdb reads holes as zeros). The handler's
 * budget counted compressed bytes: a 1 GiB core of one repeated page is 3 MB on its disk, so
 * decompressing without a bound could fill this one.
 */
export async function decompressBounded(
  source: string,
  target: string,
  limit: number
): Promise<{ bytes: number; cut: boolean; error: string | null }> {
  const child = spawn('zstd', ['-d', '-q', '-c', '--', source], {
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stderr = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-2000)))
  const exited = new Promise<{ code: number | null; error: string | null }>((done) => {
    child.on('error', (error) => done({ code: null, error: error.message }))
    child.on('close', (code) => done({ code, error: null }))
  })
  const out = await open(target, 'wx', 0o600)
  let bytes = 0
  let cut = false
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      let data = chunk
      if (bytes + data.length > limit) {
        data = data.subarray(0, Math.max(0, limit - bytes))
        cut = true
      }
      for (let at = 0; at < data.length; at += BLOCK) {
        const piece = data.subarray(at, at + BLOCK)
        if (!piece.equals(ZEROS.subarray(0, piece.length)))
          await out.write(piece, 0, piece.length, bytes + at)
      }
      bytes += data.length
      if (cut) {
        child.kill('SIGKILL')
        break
      }
    }
    await out.truncate(bytes)
  } finally {
    await out.close()
  }
  const { code, error } = await exited
  if (cut) return { bytes, cut, error: null }
  if (error) return { bytes, cut, error: `zstd could not run: ${error}` }
  if (code !== 0) return { bytes, cut, error: `zstd exited with ${code}: ${stderr.trim()}` }
  return { bytes, cut, error: null }
}

/** Decompresses a zstd core into `target` with zstd itself (sparse output). */
async function decompressWhole(
  source: string,
  target: string
): Promise<{ bytes: number; cut: boolean; error: string | null }> {
  const result = await runCommand('zstd', ['-d', '-q', '-f', '-o', target, '--', source], {
    timeoutMs: 600_000
  })
  const bytes = (await stat(target).catch(() => null))?.size ?? 0
  return {
    bytes,
    cut: false,
    error: result.code === 0 ? null : `zstd ${describeFailure(result)}`
  }
}

/** Bytes that decompressions under way may still write (see stageCore). */
let reservedBytes = 0

/** The handler's compressed core, hard-linked beside `target` (no byte copied), or null. */
async function keepPacked(source: string, target: string): Promise<string | null> {
  return link(join(source, 'core.zst'), `${target}.zst`).then(
    () => `${target}.zst`,
    () => null
  )
}

async function stageCore(
  source: string,
  target: string,
  limits: StageLimits
): Promise<{
  core: string | null
  packed: string | null
  cut: string | null
  note: string | null
}> {
  if (await exists(join(source, 'core.zst'))) {
    // Crashes are staged two at a time: what the other one may still write is not free.
    const room =
      (await freeBytes(dirname(target))) - limits.minFreeSpace - STAGE_MARGIN - reservedBytes
    const limit = Math.min(limits.maxCoreSize, Math.max(0, room))
    if (limit <= 0)
      return {
        core: null,
        packed: null,
        cut: null,
        note: 'the core was not decompressed: less than min-free-space is left where the post step stages crashes'
      }
    // With room for a whole max-core-size core (the handler never stores a larger one), zstd
    // writes the file itself: sparse, and no byte through this process. Else the bounded copy.
    reservedBytes += limit
    const result = await (
      limit >= limits.maxCoreSize
        ? decompressWhole(join(source, 'core.zst'), target)
        : decompressBounded(join(source, 'core.zst'), target, limit)
    ).finally(() => (reservedBytes -= limit))
    const why = limit < limits.maxCoreSize ? 'min-free-space' : 'max-core-size'
    const cut = result.cut
      ? `the decompressed core was cut at ${result.bytes} bytes (${why})`
      : null
    if (result.error)
      return {
        core: result.bytes > 0 ? target : null,
        packed: null,
        cut,
        note: `decompressing the core failed: ${result.error}`
      }
    // The compressed core stays beside the whole one for the artifact: it then needs no
    // compressing again.
    return { core: target, packed: cut ? null : await keepPacked(source, target), cut, note: null }
  }
  if (await exists(join(source, 'core'))) {
    await stageFile(join(source, 'core'), target)
    return { core: target, packed: null, cut: null, note: null }
  }
  return { core: null, packed: null, cut: null, note: null }
}

/** Executables staged (or being staged) by this process, by their path in the stage. */
const executablesStaged = new Map<string, Promise<void>>()

/**
 * Reads one crash folder written by the handler and stages it under `stageDir/<id>/`: the
 * metadata parsed, the core uncompressed, the executable copied once per distinct file.
 */
export async function stageHandlerCrash(
  source: string,
  stageDir: string,
  finished: boolean,
  limits: StageLimits,
  /** The crash whose backtrace stands for this one: its core is then left compressed. */
  twinOf: string | null = null
): Promise<Crash | null> {
  const name = source.split('/').pop() ?? ''
  if (!CRASH_NAME.test(name)) return null
  const dir = join(stageDir, name)
  await mkdir(dir, { recursive: true })
  const meta = parseKeyValues(await readCapped(join(source, 'meta')))
  const result = parseKeyValues(await readCapped(join(source, 'result')))
  const cmdline = (await readCapped(join(source, 'cmdline'))) ?? ''

  let executable: string | null = null
  const exeSource = join(source, 'exe')
  const exeInfo = await stat(exeSource).catch(() => null)
  if (exeInfo?.isFile()) {
    // The handler hard-links one copy per executable file into each crash: stage it once too.
    await mkdir(join(stageDir, 'executables'), { recursive: true })
    executable = join(stageDir, 'executables', `${exeInfo.dev}-${exeInfo.ino}`)
    // Crashes are staged two at a time: the first to need an executable stages it.
    let staging = executablesStaged.get(executable)
    if (!staging) {
      staging = stageFile(exeSource, executable)
      executablesStaged.set(executable, staging)
    }
    await staging
  }

  let maps: string | null = null
  if (await exists(join(source, 'maps'))) {
    maps = join(dir, 'maps')
    await stageFile(join(source, 'maps'), maps)
  }

  // A twin's core is not decompressed: only kept compressed, for the artifact.
  const staged = twinOf
    ? { core: null, packed: await keepPacked(source, join(dir, 'core')), cut: null, note: null }
    : await stageCore(source, join(dir, 'core'), limits)
  let coreState: CoreState
  let coreNote: string | null = staged.note ?? staged.cut
  const recorded = result.get('core')
  if (!finished) {
    coreState = 'incomplete'
    coreNote = coreNote ?? 'the handler had not finished writing this crash when the post step ran'
  } else if (recorded === 'truncated' || recorded === 'dropped') {
    coreState = recorded
    coreNote = coreNote ?? result.get('reason') ?? null
  } else if (staged.cut) {
    coreState = 'truncated'
  } else {
    coreState = staged.core ? 'complete' : 'dropped'
    if (twinOf) {
      coreState = staged.packed ? 'complete' : 'dropped'
      coreNote = `not decompressed: it crashed where ${twinOf} did, whose backtrace stands for it${staged.packed ? '' : ' (and its compressed core could not be kept)'}`
    } else if (!staged.core) coreNote = coreNote ?? 'no core was stored'
  }
  const exeNote = await readCapped(join(source, 'exe-note'), 1024)
  // Another root file system: the code files the handler copied from it, staged by name.
  const rootFiles: string[] = []
  const otherRoot = meta.get('root') === 'other'
  if (otherRoot) {
    const libs = await readdir(join(source, 'libs'), { withFileTypes: true }).catch(() => [])
    await mkdir(join(dir, 'libs'), { recursive: true })
    for (const entry of libs) {
      if (!entry.isFile() || !/^[0-9a-f]+_[0-9a-f]+_\d+$/.test(entry.name)) continue
      await stageFile(join(source, 'libs', entry.name), join(dir, 'libs', entry.name))
      rootFiles.push(join(dir, 'libs', entry.name))
    }
  }
  const cgroup = otherRoot ? ((await readCapped(join(source, 'cgroup'), 4096)) ?? '') : ''

  return {
    id: name,
    source: 'handler',
    dir,
    pid: toInt(meta.get('pid')),
    tid: toInt(meta.get('tid')),
    signal: toInt(meta.get('signal')),
    time: toInt(meta.get('time')),
    uid: toInt(meta.get('uid')),
    gid: toInt(meta.get('gid')),
    comm: (await readCapped(join(source, 'comm'), 256)) ?? '',
    executablePath: stripNewline(await readCapped(join(source, 'exe-path'), 8192)),
    executable,
    commandLine: cmdline.split('\0').filter((arg, i, all) => arg !== '' || i < all.length - 1),
    cwd: stripNewline(await readCapped(join(source, 'cwd'), 8192)),
    core: staged.core,
    packedCore: staged.packed,
    coreState,
    coreNote,
    maps,
    buildId: null,
    executableReason: executable ? 'the copy the handler took through /proc/PID/exe' : null,
    libraries: [],
    otherRoot: otherRoot ? { container: /([0-9a-f]{64})/.exec(cgroup)?.[1] ?? null } : null,
    rootFiles,
    problems: exeNote ? [`The handler did not copy the ${exeNote.trim()}.`] : [],
    twinOf,
    machine: null,
    loadDisplacement: null
  }
}

/** Collects every crash the handler of this session recorded, oldest first. */
export async function collectHandlerCrashes(
  sessionDir: string,
  stageDir: string,
  waitMs: number,
  limits: StageLimits
): Promise<{ crashes: Crash[]; problems: string[] }> {
  const crashesDir = join(sessionDir, 'crashes')
  const pending = new Set(await waitForHandlers(crashesDir, waitMs))
  const names = (await crashFolders(crashesDir)).sort((a, b) =>
    a.localeCompare(b, 'en', { numeric: true })
  )
  const problems: string[] = []
  // Crash sites seen, with the first crash of each: a later crash of a known site is its twin.
  const sites = new Map<string, string>()
  const plans: { name: string; source: string; finished: boolean; twin: string | null }[] = []
  for (const name of names) {
    const source = join(crashesDir, name)
    const finished = !pending.has(name)
    const signal = toInt(parseKeyValues(await readCapped(join(source, 'meta'))).get('signal'))
    const key = finished ? await crashSiteKey(source, signal).catch(() => null) : null
    const twin = key ? (sites.get(key) ?? null) : null
    if (key && !twin) sites.set(key, name)
    plans.push({ name, source, finished, twin })
  }
  // Two at a time: decompressing is most of it, and runners have two CPUs or more.
  const staged: (Crash | null)[] = plans.map(() => null)
  await inParallel(plans, 2, async (plan, index) => {
    try {
      staged[index] = await stageHandlerCrash(
        plan.source,
        stageDir,
        plan.finished,
        limits,
        plan.twin
      )
    } catch (error) {
      problems.push(`Crash ${plan.name} could not be read: ${(error as Error).message}`)
    }
  })
  const crashes = staged.filter((crash): crash is Crash => crash !== null)
  if (await exists(join(sessionDir, 'overflow')))
    problems.push(
      `More crashes happened than the handler keeps records of (max-cores plus ${MORE_RECORDS}): the later ones were not recorded.`
    )
  return { crashes, problems }
}

/**
 * Crashes on this kernel since `since` (ms epoch) that the handler could not attribute to any
 * capturing job (a process without a matching RUNNER_TRACKING_ID while several jobs captured:
 * a `docker run` container, a system daemon), as sentences. They are no job's crashes: listed,
 * never counted.
 */
export async function unattributedCrashes(crashDir: string, since: number): Promise<string[]> {
  const dir = join(crashDir, 'unattributed')
  const names = await readdir(dir).catch(() => [] as string[])
  const found: string[] = []
  for (const name of names.filter((n) => CRASH_NAME.test(n)).sort()) {
    const meta = parseKeyValues(await readCapped(join(dir, name, 'meta'), 4096))
    if (toInt(meta.get('time')) * 1000 < since - 1000) continue
    const exe = stripNewline(await readCapped(join(dir, name, 'exe-path'), 4096)) ?? '?'
    const cgroup = stripNewline(await readCapped(join(dir, name, 'cgroup'), 1024)) ?? ''
    const container = /([0-9a-f]{64})/.exec(cgroup)?.[1]
    found.push(
      `pid ${toInt(meta.get('pid'))}, signal ${toInt(meta.get('signal'))}, ${exe}${container ? `, in container ${container.slice(0, 12)}` : ''}`
    )
  }
  return found
}
