import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  realpathSync,
  statSync,
  truncateSync,
  writeFileSync,
  copyFileSync
} from 'node:fs'
import { open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  ElfError,
  fileBuildId,
  handleSoname,
  looksLikeCore,
  readCore,
  type CoreInfo
} from '../src/elf/core-file.js'
import { makeWorkspace, ROOT, type Workspace } from '../__fixtures__/e2e.js'
import { dumpCores } from '../__fixtures__/cores.js'
import { readKernel, restoreKernel, type KernelSnapshot } from '../__fixtures__/kernel.js'

// Real cores, written by a plain file core_pattern into a temporary folder, read by our parser
// and checked against gdb and elfutils (eu-unstrip -n --core) on the same files.
let before: KernelSnapshot
let ws: Workspace
let coreDir: string
const cores = new Map<string, string>()
let has32 = false

beforeAll(() => {
  before = readKernel()
  has32 =
    spawnSync('sh', ['-c', 'echo "int main(void){return 0;}" | gcc -m32 -x c -o /dev/null -'], {
      stdio: 'ignore'
    }).status === 0
  ws = makeWorkspace([
    'nullderef',
    'threads',
    'late',
    { name: 'stripped', source: 'nullderef', flags: ['-O0', '-s'] },
    ...(has32 ? [{ name: 'nullderef32', source: 'nullderef', flags: ['-m32', '-g', '-O0'] }] : [])
  ])
  coreDir = mkdtempSync(join(tmpdir(), 'crash-capture-elf-'))
  const made = dumpCores(ws.dir, {
    nullderef: './bin/nullderef',
    threads: './bin/threads',
    stripped: './bin/stripped',
    deleted:
      'cp bin/late bin/deleted_copy && (./bin/deleted_copy & sleep 0.1; rm bin/deleted_copy; wait)',
    ...(has32 ? { nullderef32: './bin/nullderef32' } : {})
  })
  for (const [name, path] of made) cores.set(name, path)
}, 60_000)
afterAll(() => restoreKernel(before))

/**
 * The build-ids elfutils finds in a core, sorted. It names files by the path it found them at
 * (/lib vs /usr/lib), so the ids are compared, not the names; the vdso is not in NT_FILE.
 */
function euBuildIds(core: string): string[] {
  const out = execFileSync('eu-unstrip', ['-n', '--core', core], { encoding: 'utf8' })
  return out
    .trim()
    .split('\n')
    .filter((line) => !/linux-(vdso|gate)/.test(line))
    .map((line) => line.split(' ')[1]!.split('@')[0]!)
    .sort()
}

function ids(core: CoreInfo): string[] {
  return [...new Set(core.buildIds.values())].sort()
}

