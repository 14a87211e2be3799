import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import {
  FakeJob,
  makeWorkspace,
  waitForCrashes,
  workflowCommands,
  type Workspace,
  reportCrashes
} from '../__fixtures__/e2e.js'
import { guardKernel, readKernel } from '../__fixtures__/kernel.js'

// Several jobs on one kernel (self-hosted hosts with several runners, ARC pods on one node):
// each job gets its own crashes, and the host is left as the first job found it.
const snapshot = guardKernel()
const CRASH_DIR = '/var/lib/crash-capture'

interface CrashRecord {
  executablePath: string | null
}

const records = (path: string | undefined) => reportCrashes<CrashRecord>(path)

/** A job of its own run, with its own tracking id. */
function job(ws: Workspace, run: number): FakeJob {
  return new FakeJob({
    workspace: ws.dir,
    env: { GITHUB_RUN_ID: String(run) },
    inputs: { 'fail-on-crash': 'false', upload: 'none' }
  })
}

/** Runs a program as a process of `owner` (its tracking id), or of no job at all. */
function crash(ws: Workspace, program: string, owner: FakeJob | null): void {
  const env = owner ? owner.processEnv() : { ...process.env }
  if (!owner) delete env.RUNNER_TRACKING_ID
  const run = spawnSync(ws.bin(program), { cwd: ws.dir, env })
  expect(run.signal).not.toBeNull()
}

function pattern(): string {
  return readKernel()['/proc/sys/kernel/core_pattern']!
}

function registrations(): string[] {
  return existsSync(`${CRASH_DIR}/jobs`) ? readdirSync(`${CRASH_DIR}/jobs`) : []
}

async function expectOwnCrash(j: FakeJob, ws: Workspace, program: string) {
  const post = await j.runStep('post')
  expect(post.code).toBe(0)
  const found = records(post.outputs.report)
  expect(found.map((r) => r.executablePath)).toEqual([ws.bin(program)])
  return post
}

describe('shared kernel: jobs that overlap', () => {
  it('gives each of two jobs of different runs exactly its own crash, posts in both orders', async () => {
    const ws = makeWorkspace(['nullderef', 'abort'])
    for (const order of ['first-out-first', 'last-in-first'] as const) {
      const a = job(ws, 5001)
      const b = job(ws, 5002)
      const mainA = await a.runStep('main')
      expect(mainA.stdout).toContain('Other jobs capturing on this kernel: 0')
      const mainB = await b.runStep('main')
      expect(mainB.stdout).toContain('Mode: pipe-handler')
      expect(mainB.stdout).toContain('Other jobs capturing on this kernel: 1')
      expect(mainB.stdout).toMatch(/Self-check: captured in \d+ ms/)
      crash(ws, 'nullderef', a)
      crash(ws, 'abort', b)
      await waitForCrashes(a, 1)
      await waitForCrashes(b, 1)
      const [first, second] = order === 'first-out-first' ? [a, b] : [b, a]
      const firstPost = await expectOwnCrash(first, ws, first === a ? 'nullderef' : 'abort')
      expect(firstPost.stdout).toContain('1 other job(s) still capture on this kernel')
      expect(pattern()).toBe(`|${CRASH_DIR}/handler.sh %P %i %s %t %u %g %c %d %e`)
      await expectOwnCrash(second, ws, second === a ? 'nullderef' : 'abort')
      expect(readKernel()).toEqual(snapshot())
      expect(existsSync(CRASH_DIR) ? readdirSync(CRASH_DIR) : []).toEqual([])
    }
  }, 120_000)

  it('keeps three jobs apart and restores only when the last one leaves', async () => {
    const ws = makeWorkspace(['nullderef', 'abort', 'threads'])
    const jobs = [job(ws, 6001), job(ws, 6002), job(ws, 6003)]
    const programs = ['nullderef', 'abort', 'threads']
    for (const j of jobs) expect((await j.runStep('main')).stdout).toContain('Mode: pipe-handler')
    jobs.forEach((j, i) => crash(ws, programs[i]!, j))
    for (const j of jobs) await waitForCrashes(j, 1)
    for (const i of [1, 0, 2]) {
      expect(readKernel()).not.toEqual(snapshot())
      await expectOwnCrash(jobs[i]!, ws, programs[i]!)
    }
    expect(readKernel()).toEqual(snapshot())
  }, 120_000)
})

