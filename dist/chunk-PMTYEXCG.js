import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  getInput,
  getState,
  saveState
} from "./chunk-3L7JGGGI.js";

// src/process.ts
import { spawn } from "node:child_process";
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

// src/capture/kernel.ts
import { readFile } from "node:fs/promises";
var KERNEL_FILES = {
  corePattern: "/proc/sys/kernel/core_pattern",
  corePipeLimit: "/proc/sys/kernel/core_pipe_limit",
  suidDumpable: "/proc/sys/fs/suid_dumpable"
};
async function readSetting(path) {
  return (await readFile(path, "utf8")).replace(/\n$/, "");
}
async function readKernelSettings() {
  const [corePattern, corePipeLimit, suidDumpable] = await Promise.all([
    readSetting(KERNEL_FILES.corePattern),
    readSetting(KERNEL_FILES.corePipeLimit),
    readSetting(KERNEL_FILES.suidDumpable)
  ]);
  return { corePattern, corePipeLimit, suidDumpable };
}
async function writeKernelSettings(privilege, wanted) {
  const current = await readKernelSettings();
  for (const key of Object.keys(KERNEL_FILES)) {
    if (current[key] !== wanted[key]) await writeAsRoot(privilege, KERNEL_FILES[key], wanted[key]);
  }
  const after = await readKernelSettings();
  for (const key of Object.keys(KERNEL_FILES)) {
    if (after[key] !== wanted[key]) {
      throw new Error(
        `${KERNEL_FILES[key]} reads '${after[key]}' after writing '${wanted[key]}' to it`
      );
    }
  }
}