function gdbCrashingLwp(exe: string, core: string): number {
  const out = execFileSync(
    'gdb',
    ['-nx', '-batch', '-iex', 'set debuginfod enabled off', '-ex', 'info threads', exe, core],
    { encoding: 'utf8' }
  )
  return Number(/^\* +\d+ +(?:Thread 0x[0-9a-f]+ \()?LWP (\d+)/m.exec(out)![1])
}

describe('elf core reader on real cores', () => {
  it('reads a 64-bit core: signal, thread, executable, command and build-ids', async () => {
    const core = await readCore(cores.get('nullderef')!)
    expect(core).toMatchObject({
      bits: 64,
      machine: 'x86_64',
      command: 'nullderef',
      arguments: './bin/nullderef',
      truncated: false
    })
    expect(core.signal).toEqual({ number: 11, code: 1, errno: 0, address: '0x0' })
    expect(core.threads).toHaveLength(1)
    expect(core.threads[0]!.tid).toBe(core.pid)
    expect(core.executable).toBe(ws.bin('nullderef'))
    expect(core.execfn).toBe('./bin/nullderef')
    expect(core.buildIds.get(ws.bin('nullderef'))).toBe(await fileBuildId(ws.bin('nullderef')))
    expect(ids(core)).toEqual(euBuildIds(cores.get('nullderef')!))
    expect(core.threads[0]!.pc).toMatch(/^0x[0-9a-f]+$/)
  })

  it('names the faulting thread first in a multi-threaded core, as gdb does', async () => {
    const path = cores.get('threads')!
    const core = await readCore(path)
    expect(core.threads).toHaveLength(6)
    expect(core.threads[0]!.tid).not.toBe(core.pid)
    expect(core.threads[0]!.tid).toBe(gdbCrashingLwp(ws.bin('threads'), path))
    expect(core.signal?.address).toBe('0x0')
    expect(ids(core)).toEqual(euBuildIds(path))
  })

  it('reports a deleted binary as deleted, with its build-id from memory', async () => {
    const core = await readCore(cores.get('deleted')!)
    expect(core.executable).toBe(`${ws.bin('deleted_copy')} (deleted)`)
    expect(core.buildIds.get(`${ws.bin('deleted_copy')} (deleted)`)).toBe(
      await fileBuildId(ws.bin('late'))
    )
  })

  it('reads a stripped binary core', async () => {
    const core = await readCore(cores.get('stripped')!)
    expect(core.executable).toBe(ws.bin('stripped'))
    expect(core.buildIds.get(ws.bin('stripped'))).toBe(await fileBuildId(ws.bin('stripped')))
  })

  it('reads a 32-bit i386 core (gcc-multilib)', async () => {
    if (!has32) {
      console.warn(
        'gcc -m32 does not work here (gcc-multilib missing): the 32-bit core is not tested'
      )
      return
    }
    const path = cores.get('nullderef32')!
    const core = await readCore(path)
    expect(core).toMatchObject({ bits: 32, machine: 'i386', command: 'nullderef32' })
    expect(core.signal).toEqual({ number: 11, code: 1, errno: 0, address: '0x0' })
    expect(core.threads[0]!.tid).toBe(core.pid)
    expect(core.executable).toBe(ws.bin('nullderef32'))
    expect(ids(core)).toEqual(euBuildIds(path))
  })

  it('tells cores from other files', async () => {
    expect(await looksLikeCore(cores.get('nullderef')!)).toBe(true)
    expect(await looksLikeCore(ws.bin('nullderef'))).toBe(false)
  })

  it('reads the soname of a shared object, as readelf does', async () => {
    const soname = async (path: string) => {
      const handle = await open(path, 'r')
      try {
        return await handleSoname(handle)
      } finally {
        await handle.close()
      }
    }
    const libstdcxx = execFileSync('g++', ['-print-file-name=libstdc++.so.6'], {
      encoding: 'utf8'
    }).trim()
    const dynamic = execFileSync('readelf', ['-d', realpathSync(libstdcxx)], { encoding: 'utf8' })
    const expected = /Library soname: \[([^\]]+)\]/.exec(dynamic)![1]
    expect(await soname(realpathSync(libstdcxx))).toBe(expected)
    expect(expected).toBe('libstdc++.so.6')
    expect(await soname(ws.bin('nullderef'))).toBeNull()
    expect(await soname(cores.get('nullderef')!)).toBeNull()
  })
})

/**
 * A core of an aarch64 program, as Debian's qemu-user writes it (`qemu_<prog>_<date>_<pid>.core`
 * in the working directory: NT_PRSTATUS per thread, NT_PRPSINFO and NT_AUXV, no NT_FILE or
 * NT_SIGINFO), cross-built with gcc-aarch64-linux-gnu; or why it cannot be made here. qemu
 * then dies of the same signal itself, leaving a host core too, which is removed.
 */
