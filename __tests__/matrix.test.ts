import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { FakeArtifactService } from '../__fixtures__/fake-artifact-service.js'
import {
  FakeJob,
  makeWorkspace,
  waitForCrashes,
  workflowCommands,
  type Workspace
} from '../__fixtures__/e2e.js'
import { FakeGitHub } from '../__fixtures__/fake-github.js'
import { guardKernel } from '../__fixtures__/kernel.js'

// An HAProxy-style matrix: one job id, many legs, a few bugs shared by many legs, and a final
// job that reports for the whole run.
guardKernel()
const TOKEN = 'ghs_matrix_token'
const PR = 42
let service: FakeArtifactService
let github: FakeGitHub
let ws: Workspace
let event: string

beforeAll(async () => {
  service = await new FakeArtifactService('run-backend-7').start()
  github = await new FakeGitHub('octo', 'haproxy', TOKEN).start()
  ws = makeWorkspace(['nullderef', 'abort'])
  event = join(ws.dir, 'event.json')
  writeFileSync(event, JSON.stringify({ number: PR, pull_request: { number: PR } }))
}, 60_000)
afterAll(async () => {
  await service.stop()
  await github.stop()
})

function env(jobId: string, attempt: number): Record<string, string> {
  return {
    ...service.env(jobId),
    GITHUB_JOB: 'test',
    GITHUB_WORKFLOW: 'VTest',
    GITHUB_RUN_ATTEMPT: String(attempt),
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: event,
    GITHUB_REPOSITORY: 'octo/haproxy',
    GITHUB_API_URL: github.url,
    GITHUB_SHA: 'abcdef1234567'
  }
}

/** One leg of the matrix: main, its test step (maybe crashing), post. */
async function leg(
  index: number,
  total: number,
  matrix: object,
  program: string | null,
  attempt = 1,
  inputs: Record<string, string> = {}
) {
  const job = new FakeJob({
    workspace: ws.dir,
    env: env(`job-${index}`, attempt),
    inputs: {
      'github-token': TOKEN,
      matrix: JSON.stringify(matrix),
      'job-index': String(index),
      'job-total': String(total),
      ...inputs
    }
  })
  await job.runStep('main')
  if (program) {
    spawnSync(ws.bin(program), { cwd: ws.dir, env: job.processEnv() })
    await waitForCrashes(job, 1)
  }
  return job.runStep('post')
}

/** The run-wide job: the aggregate action's entry point, with a token of its own. */
async function aggregate(attempt: number) {
  const job = new FakeJob({
    workspace: ws.dir,
    env: env('job-aggregate', attempt),
    inputs: { 'github-token': TOKEN }
  })
  return job.runStep('aggregate' as 'main')
}

const NAMES = Array.from({ length: 25 }, (_, i) => `${i % 2 ? 'clang' : 'gcc'} leg ${i}`)
/** Legs 0–11 hit bug A, 12–14 bug B, 15–24 are clean. */
const program = (i: number) => (i < 12 ? 'nullderef' : i < 15 ? 'abort' : null)

