import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { chmodSync, readFileSync, realpathSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Analysis } from '../src/analyze/analysis.js'
import { analyzeCrashes, findGdb, type AnalyzeOptions } from '../src/analyze/gdb.js'
import { groupCrashes } from '../src/analyze/group.js'
import type { Crash } from '../src/collect/crash.js'
import {
  crashLine,
  FakeJob,
  makeWorkspace,
  runStep,
  waitForCrashes,
  workflowCommands,
  type Workspace
} from '../__fixtures__/e2e.js'
import { readKernel, restoreKernel, type KernelSnapshot } from '../__fixtures__/kernel.js'

// One capture session for every crash program: main, the crashes, post. The tests then read the
// report and re-run the analysis on the staged crashes with other options.
let before: KernelSnapshot
let ws: Workspace
let crashes: Crash[]
let byName: Map<string, Analysis>
let gdb: string

const PROGRAMS = [
  'nullderef',
  'abort',
  'libc_strlen',
  'threads',
  'stackoverflow',
  'panic',
  'cxx',
  { name: 'nullderef_stripped', source: 'nullderef', flags: ['-O0', '-s'] }
]

function options(values: Partial<AnalyzeOptions> = {}): AnalyzeOptions {
  return {
    gdb,
    workspace: realpathSync(ws.dir),
    skipFrames: null,
    timeoutMsPerCore: 60_000,
    parallel: 2,
    scripts: [],
    commands: [],
    ...values
  }
}

function named(analyses: Analysis[]): Map<string, Analysis> {
  return new Map(analyses.map((a) => [a.crash.executablePath!.split('/').pop()!, a]))
}

function fakeGdb(name: string, script: string): string {
  const path = join(ws.dir, name)
  writeFileSync(path, `#!/bin/sh\n${script}\n`)
  chmodSync(path, 0o755)
  return path
}

beforeAll(async () => {
  before = readKernel()
  gdb = (await findGdb())!
  ws = makeWorkspace(PROGRAMS)
  const job = new FakeJob({ workspace: ws.dir, inputs: { 'fail-on-crash': 'false' } })
  expect((await job.runStep('main')).code).toBe(0)
  const names = PROGRAMS.map((p) => (typeof p === 'string' ? p : p.name))
  for (const name of names) runStep(ws, `./bin/${name}`)
  // The same bug again, from a copy of the program: a crash of the same file at the same place
  // would be a twin, backtraced as the first (see collect/site.ts); these tests want two cores.
  runStep(ws, 'mkdir bin/again && cp bin/nullderef bin/again/ && ./bin/again/nullderef')
  await waitForCrashes(job, names.length + 1)
  const post = await job.runStep('post')
  restoreKernel(before)
  expect(post.code).toBe(0)
  const report = JSON.parse(readFileSync(post.outputs.report!, 'utf8')) as {
    groups: { crashes: (Crash & { threads: unknown })[] }[]
  }
  crashes = report.groups.flatMap((g) => g.crashes).sort((a, b) => a.pid - b.pid)
  byName = named(await analyzeCrashes(crashes, options()))
}, 180_000)

afterAll(() => restoreKernel(before))

