import * as core from '@actions/core'
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type { Octokit } from '@octokit/rest'
import { executableName } from '../analyze/analysis.js'
import { CommentMode } from '../inputs.js'
import type { CrashGroup } from '../analyze/group.js'
import { blamedFrameLines, groupTitle, signalDescription } from './describe.js'
import { code, codeBlock, escape } from './markdown.js'
import { artifactLine, sourceLocation, type ArtifactLink, type SourceLinks } from './summary.js'

/** GitHub refuses an issue comment over 65,536 characters. */
export const MAX_COMMENT = 65_536
const COMMENT_FRAMES = 10

/** The pull request a comment goes to, and how to reach the API. */
export interface CommentTarget {
  owner: string
  repo: string
  issueNumber: number
  /** API base URL (GITHUB_API_URL, for GitHub Enterprise too). */
  apiUrl: string
  /** Link to this workflow run, or null. */
  runUrl: string | null
}

/**
 * The pull request of this run from the runner's environment: only for `pull_request` and
 * `pull_request_target` events, with the number read from the event payload. Null otherwise.
 */
export async function commentTargetFromEnv(
  env: NodeJS.ProcessEnv = process.env
): Promise<CommentTarget | null> {
  if (env.GITHUB_EVENT_NAME !== 'pull_request' && env.GITHUB_EVENT_NAME !== 'pull_request_target')
    return null
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/')
  if (!owner || !repo || !env.GITHUB_EVENT_PATH) return null
  let payload: unknown
  try {
    payload = JSON.parse(await readFile(env.GITHUB_EVENT_PATH, 'utf8'))
  } catch {
    return null
  }
  const number = (payload as { pull_request?: { number?: unknown }; number?: unknown })
    ?.pull_request?.number
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number <= 0) return null
  const server = (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, '')
  const runUrl =
    env.GITHUB_RUN_ID && /^\d+$/.test(env.GITHUB_RUN_ID)
      ? `${server}/${owner}/${repo}/actions/runs/${env.GITHUB_RUN_ID}`
      : null
  return {
    owner,
    repo,
    issueNumber: number,
    apiUrl: (env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, ''),
    runUrl
  }
}

/** The hidden marker that finds this job's comment again: a hash, so no key can break out. */
export function commentMarker(key: string): string {
  return `<!-- crash-capture:${createHash('sha256').update(key).digest('hex').slice(0, 16)} -->`
}

function runLink(runUrl: string | null, text: string): string {
  return runUrl ? `[${text}](${runUrl})` : text
}

/** The comment for a run with crashes: one short section per group, most frequent first. */
export function renderCrashComment(
  groups: CrashGroup[],
  key: string,
  runUrl: string | null,
  links: SourceLinks | null,
  artifact: ArtifactLink | null = null
): string {
  const crashes = groups.reduce((n, g) => n + g.analyses.length, 0)
  const head = [
    commentMarker(key),
    `### 💥 crash-capture: ${crashes} crash${crashes === 1 ? '' : 'es'} in ${groups.length} group${groups.length === 1 ? '' : 's'}`,
    '',
    `Job ${code(key)}, ${runLink(runUrl, 'this run')}. The job summary has every frame and the full backtraces.`,
    '',
    artifactLine(artifact)
  ].join('\n')
  let body = head
  let shown = 0
  for (const [index, group] of groups.entries()) {
    const first = group.analyses[0]!
    const blame = first.blame
    const where = blame?.path ? ` at ${sourceLocation(blame.path, blame.line, links)}` : ''
    // A PR author reads from their own code down (the summary has every frame).
    const frames = blamedFrameLines(first, COMMENT_FRAMES)
    const section = [
      `**${index + 1}. ${escape(groupTitle(group))}**${where}`,
      '',
      `${code(signalDescription(first))} in ${code(executableName(first))}; ` +
        `pid ${group.analyses
          .slice(0, 10)
          .map((a) => a.crash.pid)
          .join(', ')}${group.analyses.length > 10 ? ', …' : ''}`,
      '',
      codeBlock(frames.join('\n') || '(no frames)'),
      ...otherStacks(first, links),
      ''
    ].join('\n')
    if (body.length + section.length > MAX_COMMENT - 500) break
    body += section + '\n'
    shown++
  }
  if (shown < groups.length)
    body += `_${groups.length - shown} more group(s): see the job summary._\n`
  return body
}

/**
 * A sanitizer report's other stacks, one line each at their first project frame: where the
 * memory was freed and allocated, the other access of a race.
 */
function otherStacks(
  analysis: CrashGroup['analyses'][number],
  links: SourceLinks | null
): string[] {
  const lines: string[] = []
  for (const stack of analysis.sanitizer?.stacks.slice(1, 4) ?? []) {
    const frame = stack.frames.find((f) => f.projectPath)
    if (!frame) continue
    lines.push(
      `- ${escape(stack.title.replace(/:$/, ''))}: ${code(frame.function ?? '??')} at ${sourceLocation(frame.projectPath!, frame.line, links)}`
    )
  }
  return lines.length > 0 ? ['', ...lines] : []
}

