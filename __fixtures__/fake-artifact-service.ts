import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One artifact as the fake results service keeps it. */
export interface FakeArtifact {
  id: number
  name: string
  runId: string
  jobId: string
  size: number
  hash: string | null
  finalized: boolean
  blobKey: string
}

interface FakeBlob {
  /** Uncommitted and committed blocks, each as the chunks it arrived in. */
  blocks: Map<string, Buffer[]>
  /** The committed blob: its chunks in order (joined only when read), and its size. */
  parts: Buffer[] | null
  size: number
  content: Buffer | null
  contentType: string
}

/**
 * A loopback stand-in for GitHub's artifact backend as @actions/artifact 6 talks to it:
 * - the results service's Twirp JSON routes under
 *   /twirp/github.actions.results.api.v1.ArtifactService/ (CreateArtifact, FinalizeArtifact,
 *   ListArtifacts, GetSignedArtifactURL), checking the bearer token and the backend ids it
 *   carries (each job of the run has its own token; listing and download see the whole run),
 *   answering 409 `already_exists` for a name already finalized in the run, and Twirp error
 *   bodies (`{code, msg}`);
 * - Azure Blob Storage's block upload on the signed URL it hands out: Put Block
 *   (`comp=block&blockid=`), Put Block List (`comp=blocklist`, XML), and Get Blob.
 */
export class FakeArtifactService {
  readonly artifacts: FakeArtifact[] = []
  readonly blobs = new Map<string, FakeBlob>()
  readonly calls: string[] = []
  /** When set, CreateArtifact answers with this HTTP status (for failure tests). */
  failCreateWith: number | null = null
  /**
   * What Put Block does: store the block; `refuse`: answer 403 AuthenticationFailed, as for an
   * expired upload URL; `stall`: read the block and never answer.
   */
  blocks: 'store' | 'refuse' | 'stall' = 'store'
  url = ''
  private nextId = 101
  private server: Server | null = null

  constructor(
    readonly runId = 'run-backend-1',
    readonly jobId = 'job-backend-1'
  ) {
    this.token = this.tokenFor(jobId)
  }

  /** The first job's runtime token (see tokenFor). */
  readonly token: string
  /** Every token handed out, with the job whose backend id it carries. */
  private readonly tokens = new Map<string, string>()

  /**
   * A runtime token like the runner's for one job of the run: a JWT whose scp claim carries the
   * Actions.Results run and job backend ids. GitHub gives every job of a run its own.
   */
  tokenFor(jobId: string): string {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
    const scp = `Actions.GenericRead:1 Actions.Results:${this.runId}:${jobId}`
    const token = `${part({ alg: 'none', typ: 'JWT' })}.${part({ scp, exp: Math.floor(Date.now() / 1000) + 3600 })}.sig`
    this.tokens.set(token, jobId)
    return token
  }

