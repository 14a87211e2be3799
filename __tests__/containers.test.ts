import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  crashLine,
  FakeJob,
  makeWorkspace,
  workflowCommands,
  type Workspace
} from '../__fixtures__/e2e.js'
import { guardKernel, readKernel } from '../__fixtures__/kernel.js'

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

function records(path: string | undefined): CrashRecord[] {
  return (
    JSON.parse(readFileSync(path!, 'utf8')) as { groups: { crashes: CrashRecord[] }[] }
  ).groups.flatMap((g) => g.crashes)
}

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
})