// src/upload/bundle.ts
import { constants } from "node:fs";
import { chmod, copyFile, link, mkdir, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

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
async function buildIdAt(reader, loads, mapping) {
  const header = await readMemory(reader, loads, mapping.start, 64);
  if (!header || header.length < 52 || header.readUInt32BE(0) !== 2135247942 || header[5] !== 1)
    return null;
  const bits = header[4] === 2 ? 64 : header[4] === 1 ? 32 : 0;
  if (bits === 0 || bits === 64 && header.length < 64) return null;
  const phoff = bits === 64 ? header.readBigUInt64LE(32) : BigInt(header.readUInt32LE(28));
  const phentsize = bits === 64 ? header.readUInt16LE(54) : header.readUInt16LE(42);
  const phnum = bits === 64 ? header.readUInt16LE(56) : header.readUInt16LE(44);
  if (phnum === 0 || phnum > 256 || phentsize < (bits === 64 ? 56 : 32)) return null;
  const span = mapping.end - mapping.start;
  if (phoff + BigInt(phentsize * phnum) > span) return null;
  const table = await readMemory(reader, loads, mapping.start + phoff, phentsize * phnum);
  if (!table || table.length < phentsize * phnum) return null;
  for (let i = 0; i < phnum; i++) {
    const at = i * phentsize;
    if (table.readUInt32LE(at) !== PT_NOTE) continue;
    const offset = bits === 64 ? table.readBigUInt64LE(at + 8) : BigInt(table.readUInt32LE(at + 4));
    const filesz = bits === 64 ? table.readBigUInt64LE(at + 32) : BigInt(table.readUInt32LE(at + 16));
    if (filesz === 0n || filesz > 4096n || offset + filesz > span) continue;
    const notes = [];
    const bytes = await readMemory(reader, loads, mapping.start + offset, Number(filesz));
    if (!bytes) continue;
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
async function fileBuildId(path) {
  let handle;
  try {
    handle = await open(path, "r");
    const size = (await handle.stat()).size;
    const reader = new CoreReader(handle, size);
    const header = await reader.read(0, 64);
    if (header.length < 52 || header.readUInt32BE(0) !== 2135247942 || header[5] !== 1) return null;
    const bits = header[4] === 2 ? 64 : 32;
    const phoff = bits === 64 ? Number(header.readBigUInt64LE(32)) : header.readUInt32LE(28);
    const phentsize = bits === 64 ? header.readUInt16LE(54) : header.readUInt16LE(42);
    const phnum = bits === 64 ? header.readUInt16LE(56) : header.readUInt16LE(44);
    if (phnum === 0 || phnum > 256 || phentsize < (bits === 64 ? 56 : 32)) return null;
    const table = await reader.read(phoff, phentsize * phnum);
    for (let i = 0; i + 1 <= phnum && (i + 1) * phentsize <= table.length; i++) {
      const at = i * phentsize;
      if (table.readUInt32LE(at) !== PT_NOTE) continue;
      const offset = bits === 64 ? Number(table.readBigUInt64LE(at + 8)) : table.readUInt32LE(at + 4);
      const filesz = bits === 64 ? Number(table.readBigUInt64LE(at + 32)) : table.readUInt32LE(at + 16);
      if (filesz <= 0 || filesz > 1 << 20) continue;
      const notes = [];
      try {
        parseNotes(await reader.read(offset, filesz), notes);
      } catch {
        continue;
      }
      const id = notes.find((n) => n.name === "GNU" && n.type === NT_GNU_BUILD_ID);
      if (id && id.desc.length > 0) return id.desc.toString("hex");
    }
    return null;
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

// src/upload/bundle.ts
var UploadMode = /* @__PURE__ */ ((UploadMode2) => {
  UploadMode2["All"] = "all";
  UploadMode2["Reports"] = "reports";
  UploadMode2["None"] = "none";
  return UploadMode2;
})(UploadMode || {});
var DELETED = / \(deleted\)$/;
var FORBIDDEN = /["\\:<>|*?\u0000-\u001f]/g;
function safeRelative(path) {
  return path.split("/").filter((part) => part !== "" && part !== "." && part !== "..").map((part) => part.replace(FORBIDDEN, "_")).join("/");
}
function shellQuote(value) {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
async function sizeOf(path) {
  return stat(path).then(
    (s) => s.isFile() ? s.size : null,
    () => null
  );
}
async function libraries(crash, core, problems) {
  if (!core) return [];
  const executable = crash.executablePath;
  const found = [];
  for (const [mapped, id] of core.buildIds) {
    if (mapped === executable) continue;
    const path = mapped.replace(DELETED, "");
    if (await fileBuildId(path) === id) found.push({ path, from: path });
    else
      problems.push(
        `${path} is not the library the process had mapped (deleted or changed): left out of the bundle`
      );
  }
  return found;
}
function debugScript(crash, executable, sysroot, libDirs) {
  const search = libDirs.map((dir) => `$root/${sysroot}/${dir}`).join(":");
  const exe = executable ? `"$root/${sysroot}/"${shellQuote(executable)}` : "";
  return [
    "#!/bin/sh",
    `# Opens crash ${crash.id} in gdb with the executable and the shared libraries it ran with,`,
    "# from this bundle alone. Extra arguments go to gdb, for example: sh debug.sh -batch -ex bt",
    'here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd) || exit 1',
    'root=$(dirname -- "$here")',
    'exec gdb -nx -iex "set debuginfod enabled off" \\',
    `  -iex "set sysroot $root/${sysroot}" \\`,
    `  -iex "set solib-search-path ${search}" \\`,
    `  "$@" ${exe} "$here/core"`,
    ""
  ].join("\n");
}
var README = `# crash-capture bundle

One folder per crash, named \`<time>-<pid>\` (or \`core-\u2026\`, \`coredump-\u2026\` for cores found
outside the handler). Each holds:

- \`backtrace.txt\`: gdb's backtrace, crashing thread first, then every thread;
- \`backtrace.json\`: the same frames as structured data;
- \`crash.json\`: the crash record (signal, executable, command line, blamed frame, problems);
- \`core\`: the core dump (not in bundles made with \`upload: reports\`);
- \`debug.sh\`: opens the core in gdb with the exact executable and libraries of the crash.

\`sysroot/\` holds the executables and the shared libraries the processes had mapped, under
their original absolute paths, so that gdb on another machine uses these and not its own:

    sh <crash-folder>/debug.sh                   # interactive gdb
    sh <crash-folder>/debug.sh -batch -ex 'thread apply all bt full'

Cores hold the memory of the crashed process, which can include secrets (tokens, keys, data):
treat this bundle like the secrets your tests use.
`;
async function stageBundle(analyses, cores, stage, mode, maxBytes) {
  const root = join(stage, "bundle");
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  const planned = [];
  const sysroot = /* @__PURE__ */ new Map();
  const notes = /* @__PURE__ */ new Map();
  const scripts = /* @__PURE__ */ new Map();
  for (const analysis of analyses) {
    const { crash } = analysis;
    const problems = [];
    notes.set(crash, problems);
    for (const [from, name] of [
      [analysis.textPath, "backtrace.txt"],
      [analysis.jsonPath, "backtrace.json"]
    ]) {
      const size = from ? await sizeOf(from) : null;
      if (from && size !== null) planned.push({ from, to: `${crash.id}/${name}`, size });
    }
    if (mode !== "all" /* All */) continue;
    const coreSize = crash.core ? await sizeOf(crash.core) : null;
    if (crash.core && coreSize !== null)
      planned.push({ from: crash.core, to: `${crash.id}/core`, size: coreSize, coreOf: crash });
    const wanted = [];
    const exePath = crash.executablePath?.replace(DELETED, "") ?? (crash.executable ? `/unknown/${crash.comm || "executable"}` : null);
    if (crash.executable && exePath) wanted.push({ path: exePath, from: crash.executable });
    wanted.push(...await libraries(crash, cores.get(crash), problems));
    const clash = wanted.some((w) => {
      const taken = sysroot.get(safeRelative(w.path));
      return taken !== void 0 && taken !== w.from;
    });
    const base = clash ? `${crash.id}/sysroot` : "sysroot";
    for (const w of wanted) {
      const to = `${base}/${safeRelative(w.path)}`;
      if (!clash && sysroot.has(safeRelative(w.path))) continue;
      const size = await sizeOf(w.from);
      if (size === null) continue;
      if (!clash) sysroot.set(safeRelative(w.path), w.from);
      planned.push({ from: w.from, to, size });
    }
    const libDirs = [
      ...new Set(wanted.filter((w) => w.path !== exePath).map((w) => dirname(safeRelative(w.path))))
    ];
    const script = debugScript(
      crash,
      crash.executable && exePath ? safeRelative(exePath) : null,
      clash ? `${crash.id}/sysroot` : "sysroot",
      libDirs
    );
    scripts.set(
      crash,
      clash ? script.replace(
        'root=$(dirname -- "$here")',
        'root=$(dirname -- "$here")\n# this crash has a sysroot of its own'
      ) : script
    );
  }
  const dropped = [];
  let bytes = planned.reduce((n, p) => n + p.size, 0);
  const byCoreSize = planned.filter((p) => p.coreOf).sort((a, b) => b.size - a.size);
  for (const core of byCoreSize) {
    if (bytes <= maxBytes) break;
    planned.splice(planned.indexOf(core), 1);
    bytes -= core.size;
    const note = `the core (${core.size} bytes) was left out: the bundle would exceed max-artifact-size`;
    dropped.push(`${core.coreOf.id}: ${note}`);
    notes.get(core.coreOf).push(note);
  }
  const files = [];
  for (const p of planned) {
    const target = join(root, p.to);
    await mkdir(dirname(target), { recursive: true });
    if (p.from.startsWith(stage)) {
      await link(p.from, target).catch(() => copyFile(p.from, target, constants.COPYFILE_EXCL));
    } else {
      await copyFile(p.from, target, constants.COPYFILE_EXCL);
    }
    files.push(target);
  }
  for (const analysis of analyses) {
    const { crash } = analysis;
    const dir = join(root, crash.id);
    await mkdir(dir, { recursive: true });
    const record = {
      ...crash,
      signal: analysis.signal,
      blame: analysis.blame && {
        function: analysis.blame.frame.function,
        path: analysis.blame.path,
        line: analysis.blame.line
      },
      problems: [...analysis.problems, ...notes.get(crash) ?? []]
    };
    await writeFile(join(dir, "crash.json"), JSON.stringify(record, null, 2) + "\n");
    files.push(join(dir, "crash.json"));
    const script = scripts.get(crash);
    if (script && planned.some((p) => p.coreOf === crash)) {
      await writeFile(join(dir, "debug.sh"), script);
      await chmod(join(dir, "debug.sh"), 493);
      files.push(join(dir, "debug.sh"));
    }
  }
  await writeFile(join(root, "README.md"), README);
  files.push(join(root, "README.md"));
  return { root, files, bytes, dropped };
}

// src/inputs.ts
var CommentMode = /* @__PURE__ */ ((CommentMode2) => {
  CommentMode2["OnCrash"] = "on-crash";
  CommentMode2["Always"] = "always";
  CommentMode2["Never"] = "never";
  return CommentMode2;
})(CommentMode || {});
var InputError = class extends Error {
  constructor(input, value, expected) {
    super(`Input '${input}' has the invalid value '${value}': expected ${expected}.`);
    this.name = "InputError";
  }
};
var SIZE_UNITS = {
  "": 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4
};
function parseSize(input, raw) {
  const match = /^(\d+)\s*([kmgt]?)(?:i?b)?$/i.exec(raw.trim());
  const unit = match ? SIZE_UNITS[match[2].toLowerCase()] : void 0;
  if (!match || unit === void 0) {
    throw new InputError(input, raw, "a size such as 512M, 4G or a number of bytes");
  }
  const bytes = Number(match[1]) * unit;
  if (!Number.isSafeInteger(bytes)) throw new InputError(input, raw, "a smaller size");
  return bytes;
}
function parseBoolean(input, raw) {
  const value = raw.trim().toLowerCase();
  if (["true", "yes", "on", "1"].includes(value)) return true;
  if (["false", "no", "off", "0"].includes(value)) return false;
  throw new InputError(input, raw, "'true' or 'false'");
}
function parseSeconds(input, raw) {
  const value = Number(raw.trim());
  if (raw.trim() === "" || !Number.isFinite(value) || value <= 0 || value > 24 * 3600) {
    throw new InputError(input, raw, "a number of seconds greater than 0 and at most 86400");
  }
  return value;
}
function parseRegExp(input, raw) {
  if (raw.trim() === "") return null;
  try {
    return new RegExp(raw.trim());
  } catch (error) {
    throw new InputError(input, raw, `a valid regular expression (${error.message})`);
  }
}
function parseDirectory(input, raw) {
  const value = raw.trim();
  if (!/^\/[A-Za-z0-9._/-]*$/.test(value) || value.split("/").includes("..") || value.length > 64) {
    throw new InputError(
      input,
      raw,
      'an absolute path of at most 64 characters made of letters, digits, ".", "_", "-" and "/"'
    );
  }
  const trimmed = value.replace(/\/+$/, "");
  if (trimmed === "") throw new InputError(input, raw, "a directory other than /");
  return trimmed;
}
function parseEnum(input, raw, values) {
  const value = raw.trim().toLowerCase();
  const known = Object.values(values);
  const match = known.find((v) => v === value);
  if (!match) throw new InputError(input, raw, known.map((v) => `'${v}'`).join(", "));
  return match;
}
function parseInteger(input, raw, min, max) {
  const value = Number(raw.trim());
  if (raw.trim() === "" || !Number.isInteger(value) || value < min || value > max) {
    throw new InputError(input, raw, `a whole number from ${min} to ${max}`);
  }
  return value;
}
function parseLines(raw) {
  return raw.split("\n").map((line) => line.trim()).filter((line) => line !== "" && !line.startsWith("#"));
}
function read(input, fallback) {
  const raw = getInput(input);
  return raw === "" ? fallback : raw;
}
function getInputs() {
  return {
    failOnCrash: parseBoolean("fail-on-crash" /* FailOnCrash */, read("fail-on-crash" /* FailOnCrash */, "true")),
    installGdb: parseBoolean("install-gdb" /* InstallGdb */, read("install-gdb" /* InstallGdb */, "true")),
    gdbTimeoutSeconds: parseSeconds("gdb-timeout" /* GdbTimeout */, read("gdb-timeout" /* GdbTimeout */, "120")),
    skipFrames: parseRegExp("skip-frames" /* SkipFrames */, read("skip-frames" /* SkipFrames */, "")),
    crashDir: parseDirectory("crash-dir" /* CrashDir */, read("crash-dir" /* CrashDir */, "/var/lib/crash-capture")),
    maxCoreSize: parseSize("max-core-size" /* MaxCoreSize */, read("max-core-size" /* MaxCoreSize */, "4G")),
    maxTotalSize: parseSize("max-total-size" /* MaxTotalSize */, read("max-total-size" /* MaxTotalSize */, "8G")),
    minFreeSpace: parseSize("min-free-space" /* MinFreeSpace */, read("min-free-space" /* MinFreeSpace */, "2G")),
    gdbScripts: parseLines(read("gdb-scripts" /* GdbScripts */, "")),
    gdbCommands: parseLines(read("gdb-commands" /* GdbCommands */, "")),
    comment: parseEnum("comment" /* Comment */, read("comment" /* Comment */, "on-crash" /* OnCrash */), CommentMode),
    githubToken: getInput("github-token" /* GithubToken */).trim(),
    commentKey: getInput("comment-key" /* CommentKey */).trim() || `${process.env.GITHUB_WORKFLOW ?? "workflow"}/${process.env.GITHUB_JOB ?? "job"}`,
    searchPaths: parseLines(read("search-paths" /* SearchPaths */, "")),
    executables: parseLines(read("executables" /* Executables */, "")),
    upload: parseEnum("upload" /* Upload */, read("upload" /* Upload */, "all" /* All */), UploadMode),
    artifactName: getInput("artifact-name" /* ArtifactName */).trim(),
    retentionDays: getInput("retention-days" /* RetentionDays */).trim() ? parseInteger("retention-days" /* RetentionDays */, getInput("retention-days" /* RetentionDays */), 1, 90) : null,
    compressionLevel: parseInteger("compression-level" /* CompressionLevel */, read("compression-level" /* CompressionLevel */, "6"), 0, 9),
    maxArtifactSize: parseSize("max-artifact-size" /* MaxArtifactSize */, read("max-artifact-size" /* MaxArtifactSize */, "4G")),
    maxCores: parseInteger("max-cores" /* MaxCores */, read("max-cores" /* MaxCores */, "50"), 1, 1e4)
  };
}

// src/state.ts
function saveCaptureState(state) {
  saveState("capture" /* Capture */, JSON.stringify(state));
}
function isString(value) {
  return typeof value === "string";
}
function readSettings(value) {
  if (typeof value !== "object" || value === null) return null;
  const v = value;
  if (!isString(v.corePattern) || !isString(v.corePipeLimit) || !isString(v.suidDumpable)) {
    return null;
  }
  return {
    corePattern: v.corePattern,
    corePipeLimit: v.corePipeLimit,
    suidDumpable: v.suidDumpable
  };
}
function loadCaptureState() {
  const raw = getState("capture" /* Capture */);
  if (raw === "") return null;
  let value;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const v = value;
  const mode = v.mode === "pipe-handler" || v.mode === "rlimit" ? v.mode : "none";
  return {
    startedAt: typeof v.startedAt === "number" ? v.startedAt : 0,
    mode,
    reason: isString(v.reason) ? v.reason : "",
    sessionDir: isString(v.sessionDir) && v.sessionDir.startsWith("/") ? v.sessionDir : null,
    installedPattern: isString(v.installedPattern) ? v.installedPattern : null,
    previous: readSettings(v.previous),
    sudo: v.sudo === true
  };
}

export {
  runCommand,
  describeFailure,
  detectPrivilege,
  runAsRoot,
  readKernelSettings,
  writeKernelSettings,
  ElfError,
  fileBuildId,
  looksLikeCore,
  readCore,
  stageBundle,
  getInputs,
  saveCaptureState,
  loadCaptureState
};
