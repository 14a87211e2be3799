import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { groupCrashes } from '../src/analyze/group.js'
import {
  CommentPermissionError,
  commentMarker,
  commentTargetFromEnv,
  MAX_COMMENT,
  publishComment,
  renderCrashComment,
  renderNoCrashComment,
  type CommentTarget
} from '../src/report/comment.js'
import { analysis, frame } from '../__fixtures__/analysis.js'
import { BOT_LOGIN, FakeGitHub } from '../__fixtures__/fake-github.js'
import { FakeJob, makeWorkspace, runStep, workflowCommands } from '../__fixtures__/e2e.js'
import { readKernel, restoreKernel, type KernelSnapshot } from '../__fixtures__/kernel.js'

const TOKEN = 'ghs_test_token'
let github: FakeGitHub

beforeAll(async () => {
  github = await new FakeGitHub('octo', 'app', TOKEN).start()
})
afterAll(async () => {
  await github.stop()
})

function target(issueNumber: number): CommentTarget {
  return {
    owner: 'octo',
    repo: 'app',
    issueNumber,
    apiUrl: github.url,
    runUrl: 'https://github.com/octo/app/actions/runs/1'
  }
}

describe('comment rendering', () => {
  const groups = groupCrashes([analysis([frame({ level: 0, function: 'boom' })])], null)

  it('hides a marker that no key can break out of', () => {
    expect(commentMarker('ci/test --> <b>')).toMatch(/^<!-- crash-capture:[0-9a-f]{16} -->$/)
    expect(commentMarker('a')).not.toBe(commentMarker('b'))
  })

  it('renders crashes and the resolved state with the marker first', () => {
    const body = renderCrashComment(groups, 'ci/test', null, null)
    expect(body.startsWith(commentMarker('ci/test'))).toBe(true)
    expect(body).toContain('1 crash in 1 group')
    expect(body).toContain('#0 boom')
    expect(renderNoCrashComment('ci/test', 'https://x/runs/2', true)).toContain('the crash is gone')
  })

  it("shows a sanitizer report's other stacks at their project frame, escaped", () => {
    const uaf = analysis([frame({ level: 0, function: 'raise' })])
    const access = frame({ level: 0, function: 'session_id', projectPath: 'src/s.c', line: 15 })
    uaf.blame = { frame: access, path: 'src/s.c', line: 15, kind: 'line' }
    uaf.sanitizer = {
      tool: 'AddressSanitizer',
      kind: 'heap-use-after-free',
      headline: 'heap-use-after-free on address 0x6030',
      summary: null,
      location: null,
      stacks: [
        { title: 'READ of size 4 at 0x6030 thread T0', frames: [access] },
        {
          title: 'freed by thread T0 here:',
          frames: [
            frame({ level: 0, function: '__interceptor_free' }),
            frame({ level: 1, function: 'close_session', projectPath: 'src/s.c', line: 13 })
          ]
        },
        {
          title: '@admin previously allocated by <b>thread</b> T0 here:',
          frames: [frame({ level: 1, function: 'open_session', projectPath: 'src/s.c', line: 8 })]
        }
      ],
      text: ''
    }
    const body = renderCrashComment(groupCrashes([uaf], null), 'k', null, null)
    expect(body).toContain('#0 session_id at src/s.c:15')
    expect(body).not.toContain('raise')
    expect(body).toContain('- freed by thread T0 here: `close_session` at `src/s.c:13`')
    expect(body).toMatch(/- .*previously allocated by .*: `open_session` at `src\/s\.c:8`/)
    expect(body).not.toContain('@admin')
    expect(body).not.toContain('<b>')
  })

  it('stays under 65,536 characters with many groups', () => {
    const many = Array.from({ length: 2000 }, (_, i) =>
      analysis(
        Array.from({ length: 10 }, (_, l) =>
          frame({ level: l, function: `f${i}_${'x'.repeat(80)}` })
        )
      )
    )
    const body = renderCrashComment(groupCrashes(many, null), 'k', null, null)
    expect(body.length).toBeLessThanOrEqual(MAX_COMMENT)
    expect(body).toMatch(/more group\(s\): see the job summary/)
  })

  it('finds the pull request only on pull request events', async () => {
    const event = join(makeWorkspace([]).dir, 'event.json')
    writeFileSync(event, JSON.stringify({ pull_request: { number: 7 } }))
    const env = {
      GITHUB_EVENT_NAME: 'pull_request_target',
      GITHUB_EVENT_PATH: event,
      GITHUB_REPOSITORY: 'octo/app',
      GITHUB_API_URL: 'https://ghe.example/api/v3/'
    }
    expect(await commentTargetFromEnv(env)).toMatchObject({
      owner: 'octo',
      repo: 'app',
      issueNumber: 7,
      apiUrl: 'https://ghe.example/api/v3'
    })
    expect(await commentTargetFromEnv({ ...env, GITHUB_EVENT_NAME: 'push' })).toBeNull()
  })
})

