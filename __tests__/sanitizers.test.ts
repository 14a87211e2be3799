import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  crashLine,
  FakeJob,
  makeWorkspace,
  reportCrashes,
  ROOT,
  waitForCrashes,
  workflowCommands,
  type Workspace
} from '../__fixtures__/e2e.js'
import { startJournal, type Journal } from '../__fixtures__/journal.js'
import { prose } from '../__fixtures__/markdown.js'
import { guardKernel } from '../__fixtures__/kernel.js'

// Programs built with Debian's gcc and libasan during the test: each sanitizer error, printed
// on stderr as before, is reported like a crash with its stacks, from the core main's
// ASAN_OPTIONS make it leave.
guardKernel()

const ASAN = ['-g', '-O1', '-fsanitize=address', '-fno-omit-frame-pointer']
let ws: Workspace | null = null
let skipped = ''

beforeAll(() => {
  try {
    execFileSync('gcc', ['-fsanitize=address', '-x', 'c', '-o', '/dev/null', '-'], {
      input: 'int main(void){return 0;}',
      stdio: ['pipe', 'ignore', 'ignore']
    })
  } catch {
    skipped = "gcc's libasan is not installed (apt-get install libasan8)"
    return
  }
  ws = makeWorkspace([
    { name: 'asan_uaf', flags: ASAN },
    { name: 'asan_kinds', flags: ASAN },
    { name: 'asan_daemon', flags: ASAN }
  ])
}, 120_000)

function workspace(): Workspace | null {
  if (!ws) process.stdout.write(`skipped: ${skipped}\n`)
  return ws
}

interface Stack {
  title: string
  frames: { function: string | null; projectPath: string | null; line: number | null }[]
}
interface Record {
  id: string
  pid: number
  commandLine: string[]
  blame: { function: string | null; path: string | null; line: number | null } | null
  sanitizer: { tool: string; kind: string; headline: string; stacks: Stack[] } | null
}

function job(w: Workspace, env: { [name: string]: string } = {}): FakeJob {
  return new FakeJob({
    workspace: w.dir,
    env,
    inputs: { 'fail-on-crash': 'false', upload: 'none' }
  })
}

/** The first frame of a stack in the project: its function and line. */
function projectFrame(stack: Stack | undefined) {
  const frame = stack?.frames.find((f) => f.projectPath)
  return frame && { function: frame.function, path: frame.projectPath, line: frame.line }
}

