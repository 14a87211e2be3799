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

// src/upload/bundle.ts
import { constants as constants3 } from "node:fs";
import { chmod, copyFile, link, mkdir as mkdir2, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname as dirname2, join as join2 } from "node:path";

// src/safe-file.ts
import { constants as constants2, createReadStream, createWriteStream } from "node:fs";
import { mkdir, open } from "node:fs/promises";
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
async function sizeOf(path) {
  return stat(path).then(
    (s) => s.isFile() ? s.size : null,
    () => null
  );
}
function debugScript(crash, executable, sysroot, libDirs) {
  const inRoot = (relative) => `"$root/"${shellQuote(relative)}`;
  const search = libDirs.map((dir) => inRoot(`${sysroot}/${dir}`)).join(":");
  const exe = executable ? inRoot(`${sysroot}/${executable}`) : "";
  return [
    "#!/bin/sh",
    `# Opens crash ${shellQuote(crash.id)} in gdb with the executable and the shared libraries it ran with,`,
    "# from this bundle alone. Extra arguments go to gdb, for example: sh debug.sh -batch -ex bt",
    "# auto-load stays off: the library names come from the crashed program.",
    'here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd) || exit 1',
    'root=$(dirname -- "$here")',
    "exec gdb -nx -iex 'set auto-load off' -iex 'set libthread-db-search-path $sdir' \\",
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
- \`core\`: the core dump (not in bundles made with \`upload: reports\`);
- \`debug.sh\`: opens the core in gdb with the exact executable and libraries of the crash.

\`sysroot/\` holds the executables and the shared libraries the processes had mapped, under
their original absolute paths, so that gdb on another machine uses these and not its own:

    sh <crash-folder>/debug.sh                   # interactive gdb
    sh <crash-folder>/debug.sh -batch -ex 'thread apply all bt full'

Cores hold the memory of the crashed process, which can include secrets (tokens, keys, data):
treat this bundle like the secrets your tests use.
`;
async function stageBundle(analyses, stage, mode, maxBytes) {
  const root = join2(stage, "bundle");
  await rm(root, { recursive: true, force: true });
  await mkdir2(root, { recursive: true });
  const planned = [];
  const sysroot = /* @__PURE__ */ new Map();
  const notes = /* @__PURE__ */ new Map();
  const scripts = /* @__PURE__ */ new Map();
  for (const analysis of analyses) {
    const { crash } = analysis;
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
      const to = `${base}/${safeRelative(w.path)}`;
      if (!clash && sysroot.has(safeRelative(w.path))) continue;
      const size = await sizeOf(w.from);
      if (size === null) continue;
      if (!clash) sysroot.set(safeRelative(w.path), w.from);
      planned.push({ from: w.from, to, size });
    }
    const libDirs = [
      ...new Set(wanted.filter((w) => w.path !== exePath).map((w) => dirname2(safeRelative(w.path))))
    ];
    scripts.set(
      crash,
      debugScript(crash, crash.executable && exePath ? safeRelative(exePath) : null, base, libDirs)
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
    notes.set(core.coreOf, [note]);
  }
  const files = [];
  for (const p of planned) {
    const target = join2(root, p.to);
    await mkdir2(dirname2(target), { recursive: true });
    if (p.from.startsWith(stage + "/")) {
      await link(p.from, target).catch(() => copyFile(p.from, target, constants3.COPYFILE_EXCL));
    } else {
      const { handle } = await openRegular(p.from);
      try {
        await copyFromHandle(handle, target);
      } finally {
        await handle.close();
      }
    }
    files.push(target);
  }
  for (const analysis of analyses) {
    const { crash } = analysis;
    const dir = join2(root, crash.id);
    await mkdir2(dir, { recursive: true });
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
    await writeFile(join2(dir, "crash.json"), JSON.stringify(record, null, 2) + "\n");
    files.push(join2(dir, "crash.json"));
    const script = scripts.get(crash);
    if (script && planned.some((p) => p.coreOf === crash)) {
      await writeFile(join2(dir, "debug.sh"), script);
      await chmod(join2(dir, "debug.sh"), 493);
      files.push(join2(dir, "debug.sh"));
    }
  }
  await writeFile(join2(root, "README.md"), README);
  files.push(join2(root, "README.md"));
  return { root, files, bytes, dropped };
}

export {
  runCommand,
  describeFailure,
  findProgram,
  shellQuote,
  detectPrivilege,
  runAsRoot,
  writeAsRoot,
  openRegular,
  copyFromHandle,
  UploadMode,
  safeRelative,
  stageBundle
};
