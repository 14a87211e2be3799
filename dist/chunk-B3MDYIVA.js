import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  shellQuote,
  writeAsRoot
} from "./chunk-RMEFPRUF.js";
import {
  getInput,
  getState,
  saveState
} from "./chunk-3L7JGGGI.js";

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
async function stageBundle(analyses, stage, mode, maxBytes) {
  const root = join(stage, "bundle");
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
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
    wanted.push(...crash.libraries.map((path) => ({ path, from: path })));
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
    previous: readSettings(v.previous)
  };
}

export {
  readKernelSettings,
  writeKernelSettings,
  stageBundle,
  getInputs,
  saveCaptureState,
  loadCaptureState
};
