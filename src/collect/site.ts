import { createHash } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { CoreInfo } from '../elf/core-file.js'
import type { Crash } from './crash.js'

/** A mapping of a file into the process, as address range and file offset. */
interface FileMapping {
  start: bigint
  end: bigint
  offset: bigint
  path: string
}

/**
 * The crash site of a crash, as a key: crashes of one bug in a storm share it, so only the first
 * few are decompressed and backtraced. The key is the executable (`exe`: its identity), the
 * signal, the pc and every word of 8 KiB of the crashing thread's stack from sp that points into
 * a mapped file, each as `file+offset` (so that address randomisation does not matter): two
 * crashes at the same instruction reached through the same calls share it; another caller puts
 * another return address on the stack. Data on the stack (heap pointers, numbers) is left out.
 * Null when something is missing (then the crash is analysed on its own).
 */
function siteKey(
  exe: string,
  signal: number,
  pc: bigint,
  stack: Buffer,
  files: FileMapping[],
  wide: boolean
): string | null {
  if (stack.length < 64 || files.length === 0) return null
  const where = (address: bigint) => {
    const mapping = files.find((m) => address >= m.start && address < m.end)
    return mapping
      ? `${mapping.path}+${(address - mapping.start + mapping.offset).toString(16)}`
      : null
  }
  const hash = createHash('sha256')
  hash.update(`${exe}\0${signal}\0${where(pc) ?? `0x${pc.toString(16)}`}`)
  const size = wide ? 8 : 4
  for (let at = 0; at + size <= stack.length; at += size) {
    const word = wide ? stack.readBigUInt64LE(at) : BigInt(stack.readUInt32LE(at))
    const place = word === 0n ? null : where(word)
    if (place) hash.update(`\0${place}`)
  }
  return hash.digest('hex').slice(0, 24)
}

/**
 * The crash site of a handler crash: the handler records, while the process dumps, the crashing
 * thread's pc and sp (`/proc/PID/task/TID/stat` shows them then) and 8 KiB of its stack from sp;
 * the words are placed in the executable mappings of its maps.
 */
export async function crashSiteKey(source: string, signal: number): Promise<string | null> {
  const [site, stack, maps, exe] = await Promise.all([
    readFile(join(source, 'site'), 'utf8').catch(() => null),
    readFile(join(source, 'stack')).catch(() => null),
    readFile(join(source, 'maps'), 'utf8').catch(() => null),
    stat(join(source, 'exe')).catch(() => null)
  ])
  if (site === null || stack === null || maps === null || !exe?.isFile()) return null
  const pc = /^pc=(\d{1,20})$/m.exec(site)?.[1]
  if (!pc) return null
  const code = codeMappings(maps)
  const wide = code.some((m) => m.end > 0xffffffffn)
  return siteKey(`${exe.dev}-${exe.ino}`, signal, BigInt(pc), stack, code, wide)
}

/**
 * The crash site of a core file, from the core alone: the first thread's pc, the stack bytes
 * the reader kept from its sp, and the file mappings of NT_FILE (data files too: a pointer into
 * a mapped file is as stable as one into code). `executable` names the executable (its build-id
 * where known). Keys of core files are compared with keys of core files only.
 */
export function coreSiteKey(core: CoreInfo, executable: string): string | null {
  const thread = core.threads[0]
  if (!thread?.pc || !core.stack) return null
  const signal = core.signal?.number ?? thread.signal
  return siteKey(executable, signal, BigInt(thread.pc), core.stack, core.mappings, core.bits === 64)
}

/**
 * Marks each core file or systemd-coredump crash whose crash site (coreSiteKey) an earlier one
 * of the same executable had as that one's twin: its backtrace stands for it, and its core is
 * not given to gdb. The handler's crashes have their twins already (collectHandlerCrashes).
 */
export function markCoreTwins(crashes: Crash[], cores: Map<Crash, CoreInfo>): void {
  const sites = new Map<string, string>()
  for (const crash of crashes) {
    if (crash.source !== 'core-file' && crash.source !== 'systemd-coredump') continue
    const core = cores.get(crash)
    const exe = crash.buildId ?? crash.executablePath
    if (crash.twinOf || !core || !crash.core || !crash.executable || !exe) continue
    const key = coreSiteKey(core, exe)
    if (!key) continue
    const first = sites.get(key)
    if (first) crash.twinOf = first
    else sites.set(key, crash.id)
  }
}

/** The executable mappings of a /proc/PID/maps text. */
function codeMappings(maps: string): FileMapping[] {
  const found = []
  for (const line of maps.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) r-xp ([0-9a-f]+) \S+ \d+\s+(.*)$/.exec(line)
    if (!m) continue
    found.push({
      start: BigInt(`0x${m[1]}`),
      end: BigInt(`0x${m[2]}`),
      offset: BigInt(`0x${m[3]}`),
      path: m[4]!
    })
  }
  return found
}
