import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { DefaultArtifactClient } from '@actions/artifact'
import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { crc32 as zlibCrc32 } from 'node:zlib'
import { FakeArtifactService } from '../__fixtures__/fake-artifact-service.js'
import {
  FakeJob,
  makeWorkspace,
  ROOT,
  STEP_NODE,
  waitForCrashes,
  workflowCommands,
  type Workspace
} from '../__fixtures__/e2e.js'
import { readKernel, restoreKernel, type KernelSnapshot } from '../__fixtures__/kernel.js'

let service: FakeArtifactService
let before: KernelSnapshot
beforeAll(async () => {
  service = await new FakeArtifactService().start()
})
afterAll(async () => {
  await service.stop()
})
beforeEach(() => {
  before = readKernel()
  service.failCreateWith = null
  service.blocks = 'store'
})
afterEach(() => restoreKernel(before))

function job(ws: Workspace, inputs: Record<string, string> = {}): FakeJob {
  return new FakeJob({
    workspace: ws.dir,
    inputs: { 'fail-on-crash': 'false', ...inputs },
    env: {
      ...service.env(),
      GITHUB_REPOSITORY: 'octo/app',
      GITHUB_RUN_ID: '777',
      GITHUB_JOB: 'test',
      RUNNER_OS: 'Linux',
      RUNNER_ARCH: 'X64',
      GITHUB_RUN_ATTEMPT: '1'
    }
  })
}

async function crashAndPost(
  ws: Workspace,
  programs: string[],
  inputs: Record<string, string> = {}
) {
  const j = job(ws, inputs)
  await j.runStep('main')
  for (const program of programs) spawnSync(`./bin/${program}`, { cwd: ws.dir })
  await waitForCrashes(j, programs.length)
  return j.runStep('post')
}

/** Downloads an artifact with the real client, as a maintainer's `gh run download` would. */
async function download(id: number): Promise<string> {
  const saved = { ...process.env }
  Object.assign(process.env, service.env())
  try {
    const path = mkdtempSync(join(tmpdir(), 'crash-capture-download-'))
    await new DefaultArtifactClient().downloadArtifact(id, { path })
    return path
  } finally {
    for (const key of Object.keys(service.env())) {
      if (saved[key] === undefined) delete process.env[key]
      else process.env[key] = saved[key]
    }
  }
}

/**
 * Every member of a zip with its compression method (0 stored, 8 deflated), after checking the
 * CRC-32 its central directory records against the member's bytes in `dir` (the zip extracted):
 * a wrong one makes `unzip` refuse the artifact, which the download used here (unzip-stream)
 * does not check.
 */
function zipMembers(zip: Buffer, dir: string): Map<string, number> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  let at = zip.readUInt32LE(end + 16)
  const members = new Map<string, number>()
  for (let n = zip.readUInt16LE(end + 10); n > 0; n--) {
    expect(zip.readUInt32LE(at)).toBe(0x02014b50)
    const crc = zip.readUInt32LE(at + 16)
    const nameLength = zip.readUInt16LE(at + 28)
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32)
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength)
    if (!name.endsWith('/')) {
      expect([name, zlibCrc32(readFileSync(join(dir, name)))]).toEqual([name, crc])
      members.set(name, zip.readUInt16LE(at + 10))
    }
    at += 46 + skip
  }
  return members
}

