import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { startDocker, type Docker } from '../__fixtures__/docker.js'
import {
  crashLine,
  FakeJob,
  makeWorkspace,
  reportCrashes,
  ROOT,
  STEP_NODE,
  waitForCrashes,
  workflowCommands
} from '../__fixtures__/e2e.js'
import { guardKernel, readKernel } from '../__fixtures__/kernel.js'
import { expectOtherRootCrash } from '../__fixtures__/rootfs.js'
import { fileBuildId } from '../src/elf/core-file.js'

// The action in real Docker containers, started by a dockerd of the tests' own (see
// __fixtures__/docker.ts): a job container played like the runner plays it, a container
// without a writable /proc/sys, and `docker run` from a job on the host. The image is another
// Debian release than the host's, so its libc is another build.
const snapshot = guardKernel()

let docker: Docker | { skipped: string }
beforeAll(async () => {
  docker = await startDocker()
}, 180_000)
afterAll(async () => {
  if ('stop' in docker) await docker.stop()
}, 60_000)

/** The engine, or null after saying on one line why these tests cannot run here. */
function engine(): Docker | null {
  if ('skipped' in docker) {
    process.stdout.write(`skipped: ${docker.skipped}\n`)
    return null
  }
  return docker
}

interface Record {
  executablePath: string | null
  blame: { path: string; line: number } | null
  libraries: { path: string; file: string }[]
  otherRoot: object | null
}

/**
 * A job container as the runner makes one: the host's work folder (owned by the runner's user,
 * 1001 on GitHub) at /__w, RUNNER_TEMP at /__w/_temp, the runner's node at /__e, the action at
 * /__w/_actions, `tail -f /dev/null` to keep it up; every step is a `docker exec`.
 */
function jobContainer(d: Docker, options: string[], programs: string[]) {
  const work = mkdtempSync(join(tmpdir(), 'crash-capture-work-'))
  chmodSync(work, 0o755)
  mkdirSync(join(work, '_temp'), { mode: 0o755 })
  const ws = makeWorkspace(programs, { at: join(work, 'repo'), seenAs: '/__w/repo' })
  for (const dir of [work, join(work, '_temp')]) chownSync(dir, 1001, 1001)
  const name = `crash-capture-job-${process.pid}-${Date.now()}`
  d.run([
    'run',
    '-d',
    '--name',
    name,
    '--network',
    'none',
    ...options,
    '-v',
    `${work}:/__w`,
    '-v',
    `${STEP_NODE}:/__e/node/bin/node:ro`,
    '-v',
    `${join(ROOT, 'dist')}:/__w/_actions/crash-capture/dist:ro`,
    '--entrypoint',
    'tail',
    d.image,
    '-f',
    '/dev/null'
  ])
  const job = new FakeJob({
    workspace: ws.dir,
    inputs: { 'fail-on-crash': 'false', upload: 'none' },
    container: {
      docker: d.cli,
      name,
      mounts: [[work, '/__w']],
      node: '/__e/node/bin/node',
      dist: '/__w/_actions/crash-capture/dist'
    }
  })
  job.temp = join(work, '_temp')
  const exec = (args: string[]) =>
    spawnSync(
      d.cli[0]!,
      [...d.cli.slice(1), 'exec', '-e', `RUNNER_TRACKING_ID=${job.trackingId}`, name, ...args],
      { encoding: 'utf8' }
    )
  const remove = () => {
    spawnSync(d.cli[0]!, [...d.cli.slice(1), 'rm', '-f', name], { stdio: 'ignore' })
    rmSync(work, { recursive: true, force: true })
  }
  return { work, ws, job, exec, remove }
}

