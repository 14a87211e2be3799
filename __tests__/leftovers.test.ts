import { afterEach, describe, expect, it } from '@jest/globals'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import {
  crashLine,
  FakeJob,
  makeWorkspace,
  workflowCommands,
  type Workspace
} from '../__fixtures__/e2e.js'
import { guardKernel } from '../__fixtures__/kernel.js'

// Processes a step left running (a deadlocked daemon, idle workers) are still alive when post
// runs, carrying the job's RUNNER_TRACKING_ID: post dumps and reports them, and leaves them be.
guardKernel()

/** Pids of the live processes whose command is `name` (the test kills them afterwards). */
function pidsOf(name: string): number[] {
  const out = spawnSync('ps', ['-o', 'pid=,stat=', '-C', name], { encoding: 'utf8' }).stdout
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([pid, stat]) => pid && !stat?.startsWith('Z'))
    .map(([pid]) => Number(pid))
}

/** True while `pid` runs (a zombie nobody reaped here does not). */
function alive(pid: number): boolean {
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : ''
  return stat !== '' && stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
}

const started: string[] = []
afterEach(() => {
  for (const name of started.splice(0)) spawnSync('pkill', ['-9', '-x', name])
})

interface Group {
  count: number
  crashes: {
    pid: number
    threadPlaces: { thread: number; function: string | null; path: string; line: number }[]
  }[]
}

function job(ws: Workspace, inputs: Record<string, string> = {}): FakeJob {
  return new FakeJob({
    workspace: ws.dir,
    inputs: { 'fail-on-crash': 'false', upload: 'none', ...inputs }
  })
}

async function settle(ms: number) {
  await new Promise((resolve) => setTimeout(resolve, ms))
}

