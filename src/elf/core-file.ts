import type { FileHandle } from 'node:fs/promises'
import { openRegular } from '../safe-file.js'

/**
 * A pure-TypeScript reader of Linux ELF core files (little-endian ELF32 and ELF64: x86_64, i386,
 * aarch64 and others with the generic layout). It reads only headers, notes and the few memory
 * bytes it needs through bounded reads, so a 2 GiB core is never loaded; every malformed input
 * ends in an ElfError, never in an unbounded loop or allocation.
 */

/** Why a file could not be read as a core. */
export type ElfErrorCode = 'not-elf' | 'not-core' | 'unsupported' | 'malformed' | 'io'

/** A file that is not a readable ELF core, with the reason. */
export class ElfError extends Error {
  constructor(
    readonly code: ElfErrorCode,
    message: string
  ) {
    super(message)
    this.name = 'ElfError'
  }
}

/** The signal that killed the process (NT_SIGINFO). */
export interface CoreSignal {
  number: number
  code: number
  errno: number
  /** si_addr for SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, as hex. */
  address: string | null
}

/** One thread (NT_PRSTATUS); the first is the one that received the signal. */
export interface CoreThread {
  tid: number
  /** pr_cursig (set in every thread of a dump). */
  signal: number
  pc: string | null
  sp: string | null
}

/** One file mapping (NT_FILE). */
export interface CoreMapping {
  start: bigint
  end: bigint
  /** File offset of the mapping, in bytes. */
  offset: bigint
  /** Path as the kernel wrote it; may end in ` (deleted)`. */
  path: string
}

/** What a core says about the process that dumped it. */
export interface CoreInfo {
  bits: 32 | 64
  machine: string
  signal: CoreSignal | null
  threads: CoreThread[]
  /** pr_fname: the comm, at most 15 bytes. */
  command: string | null
  /** pr_psargs: the first 80 bytes of the command line, NULs replaced by spaces. */
  arguments: string | null
  pid: number | null
  uid: number | null
  entry: bigint | null
  /** AT_EXECFN: what was passed to execve (can be /proc/self/exe). */
  execfn: string | null
  mappings: CoreMapping[]
  /** GNU build-ids of the mapped ELF objects found in the core's memory, by path. */
  buildIds: Map<string, string>
  /** The executable: the mapping holding AT_PHDR (or AT_ENTRY). */
  executable: string | null
  /** Up to 8 KiB of the first thread's stack from its sp (for crashSiteKey), or null. */
  stack: Buffer | null
  /** True when the program headers describe more bytes than the file has. */
  truncated: boolean
  /** Bytes the program headers describe, and bytes the file has. */
  expectedSize: number
  size: number
}

const NT_PRSTATUS = 1
const NT_PRPSINFO = 3
const NT_AUXV = 6
const NT_SIGINFO = 0x53494749
const NT_FILE = 0x46494c45
const NT_GNU_BUILD_ID = 3
const PT_LOAD = 1
const PT_NOTE = 4
const ET_CORE = 4
const ET_DYN = 3
const AT_PHDR = 3
const AT_ENTRY = 9
const AT_EXECFN = 31
const FAULT_SIGNALS = new Set([4, 5, 7, 8, 11])

/** Bounds: no core needs more, and they keep a hostile header from costing memory or time. */
const MAX_PROGRAM_HEADERS = 1 << 20
const MAX_NOTES_BYTES = 64 * 1024 * 1024
const MAX_NOTES = 1 << 20
const MAX_MAPPINGS = 1 << 20
const MAX_STRING = 4096

/** Offsets in NT_PRSTATUS and NT_PRPSINFO per machine (glibc <sys/procfs.h>, checked offsetof). */
interface Layout {
  machine: string
  prstatusPid: number
  pc: number
  sp: number
  psinfoUid: number
  uidSize: 2 | 4
  psinfoPid: number
  fname: number
  psargs: number
}

const MACHINES: Record<number, Layout> = {
  62: {
    machine: 'x86_64',
    prstatusPid: 32,
    pc: 240,
    sp: 264,
    psinfoUid: 16,
    uidSize: 4,
    psinfoPid: 24,
    fname: 40,
    psargs: 56
  },
  183: {
    machine: 'aarch64',
    prstatusPid: 32,
    pc: 368,
    sp: 360,
    psinfoUid: 16,
    uidSize: 4,
    psinfoPid: 24,
    fname: 40,
    psargs: 56
  },
  3: {
    machine: 'i386',
    prstatusPid: 24,
    pc: 120,
    sp: 132,
    psinfoUid: 8,
    uidSize: 2,
    psinfoPid: 12,
    fname: 28,
    psargs: 44
  }
}