describe('sanitizers: AddressSanitizer errors are crashes', () => {
  it('reports a use-after-free with its access, free and allocation stacks, and stderr keeps the report', async () => {
    const w = workspace()
    if (!w) return
    const j = job(w)
    const main = await j.runStep('main')
    expect(main.stdout).toMatch(
      /Sanitizers: ASAN_OPTIONS=abort_on_error=1:disable_coredump=0[, ].*for the later steps/
    )
    // A test harness that keeps the program's stderr in its own log still has the report.
    const run = spawnSync(w.bin('asan_uaf'), { cwd: w.dir, env: j.processEnv(), encoding: 'utf8' })
    expect(run.signal).toBe('SIGABRT')
    expect(run.stderr).toMatch(/==\d+==ERROR: AddressSanitizer: heap-use-after-free/)
    expect(run.stderr).toMatch(/freed by thread T0 here:/)
    expect(run.stderr).toMatch(/^SUMMARY: AddressSanitizer: heap-use-after-free/m)
    await waitForCrashes(j, 1)
    const post = await j.runStep('post')
    const [record] = reportCrashes<Record>(post.outputs.report)
    expect(record!.sanitizer).toMatchObject({
      tool: 'AddressSanitizer',
      kind: 'heap-use-after-free'
    })
    const [access, freed, allocated] = record!.sanitizer!.stacks
    expect(access!.title).toMatch(/^READ of size 4 at 0x[0-9a-f]+ thread T0$/)
    expect(freed!.title).toBe('freed by thread T0 here:')
    expect(allocated!.title).toBe('previously allocated by thread T0 here:')
    expect(record!.blame).toMatchObject({
      function: 'session_id',
      path: 'src/asan_uaf.c',
      line: crashLine('asan_uaf')
    })
    expect(projectFrame(freed)).toMatchObject({
      function: 'close_session',
      line: crashLine('asan_uaf', 'free-here')
    })
    expect(projectFrame(allocated)).toMatchObject({
      function: 'open_session',
      line: crashLine('asan_uaf', 'alloc-here')
    })
    // Log, annotation and summary name the error, not the abort that followed it.
    const commands = workflowCommands(post.stdout)
    expect(commands.find((c) => c.command === 'group')?.message).toMatch(
      /^💥 AddressSanitizer: heap-use-after-free in session_id \(src\/asan_uaf\.c:\d+\)/
    )
    const annotation = commands.find((c) => c.command === 'error')
    expect(annotation?.properties).toMatchObject({
      file: 'src/asan_uaf.c',
      line: String(crashLine('asan_uaf'))
    })
    // Its frames are the access's, from the blamed one: not the runtime's abort.
    expect(annotation?.message).toMatch(/\n#0 session_id at src\/asan_uaf\.c:\d+\n#1 main at/)
    expect(post.summary).toContain('AddressSanitizer: heap-use-after-free')
    expect(post.summary).toContain('freed by thread T0 here:')
    expect(post.summary).toMatch(/`close_session`/)
  }, 60_000)

  it('names each kind and blames its line: heap and stack overflows, double free, SEGV, leak', async () => {
    const w = workspace()
    if (!w) return
    const j = job(w)
    await j.runStep('main')
    const kinds = {
      heap: ['heap-buffer-overflow', 'heap_overflow', 'AddressSanitizer'],
      stack: ['stack-buffer-overflow', 'stack_overflow', 'AddressSanitizer'],
      double: ['double-free', 'double_free', 'AddressSanitizer'],
      segv: ['SEGV', 'wild_write', 'AddressSanitizer'],
      leak: ['detected memory leaks', 'leak', 'LeakSanitizer']
    }
    for (const what of Object.keys(kinds)) {
      const run = spawnSync(w.bin('asan_kinds'), [what], { cwd: w.dir, env: j.processEnv() })
      expect(run.signal).toBe('SIGABRT')
    }
    await waitForCrashes(j, Object.keys(kinds).length)
    const post = await j.runStep('post')
    const records = reportCrashes<Record>(post.outputs.report)
    for (const [what, [kind, fn, tool]] of Object.entries(kinds)) {
      const record = records.find((r) => r.commandLine[1] === what)
      expect(record?.sanitizer).toMatchObject({ tool, kind })
      expect(record?.blame).toMatchObject({
        function: fn,
        path: 'src/asan_kinds.c',
        line: crashLine('asan_kinds', `${what}-here`)
      })
    }
    // Five errors, five groups: the kind is part of the signature.
    expect(workflowCommands(post.stdout).filter((c) => c.command === 'group')).toHaveLength(5)
  }, 60_000)

  it("reports the bug of a daemon's forked worker after its step has ended", async () => {
    const w = workspace()
    if (!w) return
    const j = job(w)
    await j.runStep('main')
    const run = spawnSync(w.bin('asan_daemon'), { cwd: w.dir, env: j.processEnv() })
    expect(run.status).toBe(0)
    await waitForCrashes(j, 1)
    const post = await j.runStep('post')
    const [record] = reportCrashes<Record>(post.outputs.report)
    expect(record!.sanitizer?.kind).toBe('heap-use-after-free')
    expect(record!.blame).toMatchObject({ function: 'worker_job', line: crashLine('asan_daemon') })
  }, 60_000)

  it("keeps the user's ASAN_OPTIONS, which win: detect_leaks=0 and a log_path", async () => {
    const w = workspace()
    if (!w) return
    const logs = mkdtempSync(join(tmpdir(), 'crash-capture-asan-logs-'))
    const theirs = `detect_leaks=0:log_path=${logs}/asan`
    const j = job(w, { ASAN_OPTIONS: theirs })
    const main = await j.runStep('main')
    expect(main.stdout).toContain(
      `ASAN_OPTIONS=abort_on_error=1:disable_coredump=0:${theirs} (yours after ours: yours win)`
    )
    // No leak report: detect_leaks=0 holds.
    const leak = spawnSync(w.bin('asan_kinds'), ['leak'], { cwd: w.dir, env: j.processEnv() })
    expect(leak.status).toBe(0)
    // The report goes to their log file, not stderr; the core still has it.
    const uaf = spawnSync(w.bin('asan_uaf'), { cwd: w.dir, env: j.processEnv(), encoding: 'utf8' })
    expect(uaf.signal).toBe('SIGABRT')
    expect(uaf.stderr).not.toContain('heap-use-after-free')
    const [log] = readdirSync(logs)
    expect(readFileSync(join(logs, log!), 'utf8')).toContain('heap-use-after-free')
    await waitForCrashes(j, 1)
    const post = await j.runStep('post')
    const records = reportCrashes<Record>(post.outputs.report)
    expect(records).toHaveLength(1)
    expect(records[0]!.sanitizer?.kind).toBe('heap-use-after-free')
  }, 60_000)

  it('symbolises a report printed without a symbolizer from the executable copy', async () => {
    const w = workspace()
    if (!w) return
    const j = job(w, { ASAN_OPTIONS: 'symbolize=0' })
    await j.runStep('main')
    const run = spawnSync(w.bin('asan_uaf'), { cwd: w.dir, env: j.processEnv(), encoding: 'utf8' })
    // What ASan printed: modules and offsets, no names.
    expect(run.stderr).toMatch(/#\d+ 0x[0-9a-f]+ +\(.*asan_uaf\+0x[0-9a-f]+\)/)
    expect(run.stderr).not.toContain('session_id')
    await waitForCrashes(j, 1)
    const post = await j.runStep('post')
    const [record] = reportCrashes<Record>(post.outputs.report)
    const [access, freed, allocated] = record!.sanitizer!.stacks
    expect(projectFrame(access)).toMatchObject({
      function: 'session_id',
      line: crashLine('asan_uaf')
    })
    expect(projectFrame(freed)?.function).toBe('close_session')
    expect(projectFrame(allocated)?.function).toBe('open_session')
  }, 60_000)

  it('makes one group of 20 processes hitting the same use-after-free', async () => {
    const w = workspace()
    if (!w) return
    const j = job(w)
    await j.runStep('main')
    for (let i = 0; i < 20; i++) spawnSync(w.bin('asan_uaf'), { cwd: w.dir, env: j.processEnv() })
    await waitForCrashes(j, 20, 30_000)
    const post = await j.runStep('post')
    const report = JSON.parse(readFileSync(post.outputs.report!, 'utf8')) as {
      groups: { count: number }[]
    }
    expect(report.groups.map((g) => g.count)).toEqual([20])
    expect(existsSync(post.outputs.report!)).toBe(true)
  }, 90_000)

  it("reports clang's AddressSanitizer (its runtime linked into the program) the same way", async () => {
    const w = workspace()
    if (!w) return
    try {
      execFileSync('clang', [...ASAN, '-o', w.bin('asan_uaf_clang'), 'src/asan_uaf.c'], {
        cwd: w.dir,
        stdio: ['ignore', 'ignore', 'pipe']
      })
    } catch {
      process.stdout.write('skipped: clang with its ASan runtime is not installed\n')
      return
    }
    const j = job(w)
    await j.runStep('main')
    const run = spawnSync(w.bin('asan_uaf_clang'), { cwd: w.dir, env: j.processEnv() })
    expect(run.signal).toBe('SIGABRT')
    await waitForCrashes(j, 1)
    const post = await j.runStep('post')
    const [record] = reportCrashes<Record>(post.outputs.report)
    expect(record!.sanitizer).toMatchObject({
      tool: 'AddressSanitizer',
      kind: 'heap-use-after-free'
    })
    expect(record!.blame).toMatchObject({ function: 'session_id', line: crashLine('asan_uaf') })
    expect(projectFrame(record!.sanitizer!.stacks[1])).toMatchObject({
      function: 'close_session',
      line: crashLine('asan_uaf', 'free-here')
    })
  }, 60_000)

  it('leaves ASAN_OPTIONS alone with sanitizers: off', async () => {
    const w = workspace()
    if (!w) return
    const j = new FakeJob({
      workspace: w.dir,
      inputs: { 'fail-on-crash': 'false', upload: 'none', sanitizers: 'off' }
    })
    const main = await j.runStep('main')
    expect(main.stdout).not.toContain('ASAN_OPTIONS')
    expect(j.exported.ASAN_OPTIONS).toBeUndefined()
    await j.runStep('post')
  }, 60_000)
})

describe('sanitizers that go on: UBSan, TSan and LeakSanitizer reports from the system log', () => {
  let journal: Journal | null = null
  let w: Workspace | null = null
  let why = ''
  beforeAll(async () => {
    const started = await startJournal()
    if ('skipped' in started) {
      why = started.skipped
      return
    }
    journal = started
    try {
      w = makeWorkspace([
        { name: 'ubsan_checks', flags: ['-g', '-O0', '-fsanitize=undefined'] },
        { name: 'tsan_race', flags: ['-g', '-O1', '-fsanitize=thread'] },
        { name: 'lsan_leak', flags: ['-g', '-O0', '-fsanitize=leak'] }
      ])
    } catch (error) {
      why = `gcc's sanitizer runtimes are not all installed (libubsan1, libtsan2, liblsan0): ${(error as Error).message.split('\n')[0]}`
    }
  }, 120_000)
  afterAll(async () => {
    await journal?.stop()
  })
  function ready(): Workspace | null {
    if (!w) process.stdout.write(`skipped: ${why}\n`)
    return w
  }

  it('reports each UBSan diagnostic once per place with its count, and the program goes on', async () => {
    const ws = ready()
    if (!ws) return
    const j = job(ws)
    const main = await j.runStep('main')
    expect(j.exported.UBSAN_OPTIONS).toBe('print_stacktrace=1:log_to_syslog=1')
    expect(main.stdout).toContain('UBSAN_OPTIONS=print_stacktrace=1:log_to_syslog=1')
    for (let i = 0; i < 3; i++) {
      // A harness keeping the program's stderr: the diagnostics are there, and it exits 0.
      const run = spawnSync(ws.bin('ubsan_checks'), {
        cwd: ws.dir,
        env: j.processEnv(),
        encoding: 'utf8'
      })
      expect(run.status).toBe(0)
      expect(run.stderr).toMatch(/ubsan_checks\.c:\d+:\d+: runtime error: signed integer overflow/)
      expect(run.stderr).toMatch(/runtime error: store to misaligned address/)
    }
    const post = await j.runStep('post')
    const report = JSON.parse(readFileSync(post.outputs.report!, 'utf8')) as {
      groups: { count: number; crashes: Record[] }[]
    }
    const byKind = (kind: string) =>
      report.groups.find((g) => g.crashes[0]!.sanitizer?.kind === kind)
    const overflow = byKind('signed-integer-overflow')
    const misaligned = byKind('alignment')
    expect(report.groups).toHaveLength(2)
    expect(overflow?.count).toBe(3)
    expect(misaligned?.count).toBe(3)
    expect(overflow!.crashes[0]!.blame).toMatchObject({
      function: 'add_weights',
      path: 'src/ubsan_checks.c',
      line: crashLine('ubsan_checks', 'overflow-here')
    })
    expect(misaligned!.crashes[0]!.blame).toMatchObject({
      function: 'store_header',
      line: crashLine('ubsan_checks', 'misaligned-here')
    })
    const commands = workflowCommands(post.stdout)
    expect(commands.filter((c) => c.command === 'group').map((c) => c.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^💥 UndefinedBehaviorSanitizer: signed-integer-overflow in add_weights \(src\/ubsan_checks\.c:\d+\).*\(\+2 more of the same signature\)$/
        )
      ])
    )
    expect(
      commands.find(
        (c) =>
          c.command === 'error' &&
          c.properties.line === String(crashLine('ubsan_checks', 'misaligned-here'))
      )
    ).toBeDefined()
    expect(post.summary).toContain('UndefinedBehaviorSanitizer: alignment')
    // No core, so no gdb backtrace: the summary says where the report came from, once a group.
    expect(post.summary).not.toContain("gdb's backtrace of pid")
    expect(post.summary.match(/it was read from the system log/g)).toHaveLength(2)
    expect(post.summary).toMatch(/store to misaligned address .*\n\n\| # \| Function/)
    const overflowNote = commands.find(
      (c) =>
        c.command === 'error' &&
        c.properties.line === String(crashLine('ubsan_checks', 'overflow-here'))
    )
    expect(overflowNote?.message).toMatch(
      /\n#0 add_weights at src\/ubsan_checks\.c:\d+\n#1 main at/
    )
    expect(post.outputs.crashes).toBe('6')
  }, 60_000)

  it("keeps the user's UBSAN_OPTIONS, which win: without stacks the diagnostic's place is blamed", async () => {
    const ws = ready()
    if (!ws) return
    const j = job(ws, { UBSAN_OPTIONS: 'print_stacktrace=0' })
    await j.runStep('main')
    expect(j.exported.UBSAN_OPTIONS).toBe('print_stacktrace=1:log_to_syslog=1:print_stacktrace=0')
    const run = spawnSync(ws.bin('ubsan_checks'), {
      cwd: ws.dir,
      env: j.processEnv(),
      encoding: 'utf8'
    })
    expect(run.stderr).not.toMatch(/^\s+#0 /m)
    const post = await j.runStep('post')
    const records = reportCrashes<Record>(post.outputs.report)
    expect(records).toHaveLength(2)
    expect(records.map((r) => r.blame?.line).sort()).toEqual(
      [
        crashLine('ubsan_checks', 'overflow-here'),
        crashLine('ubsan_checks', 'misaligned-here')
      ].sort()
    )
  }, 60_000)

  it('counts a diagnostic that ended its process with a core once: the crash', async () => {
    const ws = ready()
    if (!ws) return
    const j = job(ws, { UBSAN_OPTIONS: 'halt_on_error=1:abort_on_error=1' })
    await j.runStep('main')
    const run = spawnSync(ws.bin('ubsan_checks'), { cwd: ws.dir, env: j.processEnv() })
    expect(run.signal).toBe('SIGABRT')
    await waitForCrashes(j, 1)
    const post = await j.runStep('post')
    const records = reportCrashes<Record>(post.outputs.report)
    expect(records).toHaveLength(1)
    expect(records[0]!.pid).toBe(run.pid)
    expect(records[0]!.blame).toMatchObject({ function: 'add_weights', path: 'src/ubsan_checks.c' })
  }, 60_000)

  it('prints what a process wrote to the system log as inert text', async () => {
    const ws = ready()
    if (!ws) return
    execFileSync(
      'gcc',
      ['-g', '-o', 'bin/syslog_forger', join(ROOT, '__fixtures__/crashers/syslog_forger.c')],
      {
        cwd: ws.dir
      }
    )
    const j = job(ws)
    await j.runStep('main')
    spawnSync(ws.bin('syslog_forger'), { cwd: ws.dir, env: j.processEnv() })
    const post = await j.runStep('post')
    // A process may claim a diagnostic: it is reported, and none of its text acts.
    const [record, ...others] = reportCrashes<Record>(post.outputs.report)
    expect(others).toHaveLength(0)
    expect(record!.sanitizer?.tool).toBe('UndefinedBehaviorSanitizer')
    const commands = workflowCommands(post.stdout)
    expect(new Set(commands.map((c) => c.command))).toEqual(new Set(['group', 'endgroup', 'error']))
    expect(post.stdout).toContain('::warning::pwned%0A@everyone')
    const text = prose(post.summary)
    expect(text).not.toMatch(/<script|<img|@admin|@everyone/)
    expect(post.summary).toContain('pwned')
  }, 60_000)

  it('reports a data race with both accesses, blamed at the racing line', async () => {
    const ws = ready()
    if (!ws) return
    const j = job(ws)
    await j.runStep('main')
    expect(j.exported.TSAN_OPTIONS).toBe('log_to_syslog=1')
    const run = spawnSync(ws.bin('tsan_race'), {
      cwd: ws.dir,
      env: j.processEnv(),
      encoding: 'utf8'
    })
    expect(run.stderr).toMatch(/WARNING: ThreadSanitizer: data race/)
    expect(run.status).toBe(66)
    const post = await j.runStep('post')
    const [record, ...others] = reportCrashes<Record>(post.outputs.report)
    expect(others).toHaveLength(0)
    expect(record!.sanitizer).toMatchObject({ tool: 'ThreadSanitizer', kind: 'data race' })
    const [first, previous] = record!.sanitizer!.stacks
    expect(first!.title).toMatch(/^(Read|Write) of size 4 at 0x[0-9a-f]+ by thread T\d+:$/)
    expect(previous!.title).toMatch(
      /^Previous (read|write) of size 4 at 0x[0-9a-f]+ by thread T\d+:$/
    )
    for (const stack of [first, previous])
      expect(projectFrame(stack)).toMatchObject({
        function: 'count_hit',
        line: crashLine('tsan_race', 'race-here')
      })
    expect(record!.blame).toMatchObject({ function: 'count_hit', path: 'src/tsan_race.c' })
    expect(workflowCommands(post.stdout).find((c) => c.command === 'group')?.message).toMatch(
      /^💥 ThreadSanitizer: data race in count_hit \(src\/tsan_race\.c:\d+\)/
    )
  }, 60_000)

  it("groups standalone LeakSanitizer's leaks by their allocation, each report in the artifact", async () => {
    const ws = ready()
    if (!ws) return
    const j = new FakeJob({ workspace: ws.dir, inputs: { 'fail-on-crash': 'false' } })
    await j.runStep('main')
    const run = spawnSync(ws.bin('lsan_leak'), {
      cwd: ws.dir,
      env: j.processEnv(),
      encoding: 'utf8'
    })
    expect(run.stderr).toMatch(/ERROR: LeakSanitizer: detected memory leaks/)
    expect(run.status).toBe(23)
    const post = await j.runStep('post')
    const report = JSON.parse(readFileSync(post.outputs.report!, 'utf8')) as {
      groups: { count: number; crashes: Record[] }[]
    }
    expect(report.groups).toHaveLength(1)
    expect(report.groups[0]!.count).toBe(2)
    const [leak] = report.groups[0]!.crashes
    expect(leak!.sanitizer).toMatchObject({ tool: 'LeakSanitizer', kind: 'leak' })
    expect(leak!.sanitizer!.headline).toMatch(
      /^Direct leak of (64|128) byte\(s\) in 1 object\(s\)$/
    )
    expect(leak!.blame).toMatchObject({
      function: 'make_buffer',
      line: crashLine('lsan_leak', 'leak-here')
    })
    const bundle = /the bundle is at (\S+)/.exec(post.stdout)![1]!
    for (const record of report.groups[0]!.crashes)
      expect(readFileSync(join(bundle, record.id, 'sanitizer.txt'), 'utf8')).toMatch(
        /^Direct leak of \d+ byte\(s\) in 1 object\(s\) allocated from:\n\s+#0 /
      )
  }, 60_000)
})
