import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  crashLine,
  FakeJob,
  makeWorkspace,
  runStep,
  STEP_NODE,
  waitForCrashes,
  workflowCommands
} from '../__fixtures__/e2e.js'
import { guardKernel, readKernel } from '../__fixtures__/kernel.js'

// These tests change the kernel's core_pattern: jest runs test files one at a time
// (maxWorkers: 1), each test restores the settings afterwards, and the global teardown restores
// them once more whatever happened.
const snapshot = guardKernel()

interface Report {
  crashes: number
  groups: {
    count: number
    crashes: {
      pid: number
      executablePath: string
      commandLine: string[]
      coreState: string
      signal: { name: string }
      blame: { function: string; path: string; line: number } | null
    }[]
  }[]
}

function readReport(path: string | undefined): Report {
  if (!path) throw new Error('post set no report output')
  return JSON.parse(readFileSync(path, 'utf8')) as Report
}

describe('e2e: main, a real crash, post', () => {
  it('runs the steps with the node named by CRASH_CAPTURE_NODE (Node 24, as action.yml says)', () => {
    const version = execFileSync(STEP_NODE, ['--version'], { encoding: 'utf8' }).trim()
    if (process.env.CRASH_CAPTURE_NODE) expect(version).toMatch(/^v24\./)
    else expect(STEP_NODE).toBe(process.execPath)
    process.stdout.write(`figure: e2e steps run under node ${version}\n`)
  })

  it('captures a NULL dereference run with ulimit -c 0 and reports it at the right line', async () => {
    const ws = makeWorkspace(['nullderef'])
    const job = new FakeJob({ workspace: ws.dir })
    const main = await job.runStep('main')
    expect(main.code).toBe(0)
    expect(readKernel()['/proc/sys/kernel/core_pattern']).toMatch(
      /^\|\/var\/lib\/crash-capture\/.*handler\.sh /
    )

    const crash = runStep(ws, 'ulimit -c 0; exec ./bin/nullderef')
    expect(crash.signal).toBe('SIGSEGV')

    const post = await job.runStep('post')
    expect(post.code).toBe(1)
    expect(readKernel()).toEqual(snapshot())

    const report = readReport(post.outputs.report)
    expect(report.crashes).toBe(1)
    const record = report.groups[0]!.crashes[0]!
    expect(record.signal.name).toBe('SIGSEGV')
    expect(record.executablePath).toBe(ws.bin('nullderef'))
    expect(record.coreState).toBe('complete')
    expect(record.blame).toMatchObject({
      function: 'sum_list',
      path: 'src/nullderef.c',
      line: crashLine('nullderef')
    })

    const errors = workflowCommands(post.stdout).filter((c) => c.command === 'error')
    const annotation = errors.find((c) => c.properties.file)
    expect(annotation?.properties).toMatchObject({
      file: 'src/nullderef.c',
      line: String(crashLine('nullderef'))
    })
    expect(annotation?.properties.title).toContain('SIGSEGV in sum_list()')
    expect(post.outputs.crashes).toBe('1')
    expect(post.summary).toContain('SIGSEGV')
    expect(post.summary).toContain('src/nullderef.c:' + crashLine('nullderef'))
    // The step failed through the verdict, not through an error.
    expect(errors.at(-1)?.message).toMatch(/1 crash in 1 group found/)
  })

  it('captures a double-forked daemon that crashes after its step ended, and a re-exec’d child', async () => {
    const ws = makeWorkspace(['daemon', 'reexec'])
    const job = new FakeJob({ workspace: ws.dir })
    expect((await job.runStep('main')).code).toBe(0)

    const daemonStep = runStep(ws, './bin/daemon')
    expect(daemonStep.status).toBe(0) // the step itself succeeded; its daemon crashes later
    const reexecStep = runStep(ws, './bin/reexec')
    expect(reexecStep.status).toBe(0)
    await waitForCrashes(job, 2)

    const post = await job.runStep('post')
    expect(post.code).toBe(1)
    const report = readReport(post.outputs.report)
    expect(report.crashes).toBe(2)
    const records = report.groups.flatMap((g) => g.crashes)
    const daemon = records.find((r) => r.executablePath === ws.bin('daemon'))
    expect(daemon?.blame).toMatchObject({
      function: 'daemon_work',
      path: 'src/daemon.c',
      line: crashLine('daemon')
    })
    const reexec = records.find((r) => r.executablePath === ws.bin('reexec'))
    expect(reexec?.commandLine).toEqual(['renamed-argv0', '--stage2', 'extra arg with spaces'])
    expect(reexec?.blame).toMatchObject({
      function: 'second_stage',
      path: 'src/reexec.c',
      line: crashLine('reexec')
    })
  })

  it('backtraces a binary deleted while it ran, from the copy the handler took', async () => {
    const ws = makeWorkspace(['late'])
    const job = new FakeJob({
      workspace: ws.dir,
      inputs: { 'fail-on-crash': 'false', upload: 'none' }
    })
    await job.runStep('main')
    runStep(ws, 'cp bin/late bin/gone && (./bin/gone & sleep 0.1; rm bin/gone; wait)')
    await waitForCrashes(job, 1)
    const post = await job.runStep('post')
    const [record] = readReport(post.outputs.report).groups[0]!.crashes
    expect(record!.executablePath).toBe(`${ws.bin('gone')} (deleted)`)
    expect(record!.blame).toMatchObject({
      function: 'late_crash',
      path: 'src/late.c',
      line: crashLine('late')
    })
  })

  it('finds no crash, succeeds and never runs or installs gdb in post', async () => {
    const ws = makeWorkspace([])
    // Stand-ins for gdb and package managers that record any call.
    const fakeBin = join(ws.dir, 'fake-bin')
    mkdirSync(fakeBin)
    const calls = join(ws.dir, 'calls.log')
    for (const tool of ['gdb', 'apt-get', 'dnf', 'apk']) {
      writeFileSync(join(fakeBin, tool), `#!/bin/sh\necho ${tool} "$@" >> ${calls}\nexit 1\n`)
      chmodSync(join(fakeBin, tool), 0o755)
    }
    const job = new FakeJob({ workspace: ws.dir, env: { PATH: `${fakeBin}:${process.env.PATH}` } })
    expect((await job.runStep('main')).code).toBe(0)
    // Main may index the system libraries' debug info with gdb (analyze/warm.ts), nothing else.
    await new Promise((resolve) => setTimeout(resolve, 500))
    const byMain = existsSync(calls) ? readFileSync(calls, 'utf8') : ''
    for (const line of byMain.split('\n').filter(Boolean))
      expect(line).toMatch(/^gdb -nx -batch .* -ex file \/\S+\.so[.\d]*$/)
    expect(runStep(ws, 'true').status).toBe(0)
    const post = await job.runStep('post')
    expect(post.code).toBe(0)
    expect(post.stdout).toContain('no crash was found')
    expect(post.outputs.crashes).toBe('0')
    expect(existsSync(calls) ? readFileSync(calls, 'utf8') : '').toBe(byMain)
    expect(readKernel()).toEqual(snapshot())
  })

  it('keeps the job green with fail-on-crash: false and still reports', async () => {
    const ws = makeWorkspace(['nullderef'])
    const job = new FakeJob({ workspace: ws.dir, inputs: { 'fail-on-crash': 'false' } })
    await job.runStep('main')
    runStep(ws, './bin/nullderef')
    const post = await job.runStep('post')
    expect(post.code).toBe(0)
    expect(post.outputs.crashes).toBe('1')
  })

  it('restores the kernel settings when post fails midway', async () => {
    const ws = makeWorkspace(['nullderef'])
    const job = new FakeJob({ workspace: ws.dir })
    await job.runStep('main')
    expect(readKernel()).not.toEqual(snapshot())
    runStep(ws, './bin/nullderef')
    // A RUNNER_TEMP that is a file makes staging the crashes throw.
    const notADirectory = join(ws.dir, 'not-a-dir')
    writeFileSync(notADirectory, '')
    const post = await job.runStep('post', { env: { RUNNER_TEMP: notADirectory } })
    expect(post.code).toBe(1)
    expect(post.stdout).toMatch(/::error::.*(ENOTDIR|EEXIST|not a directory)/i)
    expect(readKernel()).toEqual(snapshot())
    // Nothing root-owned is left behind either.
    const { sessionDir } = JSON.parse(job.state.capture!) as { sessionDir: string }
    expect(existsSync(sessionDir)).toBe(false)
  })

  it('rejects an invalid input in main with a message naming it, and changes nothing', async () => {
    const ws = makeWorkspace([])
    const job = new FakeJob({ workspace: ws.dir, inputs: { 'gdb-timeout': 'soon' } })
    const main = await job.runStep('main')
    expect(main.code).toBe(1)
    expect(main.stdout).toContain("::error::Input 'gdb-timeout' has the invalid value 'soon'")
    expect(readKernel()).toEqual(snapshot())
  })
})