/** Stack bytes read from the crashing thread's sp: what the handler records too. */
const STACK_BYTES = 8192

interface ProgramHeader {
  type: number
  offset: number
  vaddr: bigint
  filesz: number
}

interface Note {
  name: string
  type: number
  desc: Buffer
}

/** Reads a little-endian word of the core's class at `at`, or throws when out of bounds. */
class Words {
  constructor(
    readonly buffer: Buffer,
    readonly bits: 32 | 64
  ) {}

  get size(): number {
    return this.bits === 64 ? 8 : 4
  }

  word(at: number): bigint {
    if (at < 0 || at + this.size > this.buffer.length)
      throw new ElfError('malformed', 'a field lies outside its note')
    return this.bits === 64 ? this.buffer.readBigUInt64LE(at) : BigInt(this.buffer.readUInt32LE(at))
  }

  u32(at: number): number {
    if (at < 0 || at + 4 > this.buffer.length)
      throw new ElfError('malformed', 'a field lies outside its note')
    return this.buffer.readUInt32LE(at)
  }

  i32(at: number): number {
    if (at < 0 || at + 4 > this.buffer.length)
      throw new ElfError('malformed', 'a field lies outside its note')
    return this.buffer.readInt32LE(at)
  }
}

function cString(buffer: Buffer, start: number, max: number): string {
  const end = Math.min(buffer.length, start + max)
  if (start < 0 || start >= end) return ''
  const nul = buffer.indexOf(0, start)
  return buffer.subarray(start, nul >= 0 && nul < end ? nul : end).toString('utf8')
}

function hex(value: bigint): string {
  return `0x${value.toString(16)}`
}

/** Bounded reads from the open core. */
class CoreReader {
  constructor(
    private readonly handle: FileHandle,
    readonly size: number
  ) {}

  async read(offset: number, length: number): Promise<Buffer> {
    if (
      !Number.isSafeInteger(offset) ||
      !Number.isSafeInteger(length) ||
      offset < 0 ||
      length < 0
    ) {
      throw new ElfError('malformed', 'an offset or size is not a valid number')
    }
    const available = Math.max(0, Math.min(length, this.size - offset))
    const buffer = Buffer.alloc(available)
    let done = 0
    while (done < available) {
      const { bytesRead } = await this.handle.read(buffer, done, available - done, offset + done)
      if (bytesRead === 0) break
      done += bytesRead
    }
    return buffer.subarray(0, done)
  }
}

function toSafe(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER))
    throw new ElfError('malformed', `${what} is too large`)
  return Number(value)
}

function parseNotes(buffer: Buffer, into: Note[]): void {
  let at = 0
  while (at + 12 <= buffer.length) {
    if (into.length >= MAX_NOTES) throw new ElfError('malformed', 'too many notes')
    const namesz = buffer.readUInt32LE(at)
    const descsz = buffer.readUInt32LE(at + 4)
    const type = buffer.readUInt32LE(at + 8)
    const nameStart = at + 12
    const descStart = nameStart + Math.ceil(namesz / 4) * 4
    const next = descStart + Math.ceil(descsz / 4) * 4
    if (descStart > buffer.length || descStart + descsz > buffer.length) {
      throw new ElfError('malformed', 'a note runs past the end of its segment')
    }
    const name = buffer.subarray(nameStart, nameStart + Math.max(0, namesz - 1)).toString('latin1')
    into.push({ name, type, desc: buffer.subarray(descStart, descStart + descsz) })
    at = next
  }
}

/** Maps a virtual address of the crashed process to bytes of the core, through PT_LOAD. */
async function readMemory(
  reader: CoreReader,
  loads: ProgramHeader[],
  address: bigint,
  length: number
): Promise<Buffer | null> {
  for (const load of loads) {
    const end = load.vaddr + BigInt(load.filesz)
    if (address >= load.vaddr && address < end) {
      const inside = Number(address - load.vaddr)
      const room = Math.min(length, load.filesz - inside)
      return reader.read(load.offset + inside, room)
    }
  }
  return null
}

