import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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
import { otherRootfs } from '../__fixtures__/rootfs.js'
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

describe('containers: a handler the kernel cannot see', () => {
  it('is found out by the self-check in a mount namespace with its own crash-dir, and a file pattern takes over', async () => {
    const ws = makeWorkspace(['nullderef'])
    const job = new FakeJob({
      workspace: ws.dir,
      inputs: { 'fail-on-crash': 'false', upload: 'none' }
    })
    // Like a job container: main's /var/lib/crash-capture is not the host's.
    const main = await job.runStep('main', {
      wrap: [
        'unshare',
        '--mount',
        '--propagation',
        'private',
        'sh',
        '-c',
        'mkdir -p /var/lib/crash-capture && mount -t tmpfs -o mode=0755 tmpfs /var/lib/crash-capture && exec "$0" "$@"'
      ]
    })
    expect(main.code).toBe(0)
    expect(main.stdout).toContain('Mode: file-pattern')
    const warning = workflowCommands(main.stdout).find((c) => c.command === 'warning')
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

  it('is found out when something changes core_pattern back right after main wrote it', async () => {
    const ws = makeWorkspace(['nullderef'])
    // Another tool that puts its own value back over any pipe pattern, at once.
    const bin = mkdtempSync(join(tmpdir(), 'crash-capture-rival-'))
    writeFileSync(
      join(bin, 'tee'),
      [
        '#!/bin/sh',
        '/usr/bin/tee "$@" || exit $?',
        'case "$1" in */core_pattern)',
        '  case "$(cat /proc/sys/kernel/core_pattern)" in "|"*) printf core >/proc/sys/kernel/core_pattern ;; esac ;;',
        'esac',
        ''
      ].join('\n'),
      { mode: 0o755 }
    )
    const job = new FakeJob({
      workspace: ws.dir,
      inputs: { 'fail-on-crash': 'false', upload: 'none' }
    })
    const main = await job.runStep('main', { env: { PATH: `${bin}:${process.env.PATH}` } })
    expect(main.code).toBe(0)
    expect(main.stdout).toContain('Mode: file-pattern')
    const warning = workflowCommands(main.stdout).find((c) => c.command === 'warning')
    expect(warning?.message).toMatch(
      /core_pattern reads 'core' after writing '\|\/var\/lib\/crash-capture\/handler\.sh/
    )
    expect(existsSync('/var/lib/crash-capture/handler.sh')).toBe(false)
    await laterStepCrashes(job, ws)
  }, 60_000)

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
      const libc = '/usr/lib/x86_64-linux-gnu/libc.so.6'
      const theirs = await fileBuildId(join(root.dir, libc))
      expect(theirs).not.toBe(await fileBuildId(libc))
      const job = new FakeJob({ workspace: ws.dir, inputs: { 'fail-on-crash': 'false' } })
      await job.runStep('main')
      // Like `docker run`: the process sees another root, with another libc.
      const run = spawnSync('chroot', [root.dir, '/work/libc_strlen'], { env: job.processEnv() })
      expect(run.signal).toBe('SIGSEGV')
      await waitForCrashes(job, 1)
      const post = await job.runStep('post')
      const report = JSON.parse(readFileSync(post.outputs.report!, 'utf8')) as {
        groups: {
          crashes: {
            id: string
            otherRoot: object | null
            libraries: { path: string; file: string }[]
            blame: { path: string; line: number } | null
          }[]
        }[]
      }
      const [record] = report.groups.flatMap((g) => g.crashes)
      expect(record!.otherRoot).not.toBeNull()
      const used = record!.libraries.find((l) => l.path === libc)
      expect(used && (await fileBuildId(used.file))).toBe(theirs)
      expect(record!.blame).toMatchObject({
        path: 'src/libc_strlen.c',
        line: crashLine('libc_strlen')
      })
      expect(post.stdout).toContain('Root:         another root file system')

      // The bundle opens from its own sysroot: gdb loads that root's libc, found in the bundle.
      const bundle = /the bundle is at (\S+)/.exec(post.stdout)![1]!
      const debug = spawnSync(
        'sh',
        [join(bundle, record!.id, 'debug.sh'), '-batch', '-ex', 'info sharedlibrary', '-ex', 'bt'],
        { encoding: 'utf8' }
      )
      expect(debug.stdout).toMatch(/Yes.*bundle\/sysroot\/usr\/lib\/x86_64-linux-gnu\/libc\.so\.6/)
      expect(debug.stdout).toMatch(/in measure \(/)
    } finally {
      rmSync(root.dir, { recursive: true, force: true })
    }
  }, 120_000)
})
