import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import {
  buildWithLibrary,
  FakeJob,
  makeWorkspace,
  ROOT,
  STEP_NODE,
  waitForCrashes,
  type Workspace,
  reportCrashes,
  sessionOf
} from '../__fixtures__/e2e.js'
import { BOT_LOGIN, FakeGitHub } from '../__fixtures__/fake-github.js'
import { guardKernel, readKernel, restoreKernel } from '../__fixtures__/kernel.js'
import { ensureUser } from '../__fixtures__/users.js'
import { analyzeAll, GDB_SETTINGS } from '../src/analyze/gdb.js'
import { ExecutableCandidates, identify } from '../src/collect/identify.js'
import { crashFromCoreFile } from '../src/collect/stray.js'
import { commentMarker, publishComment } from '../src/report/comment.js'
import { stageBundle, UploadMode } from '../src/upload/bundle.js'

// Each test performs one attack from the security review (SECURITY.md lists them) on real
// files, processes, cores and gdb, and fails if the attack works again.
const snapshot = guardKernel()

interface CrashRecord {
  id: string
  coreState: string
  coreNote: string | null
  executable: string | null
  executablePath: string | null
  problems: string[]
}

const records = (path: string | undefined) => reportCrashes<CrashRecord>(path)

/** The post step's staging folder (it stays in RUNNER_TEMP after the step). */
function stageOf(job: FakeJob, session: string): string {
  return join(job.temp, `crash-capture-${basename(session)}`)
}

/** Every regular file below `dir`, absolute. */
function files(dir: string): string[] {
  const out: string[] = []
  const walk = (path: string) => {
    const info = lstatSync(path)
    if (info.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name))
    else if (info.isFile()) out.push(path)
  }
  if (existsSync(dir)) walk(dir)
  return out
}

function containsText(dir: string, text: string): string[] {
  return files(dir).filter((f) => readFileSync(f).includes(text))
}

function sha(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex')
}

/** A library built from a fixture (or given source) into `dir` of the workspace. */
function buildLibrary(ws: Workspace, dir: string, name: string, source: string): string {
  mkdirSync(join(ws.dir, dir), { recursive: true })
  const src = join(ws.dir, 'src', `${name}.c`)
  writeFileSync(src, source)
  const out = join(ws.dir, dir, `lib${name}.so`)
  execFileSync('gcc', ['-g', '-shared', '-fPIC', '-o', out, src])
  return out
}

function fixture(name: string): string {
  return readFileSync(join(ROOT, '__fixtures__/crashers', name), 'utf8')
}

/** Makes a folder and everything in it readable (not writable) by other users. */
function openToOthers(dir: string): void {
  execFileSync('chmod', ['-R', 'a+rX', dir])
}

/** A file core_pattern into a folder every user may write to, like a CI's /tmp/core. */
function sharedCoreFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'crash-capture-shared-cores-'))
  chmodSync(dir, 0o1777)
  restoreKernel({ '/proc/sys/kernel/core_pattern': `${dir}/core.%e.%p` })
  return dir
}

/** A job whose main could not install the handler: post collects from the search paths. */
function strayJob(ws: Workspace, cores: string, inputs: Record<string, string> = {}): FakeJob {
  const job = new FakeJob({
    workspace: ws.dir,
    inputs: { 'search-paths': `${cores}/*`, 'fail-on-crash': 'false', ...inputs }
  })
  job.state = {
    capture: JSON.stringify({ startedAt: Date.now() - 1000, mode: 'none', reason: 'test' })
  }
  return job
}