async function readCStringAt(
  reader: CoreReader,
  loads: ProgramHeader[],
  address: bigint
): Promise<string | null> {
  const bytes = await readMemory(reader, loads, address, MAX_STRING)
  if (!bytes) return null
  const nul = bytes.indexOf(0)
  return bytes.subarray(0, nul >= 0 ? nul : bytes.length).toString('utf8')
}

/** Reads `length` bytes at an offset of an ELF object (in a file, or in a core's memory). */
type ObjectReader = (offset: bigint, length: number) => Promise<Buffer | null>

/**
 * The GNU build-id of an ELF object, from its ELF header, program headers and PT_NOTE
 * segments, all read through `read` within the first `span` bytes of the object; null when it
 * has none or is not ELF.
 */
async function buildIdOf(
  read: ObjectReader,
  span: bigint,
  maxNote: number
): Promise<string | null> {
  const header = await read(0n, 64)
  if (!header || header.length < 52 || header.readUInt32BE(0) !== 0x7f454c46 || header[5] !== 1)
    return null
  const bits = header[4] === 2 ? 64 : header[4] === 1 ? 32 : 0
  if (bits === 0 || (bits === 64 && header.length < 64)) return null
  const phoff = bits === 64 ? header.readBigUInt64LE(32) : BigInt(header.readUInt32LE(28))
  const phentsize = bits === 64 ? header.readUInt16LE(54) : header.readUInt16LE(42)
  const phnum = bits === 64 ? header.readUInt16LE(56) : header.readUInt16LE(44)
  if (phnum === 0 || phnum > 256 || phentsize < (bits === 64 ? 56 : 32)) return null
  if (phoff + BigInt(phentsize * phnum) > span) return null
  const table = await read(phoff, phentsize * phnum)
  if (!table || table.length < phentsize * phnum) return null
  for (let i = 0; i < phnum; i++) {
    const at = i * phentsize
    if (table.readUInt32LE(at) !== PT_NOTE) continue
    const offset = bits === 64 ? table.readBigUInt64LE(at + 8) : BigInt(table.readUInt32LE(at + 4))
    const filesz =
      bits === 64 ? table.readBigUInt64LE(at + 32) : BigInt(table.readUInt32LE(at + 16))
    if (filesz === 0n || filesz > BigInt(maxNote) || offset + filesz > span) continue
    const bytes = await read(offset, Number(filesz))
    if (!bytes) continue
    const notes: Note[] = []
    try {
      parseNotes(bytes, notes)
    } catch {
      continue
    }
    const id = notes.find((n) => n.name === 'GNU' && n.type === NT_GNU_BUILD_ID)
    if (id && id.desc.length > 0) return id.desc.toString('hex')
  }
  return null
}

/**
 * The build-id of the object mapped at `mapping.start` in a core: its headers are in the first
 * page, which the default coredump_filter dumps, and so is its PT_NOTE when it lies there too.
 */
function buildIdAt(
  reader: CoreReader,
  loads: ProgramHeader[],
  mapping: CoreMapping
): Promise<string | null> {
  const read: ObjectReader = (offset, length) =>
    readMemory(reader, loads, mapping.start + offset, length)
  return buildIdOf(read, mapping.end - mapping.start, 4096)
}

const PT_LOAD_TYPE = 1
const PT_DYNAMIC = 2
const DT_NULL = 0n
const DT_STRTAB = 5n
const DT_SONAME = 14n

/**
 * The DT_SONAME of a shared object open at `handle` (little-endian ELF32/ELF64), or null: the
 * name the dynamic linker recorded in the link map when the object was loaded as a dependency,
 * which often differs from the file's own name (`libstdc++.so.6` for `libstdc++.so.6.0.30`).
 */