  /** Environment for a step of a job (the first by default) that talks to this service. */
  env(jobId = this.jobId): Record<string, string> {
    return {
      ACTIONS_RESULTS_URL: `${this.url}/`,
      ACTIONS_RUNTIME_TOKEN: this.tokenFor(jobId),
      GITHUB_SERVER_URL: 'https://github.com'
    }
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: Error) =>
        this.json(res, 500, { code: 'internal', msg: error.message })
      )
    })
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`
    return this
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve())
  }

  /** The uploaded zip of a finalized artifact. */
  content(artifact: FakeArtifact): Buffer | null {
    const blob = this.blobs.get(artifact.blobKey)
    if (!blob?.parts) return null
    blob.content ??= Buffer.concat(blob.parts)
    return blob.content
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  }

  private async body(req: IncomingMessage): Promise<Buffer> {
    return Buffer.concat(await this.chunks(req))
  }

  /** A request's body as it arrived: blocks are kept so, and joined only when read. */
  private async chunks(req: IncomingMessage): Promise<Buffer[]> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    return chunks
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url)
    if (url.pathname.startsWith('/blob/')) return this.blob(req, res, url)
    const match = /^\/twirp\/github\.actions\.results\.api\.v1\.ArtifactService\/(\w+)$/.exec(
      url.pathname
    )
    if (!match || req.method !== 'POST')
      return this.json(res, 404, { code: 'bad_route', msg: `no route ${url.pathname}` })
    this.calls.push(match[1]!)
    const tokenJob = this.tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''))
    if (!tokenJob || !(req.headers.authorization ?? '').startsWith('Bearer ')) {
      return this.json(res, 401, { code: 'unauthenticated', msg: 'invalid token' })
    }
    const request = JSON.parse((await this.body(req)).toString('utf8') || '{}') as Record<
      string,
      unknown
    >
    const ids = request.workflow_run_backend_id ?? request.workflowRunBackendId
    const jobIds = request.workflow_job_run_backend_id ?? request.workflowJobRunBackendId
    // Writes belong to the token's own job; reads (list, download) name any job of the run,
    // as the client sends the backend ids of the artifact it reads.
    const writes = match[1] === 'CreateArtifact' || match[1] === 'FinalizeArtifact'
    if (ids !== this.runId || (writes && jobIds !== tokenJob)) {
      return this.json(res, 400, {
        code: 'invalid_argument',
        msg: 'backend ids do not match the token'
      })
    }
    const name = typeof request.name === 'string' ? request.name : ''
    switch (match[1]) {
      case 'CreateArtifact': {
        if (this.failCreateWith)
          return this.json(res, this.failCreateWith, {
            code: 'permission_denied',
            msg: 'artifact storage quota has been hit'
          })
        if (this.artifacts.some((a) => a.name === name && a.finalized)) {
          return this.json(res, 409, {
            code: 'already_exists',
            msg: 'an artifact with this name already exists on the workflow run'
          })
        }
        const artifact: FakeArtifact = {
          id: this.nextId++,
          name,
          runId: this.runId,
          jobId: tokenJob,
          size: 0,
          hash: null,
          finalized: false,
          blobKey: `${this.runId}-${name}`
        }
        this.artifacts.push(artifact)
        this.blobs.set(artifact.blobKey, {
          blocks: new Map(),
          parts: null,
          size: 0,
          content: null,
          contentType: 'application/octet-stream'
        })
        return this.json(res, 200, {
          ok: true,
          signed_upload_url: `${this.url}/blob/${encodeURIComponent(artifact.blobKey)}?sig=upload&se=2099-01-01`
        })
      }
      case 'FinalizeArtifact': {
        const artifact = this.artifacts.find((a) => a.name === name && !a.finalized)
        if (!artifact)
          return this.json(res, 404, { code: 'not_found', msg: 'no artifact to finalize' })
        const blob = this.blobs.get(artifact.blobKey)
        if (!blob?.parts || String(blob.size) !== String(request.size)) {
          return this.json(res, 400, {
            code: 'invalid_argument',
            msg: `size ${String(request.size)} does not match the ${blob?.size ?? 0} bytes uploaded`
          })
        }
        artifact.size = blob.size
        artifact.hash = typeof request.hash === 'string' ? request.hash : null
        artifact.finalized = true
        return this.json(res, 200, { ok: true, artifact_id: String(artifact.id) })
      }
      case 'ListArtifacts': {
        const idFilter = request.id_filter ?? request.idFilter
        const nameFilter = request.name_filter ?? request.nameFilter
        const list = this.artifacts.filter(
          (a) =>
            a.finalized &&
            (idFilter === undefined || String(idFilter) === String(a.id)) &&
            (nameFilter === undefined || nameFilter === a.name)
        )
        return this.json(res, 200, {
          artifacts: list.map((a) => ({
            workflow_run_backend_id: a.runId,
            workflow_job_run_backend_id: a.jobId,
            database_id: String(a.id),
            name: a.name,
            size: String(a.size),
            created_at: new Date().toISOString()
          }))
        })
      }
      case 'GetSignedArtifactURL': {
        const artifact = this.artifacts.find(
          (a) => a.name === name && a.finalized && a.jobId === jobIds
        )
        if (!artifact) return this.json(res, 404, { code: 'not_found', msg: 'artifact not found' })
        return this.json(res, 200, {
          signed_url: `${this.url}/blob/${encodeURIComponent(artifact.blobKey)}?sig=download`
        })
      }
      default:
        return this.json(res, 404, { code: 'bad_route', msg: `unknown method ${match[1]}` })
    }
  }

  private async blob(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const key = decodeURIComponent(url.pathname.slice('/blob/'.length))
    const blob = this.blobs.get(key)
    const headers = {
      'x-ms-request-id': String(Date.now()),
      'x-ms-version': '2025-01-05',
      date: new Date().toUTCString()
    }
    if (!blob || !url.searchParams.get('sig')) {
      res.writeHead(404, { ...headers, 'content-type': 'application/xml' })
      return void res.end(
        '<?xml version="1.0" encoding="utf-8"?><Error><Code>BlobNotFound</Code><Message>The specified blob does not exist.</Message></Error>'
      )
    }
    const comp = url.searchParams.get('comp')
    if (req.method === 'PUT' && comp === 'block' && this.blocks === 'stall') {
      await this.chunks(req)
      this.calls.push('PutBlock stalled')
      return
    }
    if (req.method === 'PUT' && comp === 'block' && this.blocks === 'refuse') {
      await this.chunks(req)
      this.calls.push('PutBlock refused')
      res.writeHead(403, {
        ...headers,
        'content-type': 'application/xml',
        'x-ms-error-code': 'AuthenticationFailed'
      })
      return void res.end(
        '<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request. Signed expiry time has to be after signed start time.</Message></Error>'
      )
    }
    if (req.method === 'PUT' && comp === 'block') {
      const id = url.searchParams.get('blockid') ?? ''
      blob.blocks.set(id, await this.chunks(req))
      this.calls.push('PutBlock')
      res.writeHead(201, { ...headers, 'x-ms-request-server-encrypted': 'true' })
      return void res.end()
    }
    if (req.method === 'PUT' && comp === 'blocklist') {
      const xml = (await this.body(req)).toString('utf8')
      const ids = [
        ...xml.matchAll(
          /<(?:Latest|Uncommitted|Committed)>([^<]*)<\/(?:Latest|Uncommitted|Committed)>/g
        )
      ].map((m) => m[1]!)
      const parts: Buffer[][] = []
      for (const id of ids) {
        const block = blob.blocks.get(id)
        if (!block) {
          res.writeHead(400, { ...headers, 'content-type': 'application/xml' })
          return void res.end(
            '<?xml version="1.0" encoding="utf-8"?><Error><Code>InvalidBlockList</Code><Message>The specified block list is invalid.</Message></Error>'
          )
        }
        parts.push(block)
      }
      blob.parts = parts.flat()
      blob.size = blob.parts.reduce((n, chunk) => n + chunk.length, 0)
      blob.content = null
      blob.contentType = String(req.headers['x-ms-blob-content-type'] ?? 'application/octet-stream')
      this.calls.push('PutBlockList')
      res.writeHead(201, {
        ...headers,
        etag: `"0x${Date.now().toString(16)}"`,
        'last-modified': new Date().toUTCString()
      })
      return void res.end()
    }
    if (req.method === 'GET' && blob.parts) {
      res.writeHead(200, {
        ...headers,
        'content-type': blob.contentType,
        'content-length': String(blob.size)
      })
      for (const chunk of blob.parts) res.write(chunk)
      return void res.end()
    }
    res.writeHead(400, { ...headers, 'content-type': 'application/xml' })
    res.end(
      '<?xml version="1.0" encoding="utf-8"?><Error><Code>InvalidOperation</Code><Message>Unsupported request.</Message></Error>'
    )
  }
}
