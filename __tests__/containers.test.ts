import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import {
  chmodSync,
  copyFileSync,
  existsSync,
  readdirSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import {
  crashLine,
  FakeJob,
  makeWorkspace,
  waitForCrashes,
  workflowCommands,
  type Workspace,
  reportCrashes
} from '../__fixtures__/e2e.js'
import { guardKernel, readKernel } from '../__fixtures__/kernel.js'
import { expectOtherRootCrash, otherRootfs } from '../__fixtures__/rootfs.js'
import { fileBuildId } from '../src/elf/core-file.js'

// Where the handler cannot be seen by the kernel (it runs pipe handlers in the initial mount
// namespace): main's self-check notices, says why, and falls back to a file core_pattern that
// the kernel resolves in the crashing process's own view.
const snapshot = guardKernel()

// main raises its parent's soft core limit (here: jest's) for the file pattern; put it back.
let limit = ''
beforeEach(() => {
  limit = execFileSync(
    'prlimit',
    ['--pid', String(process.pid), '--core', '--raw', '--noheadings', '--output', 'SOFT,HARD'],
    {
      encoding: 'utf8'
    }
  ).trim()
})
afterEach(() => {
  const [soft, hard] = limit.split(/\s+/)
  execFileSync('prlimit', ['--pid', String(process.pid), `--core=${soft}:${hard}`])
})

interface CrashRecord {
  executablePath: string | null
  blame: { path: string; line: number } | null
}

const records = (path: string | undefined) => reportCrashes<CrashRecord>(path)

async function laterStepCrashes(job: FakeJob, ws: Workspace) {
  const run = spawnSync(ws.bin('nullderef'), { cwd: ws.dir, env: job.processEnv() })
  expect(run.signal).toBe('SIGSEGV')
  const post = await job.runStep('post')
  expect(post.code).toBe(0)
  const [record] = records(post.outputs.report)
  expect(record?.executablePath).toBe(ws.bin('nullderef'))
  expect(record?.blame).toMatchObject({ path: 'src/nullderef.c', line: crashLine('nullderef') })
  expect(readKernel()).toEqual(snapshot())
  return post
}

/**
 * A command line that runs a step in a mount namespace of its own (and a pid namespace, like a
 * container, with `pid`), after `setup` (shell) has made its mounts. The shell drops variables
 * whose names are not its own kind (`INPUT_FAIL-ON-CRASH`): `env` puts the inputs back.
 */
function namespace(setup: string, pid = false, inputs: Record<string, string> = {}): string[] {
  return [
    'unshare',
    '--mount',
    '--propagation',
    'private',
    ...(pid ? ['--pid', '--fork', '--mount-proc'] : []),
    'sh',
    '-c',
    `set -e; mkdir -p /var/lib/crash-capture; mount -t tmpfs -o mode=0755 tmpfs /var/lib/crash-capture; ${setup}; exec "$0" "$@"`,
    'env',
    ...Object.entries(inputs).map(([name, value]) => `INPUT_${name.toUpperCase()}=${value}`)
  ]
}

/** A fresh folder like a runner's temp folder (root's, 0755). */
function folder(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  chmodSync(dir, 0o755)
  return dir
}

const facts = (stdout: string) => workflowCommands(stdout).filter((c) => c.command === 'warning')

describe('containers: where the kernel can run the handler', () => {
  it('moves the handler to RUNNER_TEMP when the crash-dir is private to a mount namespace', async () => {
    const ws = makeWorkspace(['nullderef'])
    const job = new FakeJob({
      workspace: ws.dir,
      inputs: { 'fail-on-crash': 'false', upload: 'none' }
    })
    await job.init()
    chmodSync(job.temp, 0o755)
    const main = await job.runStep('main', { wrap: namespace(':', false, job.inputs) })
    expect(main.code).toBe(0)
    expect(main.stdout).toContain('Mode: pipe-handler')
    expect(main.stdout).toContain(
      `Handler: ${job.temp}/crash-capture/handler.sh (seen by the kernel at the same path)`
    )
    expect(main.stdout).toMatch(/Self-check: captured in \d+ ms/)
    expect(readKernel()['/proc/sys/kernel/core_pattern']).toMatch(
      new RegExp(`^\\|${job.temp}/crash-capture/handler\\.sh `)
    )
    await laterStepCrashes(job, ws)
    expect(existsSync(join(job.temp, 'crash-capture'))).toBe(false)
  }, 60_000)

  for (const pid of [false, true]) {
    it(`runs the handler at the source of a bind mount (${pid ? 'with a pid namespace, like a container: unverified until the self-check' : "found under kthreadd's root"})`, async () => {
      const ws = makeWorkspace(['nullderef'])
      // RUNNER_TEMP is, in the namespace, a bind mount of another host folder: the kernel must
      // be given that folder's path, not RUNNER_TEMP's.
      const temp = folder('crash-capture-container-temp-')
      const source = folder('crash-capture-host-temp-')
      const job = new FakeJob({
        workspace: ws.dir,
        env: { RUNNER_TEMP: temp },
        inputs: { 'fail-on-crash': 'false', upload: 'none' }
      })
      const wrap = namespace(`mount --bind ${source} ${temp}`, pid, job.inputs)
      const main = await job.runStep('main', { wrap })
      expect(main.code).toBe(0)
      expect(main.stdout).toContain('Mode: pipe-handler')
      expect(main.stdout).toContain(
        pid
          ? `Handler: ${temp}/crash-capture/handler.sh (the host's ${source}/crash-capture, through the bind mount at ${temp}; the self-check proves it)`
          : `Handler: ${temp}/crash-capture/handler.sh (seen by the kernel as ${source}/crash-capture)`
      )
      expect(readKernel()['/proc/sys/kernel/core_pattern']).toMatch(
        new RegExp(`^\\|${source}/crash-capture/handler\\.sh `)
      )
      // A crash of a later step, then post in the same view.
      const run = spawnSync(ws.bin('nullderef'), { cwd: ws.dir, env: job.processEnv() })
      expect(run.signal).toBe('SIGSEGV')
      const post = await job.runStep('post', { wrap })
      expect(post.code).toBe(0)
      const [record] = records(join(source, relative(temp, post.outputs.report!)))
      expect(record?.blame).toMatchObject({ path: 'src/nullderef.c', line: crashLine('nullderef') })
      expect(readKernel()).toEqual(snapshot())
      expect(readdirSync(source)).not.toContain('crash-capture')
    }, 60_000)
  }

  it('says there is no place the kernel can see, and uses a file pattern', async () => {
    const ws = makeWorkspace([])
    const temp = folder('crash-capture-container-temp-')
    const job = new FakeJob({
      workspace: ws.dir,
      env: { RUNNER_TEMP: temp },
      inputs: { 'fail-on-crash': 'false', upload: 'none' }
    })
    const main = await job.runStep('main', {
      // The container's core limit is raised (`--ulimit core=-1`), so a file pattern works.
      wrap: namespace(
        `ulimit -c unlimited; mount -t tmpfs -o mode=0755 tmpfs ${temp}`,
        true,
        job.inputs
      )
    })
    expect(main.code).toBe(0)
    expect(main.stdout).toContain('Mode: file-pattern')
    expect(facts(main.stdout)[0]?.message).toMatch(
      /no folder the kernel can run a handler from: \/var\/lib\/crash-capture is on the container's own tmpfs file system; .* is on the container's own tmpfs file system/
    )
    const post = await job.runStep('post')
    expect(post.code).toBe(0)
    expect(readKernel()).toEqual(snapshot())
  }, 60_000)
})

describe('containers: the self-check', () => {
  /** A `tee` that does what another tool might right after main writes a pipe pattern. */
  function rival(action: string): string {
    const bin = mkdtempSync(join(tmpdir(), 'crash-capture-rival-'))
    writeFileSync(
      join(bin, 'tee'),
      [
        '#!/bin/sh',
        '/usr/bin/tee "$@" || exit $?',
        'case "$1" in */core_pattern)',
        `  case "$(cat /proc/sys/kernel/core_pattern)" in "|"*) ${action} ;; esac ;;`,
        'esac',
        ''
      ].join('\n'),
      { mode: 0o755 }
    )
    return bin
  }

  it('finds out when the handler the pattern names does not exist, and a file pattern takes over', async () => {
    const ws = makeWorkspace(['nullderef'])
    const bin = rival('set -- $(cat /proc/sys/kernel/core_pattern); rm -f "${1#|}"')
    const job = new FakeJob({
      workspace: ws.dir,
      inputs: { 'fail-on-crash': 'false', upload: 'none' }
    })
    const main = await job.runStep('main', { env: { PATH: `${bin}:${process.env.PATH}` } })
    expect(main.code).toBe(0)
    expect(main.stdout).toContain('Mode: file-pattern')
    const warning = facts(main.stdout)[0]
    expect(warning?.message).toMatch(
      /the self-check failed: a test crash did not reach the handler/
    )
    expect(warning?.message).toMatch(/handler\.sh pipe failed/)
    expect(warning?.message).toMatch(/Self-check: captured in \d+ ms/)
    expect(readKernel()['/proc/sys/kernel/core_pattern']).toMatch(
      /crash-capture-cores-.*\/core\.%P$/
    )
    await laterStepCrashes(job, ws)
  }, 60_000)

  it('finds out when something changes core_pattern back right after main wrote it', async () => {
    const ws = makeWorkspace(['nullderef'])
    // Another tool that puts its own value back over any pipe pattern, at once.
    const bin = rival('printf core >/proc/sys/kernel/core_pattern')
    const job = new FakeJob({
      workspace: ws.dir,
      inputs: { 'fail-on-crash': 'false', upload: 'none' }
    })
    const main = await job.runStep('main', { env: { PATH: `${bin}:${process.env.PATH}` } })
    expect(main.code).toBe(0)
    expect(main.stdout).toContain('Mode: file-pattern')
    expect(facts(main.stdout)[0]?.message).toMatch(
      /core_pattern reads 'core' after writing '\|\/var\/lib\/crash-capture\/handler\.sh/
    )
    expect(existsSync('/var/lib/crash-capture/handler.sh')).toBe(false)
    await laterStepCrashes(job, ws)
  }, 60_000)
})

describe('containers: another root file system', () => {
  it("analyses a crash in another root file system with that root's own libc, and bundles it", async () => {
    const root = otherRootfs()
    if ('skipped' in root) {
      process.stdout.write(`skipped: ${root.skipped}\n`)
      return
    }
    try {
      const ws = makeWorkspace(['libc_strlen'])
      mkdirSync(join(root.dir, 'work'))
      copyFileSync(ws.bin('libc_strlen'), join(root.dir, 'work', 'libc_strlen'))
      const theirs = await fileBuildId(join(root.dir, '/usr/lib/x86_64-linux-gnu/libc.so.6'))
      const job = new FakeJob({ workspace: ws.dir, inputs: { 'fail-on-crash': 'false' } })
      await job.runStep('main')
      // Like `docker run`: the process sees another root, with another libc.
      const run = spawnSync('chroot', [root.dir, '/work/libc_strlen'], { env: job.processEnv() })
      expect(run.signal).toBe('SIGSEGV')
      await waitForCrashes(job, 1)
      const post = await job.runStep('post')
      await expectOtherRootCrash(post, theirs)
    } finally {
      rmSync(root.dir, { recursive: true, force: true })
    }
  }, 120_000)
})

describe('containers: the C library of Alpine', () => {
  it('reports a musl-linked crash with its frames', async () => {
    if (spawnSync('sh', ['-c', 'command -v musl-gcc']).status !== 0) {
      process.stdout.write('skipped: musl-gcc is not installed (apt-get install musl-tools)\n')
      return
    }
    const ws = makeWorkspace([{ name: 'nullderef', cc: 'musl-gcc' }])
    const interpreter = spawnSync('readelf', ['-l', ws.bin('nullderef')], { encoding: 'utf8' })
    expect(interpreter.stdout).toContain('ld-musl-x86_64.so.1')
    const job = new FakeJob({
      workspace: ws.dir,
      inputs: { 'fail-on-crash': 'false', upload: 'none' }
    })
    await job.runStep('main')
    const post = await laterStepCrashes(job, ws)
    expect(post.stdout).toMatch(/#1 +0x[0-9a-f]+ in process \(list=0x0\) at src\/nullderef\.c:\d+/)
    expect(post.stdout).toMatch(/#2 +0x[0-9a-f]+ in main \(\) at src\/nullderef\.c:\d+/)
  }, 60_000)
})