describe('comment publishing (real Octokit, fake REST API)', () => {
  beforeEach(() => {
    github.readOnly = false
  })

  it('creates once, then updates the same comment, then marks it resolved', async () => {
    const marker = commentMarker('job-a')
    expect(await publishComment(target(1), TOKEN, marker, () => `${marker}\nfirst`)).toBe('created')
    expect(await publishComment(target(1), TOKEN, marker, () => `${marker}\nsecond`)).toBe(
      'updated'
    )
    expect(
      await publishComment(target(1), TOKEN, marker, (existing) =>
        existing ? `${marker}\ngone` : null
      )
    ).toBe('updated')
    expect(github.comments.get(1)).toEqual([
      { id: expect.any(Number), body: `${marker}\ngone`, user: BOT_LOGIN }
    ])
  })

  it('writes nothing when asked to skip and nothing exists', async () => {
    expect(await publishComment(target(2), TOKEN, commentMarker('job-b'), () => null)).toBe(
      'skipped'
    )
    expect(github.comments.get(2)).toBeUndefined()
  })

  it('finds its marker past the first pages of other comments', async () => {
    github.seed(3, 150)
    const marker = commentMarker('job-c')
    await publishComment(target(3), TOKEN, marker, () => `${marker}\nv1`)
    github.seed(3, 120)
    expect(await publishComment(target(3), TOKEN, marker, () => `${marker}\nv2`)).toBe('updated')
    const mine = github.comments.get(3)!.filter((c) => c.body.includes(marker))
    expect(mine).toEqual([{ id: expect.any(Number), body: `${marker}\nv2`, user: BOT_LOGIN }])
    expect(github.requests.some((r) => r.path.includes('page=2'))).toBe(true)
  })

  it('turns a read-only token into a permission error that says what to add', async () => {
    github.readOnly = true
    const error = await publishComment(target(4), TOKEN, commentMarker('job-d'), () => 'x').catch(
      (e: Error) => e
    )
    expect(error).toBeInstanceOf(CommentPermissionError)
    expect((error as Error).message).toContain('permissions: pull-requests: write')
    expect((error as Error).message).toContain('HTTP 403')
  })
})

describe('comment from the post step', () => {
  let before: KernelSnapshot
  beforeEach(() => {
    before = readKernel()
    github.readOnly = false
  })
  afterEach(() => restoreKernel(before))

  async function runJob(program: 'nullderef' | null, extra: Record<string, string> = {}, pr = 9) {
    const ws = makeWorkspace(program ? [program] : [])
    const event = join(ws.dir, 'event.json')
    writeFileSync(
      event,
      JSON.stringify({ action: 'synchronize', number: pr, pull_request: { number: pr } })
    )
    const job = new FakeJob({
      workspace: ws.dir,
      inputs: { 'github-token': TOKEN, ...extra },
      env: {
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: event,
        GITHUB_REPOSITORY: 'octo/app',
        GITHUB_API_URL: github.url,
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_SHA: 'abcdef1234567',
        GITHUB_WORKFLOW: 'ci',
        GITHUB_JOB: 'test'
      }
    })
    await job.runStep('main')
    if (program) runStep(ws, `./bin/${program}`)
    return job.runStep('post')
  }

  it('creates on the first crash, updates on a rerun, says resolved on a clean run', async () => {
    const first = await runJob('nullderef')
    expect(first.stdout).toContain('pull request comment created')
    const second = await runJob('nullderef')
    expect(second.stdout).toContain('pull request comment updated')
    const mine = github.comments.get(9)!
    expect(mine).toHaveLength(1)
    expect(mine[0]!.body).toContain('SIGSEGV in sum\\_list\\(\\)')
    const clean = await runJob(null)
    expect(clean.code).toBe(0)
    expect(clean.stdout).toContain('pull request comment updated')
    expect(github.comments.get(9)![0]!.body).toContain('the crash is gone')
    const none = await runJob(null, { comment: 'never' })
    expect(none.stdout).not.toContain('pull request comment')
  })

  it('warns once without permission and still reports everywhere else', async () => {
    github.readOnly = true
    const post = await runJob('nullderef', {}, 10)
    expect(post.code).toBe(1)
    const warnings = workflowCommands(post.stdout).filter((c) => c.command === 'warning')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]!.message).toContain('pull-requests: write')
    expect(post.summary).toContain('SIGSEGV')
    expect(
      workflowCommands(post.stdout).some(
        (c) => c.command === 'error' && c.properties.file === 'src/nullderef.c'
      )
    ).toBe(true)
  })
})

describe('comment frames', () => {
  it('start at the blamed frame and count the runtime frames above it', () => {
    const frames = [
      '__pthread_kill_implementation',
      'raise',
      'abort',
      'check_invariant',
      'main'
    ].map((name, level) => frame({ level, function: name }))
    const a = analysis(frames, {
      blame: { frame: frames[3]!, path: 'src/abort.c', line: 5, kind: 'line' }
    })
    const body = renderCrashComment(groupCrashes([a], null), 'k', null, null)
    expect(body).toContain('(3 runtime frames above)\n#3 check_invariant\n#4 main')
    expect(body).not.toContain('#0 __pthread_kill_implementation')
  })
})