describe('security: gdb never runs what a crash brings', () => {
  it('runs no auto-load script and no command from a folder name: post, local command, debug.sh', async () => {
    const nobody = ensureUser('ccnobody', false)
    const ws = makeWorkspace(['loader'])
    const markers = mkdtempSync(join(tmpdir(), 'crash-capture-markers-'))
    chmodSync(markers, 0o777)
    const marker = join(markers, 'auto-loaded')
    buildLibrary(ws, 'evil', 'autoload', fixture('autoload.c').replaceAll('MARKER_PATH', marker))
    // A library in a folder whose name is a shell command substitution.
    const injected = buildLibrary(ws, '$(touch pwned-by-folder)', 'plain', fixture('plain.c'))
    openToOthers(ws.dir)
    // gdb's auto-load safe-path check compares this unresolved path by prefix.
    const sneaky = `/usr/share/gdb/auto-load/../../../..${ws.dir}/evil/libautoload.so`

    const job = new FakeJob({ workspace: ws.dir, inputs: { 'fail-on-crash': 'false' } })
    await job.runStep('main')
    const run = spawnSync(ws.bin('loader'), [sneaky, injected], {
      cwd: ws.dir,
      uid: nobody.uid,
      gid: nobody.gid
    })
    expect(run.signal).toBe('SIGSEGV')
    await waitForCrashes(job, 1)
    const session = sessionOf(job)
    const post = await job.runStep('post')
    expect(post.code).toBe(0)
    expect(existsSync(marker)).toBe(false)
    const [record] = records(post.outputs.report)
    const stage = stageOf(job, session)
    const core = join(stage, record!.id, 'core')
    expect(existsSync(core)).toBe(true)

    // The local command on the same core, as a developer would run it.
    const local = spawnSync(STEP_NODE, [join(ROOT, 'dist/cli.js'), core], {
      cwd: ws.dir,
      encoding: 'utf8'
    })
    expect(local.stdout).toContain('main')
    expect(existsSync(marker)).toBe(false)

    // debug.sh from the bundle, run from an empty folder, as on a laptop.
    const laptop = mkdtempSync(join(tmpdir(), 'crash-capture-laptop-'))
    const debug = spawnSync(
      'sh',
      [join(stage, 'bundle', record!.id, 'debug.sh'), '-batch', '-ex', 'info sharedlibrary'],
      { cwd: laptop, encoding: 'utf8' }
    )
    expect(debug.status).toBe(0)
    // gdb did load the library from the bundle through the quoted search path.
    expect(debug.stdout).toMatch(
      /Yes.*bundle\/sysroot\/.*\$\(touch pwned-by-folder\)\/libplain\.so/
    )
    expect(readdirSync(laptop)).toEqual([])
    expect(existsSync(join(ws.dir, 'pwned-by-folder'))).toBe(false)
    expect(existsSync(marker)).toBe(false)

    // The private sysroot keeps gdb away from the core's link-map paths; with those paths
    // (the host's sysroot), the settings alone must still stop the script.
    const settings = GDB_SETTINGS.flatMap((setting) => ['-iex', setting])
    spawnSync('gdb', ['-nx', '-batch', ...settings, ws.bin('loader'), core])
    expect(existsSync(marker)).toBe(false)

    // Control: the same core under gdb's defaults runs the script, so the attack is live here.
    spawnSync(
      'gdb',
      ['-nx', '-batch', '-iex', 'set debuginfod enabled off', ws.bin('loader'), core],
      { encoding: 'utf8' }
    )
    expect(existsSync(marker)).toBe(true)
    rmSync(markers, { recursive: true, force: true })
  })
})

