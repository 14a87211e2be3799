import { execFile } from 'node:child_process'
import { constants, openSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { Socket } from 'node:net'
import { Transform, type TransformCallback } from 'node:stream'
import { join, relative } from 'node:path'
import { promisify } from 'node:util'
import * as core from '@actions/core'
import type { Archiver, EntryData, ZipEntryData } from 'archiver'
import { artifactUrl, type Uploaded } from './upload.js'

const run = promisify(execFile)

/** Options of a streamed upload, from the inputs. */
export interface StreamOptions {
  /** The artifact's name without `.zip`. */
  name: string
  retentionDays: number | null
  /** zlib level of the entries that are not zstd files already (those are stored). */
  compressionLevel: number
  /** A folder of the stage for the FIFO. */
  scratch: string
}

/** One try at the upload under one name. */
interface Attempt {
  name: string
  zip: Archiver
  socket: Socket
  /** The client's upload; settles when the service has the whole zip, or failed. */
  done: Promise<{ id?: number; size?: number }>
  /** Set when the zip writer failed: the client then must never see the end of the FIFO. */
  broken: Error | null
  /** Set when the client is done with it (or gave up): what happens to the zip then is moot. */
  closed: boolean
  /** Set once the zip was told to end. */
  ended: boolean
  /** Settles with that error. */
  failed: Promise<Error>
  fail: (error: Error) => void
}

/** F_SETPIPE_SZ of fcntl(2), and the size asked for. */
const F_SETPIPE_SZ = 1031
const PIPE_SIZE = 1 << 20

/**
 * Grows the FIFO's buffer from 64 KiB to 1 MiB (the most an unprivileged process may set) with
 * perl, which Debian and Ubuntu always have: the client reads it with an 8 MiB buffer that it
 * allocates for every read, and a read of a pipe returns at most what the pipe holds. With
 * 64 KiB a read, garbage collection took 0.7 s of a 60 MiB upload. Without perl, it is slower.
 */
async function widenPipe(fifo: string): Promise<void> {
  const script = `open(my $f, "+<", $ARGV[0]) or exit 1; fcntl($f, ${F_SETPIPE_SZ}, ${PIPE_SIZE}) or exit 1`
  await run('perl', ['-e', script, fifo]).catch(() => undefined)
}

/**
 * Joins the zip's small chunks (64 KiB, as archiver reads its files) into writes of 1 MiB: a
 * read of the FIFO then gets a whole one, instead of 16 reads each with its own 8 MiB buffer.
 */
class Batches extends Transform {
  private chunks: Buffer[] = []
  private size = 0

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.chunks.push(chunk)
    this.size += chunk.length
    if (this.size >= PIPE_SIZE) this.flushChunks()
    done()
  }

  override _flush(done: TransformCallback): void {
    this.flushChunks()
    done()
  }

  private flushChunks(): void {
    if (this.size > 0) this.push(Buffer.concat(this.chunks, this.size))
    this.chunks = []
    this.size = 0
  }
}

/** Uploads whose zip failed half-way: the client waits on their FIFO until the process exits. */
let abandoned = 0

/** True when an upload was left waiting on purpose: post must then exit by itself. */
export function uploadsAbandoned(): boolean {
  return abandoned > 0
}

/**
 * An artifact uploaded while it is being staged: the cores and binaries go to the artifact
 * service while gdb runs, and the reports follow when the analysis is done.
 *
 * @actions/artifact zips a list of files that must all be complete when its upload starts. Its
 * direct upload (`skipArchive`) instead streams one file as it reads it: here that file is a
 * FIFO, into which this class writes a zip, entry by entry, with archiver (the zip library the
 * client itself uses). The artifact is that zip, named `<name>.zip` (a direct upload is named
 * after its file) and typed as a zip: every download path unzips it as it unzips the client's
 * own. Writing stops only when the zip is whole: a zip that failed half-way is never ended, so
 * the client never finalizes it (see `fail`).
 */
export class StreamedArtifact {
  private readonly entries: { path: string; name: string }[] = []
  private attempt: Attempt | null = null
  private attempts = 0
  private finishing = false
  private readonly root: string
  private readonly options: StreamOptions
  private started: Promise<void> | null = null

  constructor(root: string, options: StreamOptions) {
    this.root = root
    this.options = options
  }

  /** Starts the upload; files can be added before and after. */
  start(): Promise<void> {
    this.started ??= this.open()
    return this.started
  }

  /** Adds a file of the bundle (a path under its root); zstd files are stored as they are. */
  add(path: string): void {
    const entry = { path, name: relative(this.root, path) }
    this.entries.push(entry)
    if (this.attempt && !this.attempt.broken) this.append(this.attempt, entry)
  }