describe('analyze (real cores, real gdb)', () => {
  it('blames the NULL dereference at its line', () => {
    const a = byName.get('nullderef')!
    expect(a.signal).toMatchObject({ name: 'SIGSEGV', codeName: 'SEGV_MAPERR', address: '0x0' })
    expect(a.blame).toMatchObject({
      path: 'src/nullderef.c',
      line: crashLine('nullderef'),
      kind: 'line'
    })
    expect(a.blame!.frame.function).toBe('sum_list')
  })

  it('blames the function that called abort() through assert, not libc', () => {
    const a = byName.get('abort')!
    expect(a.signal.name).toBe('SIGABRT')
    expect(a.blame).toMatchObject({ path: 'src/abort.c', line: crashLine('abort') })
    expect(a.blame!.frame.function).toBe('check_invariant')
    expect(a.blame!.frame.level).toBeGreaterThan(2)
  })

  it('blames the caller of a crashing libc function', () => {
    const a = byName.get('libc_strlen')!
    expect(a.crashingThread!.frames[0]!.projectPath).toBeNull()
    expect(a.blame).toMatchObject({ path: 'src/libc_strlen.c', line: crashLine('libc_strlen') })
    expect(a.blame!.frame.function).toBe('measure')
  })

  it('finds the crashing thread when it is not the main thread', () => {
    const a = byName.get('threads')!
    expect(a.threads.length).toBe(6)
    expect(a.crashingThread!.lwp).not.toBe(a.crash.pid)
    expect(a.crashingThread!.lwp).toBe(a.crash.tid)
    expect(a.blame).toMatchObject({ path: 'src/threads.c', line: crashLine('threads') })
    expect(a.text.indexOf('Crashing thread')).toBe(0)
  })

  it('bounds a stack overflow to a fixed number of frames', () => {
    const a = byName.get('stackoverflow')!
    expect(a.crashingThread!.frames).toHaveLength(256)
    expect(a.crashingThread!.truncated).toBe(true)
    expect(a.blame!.frame.function).toBe('recurse')
  })

  it('blames the throwing function of an uncaught C++ exception in a namespaced template', () => {
    const a = byName.get('cxx')!
    expect(a.signal.name).toBe('SIGABRT')
    expect(a.blame!.frame.function).toMatch(/^app::detail::Processor<int>::run/)
    expect(a.blame).toMatchObject({ path: 'src/cxx.cpp', line: crashLine('cxx') })
    // libstdc++ came from the private sysroot, found by its soname: gdb unwound through it.
    expect(a.crashingThread!.frames.map((f) => f.function)).toContain('std::terminate()')
  })

  it('blames the panic helper by default and its caller with skip-frames', async () => {
    expect(byName.get('panic')!.blame).toMatchObject({ line: crashLine('panic', 'panic-here') })
    const panic = crashes.find((c) => c.executablePath?.endsWith('/panic'))!
    const [skipped] = await analyzeCrashes([panic], options({ skipFrames: /^ha_panic$/ }))
    expect(skipped!.blame!.frame.function).toBe('process_stream')
    expect(skipped!.blame).toMatchObject({ path: 'src/panic.c', line: crashLine('panic') })
  })

  it('reports a stripped binary with frames but no source', () => {
    const a = byName.get('nullderef_stripped')!
    expect(a.crashingThread!.frames.length).toBeGreaterThan(0)
    expect(a.blame).toMatchObject({ path: null, kind: 'none' })
    expect(a.problems).toEqual([])
  })

  it('groups two cores of one bug and separates different bugs', async () => {
    const nullderefs = crashes.filter((c) => c.executablePath?.endsWith('/nullderef'))
    expect(nullderefs).toHaveLength(2)
    const analyses = await analyzeCrashes(crashes, options())
    const groups = groupCrashes(analyses, null)
    expect(groups).toHaveLength(PROGRAMS.length)
    expect(groups[0]!.analyses.map((a) => a.crash.pid).sort()).toEqual(
      nullderefs.map((c) => c.pid).sort()
    )
  })

  it('adds the output of project gdb scripts and commands to the text', async () => {
    const script = join(ws.dir, 'project.gdb')
    writeFileSync(
      script,
      'define project-hello\n  echo hello-from-project\\n\nend\necho script-loaded\\n\n'
    )
    const nullderef = crashes.find((c) => c.executablePath === ws.bin('nullderef'))!
    const [a] = await analyzeCrashes(
      [nullderef],
      options({ scripts: [script], commands: ['project-hello'] })
    )
    expect(a!.text).toContain('script-loaded')
    expect(a!.text).toContain('(gdb) project-hello\nhello-from-project')
  })

  it('retries cores one per gdb when a shared gdb hangs, and keeps every result', async () => {
    const mark = join(ws.dir, 'hung-once')
    const hangOnce = fakeGdb(
      'gdb-hang-once',
      `if [ ! -e ${mark} ]; then touch ${mark}; sleep 1000; fi\nexec ${gdb} "$@"`
    )
    // Two cores of one executable, which share a gdb: the same core twice.
    const first = crashes.find((c) => c.executablePath === ws.bin('nullderef'))!
    const started = Date.now()
    const analyses = await analyzeCrashes(
      [first, { ...first, id: `${first.id}-again` }],
      options({ gdb: hangOnce, timeoutMsPerCore: 1500 })
    )
    expect(Date.now() - started).toBeLessThan(20_000)
    for (const a of analyses) expect(a.blame?.frame.function).toBe('sum_list')
  })

  it('kills a gdb that never exits and still reports the crash', async () => {
    const hang = fakeGdb('gdb-hang', 'sleep 1000')
    const started = Date.now()
    const [a] = await analyzeCrashes([crashes[0]!], options({ gdb: hang, timeoutMsPerCore: 1000 }))
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(a!.problems).toEqual(['gdb ran longer than its timeout and was killed'])
    expect(a!.signal.number).toBe(crashes[0]!.signal)
    expect(a!.threads).toEqual([])
  })

  it('falls back to the text backtrace when gdb has no Python', async () => {
    const noPython = fakeGdb(
      'gdb-minimal',
      `for arg; do case $arg in *.py) echo "Python scripting is not supported in this copy of GDB."; exit 1;; esac; done\nexec ${gdb} "$@"`
    )
    const warnings: string[] = []
    const nullderef = crashes.find((c) => c.executablePath === ws.bin('nullderef'))!
    const [a] = await analyzeCrashes(
      [nullderef],
      options({ gdb: noPython, warn: (m) => warnings.push(m) })
    )
    expect(warnings).toHaveLength(1)
    expect(a!.problems[0]).toMatch(/no Python support/)
    expect(a!.blame).toMatchObject({ path: 'src/nullderef.c', line: crashLine('nullderef') })
    expect(a!.blame!.frame.function).toBe('sum_list')
  })
})

