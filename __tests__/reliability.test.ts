import { describe, expect, it } from '@jest/globals'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import {
  crashLine,
  FakeJob,
  makeWorkspace,
  ROOT,
  waitForCrashes,
  workflowCommands,
  reportCrashes,
  sessionOf
} from '../__fixtures__/e2e.js'
import { guardKernel, readKernel } from '../__fixtures__/kernel.js'

// The reliability suite (RELIABILITY.md lists the scenarios and the latest figures). Each test
// fails when its guarantee breaks; the figures are printed with a `figure:` prefix.
const snapshot = guardKernel()

function figure(text: string): void {
  process.stdout.write(`figure: ${text}\n`)
}

interface CrashRecord {
  coreState: string
  coreNote: string | null
  comm: string
  executablePath: string | null
  problems: string[]
  signal: { name: string; address: string | null }
  threads: unknown[]
  blame: { function: string | null; line: number | null } | null
}

const records = (path: string | undefined) => reportCrashes<CrashRecord>(path)

/** Every file below `dir`, relative. */
function tree(dir: string): string[] {
  const out: string[] = []
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel))) {
      const path = rel ? `${rel}/${name}` : name
      if (statSync(join(dir, path), { throwIfNoEntry: false })?.isDirectory()) walk(path)
      else out.push(path)
    }
  }
  walk('')
  return out
}

describe('reliability: crash storm', () => {
  it('records every one of 200 simultaneous crashes, keeps max-cores in full, and does not stall', async () => {
    const ws = makeWorkspace(['storm'])
    const job = new FakeJob({
      workspace: ws.dir,
      inputs: { 'fail-on-crash': 'false', upload: 'none' }
    })
    await job.runStep('main')
    const started = Date.now()
    const storm = spawnSync('./bin/storm', ['200'], { cwd: ws.dir, encoding: 'utf8' })
    const stormMs = Date.now() - started
    expect(storm.stdout).toMatch(/children=200 cored=200/)
    await waitForCrashes(job, 200, 60_000)
    const post = await job.runStep('post')
    const all = records(post.outputs.report)
    expect(post.outputs.crashes).toBe('200')
    expect(all).toHaveLength(200)
    const full = all.filter((r) => r.coreState === 'complete')
    const dropped = all.filter((r) => r.coreState === 'dropped')
    expect(full).toHaveLength(50)
    expect(dropped).toHaveLength(150)
    for (const r of dropped) expect(r.coreNote).toMatch(/more than max-cores \(50\)/)
    for (const r of full)
      expect(r.blame).toMatchObject({ function: 'storm_crash', line: crashLine('storm') })
    // One bug, one group, with the right count.
    expect(post.outputs.groups).toBe('1')
    figure(
      `storm: ${storm.stdout.trim()}; crashes=200 records=${all.length} full=${full.length} dropped=${dropped.length}; step ${stormMs} ms, post ${post.ms.toFixed(0)} ms`
    )
  }, 180_000)
})

describe('reliability: disk guard', () => {
  it('never writes past a 64 MiB tmpfs: a 128 MiB core is cut and recorded as such', async () => {
    const mount = mkdtempSync('/tmp/cc-tmpfs-')
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m,mode=0755', 'tmpfs', mount])
    try {
      const ws = makeWorkspace(['bigmem'])
      const job = new FakeJob({
        workspace: ws.dir,
        inputs: {
          'crash-dir': mount,
          'min-free-space': '4M',
          'fail-on-crash': 'false',
          upload: 'none'
        }
      })
      await job.runStep('main')
      const session = sessionOf(job)
      spawnSync('./bin/bigmem', ['128'], { cwd: ws.dir })
      await waitForCrashes(job, 1, 60_000)
      const [crash] = readdirSync(join(session, 'crashes'))
      const core = join(session, 'crashes', crash!, 'core.zst')
      const stored = statSync(core).size
      const used =
        Number(
          execFileSync('df', ['-Pk', mount], { encoding: 'utf8' })
            .trim()
            .split('\n')[1]!
            .split(/\s+/)[2]
        ) * 1024
      expect(used).toBeLessThanOrEqual(64 * 1024 * 1024 - 4 * 1024 * 1024)
      expect(readFileSync(join(session, 'crashes', crash!, 'result'), 'utf8')).toMatch(
        /core=truncated\nreason=less than min-free-space/
      )
      const post = await job.runStep('post')
      const [record] = records(post.outputs.report)
      expect(record!.coreState).toBe('truncated')
      figure(
        `tmpfs: 64 MiB, min-free-space 4 MiB; 128 MiB incompressible crash: core.zst ${stored} bytes, tmpfs used ${used} bytes; post ${post.ms.toFixed(0)} ms`
      )
    } finally {
      spawnSync('umount', [mount])
      rmSync(mount, { recursive: true, force: true })
    }
  }, 120_000)
})

