// The crash artifact, zipped and uploaded while it is staged: each file goes into the zip as soon
// as it is made (the cores and binaries while gdb runs), so the upload takes the time the
// analysis leaves instead of coming after it. @actions/artifact's uploadArtifact() takes the
// whole list of files at its call; this drives the same service calls with its own client
// (create, finalize), and sends the blocks with @azure/storage-blob as it does. Loaded only when
// there is an artifact to upload (post-step.ts imports it on first use): it is most of post's code.
import { createHash, randomUUID } from 'node:crypto'
import { relative } from 'node:path'
import * as core from '@actions/core'
import { BlobClient } from '@azure/storage-blob'
import archiver from 'archiver'
// Not in the package's exports: its own pieces, pinned by the lockfile and bundled.
import { StringValue } from '../../node_modules/@actions/artifact/lib/generated/index.js'
import { internalArtifactTwirpClient } from '../../node_modules/@actions/artifact/lib/internal/shared/artifact-twirp-client.js'
import {
  getConcurrency,
  getUploadChunkSize,
  getUploadChunkTimeout
} from '../../node_modules/@actions/artifact/lib/internal/shared/config.js'
import { getBackendIdsFromToken } from '../../node_modules/@actions/artifact/lib/internal/shared/util.js'
import {
  validateArtifactName,
  validateFilePath
} from '../../node_modules/@actions/artifact/lib/internal/upload/path-and-artifact-name-validation.js'
import { getExpiration } from '../../node_modules/@actions/artifact/lib/internal/upload/retention.js'
import { artifactUrl, type Uploaded, type UploadOptions } from './upload.js'

/**
 * The names an upload tries in turn: the default name is unique in the run (see
 * artifactNameFor); a name given with `artifact-name` may be taken by another job, and then
 * `-2`, `-3`, … up to five.
 */
function artifactNames(name: string): string[] {
  return [1, 2, 3, 4, 5].map((attempt) => (attempt === 1 ? name : `${name}-${attempt}`))
}

/** True when the artifact service refused a name because an artifact of the run has it. */
function isNameTaken(error: Error): boolean {
  return /\(409\)|already exists/i.test(error.message)
}

/** Where the zip goes once the service has made room for it. */
interface Created {
  name: string
  url: string
}

/**
 * A zip of the files under `root`, uploaded as they are added. `compressionLevel` null: zstd
 * files are stored as they are (deflating them again costs time and saves nothing), the rest
 * deflated at 6; a number: every file at that zlib level.
 */
export class ArtifactStream {
  private readonly zip: archiver.Archiver
  private readonly hash = createHash('sha256')
  private size = 0
  private lastProgress = Date.now()
  private readonly abortion = new AbortController()
  /** Rejects when the upload is given up: what it awaits (an answer, the zip's next file) may not. */
  private readonly givenUp: Promise<never>
  private readonly upload: Promise<Created>
  private failure: Error | null = null

  constructor(
    private readonly root: string,
    private readonly options: UploadOptions
  ) {
    const chunk = getUploadChunkSize()
    this.zip = archiver.create('zip', {
      highWaterMark: chunk,
      zlib: { level: options.compressionLevel ?? 6 }
    })
    // A file that cannot be read ends the zip: an artifact without it would say nothing of why.
    this.zip.on('warning', (error: Error) => this.fail(error))
    this.zip.on('error', (error: Error) => this.fail(error))
    this.givenUp = new Promise<never>((_, reject) =>
      this.abortion.signal.addEventListener('abort', () => reject(this.failure), { once: true })
    )
    this.givenUp.catch(() => undefined)
    this.upload = this.start(chunk)
    // Its failure is read in finish().
    this.upload.catch(() => undefined)
  }

  private fail(error: Error): void {
    this.failure ??= error
    this.abortion.abort(error)
  }

  /**
   * Adds a file of the bundle, whole and written: the zip reads it when its turn comes. A name
   * @actions/artifact would refuse (characters NTFS cannot hold) gives the upload up, as it does.
   */
  add(path: string): void {
    if (this.abortion.signal.aborted) return
    try {
      const name = relative(this.root, path)
      validateFilePath(name)
      this.zip.file(path, {
        name,
        ...(this.options.compressionLevel === null && name.endsWith('.zst') ? { store: true } : {})
      })
    } catch (error) {
      this.fail(error as Error)
    }
  }

