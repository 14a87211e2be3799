import { spawn } from 'node:child_process'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, isAbsolute, join, normalize, resolve, sep } from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { parseArgs } from 'node:util'

export const OPEN_USAGE = `Usage: crash-capture open ARTIFACT [--crash ID] [--bt] [--source-dir DIR] [-- GDB-ARGS...]

Opens a crash artifact downloaded from a CI run (its folder, or the zip as downloaded from the
run's page):
  crash-capture open crash/                      lists its crashes, one line per group
  crash-capture open crash/ --crash ID --bt      prints that crash's backtrace
  crash-capture open crash/ --crash ID           starts gdb on it with the executable and the
                                                 libraries it ran with, from the bundle
  crash-capture open crash.zip --crash ID -- -batch -ex bt

Options:
  --crash ID        a crash folder of the artifact (as the list shows it)
  --bt              print the crash's backtrace instead of starting gdb
  --source-dir DIR  your checkout, so that gdb shows the sources (default: the current directory)
  -h, --help        this text
`

/** The most an artifact zip may unpack to; past it, opening stops with a message. */
const MAX_UNPACKED = 64 * 1024 ** 3

interface Entry {
  path: string
  type: string
  size?: number
  autodrain(): void
}

/**
 * Unpacks an artifact zip into `into`, refusing any entry whose name would land outside it
 * (absolute, `..`) and stopping past MAX_UNPACKED bytes.
 */
export async function unpackZip(zip: string, into: string): Promise<void> {
  const { Parse } = (await import('unzip-stream')).default as unknown as {
    Parse: () => NodeJS.ReadWriteStream
  }
  let total = 0
  const writes: Promise<void>[] = []
  await new Promise<void>((done, fail) => {
    const parser = Parse()
    parser.on('entry', (entry: Entry & NodeJS.ReadableStream) => {
      const name = normalize(entry.path)
      if (isAbsolute(name) || name === '..' || name.startsWith(`..${sep}`)) {
        entry.autodrain()
        fail(new Error(`the zip holds a path outside itself: ${JSON.stringify(entry.path)}`))
        return
      }
      const target = join(into, name)
      if (entry.type === 'Directory') {
        entry.autodrain()
        return
      }
      // Counted on the way through: a listener of its own would start the entry flowing
      // before the file is open.
      const count = new Transform({
        transform(chunk: Buffer, _encoding, next) {
          total += chunk.length
          next(
            total > MAX_UNPACKED ? new Error('the zip unpacks to more than 64 GiB') : null,
            chunk
          )
        }
      })
      writes.push(
        mkdir(dirname(target), { recursive: true }).then(() =>
          pipeline(entry, count, createWriteStream(target, { flags: 'wx', mode: 0o600 }))
        )
      )
    })
    parser.on('error', fail)
    parser.on('close', () => done())
    parser.on('finish', () => done())
    createReadStream(zip).on('error', fail).pipe(parser)
  })
  await Promise.all(writes)
}

interface ReportCrash {
  id?: string
  pid?: number
  signal?: { name?: string }
  blame?: { function?: string | null; path?: string | null; line?: number | null } | null
}

/** `crash-capture open`: list, print or debug the crashes of a downloaded artifact. */
export async function runOpen(
  argv: string[],
  out: (text: string) => void,
  err: (text: string) => void,
  printable: (text: string) => string
): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        crash: { type: 'string' },
        bt: { type: 'boolean' },
        'source-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' }
      }
    })
  } catch (error) {
    err(`${(error as Error).message}\n\n${OPEN_USAGE}`)
    return 2
  }
  const { values, positionals } = parsed
  const dashes = argv.indexOf('--')
  const gdbArgs = dashes >= 0 ? argv.slice(dashes + 1) : []
  const artifact = positionals[0]
  if (values.help || !artifact) {
    ;(values.help ? out : err)(OPEN_USAGE)
    return values.help ? 0 : 2
  }
  const info = await stat(artifact).catch(() => null)
  if (!info) {
    err(`${printable(artifact)}: no such file or folder\n`)
    return 1
  }
  let root = resolve(artifact)
  let scratch: string | null = null
  try {
    if (info.isFile()) {
      scratch = await mkdtemp(join(tmpdir(), 'crash-capture-open-'))
      await unpackZip(root, scratch)
      root = scratch
    }
    const report = JSON.parse(
      await readFile(join(root, 'report.json'), 'utf8').catch(() => 'null')
    ) as {
      groups?: { signature?: string; count?: number; crashes?: ReportCrash[] }[]
    } | null
    if (!report?.groups) {
      err(`${printable(artifact)}: not a crash-capture artifact (no report.json)\n`)
      return 1
    }
    if (!values.crash) {
      for (const [index, group] of report.groups.entries()) {
        const first = group.crashes?.[0] ?? {}
        const where = first.blame?.path ? ` at ${first.blame.path}:${first.blame.line}` : ''
        out(
          printable(
            `${index + 1}. ${first.signal?.name ?? 'crash'} in ${first.blame?.function ?? '??'}${where}: ${group.count ?? 0} crash(es), folders ${(group.crashes ?? []).map((c) => c.id).join(' ')}`
          ) + '\n'
        )
      }
      return 0
    }
    const id = values.crash
    if (!/^[A-Za-z0-9._-]+$/.test(id) || !(await stat(join(root, id)).catch(() => null))) {
      err(`${printable(id)}: no such crash in the artifact (the list shows its crash folders)\n`)
      return 1
    }
    if (values.bt) {
      const text = await readFile(join(root, id, 'backtrace.txt'), 'utf8').catch(() => null)
      if (text === null) {
        err(`${id}: the artifact has no backtrace for this crash\n`)
        return 1
      }
      out(printable(text))
      return 0
    }
    const script = join(root, id, 'debug.sh')
    if (!(await stat(script).catch(() => null))) {
      err(`${id}: the artifact has no core for this crash (see its crash.json)\n`)
      return 1
    }
    const sources = resolve(values['source-dir'] ?? process.cwd())
    return await new Promise<number>((done) => {
      const child = spawn('sh', [script, ...gdbArgs], {
        stdio: 'inherit',
        env: { ...process.env, CRASH_SOURCES: sources }
      })
      child.on('error', () => done(1))
      child.on('close', (code) => done(code ?? 1))
    })
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true })
  }
}