describe('reliability: handler safety', () => {
  it('never writes through a planted symlink and still records the crash', async () => {
    const ws = makeWorkspace(['late'])
    const job = new FakeJob({
      workspace: ws.dir,
      inputs: { 'fail-on-crash': 'false', upload: 'none' }
    })
    await job.runStep('main')
    const crashes = join(sessionOf(job), 'crashes')
    const target = mkdtempSync(join(tmpdir(), 'crash-capture-target-'))
    const child = spawn('./bin/late', { cwd: ws.dir, stdio: 'ignore' })
    const now = Math.floor(Date.now() / 1000)
    for (let t = now - 1; t <= now + 3; t++) symlinkSync(target, join(crashes, `${t}-${child.pid}`))
    await new Promise((resolve) => child.on('close', resolve))
    await waitForCrashes(job, 1)
    expect(readdirSync(target)).toEqual([])
    const written = readdirSync(crashes).filter((n) => n.endsWith(`-${child.pid}-2`))
    expect(written).toHaveLength(1)
    const post = await job.runStep('post')
    expect(
      records(post.outputs.report).find((r) => r.blame?.function === 'late_crash')
    ).toBeDefined()
  })

  it('treats hostile names as data: nothing runs, nothing lands outside the crash folder', async () => {
    const ws = makeWorkspace([])
    // Were any of this evaluated, `touch cc-pwned` would create that file in some cwd. A file
    // name cannot hold '/', so the path tricks go into the comm below.
    const marker = 'cc-pwned'
    const name = `x $(touch ${marker}) \`touch ${marker}\` '"; .. ${'long'.repeat(40)}`
    const nowhere = () => ['/', tmpdir(), ws.dir].every((dir) => !existsSync(join(dir, marker)))
    execFileSync('gcc', ['-g', '-O0', '-o', join(ws.dir, 'bin', name), '-x', 'c', '-'], {
      input: readFileSync(join(ROOT, '__fixtures__', 'crashers', 'named.c')),
      cwd: ws.dir
    })
    const job = new FakeJob({
      workspace: ws.dir,
      inputs: { 'fail-on-crash': 'false', upload: 'none' }
    })
    await job.runStep('main')
    const session = sessionOf(job)
    const comm = `$(touch ${marker})`.slice(0, 15)
    spawnSync(join(ws.dir, 'bin', name), [`$(touch ${marker})\n../../etc`], { cwd: ws.dir })
    await waitForCrashes(job, 1)
    expect(nowhere()).toBe(true)
    const files = tree(session)
    for (const file of files)
      expect(file).toMatch(
        /^(config|job\.json|tracking|self-check|crashes\/\d+-\d+\/[a-z.-]+|executables\/[\d-]+|tickets\/\d+|slots\/\d+)$/
      )
    // And the host capture around it holds only its own files.
    expect(readdirSync(dirname(dirname(session))).sort()).toEqual(
      ['handler.sh', 'host.json', 'jobs', 'unattributed'].sort()
    )
    expect(readdirSync(join(dirname(dirname(session)), 'unattributed'))).toEqual([])
    const [crash] = readdirSync(join(session, 'crashes'))
    expect(readFileSync(join(session, 'crashes', crash!, 'comm'), 'utf8')).toBe(comm)
    const post = await job.runStep('post')
    expect(nowhere()).toBe(true)
    const [record] = records(post.outputs.report)
    expect(record!.comm).toBe(comm)
    expect(record!.executablePath).toBe(join(ws.dir, 'bin', name))
  })

  it('exits promptly on hostile arguments, a closed stdin and a crash folder removed mid-run', async () => {
    const ws = makeWorkspace([])
    const job = new FakeJob({ workspace: ws.dir, inputs: { upload: 'none' } })
    await job.runStep('main')
    const session = sessionOf(job)
    const handler = join(dirname(dirname(session)), 'handler.sh')
    const marker = join(tmpdir(), `crash-capture-args-${process.pid}`)
    const sleeper = spawn('sleep', ['30'])
    try {
      const run = (args: string[], stdin: 'closed' | 'slow') => {
        const started = Date.now()
        const shell =
          stdin === 'closed'
            ? `exec "$0" "$@" <&-`
            : `(sleep 1; head -c 1048576 /dev/zero) | "$0" "$@"`
        const result = spawnSync('sh', ['-c', shell, handler, ...args], { timeout: 20_000 })
        return { ms: Date.now() - started, status: result.status }
      }
      const now = String(Math.floor(Date.now() / 1000))
      const hostile = run([`$(touch ${marker})`, '1', '11', now, '0', '0', '0', '1', 'x'], 'closed')
      expect(existsSync(marker)).toBe(false)
      expect(readdirSync(join(session, 'crashes'))).toEqual([])
      expect(hostile.ms).toBeLessThan(5000)

      const closed = run(
        [String(sleeper.pid), String(sleeper.pid), '11', now, '0', '0', '0', '1', 'sleep'],
        'closed'
      )
      expect(closed.status).toBe(0)
      expect(closed.ms).toBeLessThan(10_000)
      const [first] = readdirSync(join(session, 'crashes'))
      expect(readFileSync(join(session, 'crashes', first!, 'result'), 'utf8')).toMatch(/^core=/)

      // Remove the crashes folder while the handler waits on a slow core.
      const removal = setTimeout(
        () => rmSync(join(session, 'crashes'), { recursive: true, force: true }),
        500
      )
      const removed = run(
        [
          String(sleeper.pid),
          String(sleeper.pid),
          '11',
          String(Number(now) + 1),
          '0',
          '0',
          '0',
          '1',
          'sleep'
        ],
        'slow'
      )
      clearTimeout(removal)
      expect(removed.ms).toBeLessThan(10_000)
      figure(
        `handler: hostile args ${hostile.ms} ms, closed stdin ${closed.ms} ms, folder removed mid-run ${removed.ms} ms`
      )
    } finally {
      sleeper.kill()
      mkdirSync(join(session, 'crashes'), { recursive: true })
      await job.runStep('post')
    }
  })
})

