import { constants } from 'node:fs'
import { copyFile, link, mkdir, open, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { runCommand, describeFailure } from '../process.js'
import type { Crash, CoreState } from './crash.js'

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
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW)
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

async function stageCore(
  source: string,
  target: string
): Promise<{ core: string | null; note: string | null }> {
  if (await exists(join(source, 'core.zst'))) {
    const result = await runCommand(
      'zstd',
      ['-d', '-q', '-f', '-o', target, join(source, 'core.zst')],
      { timeoutMs: 300_000 }
    )
    if (result.code !== 0) {
      const partial = await exists(target)
      return {
        core: partial ? target : null,
        note: `decompressing the core failed: ${describeFailure(result)}`
      }
    }
    return { core: target, note: null }
  }
  if (await exists(join(source, 'core'))) {
    await stageFile(join(source, 'core'), target)
    return { core: target, note: null }
  }
  return { core: null, note: null }
}

/**
 * Reads one crash folder written by the handler and stages it under `stageDir/<id>/`: the
 * metadata parsed, the core uncompressed, the executable copied once per distinct file.
 */
export async function stageHandlerCrash(
  source: string,
  stageDir: string,
  finished: boolean
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
    await stageFile(exeSource, executable)
  }

  let maps: string | null = null
  if (await exists(join(source, 'maps'))) {
    maps = join(dir, 'maps')
    await stageFile(join(source, 'maps'), maps)
  }

  const staged = await stageCore(source, join(dir, 'core'))
  let coreState: CoreState
  let coreNote: string | null = staged.note
  const recorded = result.get('core')
  if (!finished) {
    coreState = 'incomplete'
    coreNote = coreNote ?? 'the handler had not finished writing this crash when the post step ran'
  } else if (recorded === 'truncated' || recorded === 'dropped') {
    coreState = recorded
    coreNote = coreNote ?? result.get('reason') ?? null
  } else {
    coreState = staged.core ? 'complete' : 'dropped'
    if (!staged.core) coreNote = coreNote ?? 'no core was stored'
  }

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
    coreState,
    coreNote,
    maps,
    buildId: null,
    executableReason: executable ? 'the copy the handler took through /proc/PID/exe' : null,
    libraries: [],
    problems: []
  }
}

/** Collects every crash the handler of this session recorded, oldest first. */
export async function collectHandlerCrashes(
  sessionDir: string,
  stageDir: string,
  waitMs: number
): Promise<{ crashes: Crash[]; problems: string[] }> {
  const crashesDir = join(sessionDir, 'crashes')
  const pending = new Set(await waitForHandlers(crashesDir, waitMs))
  const names = (await crashFolders(crashesDir)).sort((a, b) =>
    a.localeCompare(b, 'en', { numeric: true })
  )
  const crashes: Crash[] = []
  const problems: string[] = []
  for (const name of names) {
    try {
      const crash = await stageHandlerCrash(join(crashesDir, name), stageDir, !pending.has(name))
      if (crash) crashes.push(crash)
    } catch (error) {
      problems.push(`Crash ${name} could not be read: ${(error as Error).message}`)
    }
  }
  return { crashes, problems }
}