export async function handleSoname(handle: FileHandle): Promise<string | null> {
  try {
    const reader = new CoreReader(handle, (await handle.stat()).size)
    const header = await reader.read(0, 64)
    if (header.length < 52 || header.readUInt32BE(0) !== 0x7f454c46 || header[5] !== 1) return null
    const bits = header[4] === 2 ? 64 : 32
    if (bits === 64 && header.length < 64) return null
    const phoff = bits === 64 ? Number(header.readBigUInt64LE(32)) : header.readUInt32LE(28)
    const phentsize = bits === 64 ? header.readUInt16LE(54) : header.readUInt16LE(42)
    const phnum = bits === 64 ? header.readUInt16LE(56) : header.readUInt16LE(44)
    if (phnum === 0 || phnum > 256 || phentsize < (bits === 64 ? 56 : 32)) return null
    const table = await reader.read(phoff, phentsize * phnum)
    if (table.length < phentsize * phnum) return null
    const loads: { vaddr: bigint; offset: bigint; filesz: bigint }[] = []
    let dynamic: { offset: bigint; filesz: bigint } | null = null
    for (let i = 0; i < phnum; i++) {
      const at = i * phentsize
      const type = table.readUInt32LE(at)
      const field = (o64: number, o32: number) =>
        bits === 64 ? table.readBigUInt64LE(at + o64) : BigInt(table.readUInt32LE(at + o32))
      const entry = { offset: field(8, 4), vaddr: field(16, 8), filesz: field(32, 16) }
      if (type === PT_LOAD_TYPE) loads.push(entry)
      if (type === PT_DYNAMIC) dynamic = entry
    }
    if (!dynamic || dynamic.filesz > 65536n) return null
    const dyn = await reader.read(Number(dynamic.offset), Number(dynamic.filesz))
    const size = bits === 64 ? 16 : 8
    let strtab: bigint | null = null
    let soname: bigint | null = null
    for (let at = 0; at + size <= dyn.length; at += size) {
      const tag = bits === 64 ? dyn.readBigInt64LE(at) : BigInt(dyn.readInt32LE(at))
      const value = bits === 64 ? dyn.readBigUInt64LE(at + 8) : BigInt(dyn.readUInt32LE(at + 4))
      if (tag === DT_NULL) break
      if (tag === DT_STRTAB) strtab = value
      if (tag === DT_SONAME) soname = value
    }
    if (strtab === null || soname === null) return null
    const load = loads.find((l) => l.vaddr <= strtab && strtab < l.vaddr + l.filesz)
    if (!load) return null
    const offset = load.offset + (strtab - load.vaddr) + soname
    if (offset > BigInt(Number.MAX_SAFE_INTEGER)) return null
    const bytes = await reader.read(Number(offset), 256)
    const nul = bytes.indexOf(0)
    if (nul <= 0) return null
    const name = bytes.subarray(0, nul).toString('utf8')
    return /^[A-Za-z0-9._+-]+$/.test(name) ? name : null
  } catch {
    return null
  }
}

/** Reads the build-id of an ELF file open at `handle`, or null (not ELF, no build-id). */
export async function handleBuildId(handle: FileHandle): Promise<string | null> {
  try {
    const reader = new CoreReader(handle, (await handle.stat()).size)
    const read: ObjectReader = (offset, length) =>
      offset > BigInt(Number.MAX_SAFE_INTEGER)
        ? Promise.resolve(null)
        : reader.read(Number(offset), length)
    return await buildIdOf(read, BigInt(reader.size), 1 << 20)
  } catch {
    return null
  }
}

/**
 * The entry point of a position-independent executable (ELF type ET_DYN) on disk, or null (not
 * ELF, not PIE, unreadable). A core's AT_ENTRY minus it is where the program was loaded.
 */
export async function pieEntry(path: string): Promise<bigint | null> {
  let handle: FileHandle | undefined
  try {
    handle = (await openRegular(path)).handle
    const header = Buffer.alloc(64)
    const { bytesRead } = await handle.read(header, 0, 64, 0)
    if (bytesRead < 52 || header.readUInt32BE(0) !== 0x7f454c46 || header[5] !== 1) return null
    if (header.readUInt16LE(16) !== ET_DYN) return null
    if (header[4] === 2) return bytesRead >= 64 ? header.readBigUInt64LE(24) : null
    return BigInt(header.readUInt32LE(24))
  } catch {
    return null
  } finally {
    await handle?.close()
  }
}

/**
 * Reads the build-id of an ELF file on disk (executable or library), or null (missing, not a
 * regular file, not ELF, no build-id). Opened like every file a crash names: see openRegular.
 */
export async function fileBuildId(path: string): Promise<string | null> {
  let handle: FileHandle | undefined
  try {
    handle = (await openRegular(path)).handle
    return await handleBuildId(handle)
  } catch {
    return null
  } finally {
    await handle?.close()
  }
}