describe('reliability: gdb trouble', () => {
  function fakeBin(dir: string, gdb: string | null): string {
    const bin = join(dir, 'fake-bin')
    mkdirSync(bin)
    // Only the tools post needs, gdb left out or replaced.
    for (const tool of [
      'zstd',
      'tee',
      'rm',
      'install',
      'env',
      'sh',
      'cat',
      'head',
      'tr',
      'mkdir',
      'rmdir',
      'flock'
    ]) {
      const real = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim()
      symlinkSync(real, join(bin, tool))
    }
    if (gdb) {
      writeFileSync(join(bin, 'gdb'), `#!/bin/sh\n${gdb}\n`)
      chmodSync(join(bin, 'gdb'), 0o755)
    }
    return bin
  }

  async function postWith(
    gdb: string | null,
    inputs: Record<string, string> = {},
    extra?: (bin: string) => void
  ) {
    const ws = makeWorkspace(['threads'])
    const job = new FakeJob({
      workspace: ws.dir,
      inputs: { 'fail-on-crash': 'false', upload: 'none', ...inputs }
    })
    await job.runStep('main')
    spawnSync('./bin/threads', { cwd: ws.dir })
    await waitForCrashes(job, 1)
    const bin = fakeBin(ws.dir, gdb)
    extra?.(bin)
    const post = await job.runStep('post', { env: { PATH: bin } })
    return { post, bin, record: records(post.outputs.report)[0]! }
  }

  it('reports from the ELF reader alone when gdb is missing and cannot be installed', async () => {
    const { post, record } = await postWith(null, {}, (bin) => {
      writeFileSync(
        join(bin, 'apt-get'),
        '#!/bin/sh\necho "E: Unable to locate package gdb" >&2\nexit 100\n'
      )
      chmodSync(join(bin, 'apt-get'), 0o755)
    })
    expect(post.code).toBe(0)
    expect(workflowCommands(post.stdout).find((c) => c.command === 'warning')?.message).toMatch(
      /gdb could not be installed with apt-get: .*Unable to locate package gdb.*Crashes are reported without backtraces/
    )
    expect(record.problems).toContain('gdb is not installed and could not be installed')
    expect(record.signal).toMatchObject({ name: 'SIGSEGV', address: '0x0' })
    expect(record.threads).toHaveLength(6)
    expect(record.executablePath).toMatch(/\/bin\/threads$/)
    const quiet = await postWith(null, { 'install-gdb': 'false' })
    expect(quiet.record.problems).toContain('gdb is not installed (install-gdb is false)')
  })

  it('installs gdb with the package manager when it is missing and something crashed', async () => {
    // A stand-in apt-get that "installs" the machine's gdb into the step's PATH.
    const { post, record, bin } = await postWith(null, {}, (bin) => {
      const gdb = execFileSync('sh', ['-c', 'command -v gdb'], { encoding: 'utf8' }).trim()
      writeFileSync(
        join(bin, 'apt-get'),
        `#!/bin/sh\necho "apt-get $*" >> ${bin}/apt.log\ncase "$*" in *install*) ln -sf ${gdb} ${bin}/gdb;; esac\n`
      )
      chmodSync(join(bin, 'apt-get'), 0o755)
    })
    expect(post.stdout).toContain('gdb is not installed; installing it')
    expect(readFileSync(join(bin, 'apt.log'), 'utf8')).toMatch(
      /^apt-get install -y --no-install-recommends gdb$/m
    )
    expect(record.problems).toEqual([])
    expect(record.blame).toMatchObject({ function: 'do_work', line: crashLine('threads') })
  })

  it('survives a gdb that crashes', async () => {
    const { record } = await postWith('kill -SEGV $$')
    expect(record.problems.join(' ')).toMatch(/gdb was killed by SIGSEGV/)
    expect(record.threads).toHaveLength(6)
  })

  it('bounds a gdb that prints megabytes', async () => {
    const { post, record } = await postWith('head -c 50000000 /dev/zero | tr "\\0" x; exit 0')
    expect(post.ms).toBeLessThan(30_000)
    expect(record.problems.join(' ')).toMatch(/gdb wrote no backtrace/)
    expect(post.stdout.length).toBeLessThan(2_000_000)
  })
})