  private append(attempt: Attempt, entry: { path: string; name: string }): void {
    // ZipEntryData's `store` goes through file() too (its typings only name EntryData).
    const data: ZipEntryData = { name: entry.name, store: entry.name.endsWith('.zst') }
    attempt.zip.file(entry.path, data as EntryData)
  }

  private async open(): Promise<void> {
    this.attempts += 1
    const name = this.attempts === 1 ? this.options.name : `${this.options.name}-${this.attempts}`
    const dir = await mkdtemp(join(this.options.scratch, 'upload-'))
    const fifo = join(dir, `${name}.zip`)
    await run('mkfifo', ['-m', '600', '--', fifo])
    // Read and write: opening does not wait for the client, and the client's reads never see
    // the end while this descriptor is open, whatever the zip writer is waiting for.
    const socket = new Socket({
      fd: openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK),
      readable: false,
      writable: true
    })
    // Loaded only when there is something to upload: the client is most of the post bundle.
    const [{ default: archiver }, { DefaultArtifactClient }] = await Promise.all([
      import('archiver'),
      import('@actions/artifact')
    ])
    await widenPipe(fifo)
    const zip = archiver('zip', { zlib: { level: this.options.compressionLevel } })
    let fail: (error: Error) => void = () => undefined
    const failed = new Promise<Error>((resolve) => (fail = resolve))
    const attempt: Attempt = {
      name: `${name}.zip`,
      zip,
      socket,
      broken: null,
      closed: false,
      ended: false,
      failed,
      fail,
      done: new DefaultArtifactClient().uploadArtifact(`${name}.zip`, [fifo], dir, {
        skipArchive: true,
        retentionDays: this.options.retentionDays ?? undefined
      })
    }
    core.debug(`crash-capture: streaming the artifact as ${attempt.name}`)
    // Handled here; finish() reads the outcome again.
    attempt.done.catch((error: Error) => {
      core.debug(`crash-capture: the upload of ${attempt.name} failed: ${error.message}`)
      this.close(attempt)
    })
    zip.on('error', (error: Error) => this.fail(attempt, error))
    zip.on('warning', (error: Error) => this.fail(attempt, error))
    socket.on('error', (error: Error) => this.fail(attempt, error))
    zip.pipe(new Batches()).pipe(socket)
    this.attempt = attempt
    for (const entry of this.entries) this.append(attempt, entry)
    if (this.finishing) this.end(attempt)
  }

  private end(attempt: Attempt): void {
    if (attempt.ended || attempt.broken || attempt.closed) return
    attempt.ended = true
    // Its errors come through the 'error' event too.
    attempt.zip.finalize().catch(() => undefined)
  }

  /**
   * The zip writer failed: the zip is left unfinished and the FIFO open, so that the client
   * waits instead of uploading (and finalizing) a cut zip; the process exits past it.
   */
  private fail(attempt: Attempt, error: Error): void {
    if (attempt.broken || attempt.closed) return
    attempt.broken = error
    core.debug(`crash-capture: the zip of ${attempt.name} failed: ${error.message}`)
    abandoned += 1
    attempt.zip.unpipe()
    attempt.zip.abort()
    attempt.fail(error)
  }

  /** The client gave up (or is done): nothing more to write. */
  private close(attempt: Attempt): void {
    attempt.closed = true
    attempt.zip.abort()
    attempt.socket.destroy()
  }

  /**
   * Ends the zip and waits for the upload. A name another job took already is tried again as
   * `<name>-2`, …, and an upload that failed before its end (the service refused it, or it
   * stalled while the analysis ran) once more as a whole: every file is known by then.
   */
  async finish(): Promise<Uploaded> {
    this.finishing = true
    await this.start()
    let lastError: Error | null = null
    for (let retries = 0; retries < 5; retries++) {
      const attempt = this.attempt!
      this.end(attempt)
      const outcome = await Promise.race([
        attempt.done.then(
          (result) => ({ result }),
          (error: Error) => ({ error })
        ),
        attempt.failed.then((error) => ({ error }))
      ])
      if ('result' in outcome) {
        const { id, size } = outcome.result
        if (id === undefined) throw new Error('the artifact service returned no artifact id')
        return { id, name: attempt.name, url: artifactUrl(id), size: size ?? 0 }
      }
      lastError = outcome.error
      // The zip itself could not be written: trying again would fail the same way.
      if (attempt.broken) break
      const taken = /\(409\)|already exists/i.test(lastError.message)
      if (!taken && retries > 0) break
      this.close(attempt)
      await this.open()
    }
    throw lastError ?? new Error('the upload failed')
  }
}
