import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  SourceResolver,
  bareAnalysis,
  chooseBlame,
  describeFailure,
  fillFromCore,
  findProgram,
  newCrash,
  newFrame,
  openRegular,
  parseGdbDocument,
  removeNoise,
  runCommand,
  safeRelative,
  signalName
} from "./chunk-QDU6IIMW.js";

// src/privilege.ts
var PrivilegeError = class extends Error {
  constructor(what, result) {
    super(`${what} failed: ${describeFailure(result)}`);
    this.name = "PrivilegeError";
  }
};
async function detectPrivilege() {
  if (process.getuid?.() === 0) return "root";
  const probe = await runCommand("sudo", ["-n", "true"], { timeoutMs: 1e4 });
  return probe.code === 0 ? "sudo" : null;
}
async function runAsRoot(privilege, what, command, args, input) {
  const result = privilege === "root" ? await runCommand(command, args, { input, timeoutMs: 6e4 }) : await runCommand("sudo", ["-n", "--", command, ...args], { input, timeoutMs: 6e4 });
  if (result.code !== 0) throw new PrivilegeError(what, result);
  return result;
}
async function writeAsRoot(privilege, path, value) {
  await runAsRoot(privilege, `Writing ${path}`, "tee", [path], value);
}

// src/elf/core-file.ts
var ElfError = class extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
    this.name = "ElfError";
  }
  code;
};
var NT_PRSTATUS = 1;
var NT_PRPSINFO = 3;
var NT_AUXV = 6;
var NT_SIGINFO = 1397311305;
var NT_FILE = 1179208773;
var NT_GNU_BUILD_ID = 3;
var PT_LOAD = 1;
var PT_NOTE = 4;
var ET_CORE = 4;
var ET_DYN = 3;
var AT_PHDR = 3;
var AT_ENTRY = 9;
var AT_EXECFN = 31;
var FAULT_SIGNALS = /* @__PURE__ */ new Set([4, 5, 7, 8, 11]);
var MAX_PROGRAM_HEADERS = 1 << 20;
var MAX_NOTES_BYTES = 64 * 1024 * 1024;
var MAX_NOTES = 1 << 20;
var MAX_MAPPINGS = 1 << 20;
var MAX_STRING = 4096;
var MACHINES = {
  62: {
    machine: "x86_64",
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
    machine: "aarch64",
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
    machine: "i386",
    prstatusPid: 24,
    pc: 120,
    sp: 132,
    psinfoUid: 8,
    uidSize: 2,
    psinfoPid: 12,
    fname: 28,
    psargs: 44
  }
};
var STACK_BYTES = 8192;
var Words = class {
  constructor(buffer, bits) {
    this.buffer = buffer;
    this.bits = bits;
  }
  buffer;
  bits;
  get size() {
    return this.bits === 64 ? 8 : 4;
  }
  word(at) {
    if (at < 0 || at + this.size > this.buffer.length)
      throw new ElfError("malformed", "a field lies outside its note");
    return this.bits === 64 ? this.buffer.readBigUInt64LE(at) : BigInt(this.buffer.readUInt32LE(at));
  }
  u32(at) {
    if (at < 0 || at + 4 > this.buffer.length)
      throw new ElfError("malformed", "a field lies outside its note");
    return this.buffer.readUInt32LE(at);
  }
  i32(at) {
    if (at < 0 || at + 4 > this.buffer.length)
      throw new ElfError("malformed", "a field lies outside its note");
    return this.buffer.readInt32LE(at);
  }
};
function cString(buffer, start, max) {
  const end = Math.min(buffer.length, start + max);
  if (start < 0 || start >= end) return "";
  const nul = buffer.indexOf(0, start);
  return buffer.subarray(start, nul >= 0 && nul < end ? nul : end).toString("utf8");
}
function hex(value) {
  return `0x${value.toString(16)}`;
}
var CoreReader = class {
  constructor(handle, size) {
    this.handle = handle;
    this.size = size;
  }
  handle;
  size;
  async read(offset, length) {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
      throw new ElfError("malformed", "an offset or size is not a valid number");
    }
    const available = Math.max(0, Math.min(length, this.size - offset));
    const buffer = Buffer.alloc(available);
    let done = 0;
    while (done < available) {
      const { bytesRead } = await this.handle.read(buffer, done, available - done, offset + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return buffer.subarray(0, done);
  }
};
function toSafe(value, what) {
  if (value > BigInt(Number.MAX_SAFE_INTEGER))
    throw new ElfError("malformed", `${what} is too large`);
  return Number(value);
}
function parseNotes(buffer, into) {
  let at = 0;
  while (at + 12 <= buffer.length) {
    if (into.length >= MAX_NOTES) throw new ElfError("malformed", "too many notes");
    const namesz = buffer.readUInt32LE(at);
    const descsz = buffer.readUInt32LE(at + 4);
    const type = buffer.readUInt32LE(at + 8);
    const nameStart = at + 12;
    const descStart = nameStart + Math.ceil(namesz / 4) * 4;
    const next = descStart + Math.ceil(descsz / 4) * 4;
    if (descStart > buffer.length || descStart + descsz > buffer.length) {
      throw new ElfError("malformed", "a note runs past the end of its segment");
    }
    const name = buffer.subarray(nameStart, nameStart + Math.max(0, namesz - 1)).toString("latin1");
    into.push({ name, type, desc: buffer.subarray(descStart, descStart + descsz) });
    at = next;
  }
}
async function readMemory(reader, loads, address, length) {
  for (const load of loads) {
    const end = load.vaddr + BigInt(load.filesz);
    if (address >= load.vaddr && address < end) {
      const inside = Number(address - load.vaddr);
      const room = Math.min(length, load.filesz - inside);
      return reader.read(load.offset + inside, room);
    }
  }
  return null;
}
async function readCStringAt(reader, loads, address) {
  const bytes = await readMemory(reader, loads, address, MAX_STRING);
  if (!bytes) return null;
  const nul = bytes.indexOf(0);
  return bytes.subarray(0, nul >= 0 ? nul : bytes.length).toString("utf8");
}
async function buildIdOf(read, span, maxNote) {
  const header = await read(0n, 64);
  if (!header || header.length < 52 || header.readUInt32BE(0) !== 2135247942 || header[5] !== 1)
    return null;
  const bits = header[4] === 2 ? 64 : header[4] === 1 ? 32 : 0;
  if (bits === 0 || bits === 64 && header.length < 64) return null;
  const phoff = bits === 64 ? header.readBigUInt64LE(32) : BigInt(header.readUInt32LE(28));
  const phentsize = bits === 64 ? header.readUInt16LE(54) : header.readUInt16LE(42);
  const phnum = bits === 64 ? header.readUInt16LE(56) : header.readUInt16LE(44);
  if (phnum === 0 || phnum > 256 || phentsize < (bits === 64 ? 56 : 32)) return null;
  if (phoff + BigInt(phentsize * phnum) > span) return null;
  const table = await read(phoff, phentsize * phnum);
  if (!table || table.length < phentsize * phnum) return null;
  for (let i = 0; i < phnum; i++) {
    const at = i * phentsize;
    if (table.readUInt32LE(at) !== PT_NOTE) continue;
    const offset = bits === 64 ? table.readBigUInt64LE(at + 8) : BigInt(table.readUInt32LE(at + 4));
    const filesz = bits === 64 ? table.readBigUInt64LE(at + 32) : BigInt(table.readUInt32LE(at + 16));
    if (filesz === 0n || filesz > BigInt(maxNote) || offset + filesz > span) continue;
    const bytes = await read(offset, Number(filesz));
    if (!bytes) continue;
    const notes = [];
    try {
      parseNotes(bytes, notes);
    } catch {
      continue;
    }
    const id = notes.find((n) => n.name === "GNU" && n.type === NT_GNU_BUILD_ID);
    if (id && id.desc.length > 0) return id.desc.toString("hex");
  }
  return null;
}
function buildIdAt(reader, loads, mapping) {
  const read = (offset, length) => readMemory(reader, loads, mapping.start + offset, length);
  return buildIdOf(read, mapping.end - mapping.start, 4096);
}
var PT_LOAD_TYPE = 1;
var PT_DYNAMIC = 2;
var DT_NULL = 0n;
var DT_STRTAB = 5n;
var DT_SONAME = 14n;
async function handleSoname(handle) {
  try {
    const reader = new CoreReader(handle, (await handle.stat()).size);
    const header = await reader.read(0, 64);
    if (header.length < 52 || header.readUInt32BE(0) !== 2135247942 || header[5] !== 1) return null;
    const bits = header[4] === 2 ? 64 : 32;
    if (bits === 64 && header.length < 64) return null;
    const phoff = bits === 64 ? Number(header.readBigUInt64LE(32)) : header.readUInt32LE(28);
    const phentsize = bits === 64 ? header.readUInt16LE(54) : header.readUInt16LE(42);
    const phnum = bits === 64 ? header.readUInt16LE(56) : header.readUInt16LE(44);
    if (phnum === 0 || phnum > 256 || phentsize < (bits === 64 ? 56 : 32)) return null;
    const table = await reader.read(phoff, phentsize * phnum);
    if (table.length < phentsize * phnum) return null;
    const loads = [];
    let dynamic = null;
    for (let i = 0; i < phnum; i++) {
      const at = i * phentsize;
      const type = table.readUInt32LE(at);
      const field = (o64, o32) => bits === 64 ? table.readBigUInt64LE(at + o64) : BigInt(table.readUInt32LE(at + o32));
      const entry = { offset: field(8, 4), vaddr: field(16, 8), filesz: field(32, 16) };
      if (type === PT_LOAD_TYPE) loads.push(entry);
      if (type === PT_DYNAMIC) dynamic = entry;
    }
    if (!dynamic || dynamic.filesz > 65536n) return null;
    const dyn = await reader.read(Number(dynamic.offset), Number(dynamic.filesz));
    const size = bits === 64 ? 16 : 8;
    let strtab = null;
    let soname = null;
    for (let at = 0; at + size <= dyn.length; at += size) {
      const tag = bits === 64 ? dyn.readBigInt64LE(at) : BigInt(dyn.readInt32LE(at));
      const value = bits === 64 ? dyn.readBigUInt64LE(at + 8) : BigInt(dyn.readUInt32LE(at + 4));
      if (tag === DT_NULL) break;
      if (tag === DT_STRTAB) strtab = value;
      if (tag === DT_SONAME) soname = value;
    }
    if (strtab === null || soname === null) return null;
    const load = loads.find((l) => l.vaddr <= strtab && strtab < l.vaddr + l.filesz);
    if (!load) return null;
    const offset = load.offset + (strtab - load.vaddr) + soname;
    if (offset > BigInt(Number.MAX_SAFE_INTEGER)) return null;
    const bytes = await reader.read(Number(offset), 256);
    const nul = bytes.indexOf(0);
    if (nul <= 0) return null;
    const name = bytes.subarray(0, nul).toString("utf8");
    return /^[A-Za-z0-9._+-]+$/.test(name) ? name : null;
  } catch {
    return null;
  }
}
async function handleBuildId(handle) {
  try {
    const reader = new CoreReader(handle, (await handle.stat()).size);
    const read = (offset, length) => offset > BigInt(Number.MAX_SAFE_INTEGER) ? Promise.resolve(null) : reader.read(Number(offset), length);
    return await buildIdOf(read, BigInt(reader.size), 1 << 20);
  } catch {
    return null;
  }
}
async function pieEntry(path) {
  let handle;
  try {
    handle = (await openRegular(path)).handle;
    const header = Buffer.alloc(64);
    const { bytesRead } = await handle.read(header, 0, 64, 0);
    if (bytesRead < 52 || header.readUInt32BE(0) !== 2135247942 || header[5] !== 1) return null;
    if (header.readUInt16LE(16) !== ET_DYN) return null;
    if (header[4] === 2) return bytesRead >= 64 ? header.readBigUInt64LE(24) : null;
    return BigInt(header.readUInt32LE(24));
  } catch {
    return null;
  } finally {
    await handle?.close();
  }
}
async function fileBuildId(path) {
  let handle;
  try {
    handle = (await openRegular(path)).handle;
    return await handleBuildId(handle);
  } catch {
    return null;
  } finally {
    await handle?.close();
  }
}
async function looksLikeCore(path) {
  let handle;
  try {
    handle = (await openRegular(path)).handle;
    const header = Buffer.alloc(18);
    const { bytesRead } = await handle.read(header, 0, 18, 0);
    return bytesRead === 18 && header.readUInt32BE(0) === 2135247942 && header[5] === 1 && header.readUInt16LE(16) === ET_CORE;
  } catch {
    return false;
  } finally {
    await handle?.close();
  }
}
async function readCore(path) {
  let handle;
  try {
    handle = (await openRegular(path)).handle;
  } catch (error) {
    throw new ElfError("io", `cannot open ${path}: ${error.message}`);
  }
  try {
    const size = (await handle.stat()).size;
    return await parse(new CoreReader(handle, size));
  } catch (error) {
    if (error instanceof ElfError) throw error;
    throw new ElfError("io", error.message);
  } finally {
    await handle.close();
  }
}
async function parse(reader) {
  const header = await reader.read(0, 64);
  if (header.length < 4 || header.readUInt32BE(0) !== 2135247942)
    throw new ElfError("not-elf", "not an ELF file");
  if (header.length < 52) throw new ElfError("malformed", "the ELF header is cut short");
  const bits = header[4] === 2 ? 64 : header[4] === 1 ? 32 : null;
  if (bits === null) throw new ElfError("malformed", `unknown ELF class ${header[4]}`);
  if (header[5] !== 1) throw new ElfError("unsupported", "big-endian ELF files are not supported");
  if (bits === 64 && header.length < 64)
    throw new ElfError("malformed", "the ELF header is cut short");
  const type = header.readUInt16LE(16);
  if (type !== ET_CORE)
    throw new ElfError("not-core", `an ELF file of type ${type}, not a core (4)`);
  const machineId = header.readUInt16LE(18);
  const layout = MACHINES[machineId];
  const phoff = bits === 64 ? toSafe(header.readBigUInt64LE(32), "e_phoff") : header.readUInt32LE(28);
  const shoff = bits === 64 ? toSafe(header.readBigUInt64LE(40), "e_shoff") : header.readUInt32LE(32);
  const phentsize = bits === 64 ? header.readUInt16LE(54) : header.readUInt16LE(42);
  let phnum = bits === 64 ? header.readUInt16LE(56) : header.readUInt16LE(44);
  const entsize = bits === 64 ? 56 : 32;
  if (phentsize < entsize)
    throw new ElfError("malformed", `program header entries of ${phentsize} bytes`);
  if (phnum === 65535) {
    const section = await reader.read(shoff, bits === 64 ? 64 : 40);
    if (section.length < (bits === 64 ? 48 : 32))
      throw new ElfError("malformed", "PN_XNUM without section header 0");
    phnum = section.readUInt32LE(bits === 64 ? 44 : 28);
  }
  if (phnum > MAX_PROGRAM_HEADERS) throw new ElfError("malformed", `${phnum} program headers`);
  if (phoff + phnum * phentsize > reader.size)
    throw new ElfError("malformed", "the program headers lie past the end of the file");
  const table = await reader.read(phoff, phnum * phentsize);
  const headers = [];
  let expectedSize = phoff + phnum * phentsize;
  for (let i = 0; i < phnum; i++) {
    const at = i * phentsize;
    const ptype = table.readUInt32LE(at);
    const offset = bits === 64 ? table.readBigUInt64LE(at + 8) : BigInt(table.readUInt32LE(at + 4));
    const vaddr = bits === 64 ? table.readBigUInt64LE(at + 16) : BigInt(table.readUInt32LE(at + 8));
    const filesz = bits === 64 ? table.readBigUInt64LE(at + 32) : BigInt(table.readUInt32LE(at + 16));
    const h = {
      type: ptype,
      offset: toSafe(offset, "p_offset"),
      vaddr,
      filesz: toSafe(filesz, "p_filesz")
    };
    if (h.offset + h.filesz > Number.MAX_SAFE_INTEGER)
      throw new ElfError("malformed", "a segment is too large");
    expectedSize = Math.max(expectedSize, h.offset + h.filesz);
    headers.push(h);
  }
  const notes = [];
  let noteBytes = 0;
  for (const h of headers.filter((p) => p.type === PT_NOTE)) {
    noteBytes += h.filesz;
    if (noteBytes > MAX_NOTES_BYTES)
      throw new ElfError("malformed", "the note segments are implausibly large");
    parseNotes(await reader.read(h.offset, h.filesz), notes);
  }
  const loads = headers.filter((p) => p.type === PT_LOAD);
  const info = {
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
    buildIds: /* @__PURE__ */ new Map(),
    executable: null,
    stack: null,
    truncated: expectedSize > reader.size,
    expectedSize,
    size: reader.size
  };
  let phdr = null;
  let execfnAddress = null;
  for (const note of notes.filter((n) => n.name === "CORE" || n.name === "LINUX")) {
    const w = new Words(note.desc, bits);
    if (note.type === NT_PRSTATUS && note.desc.length >= 16) {
      info.threads.push({
        tid: layout && note.desc.length >= layout.prstatusPid + 4 ? w.i32(layout.prstatusPid) : 0,
        signal: note.desc.readInt16LE(12),
        pc: layout && note.desc.length >= layout.pc + w.size ? hex(w.word(layout.pc)) : null,
        sp: layout && note.desc.length >= layout.sp + w.size ? hex(w.word(layout.sp)) : null
      });
    } else if (note.type === NT_PRPSINFO && layout && note.desc.length >= layout.psargs + 80) {
      info.command = cString(note.desc, layout.fname, 16);
      info.arguments = cString(note.desc, layout.psargs, 80).trimEnd();
      info.pid = w.i32(layout.psinfoPid);
      info.uid = layout.uidSize === 2 ? note.desc.readUInt16LE(layout.psinfoUid) : w.u32(layout.psinfoUid);
    } else if (note.type === NT_SIGINFO && note.desc.length >= 12) {
      const number = w.i32(0);
      const address = bits === 64 ? 16 : 12;
      info.signal = {
        number,
        errno: w.i32(4),
        code: w.i32(8),
        address: FAULT_SIGNALS.has(number) && note.desc.length >= address + w.size ? hex(w.word(address)) : null
      };
    } else if (note.type === NT_AUXV) {
      for (let at = 0; at + 2 * w.size <= note.desc.length; at += 2 * w.size) {
        const key = w.word(at);
        const value = w.word(at + w.size);
        if (key === 0n) break;
        if (key === BigInt(AT_PHDR)) phdr = value;
        if (key === BigInt(AT_ENTRY)) info.entry = value;
        if (key === BigInt(AT_EXECFN)) execfnAddress = value;
      }
    } else if (note.type === NT_FILE && note.desc.length >= 2 * w.size) {
      const count = toSafe(w.word(0), "the NT_FILE count");
      const pageSize = w.word(w.size);
      if (count > MAX_MAPPINGS || 2 * w.size + count * 3 * w.size > note.desc.length) {
        throw new ElfError("malformed", "the NT_FILE table is larger than its note");
      }
      let names = 2 * w.size + count * 3 * w.size;
      for (let i = 0; i < count; i++) {
        const base = 2 * w.size + i * 3 * w.size;
        const nul = note.desc.indexOf(0, names);
        const end = nul >= 0 ? nul : note.desc.length;
        info.mappings.push({
          start: w.word(base),
          end: w.word(base + w.size),
          offset: w.word(base + 2 * w.size) * pageSize,
          path: note.desc.subarray(names, end).toString("utf8")
        });
        names = end + 1;
      }
    }
  }
  if (execfnAddress !== null) info.execfn = await readCStringAt(reader, loads, execfnAddress);
  const sp = info.threads[0]?.sp;
  if (sp) info.stack = await readMemory(reader, loads, BigInt(sp), STACK_BYTES);
  const anchor = phdr ?? info.entry;
  if (anchor !== null) {
    info.executable = info.mappings.find((m) => anchor >= m.start && anchor < m.end)?.path ?? null;
  }
  for (const mapping of info.mappings) {
    if (mapping.offset !== 0n || info.buildIds.has(mapping.path)) continue;
    const id = await buildIdAt(reader, loads, mapping);
    if (id) info.buildIds.set(mapping.path, id);
  }
  return info;
}

// src/analyze/sanitizer.ts
import { mkdir, open } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
var MAX_TEXT = 64 * 1024;
var CHUNK = 4 * 1024 * 1024;
async function findSanitizerReport(core) {
  const marker = Buffer.from("==ERROR: ");
  const handle = await open(core, "r").catch(() => null);
  if (!handle) return null;
  try {
    const buffer = Buffer.alloc(CHUNK + marker.length);
    let position = 0;
    let carried = 0;
    for (; ; ) {
      const { bytesRead } = await handle.read(buffer, carried, CHUNK, position);
      if (bytesRead === 0) return null;
      const filled = carried + bytesRead;
      for (let at = buffer.indexOf(marker); at >= 0 && at < filled; at = buffer.indexOf(marker, at + 1)) {
        const start = Math.max(0, position - carried + at - 16);
        const text = Buffer.alloc(MAX_TEXT);
        const read = await handle.read(text, 0, MAX_TEXT, start);
        const body = text.subarray(0, read.bytesRead);
        const line = /==\d{1,10}==ERROR: \w+Sanitizer: /.exec(
          body.subarray(0, 64).toString("latin1")
        );
        if (!line) continue;
        const from = line.index;
        const end = body.indexOf(0, from);
        return body.subarray(from, end < 0 ? body.length : end).toString("utf8");
      }
      carried = Math.min(marker.length - 1, filled);
      buffer.copy(buffer, 0, filled - carried, filled);
      position += bytesRead;
    }
  } finally {
    await handle.close();
  }
}
var FRAME = /^\s*#(\d+) (0x[0-9a-f]+)(?: in (.+?))?(?: ([^\s()]+?)(?::(\d+))?(?::\d+)?)?(?:\s+\(([^()]+?)\+(0x[0-9a-f]+)\))?(?: \(BuildId: [0-9a-f]+\))?\s*$/;
var TSAN_FRAME = /^\s*#(\d+) ()(.+?)(?: ([^\s()]+?):(\d+)(?::\d+)?)? \(([^()]+?)\+(0x[0-9a-f]+)\)\s*$/;
function parseFrameLine(line) {
  const m = FRAME.exec(line) ?? TSAN_FRAME.exec(line);
  if (!m) return null;
  const [, level, pc, fn, file, lineNo, module, offset] = m;
  return {
    ...newFrame({
      level: Number(level),
      pc: pc ?? "",
      function: fn && fn !== "<null>" ? fn : null,
      file: file ?? null,
      fullname: file ?? null,
      line: lineNo ? Number(lineNo) : null,
      objfile: module ?? null
    }),
    module: module ?? null,
    offset: offset ?? null
  };
}
function stacksOf(lines, fallbackTitle) {
  const stacks = [];
  let title = "";
  let current = null;
  for (const line of lines) {
    const frame = parseFrameLine(line);
    if (frame) {
      if (!current) {
        current = [];
        stacks.push({ title: title || fallbackTitle, frames: current });
      }
      current.push(frame);
      continue;
    }
    current = null;
    const trimmed = line.trim();
    if (trimmed) title = trimmed.replace(/^==\d+==/, "");
  }
  return stacks;
}
function parseSanitizerReport(text) {
  const lines = text.split("\n");
  const error = lines.map((line) => /^==\d+==ERROR: (\w+Sanitizer): (.*)$/.exec(line)).find(Boolean);
  if (!error) return null;
  const [, tool, rest] = error;
  const headline = rest.trim();
  const kind = /^attempting ([a-z-]+)/.exec(headline)?.[1] ?? /^(SEGV|detected memory leaks|[a-z][a-z-]+)/.exec(headline)?.[1] ?? headline;
  const stacks = stacksOf(lines, headline);
  const summary = /^SUMMARY: (.*)$/m.exec(text)?.[1]?.trim() ?? null;
  return {
    tool,
    kind,
    headline,
    summary,
    location: null,
    stacks,
    text: text.slice(0, MAX_TEXT)
  };
}
async function symbolize(report, analysis) {
  const { crash } = analysis;
  const copies = /* @__PURE__ */ new Map();
  if (crash.executablePath && crash.executable)
    copies.set(crash.executablePath.replace(/ \(deleted\)$/, ""), crash.executable);
  for (const library of crash.libraries) copies.set(library.path, library.file);
  const wanted = /* @__PURE__ */ new Map();
  for (const stack of report.stacks)
    for (const frame of stack.frames) {
      if (frame.fullname || !frame.module || !frame.offset || !copies.has(frame.module)) continue;
      const set = wanted.get(frame.module) ?? /* @__PURE__ */ new Set();
      set.add(frame.offset);
      wanted.set(frame.module, set);
    }
  for (const [module, offsets] of wanted) {
    const list = [...offsets];
    const result = await runCommand("addr2line", ["-f", "-C", "-e", copies.get(module), ...list], {
      timeoutMs: 3e4
    }).catch(() => null);
    if (!result || result.code !== 0) continue;
    const lines = result.stdout.split("\n");
    const found = /* @__PURE__ */ new Map();
    list.forEach((offset, i) => {
      const fn = lines[i * 2] ?? "??";
      const where = /^(.*):(\d+)(?: \(discriminator \d+\))?$/.exec(lines[i * 2 + 1] ?? "");
      found.set(offset, {
        fn: fn === "??" ? null : fn,
        file: where && where[1] !== "??" ? where[1] : null,
        line: where && Number(where[2]) > 0 ? Number(where[2]) : null
      });
    });
    for (const stack of report.stacks)
      for (const frame of stack.frames) {
        const hit = frame.module === module && frame.offset ? found.get(frame.offset) : void 0;
        if (!hit) continue;
        frame.function = frame.function ?? hit.fn;
        frame.file = hit.file;
        frame.fullname = hit.file;
        frame.line = hit.line;
      }
  }
}
async function addSanitizerReport(analysis, options) {
  const core = analysis.crash.core;
  if (!core || analysis.sanitizer) return;
  const frames = analysis.threads.flatMap((thread) => thread.frames);
  if (!frames.some((f) => f.function && /^__(sanitizer|asan|lsan|ubsan)::|^__asan_/.test(f.function)))
    return;
  const text = await findSanitizerReport(core).catch(() => null);
  const report = text ? parseSanitizerReport(text) : null;
  if (!report) return;
  await symbolize(report, analysis);
  placeReport(analysis, report, options);
}
function placeReport(analysis, report, options) {
  const resolver = new SourceResolver(options);
  const roots = [options.workspace, analysis.crash.cwd].filter((r) => !!r);
  for (const stack of report.stacks)
    for (const frame of stack.frames) {
      const name = frame.fullname;
      if (!name) continue;
      frame.projectPath = isAbsolute(name) ? resolver.projectPath(name) : roots.map((root) => resolver.projectPath(join(root, name))).find(Boolean) ?? null;
    }
  analysis.sanitizer = report;
  const first = report.stacks[0];
  if (!first) return;
  const blame = chooseBlame(
    {
      num: 0,
      lwp: analysis.crash.tid,
      name: null,
      crashed: true,
      frames: first.frames,
      unwindStopReason: null,
      truncated: false
    },
    resolver,
    options.skipFrames
  );
  if (blame?.path || !analysis.blame?.path) analysis.blame = blame;
}
var PER_PLACE = 20;
var LOGGED_RECORDS = 200;
async function loggedAnalyses(logged, stage, options) {
  const analyses = [];
  const places = /* @__PURE__ */ new Map();
  let dropped = 0;
  for (const [index, entry] of logged.entries()) {
    const { report } = entry;
    const place = `${report.tool}\0${report.kind}\0${report.location ?? report.stacks[0]?.frames[0]?.function ?? ""}`;
    const at = places.get(place);
    if (at) {
      at.count += 1;
      at.pids.add(entry.pid);
    }
    if (at && at.count > PER_PLACE || analyses.length >= LOGGED_RECORDS) {
      if (!at) dropped += 1;
      continue;
    }
    const id = `${report.tool.replace(/Sanitizer$/, "").toLowerCase()}-${entry.pid}-${index + 1}`;
    const dir = join(stage, id);
    await mkdir(dir, { recursive: true });
    const crash = newCrash(id, "sanitizer", dir, {
      pid: entry.pid,
      tid: entry.pid,
      signal: 0,
      time: entry.time,
      uid: entry.uid,
      comm: entry.comm ?? "",
      executablePath: entry.exe,
      commandLine: entry.cmdline ? [entry.cmdline] : [],
      coreState: "dropped",
      coreNote: "none: the sanitizer printed its report and the process went on (read from the system log)"
    });
    const analysis = bareAnalysis(crash, []);
    analysis.text = `(no core: ${report.tool} printed this report and let the process go on; it was read from the system log)`;
    placeReport(analysis, report, options);
    analyses.push(analysis);
    if (!at) places.set(place, { first: analysis, count: 1, pids: /* @__PURE__ */ new Set([entry.pid]) });
  }
  for (const { first, count, pids } of places.values())
    if (count > PER_PLACE)
      first.problems.push(
        `${count} reports of this kind at this place, from ${pids.size} process(es): the first ${PER_PLACE} are listed.`
      );
  if (dropped > 0 && analyses.length > 0)
    analyses[analyses.length - 1].problems.push(
      `${dropped} more sanitizer report(s) in the system log are not listed (at most ${LOGGED_RECORDS}).`
    );
  return analyses;
}

// src/analyze/gdb.ts
import { createHash } from "node:crypto";
import { constants as constants2 } from "node:fs";
import { copyFile, link, mkdir as mkdir2, readFile, rm, writeFile } from "node:fs/promises";
import { basename, delimiter, dirname, join as join2 } from "node:path";
import { fileURLToPath } from "node:url";

// src/analyze/bt-text.ts
import { constants } from "node:os";
var FRAME2 = /^#(\d+)\s+(?:(0x[0-9a-fA-F]+) in )?(.+?)(?: \((.*)\))?(?: at (.+):(\d+)| from (.+))?$/;
function parseFrameLine2(line) {
  const match = FRAME2.exec(line.trimEnd());
  if (!match) return null;
  const [, level, pc, name, , file, lineNo, from] = match;
  const signalHandler = name === "<signal handler called>";
  return {
    level: Number(level),
    pc: pc ?? "0x0",
    function: signalHandler || name === "??" ? null : name ?? null,
    file: file ?? null,
    fullname: file ?? null,
    line: lineNo ? Number(lineNo) : null,
    objfile: from ?? null,
    functionFile: null,
    functionLine: null,
    inline: false,
    signalHandler,
    projectPath: null
  };
}
function parseCrashingThread(text) {
  const frames = [];
  for (const line of text.split("\n")) {
    if (/^Thread \d+ /.test(line)) break;
    const frame = parseFrameLine2(line);
    if (frame) frames.push(frame);
  }
  return {
    num: 1,
    lwp: 0,
    name: null,
    crashed: true,
    frames,
    unwindStopReason: null,
    truncated: false
  };
}
function parseTerminatingSignal(text) {
  const match = /^Program terminated with signal (SIG[A-Z0-9]+)/m.exec(text);
  if (!match) return null;
  const number = constants.signals[match[1]];
  return number ?? null;
}

// src/analyze/gdb.ts
var SYSTEM_PATH = [
  "/usr/local/sbin",
  "/usr/local/bin",
  "/usr/sbin",
  "/usr/bin",
  "/sbin",
  "/bin"
].join(delimiter);
function findGdb() {
  return findProgram("gdb", process.env.PATH ?? "");
}
function findMultiarchGdb() {
  return findProgram("gdb-multiarch", process.env.PATH ?? "");
}
function hostMachines() {
  if (process.arch === "x64") return /* @__PURE__ */ new Set(["x86_64", "i386"]);
  if (process.arch === "arm64") return /* @__PURE__ */ new Set(["aarch64"]);
  if (process.arch === "ia32") return /* @__PURE__ */ new Set(["i386"]);
  return /* @__PURE__ */ new Set();
}
async function loadDisplacement(crash, core) {
  if (core.mappings.length > 0 || core.entry === null || !crash.executable) return null;
  const entry = await pieEntry(crash.executable);
  if (entry === null || core.entry <= entry) return null;
  return `0x${(core.entry - entry).toString(16)}`;
}
function isForeign(core, host = hostMachines()) {
  return !!core && host.size > 0 && !host.has(core.machine);
}
function aptInstall(name) {
  return [
    "env",
    "DEBIAN_FRONTEND=noninteractive",
    "apt-get",
    "install",
    "-y",
    "--no-install-recommends",
    name
  ];
}
function installers(multiarch) {
  const name = multiarch ? "gdb-multiarch" : "gdb";
  return [
    {
      tool: "apt-get",
      steps: [
        aptInstall(name),
        ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "update"],
        aptInstall(name)
      ],
      program: name
    },
    { tool: "dnf", steps: [["dnf", "install", "-y", "gdb"]], program: "gdb" },
    { tool: "apk", steps: [["apk", "add", name]], program: name }
  ];
}
async function installGdb(privilege, multiarch = false) {
  const what = multiarch ? "gdb-multiarch" : "gdb";
  if (!privilege)
    throw new Error(`${what} is not installed, and installing it needs root or passwordless sudo`);
  for (const installer of installers(multiarch)) {
    if (!await findProgram(installer.tool, `${process.env.PATH ?? ""}${delimiter}${SYSTEM_PATH}`))
      continue;
    let lastError = "";
    for (const step of installer.steps) {
      try {
        await runAsRoot(
          privilege,
          `Installing ${what} (${step.join(" ")})`,
          step[0],
          step.slice(1)
        );
      } catch (error) {
        lastError = error.message;
        continue;
      }
      const gdb = await findProgram(
        installer.program,
        `${process.env.PATH ?? ""}${delimiter}${SYSTEM_PATH}`
      );
      if (gdb) return gdb;
    }
    throw new Error(`${what} could not be installed with ${installer.tool}: ${lastError}`);
  }
  throw new Error(
    `${what} is not installed and no known package manager (apt-get, dnf, apk) was found`
  );
}
var GDB_SETTINGS = [
  "set auto-load off",
  "set libthread-db-search-path $sdir",
  "set debuginfod enabled off",
  "set pagination off",
  "set height 0",
  "set width 0",
  "set confirm off",
  "set style enabled off",
  "set print frame-arguments scalars",
  "set print entry-values no",
  "set max-value-size 65536",
  "set print elements 200"
];
function scriptPath() {
  return fileURLToPath(new URL("./backtrace.py", import.meta.url));
}
async function privateSysroot(crash, made) {
  const key = createHash("sha256").update(JSON.stringify(crash.libraries.map((l) => [l.path, l.file, l.soname]).sort())).digest("hex").slice(0, 16);
  let sysroot = made.get(key);
  if (!sysroot) {
    sysroot = buildSysroot(join2(dirname(crash.dir), "sysroots", key), crash.libraries);
    made.set(key, sysroot);
  }
  return sysroot;
}
async function buildSysroot(sysroot, libraries) {
  await rm(sysroot, { recursive: true, force: true });
  await mkdir2(sysroot, { recursive: true });
  const folders = /* @__PURE__ */ new Set();
  const place = async (file, target) => {
    await mkdir2(dirname(target), { recursive: true });
    await link(file, target).catch(() => copyFile(file, target, constants2.COPYFILE_EXCL));
  };
  for (const library of libraries) {
    const relative = safeRelative(library.path);
    if (!relative) continue;
    await place(library.file, join2(sysroot, relative)).catch(() => void 0);
    folders.add(dirname(join2(sysroot, relative)));
  }
  for (const library of libraries) {
    const relative = safeRelative(library.path);
    if (!relative || !library.soname || library.soname === basename(relative)) continue;
    await place(library.file, join2(sysroot, dirname(relative), library.soname)).catch(
      () => void 0
    );
  }
  return { sysroot, search: [...folders].join(delimiter) };
}
function indexCacheSettings(dir) {
  return [`set index-cache directory ${dir}`, "set index-cache enabled on"];
}
function gdbEnv(extra) {
  const env = { ...process.env, ...extra };
  delete env.DEBUGINFOD_URLS;
  delete env.LD_LIBRARY_PATH;
  return env;
}
function settingsArgs(extra = []) {
  const args = ["-nx", "-batch"];
  for (const setting of [...GDB_SETTINGS, ...extra]) args.push("-iex", setting);
  return args;
}
async function runBatch(options, executable, jobs, listFile) {
  await Promise.all(
    jobs.flatMap((job) => [rm(job.json, { force: true }), rm(job.text, { force: true })])
  );
  await writeFile(
    listFile,
    JSON.stringify(
      jobs.map((job) => ({
        core: job.crash.core,
        json: job.json,
        text: job.text,
        sysroot: job.sysroot,
        search: job.search,
        displacement: job.displacement
      }))
    )
  );
  const cacheDir = options.indexCache ?? (jobs.length > 1 ? join2(dirname(jobs[0].crash.dir), "gdb-index-cache") : null);
  const cache = cacheDir ? indexCacheSettings(cacheDir).flatMap((setting) => ["-ex", setting]) : [];
  const args = [...settingsArgs(), ...cache, "-x", scriptPath()];
  if (executable) args.push(executable);
  const result = await runCommand(options.gdb, args, {
    // Never the workspace: gdb resolves relative DWARF names against its cwd.
    cwd: jobs[0].crash.dir,
    env: gdbEnv({
      CRASH_CAPTURE_JOBS: listFile,
      CRASH_CAPTURE_SCRIPTS: JSON.stringify(options.scripts),
      CRASH_CAPTURE_COMMANDS: JSON.stringify(options.commands)
    }),
    timeoutMs: options.timeoutMsPerCore * jobs.length,
    maxOutput: 1024 * 1024
  });
  const noPython = /Python scripting is not supported in this copy of GDB/.test(
    result.stdout + result.stderr
  );
  if (result.timedOut)
    return { failure: "gdb ran longer than its timeout and was killed", noPython };
  if (result.code !== 0) return { failure: `gdb ${describeFailure(result)}`, noPython };
  return { failure: null, noPython };
}
async function analyzeFromText(options, executable, job, resolver) {
  const args = settingsArgs([
    "set filename-display absolute",
    `set sysroot ${job.sysroot}`,
    `set solib-search-path ${job.search}`
  ]);
  for (const script of options.scripts) args.push("-x", script);
  args.push("-ex", "bt full 64", "-ex", "thread apply all -ascending bt full 64");
  for (const command of options.commands) args.push("-ex", command);
  if (executable) args.push(executable);
  args.push(job.crash.core);
  const result = await runCommand(options.gdb, args, {
    cwd: job.crash.dir,
    env: gdbEnv({}),
    timeoutMs: options.timeoutMsPerCore,
    maxOutput: 1024 * 1024
  });
  const analysis = bareAnalysis(job.crash, [
    "gdb has no Python support: frames were read from its text output (install the full gdb package for exact frames)"
  ]);
  if (result.timedOut || result.startError) {
    analysis.problems.push(`gdb ${describeFailure(result)}`);
    return analysis;
  }
  const text = removeNoise(result.stdout);
  const signal = parseTerminatingSignal(text);
  if (signal !== null && analysis.signal.number < 0) {
    analysis.signal = { ...analysis.signal, number: signal, name: signalName(signal) };
  }
  const thread = parseCrashingThread(text.slice(text.indexOf("\n#") >= 0 ? text.indexOf("\n#") : 0));
  for (const frame of thread.frames) frame.projectPath = resolver.projectPath(frame.fullname);
  analysis.threads = thread.frames.length > 0 ? [thread] : [];
  analysis.crashingThread = analysis.threads[0] ?? null;
  analysis.text = text;
  analysis.blame = chooseBlame(analysis.crashingThread, resolver, options.skipFrames);
  await writeFile(job.text, text).catch(() => void 0);
  analysis.textPath = job.text;
  return analysis;
}
async function readOutput(job) {
  try {
    const [json, text] = await Promise.all([readFile(job.json, "utf8"), readFile(job.text, "utf8")]);
    return { document: parseGdbDocument(json), text };
  } catch {
    return null;
  }
}
function toAnalysis(job, output, resolver, options) {
  const { document } = output;
  const analysis = bareAnalysis(job.crash, []);
  if (document.error) analysis.problems.push(`gdb could not open the core: ${document.error}`);
  if (/may not match specified executable/.test(document.loadMessages)) {
    analysis.problems.push(
      "gdb says the core may not match the executable: the frames may be wrong"
    );
  }
  if (document.signal) analysis.signal = document.signal;
  for (const thread of document.threads) {
    for (const frame of thread.frames) frame.projectPath = resolver.projectPath(frame.fullname);
  }
  analysis.threads = document.threads;
  analysis.crashingThread = document.threads.find((t) => t.crashed) ?? document.threads[0] ?? null;
  analysis.text = removeNoise(output.text);
  analysis.blame = chooseBlame(analysis.crashingThread, resolver, options.skipFrames);
  analysis.jsonPath = job.json;
  analysis.textPath = job.text;
  return analysis;
}
function split(jobs, parallel) {
  if (jobs.length < 16 || parallel < 2) return [jobs];
  const size = Math.ceil(jobs.length / parallel);
  const chunks = [];
  for (let i = 0; i < jobs.length; i += size) chunks.push(jobs.slice(i, i + size));
  return chunks;
}
async function analyzeCrashes(crashes, options) {
  const resolver = new SourceResolver(options);
  const results = /* @__PURE__ */ new Map();
  const sysroots = /* @__PURE__ */ new Map();
  const batches = /* @__PURE__ */ new Map();
  for (const crash of crashes) {
    const job = {
      crash,
      json: join2(crash.dir, "backtrace.json"),
      text: join2(crash.dir, "backtrace.txt"),
      ...await privateSysroot(crash, sysroots),
      displacement: options.displacements?.get(crash) ?? null
    };
    const key = crash.executable ?? "";
    batches.set(key, [...batches.get(key) ?? [], job]);
  }
  const queue = [];
  for (const [executable, jobs] of batches) {
    for (const chunk of split(jobs, options.parallel)) {
      queue.push({ executable: executable || null, jobs: chunk, retry: chunk.length > 1 });
    }
  }
  let warnedNoPython = false;
  const worker = async () => {
    for (let batch = queue.shift(); batch; batch = queue.shift()) {
      const listFile = join2(batch.jobs[0].crash.dir, "gdb-jobs.json");
      const run = await runBatch(options, batch.executable, batch.jobs, listFile);
      const unfinished = [];
      for (const job of batch.jobs) {
        const output = await readOutput(job);
        if (output) results.set(job.crash, toAnalysis(job, output, resolver, options));
        else unfinished.push(job);
      }
      if (unfinished.length === 0) continue;
      if (run.noPython) {
        if (!warnedNoPython)
          options.warn?.("gdb has no Python support: reading frames from its text output instead.");
        warnedNoPython = true;
        for (const job of unfinished) {
          results.set(job.crash, await analyzeFromText(options, batch.executable, job, resolver));
        }
      } else if (batch.retry) {
        for (const job of unfinished)
          queue.push({ executable: batch.executable, jobs: [job], retry: false });
      } else {
        for (const job of unfinished) {
          results.set(job.crash, bareAnalysis(job.crash, [run.failure ?? "gdb wrote no backtrace"]));
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.parallel) }, worker));
  return crashes.map((crash) => results.get(crash) ?? bareAnalysis(crash, ["not analysed"]));
}
async function analyzeAll(crashes, cores, gdb) {
  const results = /* @__PURE__ */ new Map();
  const usable = [];
  const byId = new Map(crashes.map((crash) => [crash.id, crash]));
  for (const crash of crashes) {
    if (crash.twinOf && byId.has(crash.twinOf)) {
    } else if (!crash.core) {
      results.set(
        crash,
        bareAnalysis(crash, [`No core to analyse: ${crash.coreNote ?? "none was stored"}`])
      );
    } else if (!crash.executable) {
      results.set(crash, bareAnalysis(crash, []));
    } else if ("missing" in gdb) {
      results.set(crash, bareAnalysis(crash, [gdb.missing]));
    } else {
      usable.push(crash);
    }
  }
  if (usable.length > 0 && !("missing" in gdb)) {
    const host = hostMachines();
    const foreign = usable.filter((crash) => isForeign(cores.get(crash), host));
    const native = usable.filter((crash) => !foreign.includes(crash));
    const analysed = native.length > 0 ? await analyzeCrashes(native, gdb) : [];
    const multiarch = gdb.multiarch ?? { missing: "gdb-multiarch was not looked for" };
    for (const crash of foreign) {
      const machine = cores.get(crash).machine;
      if (typeof multiarch !== "string")
        results.set(
          crash,
          bareAnalysis(crash, [
            `A core of ${machine} on a ${process.arch} machine needs gdb-multiarch: ${multiarch.missing}.`
          ])
        );
    }
    if (typeof multiarch === "string" && foreign.length > 0) {
      const displacements = /* @__PURE__ */ new Map();
      for (const crash of foreign) {
        crash.loadDisplacement = await loadDisplacement(crash, cores.get(crash));
        if (crash.loadDisplacement) displacements.set(crash, crash.loadDisplacement);
      }
      for (const analysis of await analyzeCrashes(foreign, {
        ...gdb,
        gdb: multiarch,
        displacements
      })) {
        const machine = cores.get(analysis.crash).machine;
        analysis.problems.push(
          `A core of ${machine}: backtraced with gdb-multiarch (${multiarch}).`
        );
        analysed.push(analysis);
      }
    }
    for (const analysis of analysed) {
      await addSanitizerReport(analysis, gdb);
      results.set(analysis.crash, analysis);
    }
  }
  for (const crash of crashes) {
    const first = crash.twinOf ? results.get(byId.get(crash.twinOf)) : void 0;
    if (!crash.twinOf || results.has(crash)) continue;
    results.set(
      crash,
      first ? {
        ...first,
        crash,
        problems: [
          `Backtraced as ${crash.twinOf}: it crashed at the same place (signal, instruction and the code addresses on 8 KiB of its stack), so its core was not given to gdb.`
        ]
      } : bareAnalysis(crash, [`No core to analyse: ${crash.coreNote ?? "none was stored"}`])
    );
  }
  return crashes.map((crash) => fillFromCore(results.get(crash), cores.get(crash)));
}

export {
  detectPrivilege,
  runAsRoot,
  writeAsRoot,
  ElfError,
  handleSoname,
  handleBuildId,
  fileBuildId,
  looksLikeCore,
  readCore,
  stacksOf,
  loggedAnalyses,
  findGdb,
  findMultiarchGdb,
  isForeign,
  installGdb,
  GDB_SETTINGS,
  indexCacheSettings,
  gdbEnv,
  settingsArgs,
  analyzeAll
};