describe('shared kernel: a crash no job can claim', () => {
  it('is no job’s crash while two jobs capture, and the job’s own while one does', async () => {
    const ws = makeWorkspace(['nullderef', 'abort'])
    const a = job(ws, 7001)
    const b = job(ws, 7002)
    await a.runStep('main')
    await b.runStep('main')
    // A process without a tracking id: a docker run container's, a system daemon's.
    crash(ws, 'abort', null)
    crash(ws, 'nullderef', a)
    await waitForCrashes(a, 1)
    await new Promise((resolve) => setTimeout(resolve, 300))
    const postB = await b.runStep('post')
    expect(postB.outputs.crashes).toBe('0')
    const warning = workflowCommands(postB.stdout).find((c) => c.command === 'warning')
    expect(warning?.message).toMatch(
      /1 crash\(es\) on this kernel during the job belonged to no capturing job .*: pid \d+, signal 6, .*\/bin\/abort/
    )
    await expectOwnCrash(a, ws, 'nullderef')

    const alone = job(ws, 7003)
    await alone.runStep('main')
    crash(ws, 'abort', null)
    await waitForCrashes(alone, 1)
    await expectOwnCrash(alone, ws, 'abort')
    expect(readKernel()).toEqual(snapshot())
  }, 120_000)
})

describe('shared kernel: jobs that die', () => {
  it('reaps a job whose runner was killed, and still restores when the last live job ends', async () => {
    const ws = makeWorkspace(['nullderef'])
    const killed = job(ws, 8001)
    // The step's parent shell stands for the runner worker; it is killed with SIGKILL.
    await killed.runStep('main', { shell: { after: 'kill -KILL $$' } })
    const stale = (JSON.parse(killed.state.capture!) as { sessionDir: string }).sessionDir
    expect(existsSync(stale)).toBe(true)
    const live = job(ws, 8002)
    const main = await live.runStep('main')
    expect(main.stdout).toContain('Other jobs capturing on this kernel: 0')
    expect(existsSync(stale)).toBe(false)
    crash(ws, 'nullderef', live)
    await waitForCrashes(live, 1)
    await expectOwnCrash(live, ws, 'nullderef')
    expect(readKernel()).toEqual(snapshot())
  }, 60_000)
})

describe('shared kernel: steps at the same instant', () => {
  it('loses no registration with two mains at once, and no setting with two posts at once', async () => {
    const ws = makeWorkspace(['nullderef', 'abort'])
    for (let round = 0; round < 3; round++) {
      const a = job(ws, 9001 + round * 2)
      const b = job(ws, 9002 + round * 2)
      const [mainA, mainB] = await Promise.all([a.runStep('main'), b.runStep('main')])
      for (const main of [mainA, mainB]) expect(main.stdout).toContain('Mode: pipe-handler')
      expect(registrations()).toHaveLength(2)
      crash(ws, 'nullderef', a)
      crash(ws, 'abort', b)
      await waitForCrashes(a, 1)
      await waitForCrashes(b, 1)
      const [postA, postB] = await Promise.all([a.runStep('post'), b.runStep('post')])
      expect(records(postA.outputs.report).map((r) => r.executablePath)).toEqual([
        ws.bin('nullderef')
      ])
      expect(records(postB.outputs.report).map((r) => r.executablePath)).toEqual([ws.bin('abort')])
      expect(readKernel()).toEqual(snapshot())
      expect(existsSync(CRASH_DIR) ? readdirSync(CRASH_DIR) : []).toEqual([])
    }
  }, 120_000)
})