describe('matrix: 25 legs of one job id and the run-wide report', () => {
  it('names every artifact apart, comments nothing per leg, and reports 2 kinds of crash once', async () => {
    for (let i = 0; i < 25; i++) {
      const post = await leg(i, 25, { name: NAMES[i], os: 'ubuntu-24.04' }, program(i))
      expect(post.code).toBe(program(i) ? 1 : 0)
      if (program(i)) expect(post.summary).toContain(`crash-capture (${NAMES[i]})`)
    }
    const bundles = service.artifacts.filter((a) => a.name.startsWith('crash-capture-test-'))
    expect(bundles).toHaveLength(15)
    expect(new Set(bundles.map((a) => a.name)).size).toBe(15)
    expect(bundles[0]!.name).toBe('crash-capture-test-0-gcc-leg-0-attempt1')
    expect(
      service.artifacts.filter((a) => a.name.startsWith('crash-capture-report-'))
    ).toHaveLength(15)
    expect(github.comments.get(PR) ?? []).toEqual([])

    const started = Date.now()
    const run = await aggregate(1)
    const ms = Date.now() - started
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ crashes: '15', groups: '2', jobs: '15' })
    expect(run.summary).toContain(
      '### 1. SIGSEGV in sum\\_list\\(\\) — nullderef: 12 jobs, 12 crashes'
    )
    expect(run.summary).toContain(
      '### 2. SIGABRT in check\\_invariant\\(\\) — abort: 3 jobs, 3 crashes'
    )
    expect(run.summary).toContain('(6 runtime frames above)\n#6 check_invariant at src/abort.c:5')
    for (const i of [0, 11, 12, 14]) expect(run.summary).toContain(`\`${NAMES[i]}\``)
    expect(run.summary).not.toContain(`\`${NAMES[20]}\``)
    const errors = workflowCommands(run.stdout).filter(
      (c) => c.command === 'error' && c.properties.file
    )
    expect(errors).toHaveLength(2)
    expect(errors[0]!.properties.file).toBe('src/nullderef.c')
    const comments = github.comments.get(PR)!
    expect(comments).toHaveLength(1)
    expect(comments[0]!.body).toContain('15 crashes of 2 kinds')
    process.stdout.write(
      `figure: aggregate over 15 reports (25 legs): ${ms} ms in all, ${(ms / 15).toFixed(0)} ms per report\n`
    )

    // "Re-run failed jobs": legs 0–2 pass now; the others keep their first attempt's report.
    for (const i of [0, 1, 2]) {
      const post = await leg(i, 25, { name: NAMES[i], os: 'ubuntu-24.04' }, null, 2)
      expect(post.code).toBe(0)
    }
    const rerun = await aggregate(2)
    expect(rerun.outputs).toMatchObject({ crashes: '12', groups: '2', jobs: '12' })
    expect(rerun.summary).toContain('nullderef: 9 jobs, 9 crashes')
    expect(github.comments.get(PR)).toHaveLength(1)
    expect(github.comments.get(PR)![0]!.body).toContain('12 crashes of 2 kinds')
  }, 300_000)

  it('lets a leg keep its own comment with comment: on-crash, untouched by the other legs', async () => {
    const pr = github.comments.get(PR)?.length ?? 0
    const crashing = await leg(0, 2, { cc: 'gcc' }, 'nullderef', 1, { comment: 'on-crash' })
    expect(crashing.stdout).toContain('pull request comment created')
    const clean = await leg(1, 2, { cc: 'clang' }, null, 1, { comment: 'on-crash' })
    expect(clean.stdout).not.toContain('pull request comment')
    const comments = github.comments.get(PR)!
    expect(comments).toHaveLength(pr + 1)
    expect(comments.at(-1)!.body).toContain('crash-capture: 1 crash')
  }, 60_000)

  it('keeps hostile matrix values inert in every output and valid in the artifact name', async () => {
    const hostile = `::error::pwned \`x\` @here /etc/passwd ${'y'.repeat(300)}`
    const post = await leg(7, 9, { name: hostile }, 'nullderef', 3)
    const commands = workflowCommands(post.stdout)
    // One annotation, and the step's own failure: nothing from the label became a command.
    expect(commands.filter((c) => c.command === 'error' && c.properties.file)).toHaveLength(1)
    expect(commands.filter((c) => c.command === 'error')).toHaveLength(2)
    expect(commands.some((c) => c.message.startsWith('pwned'))).toBe(false)
    // Outside code spans (inert by construction), no mention and no command survives.
    const prose = post.summary.replace(/(`+)[\s\S]*?\1/g, '')
    expect(prose).not.toContain('@here')
    expect(post.summary).not.toMatch(/^::/m)
    const names = service.artifacts.map((a) => a.name).filter((n) => n.includes('attempt3'))
    expect(names).toHaveLength(2)
    for (const name of names) {
      expect(name).toMatch(/^[^"\\/:<>|*?\s]+$/)
      expect(name.length).toBeLessThanOrEqual(200)
    }
  }, 60_000)
})