/** The comment once a later run of the job finds no crash (or for `comment: always`). */
export function renderNoCrashComment(key: string, runUrl: string | null, earlier: boolean): string {
  return [
    commentMarker(key),
    earlier ? '### ✅ crash-capture: the crash is gone' : '### ✅ crash-capture: no crash',
    '',
    earlier
      ? `Job ${code(key)} crashed in an earlier run; ${runLink(runUrl, 'the latest run')} found no crash.`
      : `Job ${code(key)}: ${runLink(runUrl, 'this run')} found no crash.`,
    ''
  ].join('\n')
}

/** A comment that could not be written because the token may not; the message says what to do. */
export class CommentPermissionError extends Error {
  constructor(status: number, detail: string) {
    super(
      `The pull request comment could not be written (HTTP ${status}: ${detail}). Give the job ` +
        '`permissions: pull-requests: write`; pull requests from forks get a read-only token, so ' +
        "no comment is possible there (the job summary and annotations still are), or set 'comment: never'."
    )
    this.name = 'CommentPermissionError'
  }
}

/** The login of the token's own user, as comment authors show it; the workflow bot's when the
 * API will not say (a workflow token may not read `/user`). */
async function tokenLogin(octokit: Octokit): Promise<string> {
  try {
    const answer = await octokit.graphql<{ viewer: { login: string } }>(
      'query { viewer { login } }'
    )
    if (answer.viewer.login) return answer.viewer.login
  } catch {
    // fall through to REST
  }
  try {
    return (await octokit.rest.users.getAuthenticated()).data.login
  } catch {
    return 'github-actions[bot]'
  }
}

/** GraphQL names a GitHub App's bot without the `[bot]` that REST shows on its comments. */
function sameLogin(a: string, b: string): boolean {
  const bare = (login: string) => login.replace(/\[bot\]$/i, '').toLowerCase()
  return bare(a) === bare(b)
}

/** What publishComment did. */
export type CommentResult = 'created' | 'updated' | 'unchanged' | 'skipped'

/**
 * Creates or updates this job's comment. `body` builds the text from whether an earlier comment
 * of the job exists; returning null means "write nothing" (no crash, nothing to correct).
 */
export async function publishComment(
  target: CommentTarget,
  token: string,
  marker: string,
  body: (existing: boolean) => string | null
): Promise<CommentResult> {
  // Loaded only on pull request runs that comment.
  const { Octokit } = await import('@octokit/rest')
  const octokit = new Octokit({ auth: token, baseUrl: target.apiUrl })
  try {
    let found: { id: number; body?: string } | undefined
    const params = {
      owner: target.owner,
      repo: target.repo,
      issue_number: target.issueNumber,
      per_page: 100
    }
    // Anyone can post the marker: only a comment written with this very token is ours to edit.
    let self: string | null = null
    for await (const page of octokit.paginate.iterator(octokit.rest.issues.listComments, params)) {
      for (const comment of page.data) {
        if (!comment.body?.includes(marker)) continue
        self ??= await tokenLogin(octokit)
        if (sameLogin(comment.user?.login ?? '', self)) {
          found = comment
          break
        }
      }
      if (found) break
    }
    const text = body(found !== undefined)
    if (text === null) return 'skipped'
    if (found) {
      if (found.body === text) return 'unchanged'
      await octokit.rest.issues.updateComment({
        owner: target.owner,
        repo: target.repo,
        comment_id: found.id,
        body: text
      })
      return 'updated'
    }
    await octokit.rest.issues.createComment({ ...params, body: text })
    return 'created'
  } catch (error) {
    const status = (error as { status?: unknown }).status
    if (status === 401 || status === 403 || status === 404) {
      throw new CommentPermissionError(
        status,
        (error as Error).message.split('\n')[0]!.slice(0, 200)
      )
    }
    throw error
  }
}

/** What a step says about its sticky comment: the mode, the token and the key. */
export interface CommentSettings {
  comment: CommentMode
  githubToken: string
  commentKey: string
}

/**
 * Writes or updates the sticky comment of `settings.commentKey` on this run's pull request
 * (nothing outside pull request events, or with `comment: never`). `render` gets the run's URL
 * and whether an earlier comment exists, and returns the text or null for "write nothing".
 * Trouble becomes one warning: the other reports never depend on it.
 */
export async function stickyComment(
  settings: CommentSettings,
  render: (runUrl: string | null, existing: boolean) => string | null,
  what = 'pull request comment'
): Promise<void> {
  if (settings.comment === CommentMode.Never) return
  const target = await commentTargetFromEnv()
  if (!target) return
  if (!settings.githubToken) {
    core.warning(`No github-token: the ${what} is skipped.`)
    return
  }
  try {
    const result = await publishComment(
      target,
      settings.githubToken,
      commentMarker(settings.commentKey),
      (existing) => render(target.runUrl, existing)
    )
    if (result !== 'skipped') core.info(`crash-capture: ${what} ${result}.`)
  } catch (error) {
    core.warning((error as Error).message)
  }
}