describe('security: the artifact holds only files checked against the core', () => {
  it('never bundles a library swapped for a symlink to a secret, before or after identify', async () => {
    const ws = makeWorkspace(['loader'])
    const library = buildLibrary(ws, 'lib', 'plain', fixture('plain.c'))
    const original = sha(library)
    const secret = join(mkdtempSync(join(tmpdir(), 'crash-capture-secret-')), 'id_rsa')
    writeFileSync(secret, 'SECRET-KEY-MATERIAL\n', { mode: 0o600 })
    const cores = mkdtempSync(join(tmpdir(), 'crash-capture-cores-'))
    restoreKernel({ '/proc/sys/kernel/core_pattern': `${cores}/core.%p` })
    spawnSync('sh', ['-c', `ulimit -c unlimited; exec ./bin/loader ${library}`], { cwd: ws.dir })
    const [coreName] = readdirSync(cores)
    restoreKernel(snapshot())

    // After identify checked the library's build-id, it becomes a link to the secret.
    const stage = mkdtempSync(join(tmpdir(), 'crash-capture-stage-'))
    const crash = await crashFromCoreFile(join(cores, coreName!), Date.now(), stage, 1)
    const identified = await identify(crash, new ExecutableCandidates([], stage))
    expect(crash.libraries.map((l) => l.path)).toContain(library)
    rmSync(library)
    symlinkSync(secret, library)
    const analyses = await analyzeAll([crash], new Map([[crash, identified.core!]]), {
      missing: 'not needed'
    })
    const bundle = await stageBundle(analyses, stage, UploadMode.All, 1 << 30)
    expect(containsText(bundle.root, 'SECRET-KEY-MATERIAL')).toEqual([])
    // The library travels in zstd: what it unpacks to is the original.
    const bundled = files(bundle.root).find((f) => f.endsWith(`${library}.zst`))
    expect(bundled).toBeDefined()
    execFileSync('zstd', ['-q', '-d', bundled!, '-o', `${bundled!}.out`])
    expect(sha(`${bundled!}.out`)).toBe(original)

    // The link already in place at identify: the library is refused, and said so.
    const again = await crashFromCoreFile(join(cores, coreName!), Date.now(), stage, 2)
    const second = await identify(again, new ExecutableCandidates([], join(stage, 'second')))
    expect(again.libraries.map((l) => l.path)).not.toContain(library)
    expect(second.problems.join('\n')).toContain(`${library} is a symbolic link`)
  })

  it('ignores stray cores of other users and symlinks, and unverifiable binaries in shared folders', async () => {
    const nobody = ensureUser('ccnobody', false)
    const ws = makeWorkspace([
      'nullderef',
      { name: 'nobuildid', source: 'nullderef', flags: ['-g', '-Wl,--build-id=none'] }
    ])
    openToOthers(ws.dir)
    const cores = sharedCoreFolder()
    spawnSync('sh', ['-c', `ulimit -c unlimited; exec ${ws.bin('nullderef')}`], {
      cwd: ws.dir,
      uid: nobody.uid,
      gid: nobody.gid
    })
    spawnSync('sh', ['-c', 'ulimit -c unlimited; exec ./bin/nobuildid'], { cwd: ws.dir })
    restoreKernel(snapshot())
    const foreign = readdirSync(cores).find((n) => n.startsWith('core.nullderef'))!
    expect(statSync(join(cores, foreign)).uid).toBe(nobody.uid)
    const own = readdirSync(cores).find((n) => n.startsWith('core.nobuildid'))!
    // A link named like a core, to our own core: never followed.
    symlinkSync(join(cores, own), join(cores, 'core.link'))
    // The binary without a build-id is replaced by a link to a secret of the post user.
    const secret = join(mkdtempSync(join(tmpdir(), 'crash-capture-secret-')), 'token')
    writeFileSync(secret, 'SECRET-TOKEN-VALUE\n', { mode: 0o600 })
    rmSync(ws.bin('nobuildid'))
    symlinkSync(secret, ws.bin('nobuildid'))

    const job = strayJob(ws, cores)
    const post = await job.runStep('post')
    expect(post.stdout).toContain(`core.nullderef`)
    expect(post.stdout).toContain(`owned by uid ${nobody.uid}`)
    const found = records(post.outputs.report)
    expect(found).toHaveLength(1)
    expect(found[0]!.executable).toBeNull()
    expect(found[0]!.problems.join('\n')).toMatch(/no build-id to check it against/)
    expect(containsText(job.temp, 'SECRET-TOKEN-VALUE')).toEqual([])
  })
})

