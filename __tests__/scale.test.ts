import { describe, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  crashLine,
  FakeJob,
  makeWorkspace,
  ROOT,
  STEP_NODE,
  waitForCrashes,
  workflowCommands
} from '../__fixtures__/e2e.js'
import { guardKernel } from '../__fixtures__/kernel.js'
import { analyzeAll } from '../src/analyze/gdb.js'
import { ExecutableCandidates, identify } from '../src/collect/identify.js'
import { crashFromCoreFile } from '../src/collect/stray.js'
import { stageBundle, UploadMode } from '../src/upload/bundle.js'

// Output that reads well at scale: a storm of one bug is one section, not N copies.
guardKernel()

describe('scale: a storm of one bug', () => {
  it('logs the group once with a line per duplicate, bundles the first cores only, and keeps every record', async () => {
    const ws = makeWorkspace(['nullderef', 'abort', 'threads'])
    const job = new FakeJob({
      workspace: ws.dir,
      inputs: { 'fail-on-crash': 'false', 'max-cores-per-group': '2' }
    })
    await job.runStep('main')
    for (let i = 0; i < 6; i++)
      spawnSync(ws.bin('nullderef'), { cwd: ws.dir, env: job.processEnv() })
    spawnSync(ws.bin('abort'), { cwd: ws.dir, env: job.processEnv() })
    spawnSync(ws.bin('threads'), { cwd: ws.dir, env: job.processEnv() })
    await waitForCrashes(job, 8)
    const post = await job.runStep('post')
    const commands = workflowCommands(post.stdout)

    // The log: one section per group, the storm's with one line per further crash.
    const groups = commands.filter((c) => c.command === 'group').map((c) => c.message)
    expect(groups).toHaveLength(3)
    expect(groups.find((g) => g.includes('nullderef'))).toMatch(
      /\(\+5 more of the same signature\)$/
    )
    expect(post.stdout.match(/^Same crash: pid \d+, SIGSEGV/gm)).toHaveLength(5)

    // The annotation starts at the blamed frame, counting the runtime frames above it.
    const abort = commands.find((c) => c.command === 'error' && c.properties.file === 'src/abort.c')
    expect(abort?.message).toMatch(
      /\n\(\d+ runtime frames? above\)\n#\d+ check_invariant at src\/abort\.c:\d+/
    )

    // The all-threads text only where there is more than the crashing thread.
    const report = JSON.parse(readFileSync(post.outputs.report!, 'utf8')) as {
      groups: {
        count: number
        crashes: { id: string; executablePath: string; backtrace: string }[]
      }[]
    }
    const text = (name: string) =>
      readFileSync(
        report.groups.flatMap((g) => g.crashes).find((c) => c.executablePath === ws.bin(name))!
          .backtrace,
        'utf8'
      )
    expect(text('nullderef')).toContain('Crashing thread')
    expect(text('nullderef')).not.toMatch(/^Thread \d+ \(/m)
    expect(text('threads')).toMatch(/^Thread \d+ \(/m)

    // The artifact: every crash's record, the first 2 cores of the storm.
    const bundle = post.stdout.match(/the bundle is at (\S+)/)![1]!
    const storm = report.groups.find((g) => g.count === 6)!.crashes.map((c) => c.id)
    const cores = storm.filter((id) => existsSync(join(bundle, id, 'core.zst')))
    expect(cores).toHaveLength(2)
    for (const id of storm) expect(readdirSync(join(bundle, id))).toContain('crash.json')
    const left = storm.filter((id) => !cores.includes(id))
    for (const id of left)
      expect(readFileSync(join(bundle, id, 'crash.json'), 'utf8')).toContain('max-cores-per-group')

    // After the first, a crash at the same site is not decompressed nor given to gdb: the
    // first one's backtrace stands for it, and its record says so.
    const records = report.groups.flatMap((g) => g.crashes) as unknown as {
      id: string
      twinOf: string | null
      problems: string[]
    }[]
    const twins = records.filter((r) => storm.includes(r.id) && r.twinOf)
    expect(twins).toHaveLength(5)
    // A twin's core is in the artifact as the handler compressed it, and opens in gdb.
    expect(cores).toContain(storm[1])
    const debug = spawnSync('sh', [join(bundle, storm[1]!, 'debug.sh'), '-batch', '-ex', 'bt'], {
      encoding: 'utf8'
    })
    expect(debug.stdout).toMatch(/in sum_list \(/)
    for (const twin of twins) {
      expect(twin.twinOf).toBe(storm[0])
      expect(twin.problems.join(' ')).toMatch(
        /^Backtraced as \d+-\d+: it crashed at the same place/
      )
    }
  }, 60_000)

  it('backtraces a crash of the same function reached through other calls on its own', async () => {
    const ws = makeWorkspace(['paths'])
    const job = new FakeJob({
      workspace: ws.dir,
      inputs: { 'fail-on-crash': 'false', upload: 'none', 'max-cores-per-group': '1' }
    })
    await job.runStep('main')
    const runs = ['log', 'log', 'log', 'setvar', 'setvar', 'other']
    for (const path of runs)
      spawnSync(ws.bin('paths'), [path], { cwd: ws.dir, env: job.processEnv() })
    await waitForCrashes(job, runs.length)
    const post = await job.runStep('post')
    const report = JSON.parse(readFileSync(post.outputs.report!, 'utf8')) as {
      groups: { crashes: { id: string; commandLine: string[]; twinOf: string | null }[] }[]
    }
    const records = report.groups
      .flatMap((g) => g.crashes)
      .sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }))
    const byPath = (path: string) => records.filter((r) => r.commandLine[1] === path)
    // Same instruction, other callers: other return addresses on the stack, another site.
    const [log, setvar, other] = [byPath('log'), byPath('setvar'), byPath('other')]
    expect(log.map((r) => r.twinOf)).toEqual([null, log[0]!.id, log[0]!.id])
    expect(setvar.map((r) => r.twinOf)).toEqual([null, setvar[0]!.id])
    expect(other.map((r) => r.twinOf)).toEqual([null])
  }, 60_000)
})