describe('docker: a job container with a writable /proc/sys', () => {
  it('runs the handler from the host folder behind /__w, and reports the crash at its line with the container libc', async () => {
    const d = engine()
    if (!d) return
    const { work, ws, job, exec, remove } = jobContainer(
      d,
      ['--cap-add', 'SYS_ADMIN', '--security-opt', 'systempaths=unconfined'],
      ['libc_strlen']
    )
    try {
      const main = await job.runStep('main')
      expect(main.stderr).toBe('')
      expect(main.code).toBe(0)
      expect(main.stdout).toContain('Mode: pipe-handler')
      expect(main.stdout).toContain(
        `Handler: /__w/_temp/crash-capture/handler.sh (the host's ${work}/_temp/crash-capture, through the bind mount at /__w; the self-check proves it)`
      )
      expect(main.stdout).toMatch(/Self-check: captured in \d+ ms/)
      expect(readKernel()['/proc/sys/kernel/core_pattern']).toMatch(
        new RegExp(`^\\|${work}/_temp/crash-capture/handler\\.sh `)
      )

      const run = exec(['/__w/repo/bin/libc_strlen'])
      expect(run.status).toBe(139)
      const post = await job.runStep('post')
      expect(post.stderr).toBe('')
      expect(post.code).toBe(0)
      const [record] = reportCrashes<Record>(job.outside(post.outputs.report!))
      expect(record?.executablePath).toBe('/__w/repo/bin/libc_strlen')
      expect(record?.blame).toMatchObject({
        path: 'src/libc_strlen.c',
        line: crashLine('libc_strlen')
      })
      // Analysed in the container, where its own libc is: not the host's.
      expect(record?.otherRoot).toBeNull()
      const libc = record!.libraries.find((l) => l.path === '/usr/lib/x86_64-linux-gnu/libc.so.6')
      expect(await fileBuildId(job.outside(libc!.file))).not.toBe(
        await fileBuildId('/usr/lib/x86_64-linux-gnu/libc.so.6')
      )
      expect(readKernel()).toEqual(snapshot())
      // Nothing of the handler stays in the job's temp folder.
      expect(readdirSync(join(work, '_temp'))).not.toContain('crash-capture')
      expect(ws.dir).toBe(join(work, 'repo'))
    } finally {
      remove()
    }
  }, 180_000)
})

describe('docker: a job container without a writable /proc/sys', () => {
  it('warns once with the fix, changes nothing, and the step passes', async () => {
    const d = engine()
    if (!d) return
    const { job, remove } = jobContainer(d, [], [])
    try {
      const main = await job.runStep('main')
      expect(main.code).toBe(0)
      const warnings = workflowCommands(main.stdout).filter((c) => c.command === 'warning')
      expect(warnings).toHaveLength(1)
      expect(warnings[0]!.message).toMatch(/\/proc\/sys is mounted read-only/)
      expect(warnings[0]!.message).toContain('`options: --privileged`')
      expect(warnings[0]!.message).toContain('`docker run`')
      expect(readKernel()).toEqual(snapshot())
      const post = await job.runStep('post')
      expect(post.code).toBe(0)
      expect(readKernel()).toEqual(snapshot())
    } finally {
      remove()
    }
  }, 120_000)
})

describe('docker: `docker run` from a job on the host', () => {
  it("analyses the container's crash inside its libc with that libc, and the bundle opens from its sysroot", async () => {
    const d = engine()
    if (!d) return
    const ws = makeWorkspace(['libc_strlen'])
    const job = new FakeJob({ workspace: ws.dir, inputs: { 'fail-on-crash': 'false' } })
    const main = await job.runStep('main')
    expect(main.code).toBe(0)
    const name = `crash-capture-run-${process.pid}`
    const run = spawnSync(
      d.cli[0]!,
      [
        ...d.cli.slice(1),
        'run',
        '--name',
        name,
        '--network',
        'none',
        '-v',
        `${dirname(ws.bin('libc_strlen'))}:/work:ro`,
        d.image,
        '/work/libc_strlen'
      ],
      { encoding: 'utf8' }
    )
    try {
      expect(run.status).toBe(139)
      await waitForCrashes(job, 1)
      const theirs = spawnSync(
        d.cli[0]!,
        [...d.cli.slice(1), 'cp', `${name}:/usr/lib/x86_64-linux-gnu/libc.so.6`, ws.dir],
        { encoding: 'utf8' }
      )
      expect(theirs.status).toBe(0)
      const post = await job.runStep('post')
      await expectOtherRootCrash(post, await fileBuildId(join(ws.dir, 'libc.so.6')), {
        container: true
      })
    } finally {
      spawnSync(d.cli[0]!, [...d.cli.slice(1), 'rm', '-f', name], { stdio: 'ignore' })
    }
    expect(existsSync(ws.dir)).toBe(true)
  }, 180_000)
})

describe('docker: the engine of the tests', () => {
  it('leaves nothing behind: no dockerd, no container, no data folder', async () => {
    const d = engine()
    if (!d) return
    await d.stop()
    expect(existsSync(`/proc/${d.pid}`)).toBe(false)
    expect(existsSync(d.home)).toBe(false)
    expect(readFileSync('/proc/self/mounts', 'utf8')).not.toContain(d.home)
  }, 60_000)
})