describe('security: names from a crash never become gdb commands', () => {
  it('does not run a command hidden after a newline in a core file name', async () => {
    const ws = makeWorkspace(['named', 'nullderef'])
    const cores = sharedCoreFolder()
    // What gdb would take as the first line: a valid core there, so that the line after it runs;
    // of another program, so that the named core is no twin of it (a twin is not given to gdb).
    spawnSync('sh', ['-c', 'ulimit -c unlimited; exec ./bin/nullderef'], { cwd: ws.dir })
    const [plain] = readdirSync(cores)
    renameSync(join(cores, plain!), join(cores, 'core.x'))
    // The comm (15 bytes at most) names the core through %e in the file core_pattern.
    spawnSync(
      'sh',
      ['-c', 'ulimit -c unlimited; exec ./bin/named "$1"', 'sh', 'x\nshell touch Q'],
      {
        cwd: ws.dir
      }
    )
    restoreKernel(snapshot())
    const name = readdirSync(cores).find((file) => file !== 'core.x')
    expect(name).toContain('\nshell touch Q.')
    const job = strayJob(ws, cores)
    const post = await job.runStep('post')
    expect(post.code).toBe(0)
    expect(files(job.temp).filter((f) => basename(f).startsWith('Q.'))).toEqual([])
    expect(readdirSync(ws.dir).filter((f) => f.startsWith('Q.'))).toEqual([])
    const problems = records(post.outputs.report).flatMap((r) => r.problems)
    expect(problems.join('\n')).toContain('control characters')
  })
})

describe('security: every size limit holds', () => {
  it('caps argv, maps and status, also past the budget', async () => {
    const ws = makeWorkspace(['hog'])
    const deep = join(ws.dir, 'd'.repeat(100), 'e'.repeat(100))
    mkdirSync(deep, { recursive: true })
    writeFileSync(join(deep, 'page'), Buffer.alloc(4096, 1))
    const argv = Array.from({ length: 15 }, () => 'a'.repeat(100_000))
    const crashIn = async (budget: string) => {
      const job = new FakeJob({
        workspace: ws.dir,
        inputs: { 'max-total-size': budget, 'fail-on-crash': 'false', upload: 'none' }
      })
      await job.runStep('main')
      const session = sessionOf(job)
      spawnSync(ws.bin('hog'), [join(deep, 'page'), '60000', ...argv], { cwd: ws.dir })
      await waitForCrashes(job, 1, 30_000)
      const [dir] = readdirSync(join(session, 'crashes'))
      const folder = join(session, 'crashes', dir!)
      const sizes = Object.fromEntries(
        readdirSync(folder).map((name) => [name, statSync(join(folder, name)).size])
      )
      await job.runStep('post')
      return sizes
    }
    const roomy = await crashIn('64M')
    expect(roomy.maps).toBe(1024 * 1024)
    expect(roomy.cmdline).toBe(64 * 1024)
    expect(roomy.status).toBeLessThanOrEqual(16 * 1024)
    const tight = await crashIn('1M')
    expect(tight.maps).toBeUndefined()
    expect(tight.cmdline).toBe(4096)
    expect(Object.values(tight).reduce((a, b) => a + b, 0)).toBeLessThan(64 * 1024)
  }, 120_000)

  it('counts executable copies against the budget: a 50 MB binary touched between crashes', async () => {
    const ws = makeWorkspace(['bigexe'])
    const job = new FakeJob({
      workspace: ws.dir,
      inputs: { 'max-total-size': '80M', 'fail-on-crash': 'false', upload: 'none' }
    })
    await job.runStep('main')
    const session = sessionOf(job)
    for (let i = 1; i <= 3; i++) {
      execFileSync('touch', ['-d', `@${1_700_000_000 + i}`, ws.bin('bigexe')])
      spawnSync(ws.bin('bigexe'), { cwd: ws.dir })
      await waitForCrashes(job, i)
    }
    const crashes = join(session, 'crashes')
    const stored = Number(execFileSync('du', ['-sb', crashes], { encoding: 'utf8' }).split('\t')[0])
    expect(stored).toBeLessThanOrEqual(80 * 1024 * 1024)
    const copies = new Set(
      readdirSync(crashes)
        .filter((d) => existsSync(join(crashes, d, 'exe')))
        .map((d) => statSync(join(crashes, d, 'exe')).ino)
    )
    expect(copies.size).toBe(1)
    const post = await job.runStep('post')
    const notCopied = records(post.outputs.report).filter((r) =>
      r.problems.some((p) =>
        /did not copy the executable of \d+ KiB not copied: max-total-size/.test(p)
      )
    )
    expect(notCopied).toHaveLength(2)
  }, 120_000)

  it('decompresses within min-free-space: three compressible 128 MiB cores on a 200 MiB disk', async () => {
    const mount = mkdtempSync('/tmp/cc-runner-temp-')
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=200m,mode=0777', 'tmpfs', mount])
    try {
      const ws = makeWorkspace(['fillmem'])
      const job = new FakeJob({
        workspace: ws.dir,
        inputs: { 'min-free-space': '16M', 'fail-on-crash': 'false', upload: 'none' }
      })
      job.temp = mount
      await job.runStep('main')
      for (let i = 1; i <= 3; i++) {
        // Three copies: crashes of one file at one place would be twins, and only the first
        // decompressed (see collect/site.ts); this test wants three decompressions.
        copyFileSync(ws.bin('fillmem'), `${ws.bin('fillmem')}${i}`)
        chmodSync(`${ws.bin('fillmem')}${i}`, 0o755)
        spawnSync(`${ws.bin('fillmem')}${i}`, ['128'], { cwd: ws.dir })
        await waitForCrashes(job, i, 30_000)
      }
      const post = await job.runStep('post')
      const used = Number(
        execFileSync('df', ['-Pk', mount], { encoding: 'utf8' })
          .trim()
          .split('\n')[1]!
          .split(/\s+/)[2]
      )
      expect(used * 1024).toBeLessThanOrEqual((200 - 16) * 1024 * 1024)
      const states = records(post.outputs.report).map((r) => [r.coreState, r.coreNote])
      expect(states.filter(([s]) => s === 'complete')).toHaveLength(1)
      expect(states.map(([, note]) => note).join('\n')).toMatch(/min-free-space/)
      expect(states.filter(([s]) => s !== 'complete')).toHaveLength(2)
    } finally {
      execFileSync('umount', [mount])
      rmSync(mount, { recursive: true, force: true })
    }
  }, 120_000)
})