function functions(gdbOutput: string): string[] {
  return [...gdbOutput.matchAll(/^#\d+\s+(?:0x[0-9a-f]+ in )?(\S+) \(/gm)].map((m) => m[1]!)
}

describe('upload: the crash bundle as an artifact', () => {
  it('uploads a bundle that opens in gdb from the bundle alone, after the binary is gone', async () => {
    const ws = makeWorkspace(['nullderef', 'threads'])
    const post = await crashAndPost(ws, ['nullderef', 'threads'])
    expect(post.outputs['artifact-id']).toMatch(/^\d+$/)
    expect(post.outputs['artifact-url']).toBe(
      `https://github.com/octo/app/actions/runs/777/artifacts/${post.outputs['artifact-id']}`
    )
    expect(service.calls).toEqual(
      expect.arrayContaining(['CreateArtifact', 'PutBlock', 'PutBlockList', 'FinalizeArtifact'])
    )
    expect(post.summary).toContain(
      `[\`crash-capture-test-attempt1\`](${post.outputs['artifact-url']})`
    )

    const dir = await download(Number(post.outputs['artifact-id']))
    const report = JSON.parse(readFileSync(post.outputs.report!, 'utf8')) as {
      groups: {
        crashes: {
          id: string
          executablePath: string
          threads: { crashed: boolean; frames: { function: string | null }[] }[]
        }[]
      }[]
    }
    const record = report.groups
      .flatMap((g) => g.crashes)
      .find((c) => c.executablePath === ws.bin('nullderef'))!
    expect(readdirSync(join(dir, record.id)).sort()).toEqual([
      'backtrace.json',
      'backtrace.txt',
      'core.zst',
      'crash.json',
      'debug.sh'
    ])
    // The binaries travel in zstd, and debug.sh unpacks them (below).
    expect(existsSync(join(dir, 'sysroot', `${ws.bin('nullderef')}.zst`))).toBe(true)
    expect(existsSync(join(dir, 'sysroot', ws.bin('nullderef')))).toBe(false)
    expect(existsSync(join(dir, 'README.md'))).toBe(true)

    // The artifact carries its own index, with every path inside the bundle.
    const stage = post.outputs.report!.replace(/\/report\.json$/, '')
    const index = readFileSync(join(dir, 'report.json'), 'utf8')
    expect(index).not.toContain(stage)
    const crashJson = JSON.parse(readFileSync(join(dir, record.id, 'crash.json'), 'utf8')) as {
      core: string
      executable: string
      libraries: { file: string | null }[]
    }
    expect(crashJson.core).toBe(`${record.id}/core.zst`)
    expect(existsSync(join(dir, crashJson.executable))).toBe(true)
    expect(crashJson.libraries.length).toBeGreaterThan(0)
    for (const library of crashJson.libraries)
      expect(existsSync(join(dir, library.file!))).toBe(true)
    expect((JSON.parse(index) as { crashes: number }).crashes).toBe(2)
    // The summary says how to get there.
    expect(post.summary).toContain("gh run download 777 -n 'crash-capture-test-attempt1' -D crash")
    expect(post.summary).toMatch(/CRASH_SOURCES=\$PWD sh crash\/'\d+-\d+'\/debug\.sh/)

    // The local command opens the downloaded artifact, as a folder and as the zip.
    const cli = (...args: string[]) =>
      spawnSync(STEP_NODE, [join(ROOT, 'dist/cli.js'), 'open', ...args], {
        encoding: 'utf8',
        cwd: ws.dir
      })
    const zip = join(mkdtempSync(join(tmpdir(), 'crash-capture-zip-')), 'crash.zip')
    const uploaded = service.artifacts.find((a) => String(a.id) === post.outputs['artifact-id'])!
    const content = service.content(uploaded)!
    writeFileSync(zip, content)
    // zstd files stored as they are, the text deflated; the digest is the zip's, as uploaded.
    const members = zipMembers(content, dir)
    expect(members.size).toBeGreaterThan(5)
    for (const [name, method] of members)
      expect([name, method]).toEqual([name, name.endsWith('.zst') ? 0 : 8])
    expect(uploaded.hash).toBe(`sha256:${createHash('sha256').update(content).digest('hex')}`)
    expect(service.blobs.get(uploaded.blobKey)!.contentType).toBe('application/zip')
    for (const artifact of [dir, zip]) {
      const list = cli(artifact)
      expect(list.status).toBe(0)
      expect(list.stdout).toMatch(
        new RegExp(
          `SIGSEGV in sum_list at src/nullderef\\.c:\\d+: 1 crash\\(es\\), folders ${record.id}`
        )
      )
      const bt = cli(artifact, '--crash', record.id, '--bt')
      expect(bt.stdout).toContain('in sum_list (head=0x0)')
      const gdb = cli(
        artifact,
        '--crash',
        record.id,
        '--',
        '-batch',
        '-ex',
        'info sharedlibrary',
        '-ex',
        'bt'
      )
      expect(gdb.stdout).toMatch(/Yes.*\/sysroot\/\S*libc\.so\.6/)
      expect(gdb.stdout).toMatch(/in sum_list \(/)
    }
    expect(cli(dir, '--crash', 'no-such').status).toBe(1)

    rmSync(ws.bin('nullderef'))
    const out = execFileSync(
      'sh',
      [
        join(dir, record.id, 'debug.sh'),
        '-batch',
        '-ex',
        'echo ==bt==\\n',
        '-ex',
        'bt',
        '-ex',
        'info sharedlibrary'
      ],
      {
        encoding: 'utf8',
        cwd: tmpdir()
      }
    )
    const expected = record.threads.find((t) => t.crashed)!.frames.map((f) => f.function ?? '??')
    // gdb prints frame #0 when it loads the core: compare the backtrace after the marker.
    expect(functions(out.split('==bt==')[1]!)).toEqual(expected.filter((f) => f !== '??'))
    expect(out).toMatch(new RegExp(`${dir}/sysroot/\\S*libc\\.so\\.6`))
    expect(existsSync(join(dir, 'sysroot', ws.bin('nullderef')))).toBe(true)
  })

  it('uploads the cores while gdb still reads them', async () => {
    // A project gdb script that waits (30 s at most) for the service to receive a block of the
    // zip: 12 MiB of random heap make a core larger than one 8 MiB block.
    const ws = makeWorkspace(['bigmem'])
    const marker = join(mkdtempSync(join(tmpdir(), 'crash-capture-marker-')), 'block')
    const script = join(ws.dir, 'wait-for-upload.py')
    writeFileSync(
      script,
      [
        'import os, time',
        `marker = ${JSON.stringify(marker)}`,
        'deadline = time.time() + 30',
        'while not os.path.exists(marker) and time.time() < deadline:',
        '    time.sleep(0.05)',
        'print("a block was uploaded while gdb ran: %s" % os.path.exists(marker))',
        ''
      ].join('\n')
    )
    const calls = service.calls.length
    const watch = setInterval(() => {
      if (service.calls.slice(calls).includes('PutBlock')) writeFileSync(marker, '')
    }, 20)
    try {
      const j = job(ws, { 'gdb-scripts': script, 'artifact-name': 'during-gdb' })
      await j.runStep('main')
      spawnSync('./bin/bigmem', ['12'], { cwd: ws.dir })
      await waitForCrashes(j, 1)
      const post = await j.runStep('post')
      const dir = await download(Number(post.outputs['artifact-id']))
      const [crashDir] = readdirSync(dir).filter((n) => /^\d+-\d+$/.test(n))
      expect(readFileSync(join(dir, crashDir!, 'backtrace.txt'), 'utf8')).toContain(
        'a block was uploaded while gdb ran: True'
      )
      expect(readdirSync(join(dir, crashDir!))).toContain('core.zst')
      // Sent in blocks as it was made: the zip whole, every member's CRC right, its digest too.
      const uploaded = service.artifacts.find((a) => a.name === 'during-gdb')!
      const content = service.content(uploaded)!
      expect(content.length).toBeGreaterThan(12 << 20)
      expect(zipMembers(content, dir).size).toBeGreaterThan(5)
      expect(uploaded.hash).toBe(`sha256:${createHash('sha256').update(content).digest('hex')}`)
    } finally {
      clearInterval(watch)
    }
  })

  it('retries with a suffix when the name is taken', async () => {
    const ws = makeWorkspace(['nullderef'])
    const first = await crashAndPost(ws, ['nullderef'], { 'artifact-name': 'same-name' })
    const second = await crashAndPost(ws, ['nullderef'], { 'artifact-name': 'same-name' })
    const names = service.artifacts
      .filter((a) => a.finalized && a.name.startsWith('same-name'))
      .map((a) => a.name)
    expect(names).toEqual(['same-name', 'same-name-2'])
    expect(first.outputs['artifact-id']).not.toBe(second.outputs['artifact-id'])
  })

  it('holds no core and no binary with upload: reports, and nothing with upload: none', async () => {
    const ws = makeWorkspace(['nullderef'])
    const post = await crashAndPost(ws, ['nullderef'], {
      upload: 'reports',
      'artifact-name': 'reports-only'
    })
    const dir = await download(Number(post.outputs['artifact-id']))
    const [crashDir] = readdirSync(dir).filter((n) => /^\d+-\d+$/.test(n))
    expect(readdirSync(join(dir, crashDir!)).sort()).toEqual([
      'backtrace.json',
      'backtrace.txt',
      'crash.json'
    ])
    expect(existsSync(join(dir, 'sysroot'))).toBe(false)

    const calls = service.calls.length
    const none = await crashAndPost(ws, ['nullderef'], { upload: 'none' })
    expect(service.calls.length).toBe(calls)
    expect(none.outputs['artifact-id']).toBe('')
  })

  it('leaves out the cores past max-artifact-size, and says so', async () => {
    const ws = makeWorkspace(['nullderef'])
    const post = await crashAndPost(ws, ['nullderef'], {
      'max-artifact-size': '1K',
      'artifact-name': 'small-budget'
    })
    const warnings = workflowCommands(post.stdout).filter((c) => c.command === 'warning')
    expect(warnings.map((w) => w.message).join('\n')).toMatch(/the core \(\d+ bytes\) was left out/)
    const dir = await download(Number(post.outputs['artifact-id']))
    const [crashDir] = readdirSync(dir).filter((n) => /^\d+-\d+$/.test(n))
    expect(existsSync(join(dir, crashDir!, 'core.zst'))).toBe(false)
    expect(existsSync(join(dir, crashDir!, 'core'))).toBe(false)
    const record = JSON.parse(readFileSync(join(dir, crashDir!, 'crash.json'), 'utf8')) as {
      problems: string[]
    }
    expect(record.problems.join(' ')).toMatch(/left out/)
  })

  it('warns when the blob store refuses the zip under way, and every other report still appears', async () => {
    service.blocks = 'refuse'
    const ws = makeWorkspace(['nullderef'])
    const calls = service.calls.length
    const post = await crashAndPost(ws, ['nullderef'], {
      'fail-on-crash': 'true',
      'artifact-name': 'refused-blocks'
    })
    expect(post.code).toBe(1)
    expect(service.calls.slice(calls)).toContain('PutBlock refused')
    expect(service.calls.slice(calls)).not.toContain('FinalizeArtifact')
    const warnings = workflowCommands(post.stdout).filter((c) => c.command === 'warning')
    expect(warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(/^The crash artifact could not be uploaded: .*authenticate/)
    ])
    expect(post.summary).toContain('SIGSEGV')
    expect(post.outputs['artifact-id']).toBe('')
    expect(service.artifacts.find((a) => a.name === 'refused-blocks')?.finalized).toBe(false)
  })

  it('gives up an upload that stalls, counting from the end of the analysis', async () => {
    const ws = makeWorkspace(['nullderef'])
    // A gdb script that takes longer than the limit: the analysis's time is not the upload's.
    const script = join(ws.dir, 'slow.py')
    writeFileSync(script, 'import time\ntime.sleep(2.5)\nprint("slow script done")\n')
    const slowPost = async (name: string) => {
      const j = job(ws, { 'gdb-scripts': script, 'artifact-name': name })
      await j.runStep('main')
      spawnSync('./bin/nullderef', { cwd: ws.dir })
      await waitForCrashes(j, 1)
      const post = await j.runStep('post', { env: { ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS: '1500' } })
      const analysis = Number(/timings: collect \d+ ms, analysis (\d+) ms/.exec(post.stdout)![1])
      expect(analysis).toBeGreaterThan(2500)
      return post
    }
    // An analysis longer than the limit, and a service that answers: uploaded.
    const slow = await slowPost('slow-analysis')
    expect(slow.outputs['artifact-id']).toMatch(/^\d+$/)

    // A block the service never answers: given up, and the step ends.
    service.blocks = 'stall'
    const stalled = await slowPost('stalled')
    expect(service.calls).toContain('PutBlock stalled')
    const warnings = workflowCommands(stalled.stdout).filter((c) => c.command === 'warning')
    expect(warnings.map((w) => w.message)).toEqual([
      'The crash artifact could not be uploaded: the upload made no progress'
    ])
    expect(stalled.outputs['artifact-id']).toBe('')
  })

  it('warns when the service refuses, and every other report still appears', async () => {
    service.failCreateWith = 403
    const ws = makeWorkspace(['nullderef'])
    const post = await crashAndPost(ws, ['nullderef'], { 'fail-on-crash': 'true' })
    expect(post.code).toBe(1)
    const warnings = workflowCommands(post.stdout).filter((c) => c.command === 'warning')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]!.message).toMatch(/The crash artifact could not be uploaded: .*403/)
    expect(post.summary).toContain('SIGSEGV')
    expect(post.outputs['artifact-id']).toBe('')
  })
})
