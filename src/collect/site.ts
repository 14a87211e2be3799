import { createHash } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * The crash site of a handler crash, as a key: crashes of one bug in a storm share it, so only
 * the first few are decompressed and backtraced. The handler records, while the process dumps,
 * the crashing thread's pc and sp (`/proc/PID/task/TID/stat` shows them then) and 8 KiB of its
 * stack from sp. The key is the executable file, the signal, the pc and every word of that
 * stack that points into mapped code, each as `file+offset` (so that address randomisation does
 * not matter): two crashes at the same instruction reached through the same calls share it;
 * another caller puts another return address on the stack. Data on the stack is left out.
 * Null when something is missing (then the crash is analysed on its own).
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
  if (!pc || stack.length < 64) return null
  const code = codeMappings(maps)
  if (code.length === 0) return null
  const wide = code.some((m) => m.end > 0xffffffffn)
  const where = (address: bigint) => {
    const mapping = code.find((m) => address >= m.start && address < m.end)
    return mapping
      ? `${mapping.path}+${(address - mapping.start + mapping.offset).toString(16)}`
      : null
  }
  const pointers: string[] = []
  const size = wide ? 8 : 4
  for (let at = 0; at + size <= stack.length; at += size) {
    const word = wide ? stack.readBigUInt64LE(at) : BigInt(stack.readUInt32LE(at))
    const place = word === 0n ? null : where(word)
    if (place) pointers.push(place)
  }
  const hash = createHash('sha256')
  hash.update(
    `${exe.dev}-${exe.ino}\0${signal}\0${where(BigInt(pc)) ?? `0x${BigInt(pc).toString(16)}`}`
  )
  for (const pointer of pointers) hash.update(`\0${pointer}`)
  return hash.digest('hex').slice(0, 24)
}

/** The executable mappings of a /proc/PID/maps text. */
function codeMappings(
  maps: string
): { start: bigint; end: bigint; offset: bigint; path: string }[] {
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