describe('post with a gdb that hangs on one executable', () => {
  it('reports the others fully and the hung one with the reason', async () => {
    const local = makeWorkspace(['nullderef', 'abort'])
    const fakeBin = join(local.dir, 'fake-bin')
    writeFileSync(join(local.dir, 'placeholder'), '')
    runStep(local, `mkdir -p ${fakeBin}`)
    const gdbPath = join(fakeBin, 'gdb')
    // The executable is gdb's last argument: hang when it is a copy of bin/abort.
    writeFileSync(
      gdbPath,
      `#!/bin/sh\nfor last; do :; done\nif cmp -s "$last" ${local.bin('abort')}; then sleep 1000; fi\nexec ${gdb} "$@"\n`
    )
    chmodSync(gdbPath, 0o755)
    const job = new FakeJob({
      workspace: local.dir,
      inputs: { 'gdb-timeout': '2' },
      env: { PATH: `${fakeBin}:${process.env.PATH}` }
    })
    const mine = readKernel()
    try {
      await job.runStep('main')
      runStep(local, './bin/nullderef; ./bin/abort')
      await waitForCrashes(job, 2)
      const post = await job.runStep('post')
      expect(post.code).toBe(1)
      expect(post.outputs.crashes).toBe('2')
      const annotations = workflowCommands(post.stdout).filter(
        (c) => c.command === 'error' && c.properties.title
      )
      expect(annotations.map((c) => c.properties.file)).toContain('src/nullderef.c')
      expect(post.stdout).toContain('gdb ran longer than its timeout and was killed')
    } finally {
      restoreKernel(mine)
    }
  })
})