describe("scale: gdb's index of the system libraries, built by main", () => {
  it('is built in the background in a private folder, and removed by post', async () => {
    const ws = makeWorkspace(['nullderef'])
    const job = new FakeJob({ workspace: ws.dir, inputs: { 'fail-on-crash': 'false' } })
    await job.runStep('main')
    const dir = job.state.gdbIndex!
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    // The C library this machine's programs run with, by its build-id.
    const libc = readFileSync('/proc/self/maps', 'utf8').match(/\/\S*\/libc\.so\.6$/m)![0]
    const buildId = /Build ID: ([0-9a-f]+)/.exec(
      execFileSync('readelf', ['-n', libc], { encoding: 'utf8' })
    )![1]!
    for (let waited = 0; waited < 30_000; waited += 100) {
      if (readdirSync(dir).includes(`${buildId}.gdb-index`)) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(readdirSync(dir)).toContain(`${buildId}.gdb-index`)
    spawnSync(ws.bin('nullderef'), [], { cwd: ws.dir, env: job.processEnv() })
    await waitForCrashes(job, 1)
    const post = await job.runStep('post')
    expect(post.stdout).toMatch(/SIGSEGV in sum_list/)
    expect(existsSync(dir)).toBe(false)
  }, 60_000)
})

describe('scale: file cores of one bug, read where they lie', () => {
  /** A tmpfs for the cores: another file system than the stage's, as /tmp often is. */
  function coresOnTmpfs(): { dir: string; done: () => void } {
    const dir = mkdtempSync(join(tmpdir(), 'crash-capture-cores-'))
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256m,mode=1777', 'tmpfs', dir])
    return {
      dir,
      done: () => {
        spawnSync('umount', [dir])
        rmSync(dir, { recursive: true, force: true })
      }
    }
  }

  /** Runs main, sets a file core_pattern in `dir` as a later step would, crashes `runs`. */
  async function crashIntoFiles(dir: string, runs: string[], inputs: Record<string, string>) {
    const ws = makeWorkspace(['paths'])
    const job = new FakeJob({
      workspace: ws.dir,
      inputs: { 'fail-on-crash': 'false', 'search-paths': `${dir}/core.*`, ...inputs }
    })
    await job.runStep('main')
    writeFileSync('/proc/sys/kernel/core_pattern', `${dir}/core.%e.%p`)
    for (const path of runs)
      spawnSync('sh', ['-c', 'ulimit -c unlimited; exec "$0" "$1"', ws.bin('paths'), path], {
        cwd: ws.dir,
        env: job.processEnv()
      })
    expect(readdirSync(dir)).toHaveLength(runs.length)
    return { ws, job }
  }

  interface Records {
    groups: {
      crashes: { id: string; commandLine: string[]; twinOf: string | null; problems: string[] }[]
    }[]
  }
  /** The records of a report, by the argument of `paths` they ran with. */
  const byPath = (report: Records, path: string) =>
    report.groups
      .flatMap((g) => g.crashes)
      .filter((r) => r.commandLine.join(' ').endsWith(` ${path}`))

  it('finds twins in the cores themselves and stores the kept cores sparse, from another file system', async () => {
    const cores = coresOnTmpfs()
    try {
      const { job } = await crashIntoFiles(cores.dir, ['log', 'log', 'log', 'setvar'], {
        'max-cores-per-group': '2'
      })
      const post = await job.runStep('post')
      expect(post.code).toBe(0)
      const report = JSON.parse(readFileSync(post.outputs.report!, 'utf8')) as Records
      const logs = byPath(report, 'log')
      const [setvar] = byPath(report, 'setvar')
      // The first crash of each site is backtraced; the others of its site stand on it.
      const first = logs.find((r) => r.twinOf === null)!
      const twins = logs.filter((r) => r !== first)
      expect(twins.map((r) => r.twinOf)).toEqual([first.id, first.id])
      expect(setvar!.twinOf).toBeNull()
      expect(twins[0]!.problems.join(' ')).toMatch(
        /^Backtraced as core-\d+-\d+: it crashed at the same place/
      )
      expect(post.stdout).toMatch(/in from_log_format \(/)

      // The bundle: 2 cores of the storm, through tar (holes kept); a twin's opens in gdb.
      const bundle = post.stdout.match(/the bundle is at (\S+)/)![1]!
      const kept = logs.filter((r) => existsSync(join(bundle, r.id, 'core.tar.zst')))
      expect(kept).toHaveLength(2)
      const twin = kept.find((r) => r !== first)!
      const debug = spawnSync('sh', [join(bundle, twin.id, 'debug.sh'), '-batch', '-ex', 'bt'], {
        encoding: 'utf8'
      })
      expect(debug.stdout).toMatch(/in from_log_format \(/)
      const unpacked = statSync(join(bundle, twin.id, 'core'))
      expect(unpacked.blocks * 512).toBeLessThan(unpacked.size)
      // The cores stay where they lie: read there, never moved.
      expect(readdirSync(cores.dir)).toHaveLength(4)
    } finally {
      cores.done()
    }
  }, 60_000)

  it("stores a core with plain zstd where tar cannot keep holes (busybox's, as on Alpine)", async () => {
    const busybox = spawnSync('sh', ['-c', 'command -v busybox'], {
      encoding: 'utf8'
    }).stdout.trim()
    if (!busybox) {
      process.stdout.write('skipped: busybox is not installed\n')
      return
    }
    const cores = coresOnTmpfs()
    try {
      const tools = mkdtempSync(join(tmpdir(), 'crash-capture-busybox-'))
      symlinkSync(busybox, join(tools, 'tar'))
      const { job } = await crashIntoFiles(cores.dir, ['log'], {})
      const post = await job.runStep('post', { env: { PATH: `${tools}:${process.env.PATH}` } })
      const bundle = post.stdout.match(/the bundle is at (\S+)/)![1]!
      const [record] = JSON.parse(readFileSync(post.outputs.report!, 'utf8')).groups[0].crashes
      expect(readdirSync(join(bundle, record.id))).toContain('core.zst')
      const debug = spawnSync('sh', [join(bundle, record.id, 'debug.sh'), '-batch', '-ex', 'bt'], {
        encoding: 'utf8'
      })
      expect(debug.stdout).toMatch(/in from_log_format \(/)
    } finally {
      cores.done()
    }
  }, 60_000)

  it('reports a core deleted after it was collected, with every crash and the bundle', async () => {
    const cores = coresOnTmpfs()
    try {
      // A gdb script of the project's that removes the cores as gdb reads the first one: the
      // artifact's cores are staged while gdb runs, so each is in it or said to be gone.
      const script = join(mkdtempSync(join(tmpdir(), 'crash-capture-script-')), 'remove.py')
      writeFileSync(
        script,
        `import os\nfor name in os.listdir(${JSON.stringify(cores.dir)}):\n    os.remove(os.path.join(${JSON.stringify(cores.dir)}, name))\n`
      )
      const { job } = await crashIntoFiles(cores.dir, ['log', 'log', 'setvar'], {
        'gdb-scripts': script
      })
      const post = await job.runStep('post')
      expect(post.code).toBe(0)
      expect(readdirSync(cores.dir)).toHaveLength(0)
      const report = JSON.parse(readFileSync(post.outputs.report!, 'utf8')) as Records
      expect(report.groups.flatMap((g) => g.crashes)).toHaveLength(3)
      const bundle = post.stdout.match(/the bundle is at (\S+)/)![1]!
      for (const record of report.groups.flatMap((g) => g.crashes)) {
        const files = readdirSync(join(bundle, record.id))
        expect(files).toContain('crash.json')
        const gone = readFileSync(join(bundle, record.id, 'crash.json'), 'utf8').includes(
          'the core was gone from its folder when the artifact was staged'
        )
        expect(gone || files.includes('core.tar.zst')).toBe(true)
        expect(files.includes('debug.sh')).toBe(!gone)
      }

      // Staged after the cores are gone: every record, no core, no debug.sh, and why.
      const stage = mkdtempSync(join(tmpdir(), 'crash-capture-stage-'))
      const { job: again } = await crashIntoFiles(cores.dir, ['log', 'setvar'], {})
      const crashes = []
      for (const [index, name] of readdirSync(cores.dir).entries()) {
        const crash = await crashFromCoreFile(join(cores.dir, name), 0, stage, index + 1)
        await identify(crash, new ExecutableCandidates([], stage))
        crashes.push(crash)
      }
      // Its own post (with the cores in place) ends the job; then the cores go.
      await again.runStep('post')
      for (const name of readdirSync(cores.dir)) rmSync(join(cores.dir, name))
      const analyses = await analyzeAll(crashes, new Map(), { missing: 'not needed here' })
      const staged = await stageBundle(analyses, stage, UploadMode.All, 1 << 30)
      for (const crash of crashes) {
        const files = readdirSync(join(staged.root, crash.id))
        expect(files).toEqual(['crash.json'])
        expect(readFileSync(join(staged.root, crash.id, 'crash.json'), 'utf8')).toContain(
          'the core was gone from its folder when the artifact was staged'
        )
      }
    } finally {
      cores.done()
    }
  }, 60_000)
})

describe('cores of another machine: an aarch64 program under qemu-user', () => {
  it("reports the program's own core at its line with gdb-multiarch, in place of the emulator's crash", async () => {
    const missing = ['qemu-aarch64', 'aarch64-linux-gnu-gcc', 'gdb-multiarch'].find(
      (tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0
    )
    if (missing) {
      process.stdout.write(`skipped: ${missing} is not installed\n`)
      return
    }
    // A PIE, as gcc builds by default: qemu's core holds neither NT_FILE nor the program's
    // first page, so post places its symbols from AT_ENTRY.
    const ws = makeWorkspace([
      { name: 'nullderef-arm', source: 'nullderef', cc: 'aarch64-linux-gnu-gcc' }
    ])
    const job = new FakeJob({ workspace: ws.dir, inputs: { 'fail-on-crash': 'false' } })
    await job.runStep('main')
    spawnSync(
      'sh',
      [
        '-c',
        'ulimit -c unlimited; exec qemu-aarch64 -L /usr/aarch64-linux-gnu ./bin/nullderef-arm'
      ],
      { cwd: ws.dir, env: job.processEnv(), stdio: 'ignore' }
    )
    await waitForCrashes(job, 1)
    const post = await job.runStep('post')
    expect(post.code).toBe(0)
    const report = JSON.parse(readFileSync(post.outputs.report!, 'utf8')) as {
      groups: {
        crashes: { id: string; executablePath: string | null; signal: number; problems: string[] }[]
      }[]
    }
    const records = report.groups.flatMap((g) => g.crashes)
    expect(records).toHaveLength(1)
    expect(records[0]!.id).toMatch(/^qemu-/)
    expect(records[0]!.executablePath).toBe(ws.bin('nullderef-arm'))
    expect(records[0]!.problems.join('\n')).toMatch(/Run by qemu-aarch64 \(pid \d+\)/)
    expect(records[0]!.problems.join('\n')).toMatch(
      /A core of aarch64: backtraced with gdb-multiarch/
    )
    const group = workflowCommands(post.stdout).find((c) => c.command === 'group')
    expect(group?.message).toMatch(/SIGSEGV in sum_list \(src\/nullderef\.c:\d+\)/)
    const annotation = workflowCommands(post.stdout).find((c) => c.command === 'error')
    expect(annotation?.properties.file).toBe('src/nullderef.c')
    // On a laptop of another machine, debug.sh opens it with gdb-multiarch, symbols in place.
    const bundle = post.stdout.match(/the bundle is at (\S+)/)![1]!
    const debug = spawnSync(
      'sh',
      [join(bundle, records[0]!.id, 'debug.sh'), '-batch', '-ex', 'bt', '-ex', 'show architecture'],
      { encoding: 'utf8' }
    )
    expect(debug.stdout).toMatch(
      /#0 +0x[0-9a-f]+ in sum_list \(head=0x0\) at src\/nullderef\.c:\d+/
    )
    expect(debug.stdout).toMatch(/aarch64/)

    // Without a core limit qemu writes no core of the program: its own crash says how to.
    const again = new FakeJob({ workspace: ws.dir, inputs: { 'fail-on-crash': 'false' } })
    await again.runStep('main')
    spawnSync(
      'sh',
      ['-c', 'ulimit -c 0; exec qemu-aarch64 -L /usr/aarch64-linux-gnu ./bin/nullderef-arm'],
      { cwd: ws.dir, env: again.processEnv(), stdio: 'ignore' }
    )
    await waitForCrashes(again, 1)
    const second = await again.runStep('post')
    const emulator = (
      JSON.parse(readFileSync(second.outputs.report!, 'utf8')) as typeof report
    ).groups.flatMap((g) => g.crashes)
    expect(emulator).toHaveLength(1)
    expect(emulator[0]!.executablePath).toMatch(/qemu-aarch64$/)
    expect(emulator[0]!.problems.join('\n')).toMatch(
      /qemu-aarch64 re-raised the signal of the program it ran: with cores allowed \(ulimit -c unlimited\)/
    )
  }, 60_000)
})

describe('the artifact on a laptop', () => {
  it('opens with the sources of another checkout through CRASH_SOURCES, and says how without', async () => {
    const ws = makeWorkspace(['nullderef'])
    // The same program built from an absolute source path: DWARF then names the CI workspace.
    execFileSync('gcc', ['-g', '-O0', '-o', ws.bin('absolute'), join(ws.dir, 'src', 'nullderef.c')])
    const job = new FakeJob({ workspace: ws.dir, inputs: { 'fail-on-crash': 'false' } })
    await job.runStep('main')
    spawnSync(ws.bin('nullderef'), { cwd: ws.dir, env: job.processEnv() })
    await waitForCrashes(job, 1)
    spawnSync(ws.bin('absolute'), { cwd: ws.dir, env: job.processEnv() })
    await waitForCrashes(job, 2)
    const post = await job.runStep('post')
    const bundle = post.stdout.match(/the bundle is at (\S+)/)![1]!
    const report = JSON.parse(readFileSync(join(bundle, 'report.json'), 'utf8')) as {
      groups: { crashes: { id: string; executablePath: string }[] }[]
    }
    const idOf = (name: string) =>
      report.groups.flatMap((g) => g.crashes).find((c) => c.executablePath === ws.bin(name))!.id
    const id = idOf('nullderef')
    // The CI build directory is gone; the developer has a checkout elsewhere.
    const checkout = mkdtempSync(join(tmpdir(), 'crash-capture-checkout-'))
    execFileSync('cp', ['-r', join(ws.dir, 'src'), checkout])
    execFileSync('rm', ['-rf', ws.dir])
    const open = (env: NodeJS.ProcessEnv) =>
      spawnSync('sh', [join(bundle, id, 'debug.sh'), '-batch', '-ex', 'list sum_list'], {
        encoding: 'utf8',
        env: { ...process.env, ...env }
      })
    const blind = open({})
    expect(blind.stderr).toContain('run it with CRASH_SOURCES=<your checkout>')
    expect(blind.stdout).not.toContain('/* crash-here */')
    const seeing = open({ CRASH_SOURCES: checkout })
    expect(seeing.stdout).toMatch(new RegExp(`^${crashLine('nullderef')}\\s.*crash-here`, 'm'))
    // Through the local command, for the absolute-path build too (substitute-path).
    const viaOpen = spawnSync(
      STEP_NODE,
      [
        join(ROOT, 'dist/cli.js'),
        'open',
        bundle,
        '--crash',
        idOf('absolute'),
        '--source-dir',
        checkout,
        '--',
        '-batch',
        '-ex',
        'list sum_list'
      ],
      { encoding: 'utf8' }
    )
    expect(viaOpen.stdout).toMatch(new RegExp(`^${crashLine('nullderef')}\\s.*crash-here`, 'm'))
  }, 60_000)
})
