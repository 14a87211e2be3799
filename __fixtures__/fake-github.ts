import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One issue comment as the fake keeps it. */
export interface FakeComment {
  id: number
  body: string
  /** The author's login; comments made with the fake's token are the workflow bot's. */
  user: string
}

/** The login GitHub shows as the author of comments made with a workflow's GITHUB_TOKEN. */
export const BOT_LOGIN = 'github-actions[bot]'

/** One request the fake received. */
export interface FakeRequest {
  method: string
  path: string
  authorization: string | undefined
}

/**
 * A loopback stand-in for the GitHub REST API's issue comment endpoints, faithful to what the
 * real @octokit/rest client relies on: paths, `per_page`/`page` pagination with a `Link` header,
 * status codes (201 on create, 401 on a bad token, 403 for a read-only token, 404 for an unknown
 * comment, 422 for a body over 65,536 characters) and JSON error bodies with a `message`.
 */
export class FakeGitHub {
  readonly comments = new Map<number, FakeComment[]>()
  readonly requests: FakeRequest[] = []
  /** When true, writes answer 403 like a fork pull request's read-only token. */
  readOnly = false
  private nextId = 1000
  private server: Server | null = null

  constructor(
    readonly owner: string,
    readonly repo: string,
    readonly token: string
  ) {}

  /** The base URL to give Octokit (as GITHUB_API_URL). */
  url = ''

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: Error) => this.send(res, 500, { message: error.message }))
    })
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`
    return this
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve())
  }

  /** Adds comments written by someone else, to make the marker's comment sit on a later page. */
  seed(issue: number, count: number): void {
    const list = this.comments.get(issue) ?? []
    for (let i = 0; i < count; i++)
      list.push({ id: this.nextId++, body: `unrelated comment ${i}`, user: 'octocat' })
    this.comments.set(issue, list)
  }

  /** Adds a comment written by another user (a pull request author, say); returns it. */
  plant(issue: number, body: string, user: string): FakeComment {
    const comment = { id: this.nextId++, body, user }
    this.comments.set(issue, [...(this.comments.get(issue) ?? []), comment])
    return comment
  }

  private send(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {}
  ): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
    res.end(status === 204 ? undefined : JSON.stringify(body))
  }

  private json(comment: FakeComment, issue: number): object {
    return {
      id: comment.id,
      body: comment.body,
      html_url: `https://github.invalid/${this.owner}/${this.repo}/pull/${issue}#issuecomment-${comment.id}`,
      user: { login: comment.user, type: comment.user.endsWith('[bot]') ? 'Bot' : 'User' }
    }
  }

  private async readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url)
    this.requests.push({
      method: req.method ?? '',
      path: url.pathname + url.search,
      authorization: req.headers.authorization
    })
    const auth = req.headers.authorization ?? ''
    if (auth !== `token ${this.token}` && auth !== `Bearer ${this.token}`) {
      return this.send(res, 401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest'
      })
    }
    // GraphQL's viewer is the token's own identity: for a workflow token, the bot without its
    // `[bot]` suffix (REST shows comment authors with it).
    if (url.pathname === '/graphql' && req.method === 'POST') {
      const { query } = await this.readBody(req)
      if (typeof query === 'string' && /\bviewer\s*\{\s*login\s*\}/.test(query))
        return this.send(res, 200, { data: { viewer: { login: 'github-actions' } } })
      return this.send(res, 200, { errors: [{ message: 'unsupported query in the fake' }] })
    }
    const base = `/repos/${this.owner}/${this.repo}/issues`
    const list = new RegExp(`^${base}/(\\d+)/comments$`).exec(url.pathname)
    const one = new RegExp(`^${base}/comments/(\\d+)$`).exec(url.pathname)
    const forbidden = () =>
      this.send(res, 403, {
        message: 'Resource not accessible by integration',
        documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment'
      })

    if (list && req.method === 'GET') {
      const issue = Number(list[1])
      const all = this.comments.get(issue) ?? []
      const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30))
      const page = Number(url.searchParams.get('page') ?? 1)
      const last = Math.max(1, Math.ceil(all.length / perPage))
      const items = all.slice((page - 1) * perPage, page * perPage).map((c) => this.json(c, issue))
      const link = (p: number) => `<${this.url}${url.pathname}?per_page=${perPage}&page=${p}>`
      const rels = []
      if (page < last) rels.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`)
      if (page > 1) rels.push(`${link(1)}; rel="first"`, `${link(page - 1)}; rel="prev"`)
      return this.send(res, 200, items, rels.length ? { link: rels.join(', ') } : {})
    }
    if (list && req.method === 'POST') {
      if (this.readOnly) return forbidden()
      const { body } = await this.readBody(req)
      if (typeof body !== 'string')
        return this.send(res, 422, { message: 'Invalid request: body is required' })
      if (body.length > 65536)
        return this.send(res, 422, {
          message: 'Validation Failed: body is too long (maximum is 65536 characters)'
        })
      const issue = Number(list[1])
      const comment = { id: this.nextId++, body, user: BOT_LOGIN }
      this.comments.set(issue, [...(this.comments.get(issue) ?? []), comment])
      return this.send(res, 201, this.json(comment, issue))
    }
    if (one && req.method === 'PATCH') {
      if (this.readOnly) return forbidden()
      const { body } = await this.readBody(req)
      for (const [issue, comments] of this.comments) {
        const comment = comments.find((c) => c.id === Number(one[1]))
        if (!comment) continue
        if (typeof body !== 'string' || body.length > 65536)
          return this.send(res, 422, { message: 'Validation Failed' })
        comment.body = body
        return this.send(res, 200, this.json(comment, issue))
      }
      return this.send(res, 404, { message: 'Not Found' })
    }
    return this.send(res, 404, { message: 'Not Found' })
  }
}
