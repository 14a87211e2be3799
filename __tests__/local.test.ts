import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  renameSync,
  truncateSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli } from '../src/local.js'
import { dumpCores } from '../__fixtures__/cores.js'
import { crashLine, makeWorkspace, ROOT, STEP_NODE, type Workspace } from '../__fixtures__/e2e.js'

// The local command on real cores: the same engine as the post step, on a laptop.
let ws: Workspace
let cores: Map<string, string>

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  let out = ''
  const code = await runCli(args, (text) => (out += text))
  return { code, out }
}

beforeAll(() => {
  ws = makeWorkspace(['nullderef', 'threads'])
  cores = dumpCores(ws.dir, { nullderef: './bin/nullderef', threads: './bin/threads' })
}, 60_000)

describe('local command', () => {
  it('backtraces cores and blames the project line', async () => {
    const { code, out } = await cli(
      '--workspace',
      ws.dir,
      cores.get('nullderef')!,
      cores.get('threads')!
    )
    expect(code).toBe(0)
    expect(out).toContain(
      `SIGSEGV in sum_list (src/nullderef.c:${crashLine('nullderef')}) — nullderef`
    )
    expect(out).toContain(`SIGSEGV in do_work (src/threads.c:${crashLine('threads')}) — threads`)
  })

  it('prints the JSON report', async () => {
    const { out } = await cli('--json', '--workspace', ws.dir, cores.get('nullderef')!)
    const report = JSON.parse(out) as {
      crashes: number
      groups: { crashes: { blame: { function: string } }[] }[]
    }
    expect(report.crashes).toBe(1)
    expect(report.groups[0]!.crashes[0]!.blame.function).toBe('sum_list')
  })

  it('says what is wrong with its arguments and files', async () => {
    expect((await cli()).code).toBe(2)
    expect((await cli('--bogus', 'x')).code).toBe(2)
    const notCore = join(ws.dir, 'not-a-core')
    writeFileSync(notCore, 'hello')
    const { code, out } = await cli(notCore)
    expect(code).toBe(1)
    expect(out).toContain('not an ELF core file')
  })
})

interface Report {
  groups: { crashes: { blame: { path: string | null; line: number | null } | null }[] }[]
}

/** The command as a user runs it: dist/cli.js in a process, stdout and stderr apart. */
function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(STEP_NODE, [join(ROOT, 'dist/cli.js'), ...args], {
    cwd,
    env,
    encoding: 'utf8'
  })
  return { code: result.status, out: result.stdout, err: result.stderr }
}

describe('local command as a process', () => {
  it('prints nothing but the JSON report on stdout, with --exe globs in use', () => {
    const { code, out } = run(
      ['--json', '--exe', `${ws.dir}/bin/*`, cores.get('nullderef')!],
      ws.dir
    )
    expect(code).toBe(0)
    const report = JSON.parse(out) as { crashes: number }
    expect(report.crashes).toBe(1)
  })

  it('gives the same backtrace from a moved build, wherever it runs, when --exe names the binary', () => {
    // A core whose AT_EXECFN is relative (./bin/nullderef), then the build moves away.
    const build = makeWorkspace(['nullderef'])
    const [core] = [...dumpCores(build.dir, { moved: './bin/nullderef' }).values()]
    const moved = mkdtempSync(join(tmpdir(), 'crash-capture-moved-'))
    renameSync(build.dir, join(moved, 'build'))
    const bin = join(moved, 'build', 'bin')
    const line = `in sum_list (head=0x0) at src/nullderef.c:${crashLine('nullderef')}`
    for (const cwd of [bin, join(moved, 'build'), tmpdir()]) {
      const found = run(['--exe', join(bin, 'nullderef'), core!], cwd)
      expect(found.code).toBe(0)
      expect(found.out).toContain(line)
      // Without it the relative path is never resolved against the command's directory.
      const lost = run([core!], cwd)
      expect(lost.code).toBe(1)
      expect(lost.err).toMatch(/not fully analysed: .*name the executable with --exe/)
    }
  })

  it('blames the right file and line with the sources elsewhere (--source-dir)', () => {
    const build = makeWorkspace(['nullderef'])
    const [core] = [...dumpCores(build.dir, { elsewhere: './bin/nullderef' }).values()]
    const laptop = mkdtempSync(join(tmpdir(), 'crash-capture-checkout-'))
    execFileSync('cp', ['-r', join(build.dir, 'src'), join(build.dir, 'bin'), laptop])
    execFileSync('rm', ['-rf', build.dir])
    const args = ['--json', '--exe', join(laptop, 'bin', 'nullderef'), core!]
    const without = JSON.parse(run(args, tmpdir()).out) as Report
    expect(without.groups[0]!.crashes[0]!.blame?.path ?? null).toBeNull()
    const withSources = JSON.parse(run(['--source-dir', laptop, ...args], tmpdir()).out) as Report
    expect(withSources.groups[0]!.crashes[0]!.blame).toMatchObject({
      path: 'src/nullderef.c',
      line: crashLine('nullderef')
    })
  })

  it('tells missing files, non-cores, cut cores, missing executables and a missing gdb apart', () => {
    const missing = run([join(ws.dir, 'no-such-core')], ws.dir)
    expect([missing.code, missing.err]).toEqual([
      1,
      expect.stringContaining('no-such-core: no such file')
    ])
    const text = join(ws.dir, 'text-file')
    writeFileSync(text, 'hello')
    const notCore = run([text], ws.dir)
    expect([notCore.code, notCore.err]).toEqual([
      1,
      expect.stringContaining('text-file: not an ELF core file')
    ])
    const cut = join(ws.dir, 'cut-core')
    copyFileSync(cores.get('threads')!, cut)
    truncateSync(cut, 200_000)
    const truncated = run(['--exe', ws.bin('threads'), cut], ws.dir)
    expect(truncated.code).toBe(1)
    expect(truncated.err).toMatch(/cut-core: not fully analysed: the core is truncated/)
    const noGdb = run([cores.get('nullderef')!], ws.dir, { ...process.env, PATH: '/nonexistent' })
    expect(noGdb.code).toBe(3)
    expect(noGdb.err).toContain('gdb is not installed')
  })

  it('refuses an artifact zip whose entries would land outside it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crash-capture-slip-'))
    const zip = join(dir, 'evil.zip')
    execFileSync('python3', [
      '-c',
      'import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], "w") as z:\n  z.writestr("report.json", "{}")\n  z.writestr("../escaped", "x")',
      zip
    ])
    const opened = run(['open', zip], dir)
    expect(opened.code).toBe(1)
    // unzip-stream already turns `../escaped` into `./escaped`; open's own check stays behind it.
    expect(existsSync(join(tmpdir(), 'escaped'))).toBe(false)
    expect(existsSync(join(dir, '..', 'escaped'))).toBe(false)
  })

  it('calls a gcore snapshot of a live process a snapshot, not a crash', async () => {
    const sleeper = spawn('sleep', ['30'])
    const prefix = join(mkdtempSync(join(tmpdir(), 'crash-capture-snap-')), 'snap')
    try {
      execFileSync('gcore', ['-o', prefix, String(sleeper.pid)], { stdio: 'ignore' })
    } finally {
      sleeper.kill()
    }
    const { out } = run([`${prefix}.${sleeper.pid}`], ws.dir)
    expect(out).toContain('📷 snapshot (SIGSTOP)')
    expect(out).not.toContain('💥')
  })
})
