import { describe, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, copyFileSync, mkdirSync, readdirSync, utimesSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseCoredumpList } from '../src/collect/coredumpctl.js'
import {
  buildWithLibrary,
  crashLine,
  FakeJob,
  makeWorkspace,
  waitForCrashes,
  workflowCommands,
  type Workspace,
  reportCrashes
} from '../__fixtures__/e2e.js'
import { guardKernel, restoreKernel } from '../__fixtures__/kernel.js'
import { ensureUser, readableDist, type TestUser } from '../__fixtures__/users.js'

guardKernel()

interface Record {
  source: string
  executable: string | null
  executablePath: string | null
  executableReason: string | null
  problems: string[]
  signal: { name: string }
  blame: { function: string | null; path: string | null; line: number | null } | null
}

const records = (path: string | undefined) => reportCrashes<Record>(path)

/** A folder every user may write cores into, set as a file core_pattern by the test (root). */
function fileCorePattern(): string {
  const dir = join(tmpdir(), `crash-capture-cores-${process.pid}-${Date.now()}`)
  mkdirSync(dir)
  chmodSync(dir, 0o1777)
  restoreKernel({ '/proc/sys/kernel/core_pattern': `${dir}/core.%e.%p` })
  return dir
}

function userWorkspace(user: TestUser, programs: string[]): Workspace {
  const ws = makeWorkspace(programs)
  execFileSync('chown', ['-R', `${user.uid}:${user.gid}`, ws.dir])
  return ws
}

describe('collect without root: the raised core limit and a file core_pattern', () => {
  it('raises the runner’s soft core limit, then finds, identifies and backtraces the core file', async () => {
    const user = ensureUser('ccnosudo', false)
    const cores = fileCorePattern()
    const ws = userWorkspace(user, ['nullderef'])
    // An older core in the same folder: written before main, so it must be ignored.
    spawnSync('sh', ['-c', 'ulimit -c unlimited; ./bin/nullderef'], { cwd: ws.dir })
    const old = readdirSync(cores)[0]!
    utimesSync(join(cores, old), new Date(Date.now() - 3600_000), new Date(Date.now() - 3600_000))

    const job = new FakeJob({
      workspace: ws.dir,
      user,
      dist: readableDist(),
      inputs: { 'search-paths': `${cores}/*` }
    })
    // The shell stands for the runner's worker: main raises its soft limit, the crash inherits it.
    const main = await job.runStep('main', {
      shell: {
        before: 'ulimit -S -c 0',
        after: 'echo "soft core limit after main: $(ulimit -S -c)"; ./bin/nullderef'
      }
    })
    expect(main.code).toBe(0)
    expect(main.stdout).toContain('Mode: rlimit')
    expect(main.stdout).toMatch(/soft core limit after main: unlimited/)
    expect(main.stdout).toContain(`core_pattern writes cores to '${cores}/core.%e.%p'`)
    expect(readdirSync(cores)).toHaveLength(2)

    const post = await job.runStep('post')
    expect(post.code).toBe(1)
    expect(post.stdout).toContain('systemd-coredump is not installed')
    const found = records(post.outputs.report)
    expect(found).toHaveLength(1)
    expect(found[0]).toMatchObject({
      source: 'core-file',
      executablePath: ws.bin('nullderef'),
      signal: { name: 'SIGSEGV' }
    })
    expect(found[0]!.executableReason).toContain('build-id matches the core')
    expect(found[0]!.blame).toMatchObject({
      function: 'sum_list',
      path: 'src/nullderef.c',
      line: crashLine('nullderef')
    })
  })
})