describe('security: nothing a crash names can hang the post step', () => {
  it('reports a library replaced by a FIFO and finishes', async () => {
    const ws = makeWorkspace([])
    buildWithLibrary(ws)
    const job = new FakeJob({
      workspace: ws.dir,
      inputs: { 'fail-on-crash': 'false', upload: 'none' }
    })
    await job.runStep('main')
    spawnSync('./bin/uselib', { cwd: ws.dir })
    await waitForCrashes(job, 1)
    rmSync(join(ws.dir, 'bin/libmylib.so'))
    execFileSync('mkfifo', [join(ws.dir, 'bin/libmylib.so')])
    const post = await job.runStep('post')
    expect(post.ms).toBeLessThan(30_000)
    const [record] = records(post.outputs.report)
    expect(record!.problems.join('\n')).toContain('libmylib.so is a FIFO, not a regular file')
  })
})

describe('security: the crash directory', () => {
  it('is refused with a user-owned parent or as a symlink, before anything is created', async () => {
    const nobody = ensureUser('ccnobody', false)
    const ws = makeWorkspace([])
    const parent = mkdtempSync(join(tmpdir(), 'cc-user-parent-'))
    chownSync(parent, nobody.uid, nobody.gid)
    const target = mkdtempSync(join(tmpdir(), 'cc-link-target-'))
    chownSync(target, nobody.uid, nobody.gid)
    const link = join(tmpdir(), `cc-link-${process.pid}`)
    symlinkSync(target, link)
    try {
      for (const [crashDir, why] of [
        [join(parent, 'crash'), `${parent} is owned by uid ${nobody.uid}, not root`],
        [link, `${link} is a symbolic link`]
      ] as const) {
        const job = new FakeJob({ workspace: ws.dir, inputs: { 'crash-dir': crashDir } })
        const main = await job.runStep('main')
        expect(main.code).toBe(0)
        expect(main.stdout).toContain(why)
        expect(main.stdout).toContain('Mode: none')
        expect(readKernel()).toEqual(snapshot())
      }
      expect(readdirSync(parent)).toEqual([])
      expect(readdirSync(target)).toEqual([])
      expect(statSync(target).uid).toBe(nobody.uid)
    } finally {
      rmSync(link, { force: true })
    }
  })
})

