import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);

// src/process.ts
import { spawn } from "node:child_process";
import { access, constants } from "node:fs/promises";
import { delimiter, join } from "node:path";
function runCommand(command, args, options = {}) {
  const maxOutput = options.maxOutput ?? 16 * 1024 * 1024;
  return new Promise((resolve) => {
    const stdout = [];
    const stderr = [];
    const kept = { stdout: 0, stderr: 0 };
    let truncated = false;
    let timedOut = false;
    let startError = null;
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["pipe", "pipe", "pipe"],
      detached: true
    });
    const collect = (name, into) => (chunk) => {
      const room = maxOutput - kept[name];
      if (room <= 0) {
        truncated = true;
        return;
      }
      if (chunk.length > room) truncated = true;
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      into.push(part);
      kept[name] += part.length;
    };
    child.stdout.on("data", collect("stdout", stdout));
    child.stderr.on("data", collect("stderr", stderr));
    child.stdin.on("error", () => void 0);
    child.stdin.end(options.input ?? "");
    const timer = options.timeoutMs === void 0 ? void 0 : setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, options.timeoutMs);
    child.on("error", (error) => {
      startError = error.message;
    });
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({
        code: startError ? null : code,
        signal,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
        timedOut,
        truncated,
        startError
      });
    });
  });
}
function killGroup(pid) {
  if (pid === void 0) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
  }
}
function describeFailure(result) {
  if (result.startError) return result.startError;
  if (result.timedOut) return "timed out and was killed";
  const detail = result.stderr.trim().split("\n").slice(-3).join(" ").slice(0, 500);
  const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.code}`;
  return detail ? `${how}: ${detail}` : how;
}
async function findProgram(name, path) {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
    }
  }
  return null;
}
function shellQuote(value) {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

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
import { open } from "node:fs/promises";
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
async function fileBuildId(path) {
  let handle;
  try {
    handle = await open(path, "r");
    const reader = new CoreReader(handle, (await handle.stat()).size);
    const read = (offset, length) => offset > BigInt(Number.MAX_SAFE_INTEGER) ? Promise.resolve(null) : reader.read(Number(offset), length);
    return await buildIdOf(read, BigInt(reader.size), 1 << 20);
  } catch {
    return null;
  } finally {
    await handle?.close();
  }
}
async function looksLikeCore(path) {
  let handle;
  try {
    handle = await open(path, "r");
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
    handle = await open(path, "r");
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

export {
  runCommand,
  describeFailure,
  findProgram,
  shellQuote,
  detectPrivilege,
  runAsRoot,
  writeAsRoot,
  ElfError,
  fileBuildId,
  looksLikeCore,
  readCore
};