function aarch64Core(name: string): { core: string; exe: string } | { skipped: string } {
  const missing = ['qemu-aarch64', 'aarch64-linux-gnu-gcc'].find(
    (tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0
  )
  if (missing) return { skipped: `${missing} is not installed (qemu-user, gcc-aarch64-linux-gnu)` }
  const dir = mkdtempSync(join(tmpdir(), 'crash-capture-aarch64-'))
  const exe = join(dir, name)
  execFileSync('aarch64-linux-gnu-gcc', [
    '-g',
    '-O0',
    '-no-pie',
    '-o',
    exe,
    join(ROOT, '__fixtures__/crashers', `${name}.c`),
    '-lpthread'
  ])
  spawnSync(
    'sh',
    ['-c', `ulimit -c unlimited; exec qemu-aarch64 -L /usr/aarch64-linux-gnu ./${name}`],
    { cwd: dir, stdio: 'ignore' }
  )
  const found = readdirSync(dir).find((file) => /^qemu_.*\.core$/.test(file))
  for (const file of readdirSync(dir))
    if (file === 'core' || /^core\.\d+$/.test(file)) rmSync(join(dir, file))
  if (!found) return { skipped: 'qemu-aarch64 wrote no core' }
  return { core: join(dir, found), exe }
}

/** What eu-readelf --notes says of each NT_PRSTATUS: the thread's pid, cursig and pc. */
function euThreads(core: string): { tid: number; signal: number; pc: string }[] {
  const out = execFileSync('eu-readelf', ['--notes', core], { encoding: 'utf8' })
  return [
    ...out.matchAll(/PRSTATUS[\s\S]*?cursig: (\d+)[\s\S]*?pid: (\d+)[\s\S]*?pc: (0x[0-9a-f]+)/g)
  ].map((m) => ({ tid: Number(m[2]), signal: Number(m[1]), pc: `0x${BigInt(m[3]!).toString(16)}` }))
}

describe('elf core reader on aarch64 cores (qemu-user)', () => {
  for (const name of ['nullderef', 'threads']) {
    it(`reads machine, signal, threads and pc of ${name} as eu-readelf does`, async () => {
      const made = aarch64Core(name)
      if ('skipped' in made) {
        process.stdout.write(`skipped: ${made.skipped}\n`)
        return
      }
      const core = await readCore(made.core)
      expect(core).toMatchObject({ bits: 64, machine: 'aarch64', command: name })
      const theirs = euThreads(made.core)
      expect(theirs.length).toBeGreaterThan(0)
      expect(
        core.threads.map((t) => ({
          tid: t.tid,
          signal: t.signal,
          pc: `0x${BigInt(t.pc!).toString(16)}`
        }))
      ).toEqual(theirs)
      expect(core.threads[0]!.signal).toBe(11)
      // gdb-multiarch names the crashing function at the pc the reader gives.
      const gdb = spawnSync(
        'gdb-multiarch',
        [
          '-nx',
          '-batch',
          '-ex',
          'set sysroot /usr/aarch64-linux-gnu',
          '-ex',
          'bt 1',
          made.exe,
          made.core
        ],
        { encoding: 'utf8' }
      )
      const frame = /^#0 +(0x[0-9a-f]+) in (\w+)/m.exec(gdb.stdout)
      expect(frame && BigInt(frame[1]!)).toBe(BigInt(core.threads[0]!.pc!))
      expect(frame?.[2]).toBe(name === 'threads' ? 'do_work' : 'sum_list')
    })
  }
})

describe('elf core reader on bad input', () => {
  async function errorOf(bytes: Buffer): Promise<unknown> {
    const file = join(coreDir, `bad-${Math.random().toString(16).slice(2)}`)
    writeFileSync(file, bytes)
    return readCore(file).then(
      (info: CoreInfo) => info,
      (error: unknown) => error
    )
  }

  it('rejects an empty file, random bytes and a program that is not a core', async () => {
    expect(await errorOf(Buffer.alloc(0))).toMatchObject({ code: 'not-elf' })
    expect(await errorOf(Buffer.from('not an elf file at all, just text'))).toMatchObject({
      code: 'not-elf'
    })
    expect(await errorOf(readFileSync(ws.bin('nullderef')))).toMatchObject({ code: 'not-core' })
  })

  it('gives a typed error or a truncated result for a core cut at many offsets, quickly', async () => {
    const whole = readFileSync(cores.get('threads')!)
    const started = Date.now()
    for (const cut of [
      1,
      10,
      52,
      63,
      64,
      100,
      500,
      1000,
      3000,
      5000,
      10000,
      50000,
      whole.length - 1
    ]) {
      const result = await errorOf(whole.subarray(0, cut))
      if (result instanceof ElfError) continue
      expect((result as CoreInfo).truncated).toBe(true)
    }
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('refuses absurd counts and sizes in the headers', async () => {
    const whole = Buffer.from(readFileSync(cores.get('nullderef')!))
    const phnum = Buffer.from(whole)
    phnum.writeUInt16LE(0xfffe, 56)
    expect(await errorOf(phnum)).toMatchObject({ code: 'malformed' })
    const phoff = Buffer.from(whole)
    phoff.writeBigUInt64LE(0xffffffffffff0000n, 32)
    expect(await errorOf(phoff)).toBeInstanceOf(ElfError)
    // A note whose size claims 4 GiB.
    const note = Buffer.from(whole)
    const phoffValue = Number(whole.readBigUInt64LE(32))
    const noteOffset = Number(whole.readBigUInt64LE(phoffValue + 8))
    note.writeUInt32LE(0xfffffff0, noteOffset + 4)
    expect(await errorOf(note)).toMatchObject({ code: 'malformed' })
  })

  it('marks a core whose segments run past its end as truncated', async () => {
    const file = join(coreDir, 'cut-core')
    copyFileSync(cores.get('nullderef')!, file)
    truncateSync(file, statSync(file).size - 4096)
    expect((await readCore(file)).truncated).toBe(true)
  })
})