describe('leftover processes: what never ended', () => {
  it('reports a deadlocked daemon: both threads blocked at the lines that take the second lock, and leaves it running', async () => {
    const ws = makeWorkspace(['deadlock'])
    const j = job(ws)
    await j.runStep('main')
    started.push('deadlock')
    expect(
      spawnSync(ws.bin('deadlock'), { cwd: ws.dir, env: j.processEnv(), stdio: 'ignore' }).status
    ).toBe(0)
    await settle(500)
    const [daemon] = pidsOf('deadlock')
    expect(daemon).toBeDefined()
    const post = await j.runStep('post')
    expect(post.code).toBe(0)
    const report = JSON.parse(readFileSync(post.outputs.report!, 'utf8')) as {
      crashes: number
      stillRunning: Group[]
    }
    expect(report.crashes).toBe(0)
    expect(report.stillRunning).toHaveLength(1)
    const [group] = report.stillRunning
    expect(group!.count).toBe(1)
    expect(group!.crashes[0]!.pid).toBe(daemon)
    const places = group!.crashes[0]!.threadPlaces.map((p) => [p.function, p.line])
    expect(places).toContainEqual(['update_table', crashLine('deadlock', 'journal-here')])
    expect(places).toContainEqual(['flush_journal', crashLine('deadlock', 'table-here')])
    // A warning, not an error; and the log group says where each thread waits.
    const commands = workflowCommands(post.stdout)
    expect(commands.some((c) => c.command === 'error')).toBe(false)
    const warning = commands.find(
      (c) => c.command === 'warning' && c.properties.title?.startsWith('Still running')
    )
    expect(warning?.properties.file).toBe('src/deadlock.c')
    expect(post.stdout).toMatch(
      /Thread \d+ \(LWP \d+\): waits in flush_journal at src\/deadlock\.c:\d+/
    )
    expect(post.summary).toContain('Still running at the end of the job: 1 process in 1 group')
    // Not killed: the runner does that.
    expect(pidsOf('deadlock')).toContain(daemon)
  }, 90_000)

  it('makes one group of 20 idle workers, and fails the job with leftover-processes: fail', async () => {
    const ws = makeWorkspace(['workers'])
    const j = job(ws, { 'leftover-processes': 'fail' })
    await j.runStep('main')
    started.push('workers')
    spawnSync(ws.bin('workers'), ['20'], { cwd: ws.dir, env: j.processEnv(), stdio: 'ignore' })
    await settle(300)
    expect(pidsOf('workers')).toHaveLength(20)
    const post = await j.runStep('post')
    expect(post.code).toBe(1)
    expect(post.stdout).toMatch(/20 process\(es\) of the job were still running/)
    const report = JSON.parse(readFileSync(post.outputs.report!, 'utf8')) as {
      stillRunning: Group[]
    }
    expect(report.stillRunning.map((g) => g.count)).toEqual([20])
    expect(report.stillRunning[0]!.crashes[0]!.threadPlaces[0]).toMatchObject({
      function: 'wait_for_work',
      line: crashLine('workers', 'idle-here')
    })
  }, 120_000)

  it('leaves alone a process whose tracking id was cleared, and reports nothing without leftovers', async () => {
    // Another name: the killed workers of another test may linger as zombies.
    const ws = makeWorkspace([{ name: 'keeper', source: 'workers' }])
    const j = job(ws)
    await j.runStep('main')
    started.push('keeper')
    spawnSync(ws.bin('keeper'), ['1'], {
      cwd: ws.dir,
      env: { ...j.processEnv(), RUNNER_TRACKING_ID: '' },
      stdio: 'ignore'
    })
    await settle(200)
    const [kept] = pidsOf('keeper')
    const post = await j.runStep('post')
    const report = JSON.parse(readFileSync(post.outputs.report!, 'utf8')) as {
      stillRunning: Group[]
    }
    expect(report.stillRunning).toEqual([])
    expect(post.stdout).not.toContain('Still running')
    expect(pidsOf('keeper')).toEqual([kept])
  }, 60_000)

  it('takes the stacks of a step that hangs past hang-timeout, kills it, and the job goes on to post', async () => {
    const ws = makeWorkspace(['hang'])
    const j = job(ws, { 'hang-timeout': '2s', 'hang-action': 'kill' })
    const main = await j.runStep('main')
    expect(main.stdout).toMatch(/Hang watcher: pid \d+; after 2 s/)
    const watcher = JSON.parse(j.state.watcher!) as { pid: number }
    started.push('hang')
    const begun = Date.now()
    const run = spawnSync(ws.bin('hang'), {
      cwd: ws.dir,
      env: j.processEnv(),
      stdio: 'ignore',
      timeout: 60_000
    })
    expect(run.signal).toBe('SIGKILL')
    expect(Date.now() - begun).toBeLessThan(30_000)
    const post = await j.runStep('post')
    expect(post.code).toBe(0)
    const report = JSON.parse(readFileSync(post.outputs.report!, 'utf8')) as {
      crashes: number
      hangs: Group[]
      stillRunning: Group[]
    }
    expect(report.crashes).toBe(0)
    expect(report.stillRunning).toEqual([])
    expect(report.hangs).toHaveLength(1)
    expect(report.hangs[0]!.crashes[0]!.threadPlaces[0]).toMatchObject({
      function: 'wait_for_reply',
      line: crashLine('hang', 'hang-here')
    })
    expect(post.stdout).toMatch(/⌛ hang in wait_for_reply \(src\/hang\.c:\d+\)/)
    expect(post.summary).toContain('Hang: 1 process in 1 group still running after hang-timeout')
    expect(alive(watcher.pid)).toBe(false)
  }, 120_000)

  it('reports a hang the watcher let run once, as a hang, not again as a process left running', async () => {
    const ws = makeWorkspace([{ name: 'stuck', source: 'hang' }])
    const j = job(ws, { 'hang-timeout': '1s' })
    await j.runStep('main')
    started.push('stuck')
    spawn(ws.bin('stuck'), {
      cwd: ws.dir,
      env: j.processEnv(),
      stdio: 'ignore',
      detached: true
    }).unref()
    const watcher = JSON.parse(j.state.watcher!) as { pid: number }
    for (let i = 0; i < 100 && alive(watcher.pid); i++) await settle(100)
    const post = await j.runStep('post')
    const report = JSON.parse(readFileSync(post.outputs.report!, 'utf8')) as {
      hangs: Group[]
      stillRunning: Group[]
    }
    expect(report.hangs.map((g) => g.count)).toEqual([1])
    expect(report.stillRunning).toEqual([])
    // hang-action: report lets it run.
    expect(pidsOf('stuck')).toHaveLength(1)
  }, 60_000)

  it('stops the watcher at post when nothing hung', async () => {
    const ws = makeWorkspace([])
    const j = job(ws, { 'hang-timeout': '10m' })
    await j.runStep('main')
    const watcher = JSON.parse(j.state.watcher!) as { pid: number }
    expect(alive(watcher.pid)).toBe(true)
    const post = await j.runStep('post')
    expect(post.code).toBe(0)
    expect(alive(watcher.pid)).toBe(false)
    expect(post.stdout).not.toContain('hang')
  }, 60_000)
})