describe('identify: a binary rebuilt after the crash', () => {
  it('is reported as a mismatch, never used, and the right one is found through executables', async () => {
    const cores = fileCorePattern()
    const ws = makeWorkspace(['nullderef'])
    copyFileSync(ws.bin('nullderef'), join(ws.dir, 'saved-nullderef'))
    const job = new FakeJob({
      workspace: ws.dir,
      inputs: { 'search-paths': `${cores}/*`, 'fail-on-crash': 'false' }
    })
    // As after a main step that could not install the handler (a read-only /proc/sys in a job
    // container): the file pattern stays, and post collects from the search paths.
    job.state = {
      capture: JSON.stringify({
        startedAt: Date.now() - 1000,
        mode: 'none',
        reason: 'read-only /proc/sys'
      })
    }
    spawnSync('sh', ['-c', 'ulimit -c unlimited; ./bin/nullderef'], { cwd: ws.dir })
    // Rebuild with other flags: same path, another build-id.
    execFileSync('gcc', ['-g', '-O1', '-o', 'bin/nullderef', 'src/nullderef.c'], { cwd: ws.dir })

    const mismatch = await job.runStep('post')
    const [record] = records(mismatch.outputs.report)
    expect(record!.executable).toBeNull()
    expect(record!.problems.join(' ')).toMatch(
      /Build-id mismatch: .*nullderef is not the binary that crashed/
    )
    expect(record!.signal.name).toBe('SIGSEGV')

    job.inputs.executables = `${ws.dir}/saved-*`
    const matched = await job.runStep('post')
    const [again] = records(matched.outputs.report)
    // gdb and the artifact read a private copy made from the file whose build-id was checked.
    expect(again!.executableReason).toContain(join(ws.dir, 'saved-nullderef'))
    expect(again!.executable).not.toBe(join(ws.dir, 'saved-nullderef'))
    expect(again!.blame).toMatchObject({ function: 'sum_list', line: crashLine('nullderef') })
    expect(
      workflowCommands(matched.stdout).some(
        (c) => c.command === 'error' && c.properties.file === 'src/nullderef.c'
      )
    ).toBe(true)
  })
})

describe('identify: a shared library rebuilt after the crash', () => {
  it('is reported as changed since the crash', async () => {
    const ws = makeWorkspace([])
    const build = () => buildWithLibrary(ws)
    build()
    const job = new FakeJob({
      workspace: ws.dir,
      inputs: { 'fail-on-crash': 'false', upload: 'none' }
    })
    await job.runStep('main')
    spawnSync('./bin/uselib', { cwd: ws.dir })
    await waitForCrashes(job, 1)
    execFileSync('sh', ['-c', 'echo "int rebuilt_marker;" >> src/mylib.c'], { cwd: ws.dir })
    build()
    const post = await job.runStep('post')
    const [record] = records(post.outputs.report)
    expect(record!.problems.join('\n')).toMatch(
      /The library .*libmylib\.so is not used: .*libmylib\.so changed since the crash \(build-id [0-9a-f]+ instead of [0-9a-f]+\)/
    )
  })
})

describe('systemd-coredump', () => {
  // coredumpctl list --json=short, in the shape systemd's coredumpctl.c builds (columns time,
  // pid, uid, gid, sig, corefile, exe, size); written from its source: this machine has no
  // systemd-coredump to record from.
  const listed = JSON.stringify([
    {
      time: 1764150000123456,
      pid: 4242,
      uid: 1001,
      gid: 1001,
      sig: 11,
      corefile: 'present',
      exe: '/home/runner/work/app/bin/haproxy',
      size: 123456
    },
    {
      time: 1764150001000000,
      pid: 4243,
      uid: 1001,
      gid: 1001,
      sig: 'SIGABRT',
      corefile: 'missing',
      exe: '/usr/bin/python3.12',
      size: null
    },
    { time: 'garbage', pid: 1 },
    null
  ])

  it('parses the list and skips entries that make no sense', () => {
    expect(parseCoredumpList(listed)).toEqual([
      {
        time: 1764150000123456,
        pid: 4242,
        uid: 1001,
        gid: 1001,
        signal: 11,
        corefile: 'present',
        exe: '/home/runner/work/app/bin/haproxy'
      },
      {
        time: 1764150001000000,
        pid: 4243,
        uid: 1001,
        gid: 1001,
        signal: 6,
        corefile: 'missing',
        exe: '/usr/bin/python3.12'
      }
    ])
    expect(parseCoredumpList('No coredumps found.')).toEqual([])
  })
})