  /** Creates the artifact (another name when the name is taken), then streams the zip into it. */
  private async start(chunk: number): Promise<Created> {
    const ids = getBackendIdsFromToken()
    const client = internalArtifactTwirpClient()
    let created: Created | null = null
    const names = artifactNames(this.options.name)
    for (const [attempt, name] of names.entries()) {
      validateArtifactName(name)
      const expiresAt = getExpiration(this.options.retentionDays ?? undefined)
      const response = await client
        .CreateArtifact({
          workflowRunBackendId: ids.workflowRunBackendId,
          workflowJobRunBackendId: ids.workflowJobRunBackendId,
          name,
          mimeType: StringValue.create({ value: 'application/zip' }),
          version: 7,
          ...(expiresAt ? { expiresAt } : {})
        })
        .catch((error: Error) => {
          if (attempt === names.length - 1 || !isNameTaken(error)) throw error
          return null
        })
      if (!response) continue
      if (!response.ok) throw new Error('CreateArtifact: response from backend was not ok')
      created = { name, url: response.signedUploadUrl }
      break
    }
    if (!created) throw new Error('no artifact name was free')
    await this.send(created.url, chunk).catch((error: Error) => {
      this.fail(error)
      throw error
    })
    return created
  }

  /**
   * Sends the zip to the blob as it comes, in blocks of `chunk` bytes (up to @actions/artifact's
   * number of them at a time), then commits them; counted and hashed on the way, as
   * FinalizeArtifact gives the size and digest. Not the blob client's uploadStream(): it does not
   * pass its abort signal on to the blocks, so a block the service never answers kept the step's
   * process alive however the upload was given up.
   */
  private async send(url: string, chunk: number): Promise<void> {
    const blob = new BlobClient(url).getBlockBlobClient()
    const abortSignal = this.abortion.signal
    const prefix = randomUUID()
    const ids: string[] = []
    const sending = new Set<Promise<void>>()
    const width = getConcurrency()
    const stage = async (block: Buffer) => {
      // Every block id of a blob has the same length.
      const id = Buffer.from(`${prefix}-${String(ids.length).padStart(6, '0')}`).toString('base64')
      ids.push(id)
      const sent: Promise<void> = blob
        .stageBlock(id, block, block.length, { abortSignal })
        .then(() => {
          this.lastProgress = Date.now()
          sending.delete(sent)
        })
      // A refused block gives the whole upload up at once, whatever is being awaited.
      sent.catch((error: Error) => this.fail(error))
      sending.add(sent)
      if (sending.size >= width) await Promise.race([...sending, this.givenUp])
    }
    let pending: Buffer[] = []
    let bytes = 0
    for await (const data of this.zip as AsyncIterable<Buffer>) {
      if (this.failure) throw this.failure
      this.hash.update(data)
      this.size += data.length
      pending.push(data)
      bytes += data.length
      while (bytes >= chunk) {
        const all = Buffer.concat(pending, bytes)
        await stage(all.subarray(0, chunk))
        pending = bytes > chunk ? [all.subarray(chunk)] : []
        bytes -= chunk
      }
    }
    if (this.failure) throw this.failure
    if (bytes > 0) await stage(Buffer.concat(pending, bytes))
    await Promise.race([Promise.all(sending), this.givenUp])
    await blob.commitBlockList(ids, {
      blobHTTPHeaders: { blobContentType: 'application/zip' },
      abortSignal
    })
  }

  /**
   * Ends the zip and the upload, and finalizes the artifact. An upload that makes no progress for
   * ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS (5 minutes) from here is given up, as @actions/artifact
   * does; the time the analysis took before does not count.
   */
  async finish(): Promise<Uploaded> {
    const limit = getUploadChunkTimeout()
    this.lastProgress = Date.now()
    const watch = setInterval(
      () => {
        if (Date.now() - this.lastProgress > limit)
          this.fail(new Error('the upload made no progress'))
      },
      Math.min(limit, 10_000)
    )
    try {
      void this.zip.finalize().catch((error: Error) => this.fail(error))
      const created = await Promise.race([this.upload, this.givenUp])
      const ids = getBackendIdsFromToken()
      const response = await Promise.race([
        internalArtifactTwirpClient().FinalizeArtifact({
          workflowRunBackendId: ids.workflowRunBackendId,
          workflowJobRunBackendId: ids.workflowJobRunBackendId,
          name: created.name,
          size: String(this.size),
          hash: StringValue.create({ value: `sha256:${this.hash.digest('hex')}` })
        }),
        this.givenUp
      ])
      if (!response.ok) throw new Error('FinalizeArtifact: response from backend was not ok')
      const id = Number(response.artifactId)
      core.debug(`artifact ${created.name}: id ${id}, ${this.size} bytes`)
      return { id, name: created.name, url: artifactUrl(id), size: this.size }
    } catch (error) {
      // Why it was given up (a file the zip could not read, no progress) says more than the
      // aborted upload.
      const cause = this.failure ?? (error as Error)
      this.abort()
      throw cause
    } finally {
      clearInterval(watch)
    }
  }

  /** Gives the upload up: nothing more is read or sent; the artifact is never finalized. */
  abort(): void {
    this.fail(new Error('the upload was given up'))
    this.zip.abort()
  }
}