/** True when the file starts like an ELF core (magic and e_type), without parsing more. */
export async function looksLikeCore(path: string): Promise<boolean> {
  let handle: FileHandle | undefined
  try {
    handle = (await openRegular(path)).handle
    const header = Buffer.alloc(18)
    const { bytesRead } = await handle.read(header, 0, 18, 0)
    return (
      bytesRead === 18 &&
      header.readUInt32BE(0) === 0x7f454c46 &&
      header[5] === 1 &&
      header.readUInt16LE(16) === ET_CORE
    )
  } catch {
    return false
  } finally {
    await handle?.close()
  }
}

/** Reads a core file. Throws ElfError when it is not a readable little-endian ELF core. */
export async function readCore(path: string): Promise<CoreInfo> {
  let handle: FileHandle
  try {
    handle = (await openRegular(path)).handle
  } catch (error) {
    throw new ElfError('io', `cannot open ${path}: ${(error as Error).message}`)
  }
  try {
    const size = (await handle.stat()).size
    return await parse(new CoreReader(handle, size))
  } catch (error) {
    if (error instanceof ElfError) throw error
    throw new ElfError('io', (error as Error).message)
  } finally {
    await handle.close()
  }
}

async function parse(reader: CoreReader): Promise<CoreInfo> {
  const header = await reader.read(0, 64)
  if (header.length < 4 || header.readUInt32BE(0) !== 0x7f454c46)
    throw new ElfError('not-elf', 'not an ELF file')
  if (header.length < 52) throw new ElfError('malformed', 'the ELF header is cut short')
  const bits = header[4] === 2 ? 64 : header[4] === 1 ? 32 : null
  if (bits === null) throw new ElfError('malformed', `unknown ELF class ${header[4]}`)
  if (header[5] !== 1) throw new ElfError('unsupported', 'big-endian ELF files are not supported')
  if (bits === 64 && header.length < 64)
    throw new ElfError('malformed', 'the ELF header is cut short')
  const type = header.readUInt16LE(16)
  if (type !== ET_CORE)
    throw new ElfError('not-core', `an ELF file of type ${type}, not a core (4)`)
  const machineId = header.readUInt16LE(18)
  const layout = MACHINES[machineId]

  const phoff =
    bits === 64 ? toSafe(header.readBigUInt64LE(32), 'e_phoff') : header.readUInt32LE(28)
  const shoff =
    bits === 64 ? toSafe(header.readBigUInt64LE(40), 'e_shoff') : header.readUInt32LE(32)
  const phentsize = bits === 64 ? header.readUInt16LE(54) : header.readUInt16LE(42)
  let phnum = bits === 64 ? header.readUInt16LE(56) : header.readUInt16LE(44)
  const entsize = bits === 64 ? 56 : 32
  if (phentsize < entsize)
    throw new ElfError('malformed', `program header entries of ${phentsize} bytes`)
  if (phnum === 0xffff) {
    // PN_XNUM: the real count is in sh_info of section header 0.
    const section = await reader.read(shoff, bits === 64 ? 64 : 40)
    if (section.length < (bits === 64 ? 48 : 32))
      throw new ElfError('malformed', 'PN_XNUM without section header 0')
    phnum = section.readUInt32LE(bits === 64 ? 44 : 28)
  }
  if (phnum > MAX_PROGRAM_HEADERS) throw new ElfError('malformed', `${phnum} program headers`)
  if (phoff + phnum * phentsize > reader.size)
    throw new ElfError('malformed', 'the program headers lie past the end of the file')
  const table = await reader.read(phoff, phnum * phentsize)

  const headers: ProgramHeader[] = []
  let expectedSize = phoff + phnum * phentsize
  for (let i = 0; i < phnum; i++) {
    const at = i * phentsize
    const ptype = table.readUInt32LE(at)
    const offset = bits === 64 ? table.readBigUInt64LE(at + 8) : BigInt(table.readUInt32LE(at + 4))
    const vaddr = bits === 64 ? table.readBigUInt64LE(at + 16) : BigInt(table.readUInt32LE(at + 8))
    const filesz =
      bits === 64 ? table.readBigUInt64LE(at + 32) : BigInt(table.readUInt32LE(at + 16))
    const h = {
      type: ptype,
      offset: toSafe(offset, 'p_offset'),
      vaddr,
      filesz: toSafe(filesz, 'p_filesz')
    }
    if (h.offset + h.filesz > Number.MAX_SAFE_INTEGER)
      throw new ElfError('malformed', 'a segment is too large')
    expectedSize = Math.max(expectedSize, h.offset + h.filesz)
    headers.push(h)
  }

  const notes: Note[] = []
  let noteBytes = 0
  for (const h of headers.filter((p) => p.type === PT_NOTE)) {
    noteBytes += h.filesz
    if (noteBytes > MAX_NOTES_BYTES)
      throw new ElfError('malformed', 'the note segments are implausibly large')
    parseNotes(await reader.read(h.offset, h.filesz), notes)
  }
  const loads = headers.filter((p) => p.type === PT_LOAD)

  const info: CoreInfo = {
    bits,
    machine: layout?.machine ?? `machine ${machineId}`,
    signal: null,
    threads: [],
    command: null,
    arguments: null,
    pid: null,
    uid: null,
    entry: null,
    execfn: null,
    mappings: [],
    buildIds: new Map(),
    executable: null,
    stack: null,
    truncated: expectedSize > reader.size,
    expectedSize,
    size: reader.size
  }

  let phdr: bigint | null = null
  let execfnAddress: bigint | null = null
  for (const note of notes.filter((n) => n.name === 'CORE' || n.name === 'LINUX')) {
    const w = new Words(note.desc, bits)
    if (note.type === NT_PRSTATUS && note.desc.length >= 16) {
      info.threads.push({
        tid: layout && note.desc.length >= layout.prstatusPid + 4 ? w.i32(layout.prstatusPid) : 0,
        signal: note.desc.readInt16LE(12),
        pc: layout && note.desc.length >= layout.pc + w.size ? hex(w.word(layout.pc)) : null,
        sp: layout && note.desc.length >= layout.sp + w.size ? hex(w.word(layout.sp)) : null
      })
    } else if (note.type === NT_PRPSINFO && layout && note.desc.length >= layout.psargs + 80) {
      info.command = cString(note.desc, layout.fname, 16)
      info.arguments = cString(note.desc, layout.psargs, 80).trimEnd()
      info.pid = w.i32(layout.psinfoPid)
      info.uid =
        layout.uidSize === 2 ? note.desc.readUInt16LE(layout.psinfoUid) : w.u32(layout.psinfoUid)
    } else if (note.type === NT_SIGINFO && note.desc.length >= 12) {
      const number = w.i32(0)
      const address = bits === 64 ? 16 : 12
      info.signal = {
        number,
        errno: w.i32(4),
        code: w.i32(8),
        address:
          FAULT_SIGNALS.has(number) && note.desc.length >= address + w.size
            ? hex(w.word(address))
            : null
      }
    } else if (note.type === NT_AUXV) {
      for (let at = 0; at + 2 * w.size <= note.desc.length; at += 2 * w.size) {
        const key = w.word(at)
        const value = w.word(at + w.size)
        if (key === 0n) break
        if (key === BigInt(AT_PHDR)) phdr = value
        if (key === BigInt(AT_ENTRY)) info.entry = value
        if (key === BigInt(AT_EXECFN)) execfnAddress = value
      }
    } else if (note.type === NT_FILE && note.desc.length >= 2 * w.size) {
      const count = toSafe(w.word(0), 'the NT_FILE count')
      const pageSize = w.word(w.size)
      if (count > MAX_MAPPINGS || 2 * w.size + count * 3 * w.size > note.desc.length) {
        throw new ElfError('malformed', 'the NT_FILE table is larger than its note')
      }
      let names = 2 * w.size + count * 3 * w.size
      for (let i = 0; i < count; i++) {
        const base = 2 * w.size + i * 3 * w.size
        const nul = note.desc.indexOf(0, names)
        const end = nul >= 0 ? nul : note.desc.length
        info.mappings.push({
          start: w.word(base),
          end: w.word(base + w.size),
          offset: w.word(base + 2 * w.size) * pageSize,
          path: note.desc.subarray(names, end).toString('utf8')
        })
        names = end + 1
      }
    }
  }

  if (execfnAddress !== null) info.execfn = await readCStringAt(reader, loads, execfnAddress)
  const sp = info.threads[0]?.sp
  if (sp) info.stack = await readMemory(reader, loads, BigInt(sp), STACK_BYTES)
  const anchor = phdr ?? info.entry
  if (anchor !== null) {
    info.executable = info.mappings.find((m) => anchor >= m.start && anchor < m.end)?.path ?? null
  }
  for (const mapping of info.mappings) {
    if (mapping.offset !== 0n || info.buildIds.has(mapping.path)) continue
    const id = await buildIdAt(reader, loads, mapping)
    if (id) info.buildIds.set(mapping.path, id)
  }
  return info
}