describe('security: cores of setuid programs', () => {
  it('stay out of the analysis and the artifact unless setuid-cores says include', async () => {
    const user = ensureUser('ccrunner', true)
    const ws = makeWorkspace(['nullderef'])
    openToOthers(ws.dir)
    const suid = join(ws.dir, 'bin', 'suid-nullderef')
    copyFileSync(ws.bin('nullderef'), suid)
    chmodSync(suid, 0o4755)
    const job = new FakeJob({ workspace: ws.dir, inputs: { 'fail-on-crash': 'false' } })
    await job.runStep('main')
    const session = sessionOf(job)
    expect(spawnSync(suid, { cwd: ws.dir, uid: user.uid, gid: user.gid }).signal).toBe('SIGSEGV')
    await waitForCrashes(job, 1)
    const [dir] = readdirSync(join(session, 'crashes'))
    expect(readdirSync(join(session, 'crashes', dir!)).filter((f) => f.startsWith('core'))).toEqual(
      []
    )
    const post = await job.runStep('post')
    const [record] = records(post.outputs.report)
    expect(record!.coreState).toBe('dropped')
    expect(record!.coreNote).toMatch(/changed its user or group ids \(dumpable=2/)
    expect(record!.coreNote).toContain('setuid-cores: include')
    const bundle = join(stageOf(job, session), 'bundle')
    expect(files(bundle).filter((f) => /^core(\.zst)?$/.test(basename(f)))).toEqual([])
  })
})

describe('security: the sticky comment', () => {
  const TOKEN = 'ghs_security_token'
  let github: FakeGitHub
  beforeAll(async () => {
    github = await new FakeGitHub('octo', 'app', TOKEN).start()
  })
  afterAll(async () => {
    await github.stop()
  })

  it('never rewrites a comment someone else wrote with the marker', async () => {
    const marker = commentMarker('ci/test')
    const planted = github.plant(7, `${marker}\nplanted by the pull request author`, 'mallory')
    const target = {
      owner: 'octo',
      repo: 'app',
      issueNumber: 7,
      apiUrl: github.url,
      runUrl: null
    }
    expect(await publishComment(target, TOKEN, marker, () => `${marker}\nour crash report`)).toBe(
      'created'
    )
    expect(planted.body).toBe(`${marker}\nplanted by the pull request author`)
    expect(await publishComment(target, TOKEN, marker, () => `${marker}\nupdated`)).toBe('updated')
    const ours = github.comments.get(7)!.filter((c) => c.user === BOT_LOGIN)
    expect(ours.map((c) => c.body)).toEqual([`${marker}\nupdated`])
    expect(planted.body).toBe(`${marker}\nplanted by the pull request author`)
  })
})

describe('security: a main step killed midway', () => {
  it('is cleaned up by post: settings restored, session removed', async () => {
    const ws = makeWorkspace([])
    // `tee` writes the kernel setting, then the main step is killed right after core_pattern.
    const bin = mkdtempSync(join(tmpdir(), 'crash-capture-kill-'))
    writeFileSync(
      join(bin, 'tee'),
      '#!/bin/sh\n/usr/bin/tee "$@" || exit $?\ncase "$1" in */core_pattern) kill -KILL "$PPID" ;; esac\n',
      { mode: 0o755 }
    )
    const job = new FakeJob({ workspace: ws.dir })
    const main = await job.runStep('main', { env: { PATH: `${bin}:${process.env.PATH}` } })
    expect(main.code).toBeNull()
    expect(readKernel()['/proc/sys/kernel/core_pattern']).toMatch(/^\|.*handler\.sh/)
    const session = sessionOf(job)
    expect(existsSync(session)).toBe(true)
    const post = await job.runStep('post')
    expect(post.code).toBe(0)
    expect(post.stdout).toContain('The main step did not finish')
    expect(readKernel()).toEqual(snapshot())
    expect(existsSync(session)).toBe(false)
  })
})
