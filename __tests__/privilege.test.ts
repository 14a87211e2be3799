import { describe, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import { lstatSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  crashLine,
  FakeJob,
  makeWorkspace,
  waitForCrashes,
  workflowCommands
} from '../__fixtures__/e2e.js'
import { guardKernel, readKernel } from '../__fixtures__/kernel.js'
import { ensureUser, readableDist, type TestUser } from '../__fixtures__/users.js'

const snapshot = guardKernel()

/** Every path below `dir` owned by root. */
function rootOwned(dir: string): string[] {
  const found: string[] = []
  const walk = (path: string) => {
    const info = lstatSync(path)
    if (info.uid === 0) found.push(path)
    if (info.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name))
  }
  walk(dir)
  return found
}

function workspaceFor(user: TestUser, programs: string[]) {
  const ws = makeWorkspace(programs)
  execFileSync('chown', ['-R', `${user.uid}:${user.gid}`, ws.dir])
  return ws
}

function runAs(user: TestUser, cwd: string, script: string) {
  return spawnSync('sh', ['-c', script], {
    cwd,
    uid: user.uid,
    gid: user.gid,
    encoding: 'utf8',
    env: { PATH: process.env.PATH }
  })
}

describe('as an unprivileged runner user with passwordless sudo', () => {
  it('captures crashes, a privilege-dropping daemon too, and leaves nothing root-owned', async () => {
    const user = ensureUser('ccrunner', true)
    const nobody = ensureUser('ccnobody', false)
    const ws = workspaceFor(user, ['nullderef', 'dropper'])
    // The daemon changes its user ids: its core is kept only when the workflow says so.
    const job = new FakeJob({
      workspace: ws.dir,
      user,
      dist: readableDist(),
      inputs: { 'setuid-cores': 'include' }
    })

    const main = await job.runStep('main')
    expect(main.code).toBe(0)
    expect(main.stdout).toContain('Mode: pipe-handler')
    expect(main.stdout).toContain('passwordless sudo')
    expect(readKernel()['/proc/sys/fs/suid_dumpable']).toBe('2')

    expect(runAs(user, ws.dir, 'ulimit -c 0; exec ./bin/nullderef').signal).toBe('SIGSEGV')
    // Started through sudo as root, then setuid to another unprivileged user before crashing.
    const dropper = runAs(user, ws.dir, `sudo -n ./bin/dropper ${nobody.uid} ${nobody.gid}`)
    expect(dropper.status).not.toBe(0)
    await waitForCrashes(job, 2)

    const post = await job.runStep('post')
    expect(post.code).toBe(1)
    expect(readKernel()).toEqual(snapshot())
    const report = JSON.parse(readFileSync(post.outputs.report!, 'utf8')) as {
      groups: {
        crashes: { executablePath: string; uid: number; blame: { path: string; line: number } }[]
      }[]
    }
    const records = report.groups.flatMap((g) => g.crashes)
    const nullderef = records.find((r) => r.executablePath === ws.bin('nullderef'))
    expect(nullderef?.uid).toBe(user.uid)
    expect(nullderef?.blame).toMatchObject({
      path: 'src/nullderef.c',
      line: crashLine('nullderef')
    })
    const daemon = records.find((r) => r.executablePath === ws.bin('dropper'))
    expect(daemon?.uid).toBe(nobody.uid)
    expect(daemon?.blame).toMatchObject({ path: 'src/dropper.c', line: crashLine('dropper') })
    const annotations = workflowCommands(post.stdout).filter(
      (c) => c.command === 'error' && c.properties.file
    )
    expect(annotations.map((a) => a.properties.file).sort()).toEqual([
      'src/dropper.c',
      'src/nullderef.c'
    ])

    // gdb ran as the user: its outputs in the stage belong to the user, as does everything else.
    expect(rootOwned(ws.dir)).toEqual([])
    expect(rootOwned(job.temp)).toEqual([])
    const stage = post.outputs.report!.replace(/\/report\.json$/, '')
    const backtraces = readdirSync(stage).filter((n) => /^\d+-\d+$/.test(n))
    expect(backtraces).toHaveLength(2)
    for (const name of backtraces)
      expect(lstatSync(join(stage, name, 'backtrace.json')).uid).toBe(user.uid)
  })
})

describe('as a user without root or sudo', () => {
  it('warns with the reason in main, changes nothing, and neither step fails', async () => {
    const user = ensureUser('ccnosudo', false)
    const ws = workspaceFor(user, ['nullderef'])
    const job = new FakeJob({ workspace: ws.dir, user, dist: readableDist() })
    const main = await job.runStep('main')
    expect(main.code).toBe(0)
    const warnings = workflowCommands(main.stdout).filter((c) => c.command === 'warning')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]!.message).toContain('not root and has no passwordless sudo')
    expect(readKernel()).toEqual(snapshot())
    runAs(user, ws.dir, './bin/nullderef')
    const post = await job.runStep('post')
    expect(post.code).toBe(0)
    expect(readKernel()).toEqual(snapshot())
  })
})
