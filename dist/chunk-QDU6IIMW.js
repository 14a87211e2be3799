import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);

// src/process.ts
import { spawn } from "node:child_process";
import { setPriority } from "node:os";
import { access, constants, readFile } from "node:fs/promises";
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
async function readProcStat(pid) {
  const text = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  if (!text) return null;
  const close = text.lastIndexOf(")");
  return {
    comm: text.slice(text.indexOf("(") + 1, close),
    fields: text.slice(close + 2).split(" ")
  };
}
async function inParallel(items, width, work) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}
function lowerPriority(child, niceness) {
  if (child.pid !== void 0) {
    try {
      setPriority(child.pid, niceness);
    } catch {
    }
  }
  return child;
}

// src/upload/bundle.ts
import { constants as constants3, existsSync as existsSync2 } from "node:fs";
import { chmod as chmod2, copyFile as copyFile2, link, mkdir as mkdir2, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname as dirname2, join as join2 } from "node:path";
import { spawn as spawn2 } from "node:child_process";

// src/safe-file.ts
import { constants as constants2, createReadStream, createWriteStream, existsSync } from "node:fs";
import { chmod, copyFile, mkdir, open } from "node:fs/promises";
import { dirname } from "node:path";
import { pipeline } from "node:stream/promises";
var NotRegularFileError = class extends Error {
  constructor(path, what) {
    super(`${path} is ${what}, not a regular file`);
    this.name = "NotRegularFileError";
  }
};
function describeType(info) {
  if (info.isFIFO()) return "a FIFO";
  if (info.isSocket()) return "a socket";
  if (info.isCharacterDevice() || info.isBlockDevice()) return "a device";
  if (info.isDirectory()) return "a directory";
  return "not a regular file";
}
async function openRegular(path) {
  let handle;
  try {
    handle = await open(path, constants2.O_RDONLY | constants2.O_NOFOLLOW | constants2.O_NONBLOCK);
  } catch (error) {
    if (error.code === "ELOOP")
      throw new NotRegularFileError(path, "a symbolic link");
    throw error;
  }
  const info = await handle.stat();
  if (!info.isFile()) {
    await handle.close();
    throw new NotRegularFileError(path, describeType(info));
  }
  return { handle, info };
}
async function copyFromHandle(handle, target) {
  await mkdir(dirname(target), { recursive: true });
  if (process.platform === "linux") {
    try {
      await copyFile(`/proc/self/fd/${handle.fd}`, target, constants2.COPYFILE_EXCL);
      await chmod(target, 384);
      return;
    } catch (error) {
      if (error.code !== "ENOENT" || existsSync(target)) throw error;
    }
  }
  await pipeline(
    createReadStream("", { fd: handle.fd, start: 0, autoClose: false }),
    createWriteStream(target, { flags: "wx", mode: 384 })
  );
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
function portable(record, stage, root) {
  const inBundle = (relative2) => existsSync2(join2(root, relative2)) ? relative2 : null;
  const sysroot = (path) => typeof path === "string" ? ((file) => inBundle(file) ?? inBundle(`${file}.zst`))(
    `sysroot/${safeRelative(path.replace(DELETED, ""))}`
  ) : null;
  const map = (value) => {
    if (typeof value === "string")
      return value.startsWith(`${stage}/`) ? inBundle(value.slice(stage.length + 1)) : value;
    if (Array.isArray(value)) return value.map(map);
    if (typeof value !== "object" || value === null) return value;
    const object = Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, map(v)])
    );
    if ("executablePath" in object && Array.isArray(object.libraries)) {
      const original = value;
      if (typeof object.id === "string" && (original.core || original.packedCore))
        object.core = inBundle(`${object.id}/core.zst`) ?? inBundle(`${object.id}/core.tar.zst`) ?? inBundle(`${object.id}/core`);
      object.executable = original.executable ? sysroot(original.executablePath) : null;
      object.libraries = original.libraries.map((library) => ({
        ...library,
        file: sysroot(library.path)
      }));
    }
    return object;
  };
  return map(record);
}
var STAGING_NICENESS = 10;
async function compressInto(zstd, tar, from, target, sparse) {
  await mkdir2(dirname2(target), { recursive: true });
  const { handle } = await openRegular(from);
  try {
    if (sparse && tar) {
      const packed2 = `${target}.tar.zst`;
      const archive = lowerPriority(
        spawn2(
          tar,
          [
            "--sparse",
            "--dereference",
            "--transform=s,.*,core,",
            "--owner=0",
            "--group=0",
            "--numeric-owner",
            "-C",
            "/proc/self/fd",
            "-cf",
            "-",
            "0"
          ],
          { stdio: [handle.fd, "pipe", "ignore"] }
        ),
        STAGING_NICENESS
      );
      const compress2 = lowerPriority(
        spawn2(zstd, ["-q", "-1", "-o", packed2], { stdio: [archive.stdout, "ignore", "ignore"] }),
        STAGING_NICENESS
      );
      archive.stdout?.destroy();
      const [tarStatus, zstdStatus] = await Promise.all([exitOf(archive), exitOf(compress2)]);
      if (tarStatus === 0 && zstdStatus === 0)
        return { to: packed2, size: (await stat(packed2)).size };
      await rm(packed2, { force: true });
    }
    const packed = `${target}.zst`;
    const args = ["-q", "-1", ...sparse ? [] : ["-T0"], "-o", packed];
    const compress = spawn2(zstd, args, { stdio: [handle.fd, "ignore", "ignore"] });
    if (await exitOf(lowerPriority(compress, STAGING_NICENESS)) === 0)
      return { to: packed, size: (await stat(packed)).size };
    await rm(packed, { force: true });
    return null;
  } finally {
    await handle.close();
  }
}
function exitOf(child) {
  return new Promise((resolve) => {
    child.on("error", () => resolve(null));
    child.on("exit", (status) => resolve(status));
  });
}
async function sizeOf(path) {
  return stat(path).then(
    (s) => s.isFile() ? s.size : null,
    () => null
  );
}
var MACHINE_UNAME = {
  x86_64: "x86_64|amd64",
  i386: "x86_64|amd64|i386|i486|i586|i686",
  aarch64: "aarch64|arm64"
};
function debugScript(crash, executable, sysroot, libDirs, workspace = null, files = []) {
  const inRoot = (path) => `"$root/"${shellQuote(path)}`;
  const machine = crash.machine;
  const displacement = crash.loadDisplacement && /^0x[0-9a-f]{1,16}$/.test(crash.loadDisplacement) ? crash.loadDisplacement : null;
  const search = libDirs.map((dir) => inRoot(`${sysroot}/${dir}`)).join(":");
  const exe = executable ? inRoot(`${sysroot}/${executable}`) : "";
  return [
    "#!/bin/sh",
    `# Opens crash ${shellQuote(crash.id)} in gdb with the executable and the shared libraries it ran with,`,
    "# from this bundle alone. Extra arguments go to gdb, for example: sh debug.sh -batch -ex bt",
    "# auto-load stays off: the library names come from the crashed program.",
    "# The sources: set CRASH_SOURCES to your checkout when the build was made elsewhere (CI).",
    'here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd) || exit 1',
    'root=$(dirname -- "$here")',
    'if [ -n "${CRASH_SOURCES:-}" ]; then',
    '  set -- -iex "directory $CRASH_SOURCES" "$@"',
    // eslint-disable-next-line no-control-regex
    ...workspace && !/[\u0000-\u001f]/.test(workspace) ? [`  set -- -iex "set substitute-path "${shellQuote(workspace)}" $CRASH_SOURCES" "$@"`] : [],
    "else",
    '  echo "debug.sh: to see the sources, run it with CRASH_SOURCES=<your checkout>" >&2',
    "fi",
    // The core and the binaries travel compressed: unpacked (sparse) beside them on first use.
    "unpack() {",
    '  [ -f "$1" ] && return 0',
    '  [ -f "$1.zst" ] || [ -f "$1.tar.zst" ] || return 0',
    "  if ! command -v zstd >/dev/null 2>&1; then",
    '    echo "debug.sh: the bundle is compressed with zstd: install zstd (apt-get install zstd, brew install zstd)" >&2',
    "    exit 1",
    "  fi",
    '  if [ -f "$1.zst" ]; then',
    '    zstd -d -q "$1.zst" -o "$1" || exit 1',
    "  else",
    '    zstd -d -q -c "$1.tar.zst" | tar -xf - -C "$(dirname -- "$1")" core || exit 1',
    "  fi",
    "}",
    'unpack "$here/core"',
    ...files.map((file) => `unpack ${inRoot(`${sysroot}/${file}`)}`),
    // A core of another machine than this one (an arm64 runner's, on a laptop) needs a gdb
    // that reads it: gdb-multiarch where there is one.
    "gdb=gdb",
    ...machine && MACHINE_UNAME[machine] ? [
      `case "$(uname -m)" in ${MACHINE_UNAME[machine]}) ;; *)`,
      "  if command -v gdb-multiarch >/dev/null 2>&1; then gdb=gdb-multiarch; else",
      `    echo "debug.sh: this is a core of ${machine}: install gdb-multiarch (apt-get install gdb-multiarch) if gdb cannot read it" >&2`,
      "  fi ;;",
      "esac"
    ] : [],
    // qemu-user's cores do not tell gdb where a PIE was loaded: post worked it out.
    ...displacement && exe ? [`set -- -ex "symbol-file -o ${displacement} "${exe} "$@"`] : [],
    `exec "$gdb" -nx -iex 'set auto-load off' -iex 'set libthread-db-search-path $sdir' \\`,
    "  -iex 'set debuginfod enabled off' \\",
    `  -iex "set sysroot "${inRoot(sysroot)} \\`,
    `  -iex "set solib-search-path "${search || "''"} \\`,
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
- \`sanitizer.txt\`: a sanitizer's report as the process printed it, when there is one;
- \`core.zst\` or \`core.tar.zst\`: the core dump, compressed with zstd (a core found on disk goes
  through tar first, which keeps its holes); \`core\` where zstd was missing; none in bundles
  made with \`upload: reports\`;
- \`debug.sh\`: opens the core in gdb with the exact executable and libraries of the crash
  (it unpacks the core and the files it needs first, with zstd).

\`sysroot/\` holds the executables and the shared libraries the processes had mapped, under
their original absolute paths (each as \`<name>.zst\` where zstd was found), so that gdb on
another machine uses these and not its own:

    sh <crash-folder>/debug.sh                   # interactive gdb
    sh <crash-folder>/debug.sh -batch -ex 'thread apply all bt full'

Cores hold the memory of the crashed process, which can include secrets (tokens, keys, data):
treat this bundle like the secrets your tests use.
`;
var BundleStager = class {
  constructor(stage, mode, maxBytes, workspace = null, onFile = () => void 0) {
    this.stage = stage;
    this.mode = mode;
    this.maxBytes = maxBytes;
    this.workspace = workspace;
    this.onFile = onFile;
    this.root = join2(stage, "bundle");
  }
  stage;
  mode;
  maxBytes;
  workspace;
  onFile;
  root;
  notes = /* @__PURE__ */ new Map();
  crashFiles = /* @__PURE__ */ new Map();
  withCore = /* @__PURE__ */ new Set();
  dropped = [];
  total = 0;
  note(crash, note) {
    this.notes.set(crash, [...this.notes.get(crash) ?? [], note]);
  }
  /** Bytes of the files staged so far. */
  get bytes() {
    return this.total;
  }
  add(path, size) {
    this.total += size;
    this.onFile(path);
  }
  /**
   * Writes a text of ours at `name` in the bundle (a record, debug.sh, the report, which knows
   * the bundle): its folder must be there. An executable one is 0755 whatever the umask.
   */
  async addFile(name, text, executable = false) {
    const path = join2(this.root, name);
    await writeFile(path, text);
    if (executable) await chmod2(path, 493);
    this.add(path, Buffer.byteLength(text));
  }
  /**
   * Puts a file of the runner's stage into the bundle: our own staged files (verified copies,
   * backtraces, the handler's compressed cores) are hard-linked; anything else (a core found in
   * a search path) is read once through a descriptor that cannot follow a link.
   */
  async place(from, to) {
    const target = join2(this.root, to);
    await mkdir2(dirname2(target), { recursive: true });
    if (from.startsWith(this.stage + "/")) {
      await link(from, target).catch(() => copyFile2(from, target, constants3.COPYFILE_EXCL));
    } else {
      const { handle } = await openRegular(from);
      try {
        await copyFromHandle(handle, target);
      } finally {
        await handle.close();
      }
    }
    return (await stat(target)).size;
  }
  /**
   * Stages the cores of `crashes` (but those of `leaveOut`, whose records get the reason) and
   * their executables and libraries, compressed two at a time.
   */
  async stageHeavy(crashes, leaveOut = /* @__PURE__ */ new Map()) {
    await rm(this.root, { recursive: true, force: true });
    await mkdir2(this.root, { recursive: true });
    if (this.mode !== "all" /* All */) return;
    const zstd = await findProgram("zstd", process.env.PATH ?? "");
    const tar = zstd ? await findProgram("tar", process.env.PATH ?? "") : null;
    const sysroot = /* @__PURE__ */ new Map();
    const shared = [];
    const cores = [];
    for (const crash of crashes) {
      const duplicate = leaveOut.get(crash);
      if (duplicate) {
        this.note(crash, duplicate);
        continue;
      }
      if (crash.core || crash.packedCore) cores.push({ coreOf: crash });
      const wanted = [];
      const exePath = crash.executablePath?.replace(DELETED, "") ?? (crash.executable ? `/unknown/${crash.comm || "executable"}` : null);
      if (crash.executable && exePath) wanted.push({ path: exePath, from: crash.executable });
      for (const library of crash.libraries) {
        wanted.push({ path: library.path, from: library.file });
        if (library.soname && library.soname !== basename(library.path))
          wanted.push({ path: join2(dirname2(library.path), library.soname), from: library.file });
      }
      const clash = wanted.some((w) => {
        const taken = sysroot.get(safeRelative(w.path));
        return taken !== void 0 && taken !== w.from;
      });
      const base = clash ? `${crash.id}/sysroot` : "sysroot";
      for (const w of wanted) {
        if (!clash && sysroot.has(safeRelative(w.path))) continue;
        if (!clash) sysroot.set(safeRelative(w.path), w.from);
        shared.push({ from: w.from, to: `${base}/${safeRelative(w.path)}` });
      }
      this.crashFiles.set(crash, {
        executable: crash.executable && exePath ? safeRelative(exePath) : null,
        base,
        libDirs: [
          ...new Set(
            wanted.filter((w) => w.path !== exePath).map((w) => dirname2(safeRelative(w.path)))
          )
        ],
        files: wanted.map((w) => safeRelative(w.path))
      });
    }
    const items = [...shared, ...cores];
    const done = [];
    const made = items.map((_, index) => new Promise((resolve) => done[index] = resolve));
    const making = inParallel(items, 2, async (item, index) => {
      done[index](
        await (item.coreOf ? this.makeCore(item.coreOf, zstd, tar) : this.makeShared(item, zstd)).catch((error) => ({ error: error.message }))
      );
    });
    for (const [index, item] of items.entries()) {
      const result = await made[index];
      const crash = item.coreOf;
      if ("error" in result) {
        if (crash) this.note(crash, result.error);
        continue;
      }
      if (!crash) {
        this.add(result.path, result.size);
        continue;
      }
      if (this.total + result.size > this.maxBytes) {
        await rm(result.path, { force: true });
        const note = `the core (${result.size} bytes) was left out: the bundle would exceed max-artifact-size`;
        this.dropped.push(`${crash.id}: ${note}`);
        this.note(crash, note);
        continue;
      }
      this.withCore.add(crash);
      this.add(result.path, result.size);
    }
    await making;
  }
  /**
   * An executable or library: compressed with zstd (a 30 MiB -g server is 5 MiB in zstd -1,
   * 60 ms; debug.sh unpacks the files its crash needs), else as it is. Files that cannot be
   * read are left out.
   */
  async makeShared(item, zstd) {
    try {
      const packed = zstd ? await compressInto(zstd, null, item.from, join2(this.root, item.to), false) : null;
      if (packed) return { path: packed.to, size: packed.size };
      return { path: join2(this.root, item.to), size: await this.place(item.from, item.to) };
    } catch (error) {
      if (error.code === "ENOENT")
        return { error: `${item.from} is gone` };
      throw error;
    }
  }
  /**
   * A crash's core, compressed: the handler's own zstd file where post kept it beside the whole
   * core (hard-linked), else compressed here; as it is without zstd. Cores are read where they
   * lie, not copied at collection: one can be gone by now.
   */
  async makeCore(crash, zstd, tar) {
    const kept = crash.packedCore;
    if (kept && kept.startsWith(this.stage + "/") && await sizeOf(kept) !== null)
      return {
        path: join2(this.root, crash.id, "core.zst"),
        size: await this.place(kept, `${crash.id}/core.zst`)
      };
    const core = crash.core;
    const gone = { error: "the core was gone from its folder when the artifact was staged" };
    if (!core) return gone;
    try {
      const packed = zstd ? await compressInto(zstd, tar, core, join2(this.root, crash.id, "core"), true) : null;
      if (packed) return { path: packed.to, size: packed.size };
      return {
        path: join2(this.root, crash.id, "core"),
        size: await this.place(core, `${crash.id}/core`)
      };
    } catch (error) {
      if (error.code === "ENOENT") return gone;
      return {
        error: `the core could not be read when the artifact was staged: ${error.message}`
      };
    }
  }
  /** Stages every analysis's reports, its record and debug.sh; returns the whole bundle. */
  async stageReports(analyses) {
    for (const analysis of analyses) {
      const { crash } = analysis;
      const dir = join2(this.root, crash.id);
      await mkdir2(dir, { recursive: true });
      for (const [from, name] of [
        [analysis.textPath, "backtrace.txt"],
        [analysis.jsonPath, "backtrace.json"]
      ]) {
        if (from && await sizeOf(from) !== null)
          this.add(join2(dir, name), await this.place(from, `${crash.id}/${name}`));
      }
      if (analysis.sanitizer)
        await this.addFile(`${crash.id}/sanitizer.txt`, analysis.sanitizer.text + "\n");
      const record = {
        ...crash,
        signal: analysis.signal,
        blame: analysis.blame && {
          function: analysis.blame.frame.function,
          path: analysis.blame.path,
          line: analysis.blame.line
        },
        problems: [...analysis.problems, ...this.notes.get(crash) ?? []]
      };
      await this.addFile(
        `${crash.id}/crash.json`,
        JSON.stringify(portable(record, this.stage, this.root), null, 2) + "\n"
      );
      const files = this.crashFiles.get(crash);
      if (files && this.withCore.has(crash)) {
        const script = debugScript(
          crash,
          files.executable,
          files.base,
          files.libDirs,
          this.workspace,
          files.files
        );
        await this.addFile(`${crash.id}/debug.sh`, script, true);
      }
    }
    await this.addFile("README.md", README);
    return { root: this.root, dropped: this.dropped };
  }
};

// src/collect/crash.ts
function isRunning(crash) {
  return crash.source === "leftover" || crash.source === "hang";
}
function newCrash(id, source, dir, known = {}) {
  return {
    id,
    source,
    dir,
    pid: -1,
    tid: -1,
    signal: -1,
    time: -1,
    uid: -1,
    gid: -1,
    comm: "",
    executablePath: null,
    executable: null,
    commandLine: [],
    cwd: null,
    core: null,
    packedCore: null,
    coreState: "complete",
    coreNote: null,
    maps: null,
    buildId: null,
    executableReason: null,
    libraries: [],
    otherRoot: null,
    rootFiles: [],
    problems: [],
    twinOf: null,
    machine: null,
    loadDisplacement: null,
    ...known
  };
}

// src/analyze/analysis.ts
import { constants as constants4 } from "node:os";
var SIGNAL_NAMES = /* @__PURE__ */ new Map();
for (const [name, number] of Object.entries(constants4.signals)) {
  if (!SIGNAL_NAMES.has(number)) SIGNAL_NAMES.set(number, name);
}
SIGNAL_NAMES.set(constants4.signals.SIGABRT, "SIGABRT");
function signalName(number) {
  return SIGNAL_NAMES.get(number) ?? `signal ${number}`;
}
var GENERIC_CODES = {
  0: "SI_USER",
  128: "SI_KERNEL",
  [-1]: "SI_QUEUE",
  [-2]: "SI_TIMER",
  [-3]: "SI_MESGQ",
  [-4]: "SI_ASYNCIO",
  [-5]: "SI_SIGIO",
  [-6]: "SI_TKILL"
};
var FAULT_CODES = {
  4: [
    "ILL_ILLOPC",
    "ILL_ILLOPN",
    "ILL_ILLADR",
    "ILL_ILLTRP",
    "ILL_PRVOPC",
    "ILL_PRVREG",
    "ILL_COPROC",
    "ILL_BADSTK"
  ],
  5: ["TRAP_BRKPT", "TRAP_TRACE", "TRAP_BRANCH", "TRAP_HWBKPT"],
  7: ["BUS_ADRALN", "BUS_ADRERR", "BUS_OBJERR", "BUS_MCEERR_AR", "BUS_MCEERR_AO"],
  8: [
    "FPE_INTDIV",
    "FPE_INTOVF",
    "FPE_FLTDIV",
    "FPE_FLTOVF",
    "FPE_FLTUND",
    "FPE_FLTRES",
    "FPE_FLTINV",
    "FPE_FLTSUB"
  ],
  11: ["SEGV_MAPERR", "SEGV_ACCERR", "SEGV_BNDERR", "SEGV_PKUERR"]
};
function signalCodeName(signal, code) {
  if (code > 0 && code < 128) return FAULT_CODES[signal]?.[code - 1] ?? null;
  return GENERIC_CODES[code] ?? null;
}
function str(value) {
  return typeof value === "string" ? value : null;
}
function int(value) {
  return typeof value === "number" && Number.isSafeInteger(value) ? value : null;
}
function parseFrame(value, index) {
  const v = typeof value === "object" && value !== null ? value : {};
  return {
    level: int(v.level) ?? index,
    pc: str(v.pc) ?? "0x0",
    function: str(v.function),
    file: str(v.file),
    fullname: str(v.fullname),
    line: int(v.line),
    objfile: str(v.objfile),
    functionFile: str(v.function_file),
    functionLine: int(v.function_line),
    inline: v.inline === true,
    signalHandler: v.signal_handler === true,
    projectPath: null
  };
}
function parseThread(value) {
  if (typeof value !== "object" || value === null) return null;
  const v = value;
  const frames = Array.isArray(v.frames) ? v.frames.map(parseFrame) : [];
  return {
    num: int(v.num) ?? 0,
    lwp: int(v.lwp) ?? 0,
    name: str(v.name),
    crashed: v.crashed === true,
    frames,
    unwindStopReason: str(v.unwind_stop_reason),
    truncated: v.truncated === true
  };
}
function parseGdbDocument(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return {
      error: `gdb's JSON could not be parsed: ${error.message}`,
      signal: null,
      threads: [],
      loadMessages: ""
    };
  }
  const v = typeof value === "object" && value !== null ? value : {};
  const threads = Array.isArray(v.threads) ? v.threads.map(parseThread).filter((t) => t !== null) : [];
  let signal = null;
  if (typeof v.signal === "object" && v.signal !== null) {
    const s = v.signal;
    const number = int(s.number);
    if (number !== null) {
      const code = int(s.code);
      signal = {
        number,
        name: signalName(number),
        code,
        codeName: code === null ? null : signalCodeName(number, code),
        address: str(s.address)
      };
    }
  }
  return { error: str(v.error), signal, threads, loadMessages: str(v.load_messages) ?? "" };
}
var NOISE_LINES = [
  /^warning: Section [`'.]\.reg-xstate\/\d+' in core file too small\.$/,
  /^\[New LWP \d+\]$/,
  /^\[Thread debugging using libthread_db enabled\]$/,
  /^Using host libthread_db library .*$/
];
function removeNoise(text) {
  return text.split("\n").filter((line) => !NOISE_LINES.some((noise) => noise.test(line))).join("\n");
}
function crashStack(analysis) {
  return analysis.sanitizer?.stacks[0]?.frames ?? analysis.crashingThread?.frames ?? [];
}
function executableName(analysis) {
  const path = analysis.crash.executablePath?.replace(/ \(deleted\)$/, "");
  return (path?.split("/").pop() || analysis.crash.comm || "unknown executable").slice(0, 200);
}
function newFrame(known) {
  return {
    pc: "",
    function: null,
    file: null,
    fullname: null,
    line: null,
    objfile: null,
    functionFile: null,
    functionLine: null,
    inline: false,
    signalHandler: false,
    projectPath: null,
    ...known
  };
}
function bareAnalysis(crash, problems) {
  return {
    crash,
    signal: {
      number: crash.signal,
      name: signalName(crash.signal),
      code: null,
      codeName: null,
      address: null
    },
    threads: [],
    crashingThread: null,
    text: "",
    blame: null,
    problems: [...crash.problems, ...problems],
    jsonPath: null,
    textPath: null,
    sanitizer: null
  };
}
function fillFromCore(analysis, core) {
  if (!core || analysis.threads.length > 0) return analysis;
  if (core.signal) {
    analysis.signal = {
      number: core.signal.number,
      name: signalName(core.signal.number),
      code: core.signal.code,
      codeName: signalCodeName(core.signal.number, core.signal.code),
      address: core.signal.address
    };
  }
  analysis.threads = core.threads.map((thread, index) => ({
    num: index + 1,
    lwp: thread.tid,
    name: null,
    crashed: index === 0,
    frames: thread.pc ? [
      newFrame({
        level: 0,
        pc: thread.pc,
        objfile: core.mappings.find((m) => BigInt(thread.pc) >= m.start && BigInt(thread.pc) < m.end)?.path ?? null
      })
    ] : [],
    unwindStopReason: "no backtrace: read from the core without gdb",
    truncated: false
  }));
  analysis.crashingThread = analysis.threads[0] ?? null;
  analysis.blame = analysis.crashingThread?.frames[0] ? { frame: analysis.crashingThread.frames[0], path: null, line: null, kind: "none" } : null;
  return analysis;
}

// src/analyze/blame.ts
import { existsSync as existsSync3, realpathSync, statSync } from "node:fs";
import { isAbsolute, join as join3, relative, sep } from "node:path";
var MACHINERY_FUNCTION = /^(__GI_|__libc_|__pthread_kill|pthread_kill|raise$|abort$|__assert_fail|__assert_perror_fail|__stack_chk_fail|__fortify_fail|__chk_fail|__cxa_|__cxxabiv1::|__gnu_cxx::__verbose_terminate_handler|std::terminate|_Unwind_|__sanitizer::|__asan::|__asan_|__ubsan::|__ubsan_|__tsan::|__tsan_|__lsan::|__msan::|__interceptor_|___interceptor_|start_thread$|clone3?$|_start$|__clone)/;
var MACHINERY_OBJFILE = /^(libc\.so|libc-|ld-linux|ld-musl|libstdc\+\+|libc\+\+|libc\+\+abi|libgcc_s|libasan|libubsan|libtsan|liblsan|libmsan|libhwasan|libpthread|libm\.so|libdl\.so|linux-vdso|linux-gate)/;
var VENDORED_DIRS = [
  "_deps",
  "third_party",
  "external",
  "vcpkg_installed",
  ".conan",
  "googletest"
];
var SourceResolver = class {
  constructor(options) {
    this.options = options;
  }
  options;
  cache = /* @__PURE__ */ new Map();
  /**
   * The path relative to the workspace when `path` is the project's own source: absolute (a
   * relative DWARF name like `./nptl/...` is never resolved against the workspace), existing
   * after realpath, under the workspace and outside vendored folders. Null otherwise.
   */
  projectPath(path) {
    if (!path || !isAbsolute(path)) return null;
    const cached = this.cache.get(path);
    if (cached !== void 0) return cached;
    const moved = this.options.sourceDir ? this.relocated(path) : null;
    if (moved) path = moved;
    let result = null;
    try {
      const real = realpathSync(path);
      const rel = relative(this.options.workspace, real);
      const parts = rel.split(sep);
      if (rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) && !parts.some((part) => VENDORED_DIRS.includes(part)) && statSync(real).isFile()) {
        result = parts.join("/");
      }
    } catch {
      result = null;
    }
    this.cache.set(path, result);
    return result;
  }
  /** A path of the build, missing here, found under sourceDir by its longest existing tail. */
  relocated(path) {
    if (existsSync3(path)) return null;
    const parts = path.split("/").filter(Boolean);
    for (let i = 0; i < parts.length; i++) {
      const candidate = join3(this.options.sourceDir, ...parts.slice(i));
      if (parts.slice(i).includes("..")) return null;
      try {
        if (statSync(candidate).isFile()) return candidate;
      } catch {
      }
    }
    return null;
  }
};
function basename2(path) {
  return path ? path.split("/").pop() ?? "" : "";
}
function isMachinery(frame, skipFrames) {
  if (frame.signalHandler) return true;
  if (frame.function && MACHINERY_FUNCTION.test(frame.function)) return true;
  if (frame.function && skipFrames?.test(frame.function)) return true;
  return false;
}
function isRuntimeLibrary(frame) {
  return MACHINERY_OBJFILE.test(basename2(frame.objfile));
}
function chooseBlame(thread, resolver, skipFrames) {
  if (!thread || thread.frames.length === 0) return null;
  for (const frame of thread.frames) {
    if (isMachinery(frame, skipFrames)) continue;
    const path = frame.projectPath ?? resolver.projectPath(frame.fullname);
    if (path && frame.line !== null) return { frame, path, line: frame.line, kind: "line" };
    const declared = resolver.projectPath(frame.functionFile);
    if (declared && frame.functionLine !== null) {
      return { frame, path: declared, line: frame.functionLine, kind: "function" };
    }
  }
  const outside = thread.frames.find(
    (frame) => !isMachinery(frame, skipFrames) && !isRuntimeLibrary(frame)
  );
  return { frame: outside ?? thread.frames[0], path: null, line: null, kind: "none" };
}

export {
  runCommand,
  describeFailure,
  findProgram,
  shellQuote,
  readProcStat,
  inParallel,
  lowerPriority,
  openRegular,
  copyFromHandle,
  UploadMode,
  safeRelative,
  portable,
  BundleStager,
  signalName,
  parseGdbDocument,
  removeNoise,
  crashStack,
  executableName,
  newFrame,
  bareAnalysis,
  fillFromCore,
  isRunning,
  newCrash,
  SourceResolver,
  isMachinery,
  isRuntimeLibrary,
  chooseBlame
};