describe('reliability: restoration', () => {
  it('restores the settings after main ran twice in one job, posts in reverse order', async () => {
    const ws = makeWorkspace(['nullderef'])
    const first = new FakeJob({
      workspace: ws.dir,
      inputs: { 'fail-on-crash': 'false', upload: 'none' }
    })
    // The same job: the same tracking id. Its later registration receives its crashes.
    const second = new FakeJob({
      workspace: ws.dir,
      inputs: { 'fail-on-crash': 'false', upload: 'none' },
      trackingId: first.trackingId
    })
    await first.runStep('main')
    const afterFirst = readKernel()
    await second.runStep('main')
    spawnSync('./bin/nullderef', { cwd: ws.dir, env: second.processEnv() })
    await waitForCrashes(second, 1)
    const post2 = await second.runStep('post')
    expect(post2.outputs.crashes).toBe('1')
    expect(readKernel()).toEqual(afterFirst)
    const post1 = await first.runStep('post')
    expect(post1.code).toBe(0)
    expect(readKernel()).toEqual(snapshot())
  })

  it('repairs, without failing, a handler a dead job left installed on a reused machine', async () => {
    const ws = makeWorkspace(['nullderef'])
    const dead = new FakeJob({ workspace: ws.dir, env: { GITHUB_RUN_ID: '1001' } })
    // Its runner process (the shell around the step) is gone afterwards; its post never runs.
    await dead.runStep('main', { shell: {} })
    const stale = sessionOf(dead)
    const next = new FakeJob({
      workspace: ws.dir,
      env: { GITHUB_RUN_ID: '1002' },
      inputs: { upload: 'none' }
    })
    const main = await next.runStep('main')
    expect(main.code).toBe(0)
    const warnings = workflowCommands(main.stdout).filter((c) => c.command === 'warning')
    expect(warnings.map((w) => w.message).join('\n')).toMatch(
      /1 job\(s\) that ended without their post step had registered with crash-capture on this machine; their leftovers were removed/
    )
    expect(existsSync(stale)).toBe(false)
    spawnSync('./bin/nullderef', { cwd: ws.dir })
    await waitForCrashes(next, 1)
    const post = await next.runStep('post')
    expect(post.outputs.crashes).toBe('1')
    expect(readKernel()).toEqual(snapshot())
  })
})
