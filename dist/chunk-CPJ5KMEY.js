import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  UploadMode,
  describeFailure,
  detectPrivilege,
  findProgram,
  runAsRoot,
  runCommand,
  shellQuote,
  writeAsRoot
} from "./chunk-Q5XC2IOH.js";
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
var INSTALL_ORDER = ["corePattern", "corePipeLimit", "suidDumpable"];
async function writeKernelSettings(privilege, wanted, restoring = false) {
  const current = await readKernelSettings();
  const order = restoring ? [...INSTALL_ORDER].reverse() : INSTALL_ORDER;
  for (const key of order) {
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

// src/capture/rlimit.ts
import { readFile as readFile2 } from "node:fs/promises";
async function readCoreLimit(pid) {
  const result = await runCommand(
    "prlimit",
    ["--pid", String(pid), "--core", "--raw", "--noheadings", "--output", "SOFT,HARD"],
    {
      timeoutMs: 1e4
    }
  );
  if (result.code !== 0) return `prlimit ${describeFailure(result)}`;
  const [soft, hard] = result.stdout.trim().split(/\s+/);
  if (!soft || !hard) return `prlimit printed '${result.stdout.trim()}'`;
  return { soft, hard };
}
async function raiseParentCoreLimit(pid = process.ppid) {
  const before = await readCoreLimit(pid);
  if (typeof before === "string") return { ok: false, reason: before };
  if (before.soft === before.hard) return { ok: true, pid, before: before.soft, after: before.soft };
  const result = await runCommand(
    "prlimit",
    ["--pid", String(pid), `--core=${before.hard}:${before.hard}`],
    { timeoutMs: 1e4 }
  );
  if (result.code !== 0) return { ok: false, reason: `prlimit ${describeFailure(result)}` };
  const after = await readCoreLimit(pid);
  if (typeof after === "string") return { ok: false, reason: after };
  return { ok: true, pid, before: before.soft, after: after.soft };
}
async function describeCorePattern() {
  const pattern = (await readFile2("/proc/sys/kernel/core_pattern", "utf8").catch(() => "")).replace(
    /\n$/,
    ""
  );
  if (pattern === "") return "core_pattern cannot be read";
  if (pattern.startsWith("|")) {
    return /systemd-coredump/.test(pattern) ? `core_pattern pipes cores to systemd-coredump ('${pattern}'); the post step reads them with coredumpctl` : `core_pattern pipes cores to another program ('${pattern}'); the post step can only collect what it leaves in the search paths`;
  }
  return pattern.startsWith("/") ? `core_pattern writes cores to '${pattern}'; the post step collects them from the search paths` : `core_pattern writes cores to '${pattern}' in the crashing process's working directory; the post step collects them from the search paths`;
}

// src/capture/enable.ts
import { randomBytes } from "node:crypto";
import { lstat, mkdtemp, readFile as readFile3, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { delimiter, join } from "node:path";
var HANDLER_SPECIFIERS = "%P %i %s %t %u %g %c %d %e";
var SLOT_WAIT_TENTHS = 300;
var MORE_RECORDS = 1e3;
var META_KB = 1200;
var MAX_PATTERN_LENGTH = 127;
var TOOL_DIRS = ["/usr/bin", "/bin", "/usr/sbin", "/sbin"];
var REQUIRED_TOOLS = ["mkdir", "readlink", "cat", "stat", "cp", "ln", "rm", "df", "du", "head"];
var MORE_REQUIRED_TOOLS = ["wc", "mv", "chown", "sleep"];
function jobIdentity() {
  return {
    runId: process.env.GITHUB_RUN_ID ?? "",
    job: process.env.GITHUB_JOB ?? "",
    attempt: process.env.GITHUB_RUN_ATTEMPT ?? "",
    ppid: process.ppid
  };
}
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}
async function leftoverSession(pattern) {
  const match = /^\|(\/[A-Za-z0-9._/-]+)\/handler\.sh (.*)$/.exec(pattern);
  if (!match || match[2] !== HANDLER_SPECIFIERS) return null;
  const session = match[1];
  let owner;
  try {
    owner = JSON.parse(await readFile3(`${session}/owner.json`, "utf8"));
  } catch {
    return { session, live: false, previous: null };
  }
  const me = jobIdentity();
  const live = owner.runId === me.runId && owner.job === me.job && owner.attempt === me.attempt && typeof owner.ppid === "number" && alive(owner.ppid);
  const p = owner.previous;
  const previous = p && typeof p.corePattern === "string" && typeof p.corePipeLimit === "string" && typeof p.suidDumpable === "string" ? p : null;
  return { session, live, previous };
}
function findTool(name) {
  return findProgram(name, TOOL_DIRS.join(delimiter));
}
function handlerSource() {
  return new URL("./handler.sh", import.meta.url);
}
async function renderHandlerConfig(inputs, owner) {
  const lines = ["# Written by crash-capture main; sourced by handler.sh."];
  for (const tool of [...REQUIRED_TOOLS, ...MORE_REQUIRED_TOOLS]) {
    const path = await findTool(tool);
    if (!path)
      throw new Error(`the handler needs '${tool}', found in none of ${TOOL_DIRS.join(", ")}`);
    lines.push(`${tool.toUpperCase()}=${shellQuote(path)}`);
  }
  lines.push(`ZSTD=${shellQuote(await findTool("zstd") ?? "")}`);
  lines.push(`MAX_CORE_KB=${Math.floor(inputs.maxCoreSize / 1024)}`);
  lines.push(`MAX_TOTAL_KB=${Math.floor(inputs.maxTotalSize / 1024)}`);
  lines.push(`MIN_FREE_KB=${Math.floor(inputs.minFreeSpace / 1024)}`);
  lines.push(`MAX_CORES=${inputs.maxCores}`);
  lines.push(`MAX_RECORDS=${inputs.maxCores + MORE_RECORDS}`);
  lines.push(`META_KB=${META_KB}`);
  lines.push(`SETUID_CORES=${inputs.setuidCores ? "include" : "exclude"}`);
  lines.push(`MAX_WRITERS=${Math.max(2, availableParallelism())}`);
  lines.push(`SLOT_WAIT=${SLOT_WAIT_TENTHS}`);
  lines.push(`OWNER=${shellQuote(owner)}`);
  return lines.join("\n") + "\n";
}
function sessionId() {
  const run = (process.env.GITHUB_RUN_ID ?? "").replace(/[^0-9]/g, "").slice(0, 20) || "local";
  return `${run}-${randomBytes(4).toString("hex")}`;
}
async function unsafeCrashDir(crashDir) {
  const parts = crashDir.split("/").filter(Boolean);
  for (let i = 0; i <= parts.length; i++) {
    const path = "/" + parts.slice(0, i).join("/");
    let info;
    try {
      info = await lstat(path);
    } catch (error) {
      if (error.code === "ENOENT") return null;
      return `${path} cannot be checked: ${error.message}`;
    }
    if (info.isSymbolicLink()) return `${path} is a symbolic link`;
    if (!info.isDirectory()) return `${path} is not a directory`;
    if (info.uid !== 0) return `${path} is owned by uid ${info.uid}, not root`;
    const sticky = (info.mode & 512) !== 0 && i < parts.length;
    if ((info.mode & 18) !== 0 && !sticky)
      return `${path} is writable by ${info.mode & 2 ? "everyone" : "its group"}`;
  }
  return null;
}
async function assertRootOwnedDirectory(path) {
  const info = await lstat(path);
  if (!info.isDirectory() || info.uid !== 0 || (info.mode & 18) !== 0) {
    throw new Error(`${path} must be a directory owned by root and writable only by root`);
  }
}
async function installFiles(privilege, session, handler, config, owner) {
  const scratch = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), "crash-capture-"));
  try {
    await writeFile(join(scratch, "handler.sh"), handler);
    await writeFile(join(scratch, "config"), config);
    const install = (what, args) => runAsRoot(privilege, what, "install", ["-o", "root", "-g", "root", ...args]);
    await install("Installing the handler", [
      "-m",
      "0755",
      join(scratch, "handler.sh"),
      `${session}/handler.sh`
    ]);
    await install("Installing the handler config", [
      "-m",
      "0644",
      join(scratch, "config"),
      `${session}/config`
    ]);
    await writeFile(join(scratch, "owner.json"), JSON.stringify(owner) + "\n");
    await install("Recording the session owner", [
      "-m",
      "0644",
      join(scratch, "owner.json"),
      `${session}/owner.json`
    ]);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
async function enableCapture(inputs, startedAt, save) {
  const none = (reason, facts2 = {}) => ({
    state: {
      startedAt,
      mode: "none",
      reason,
      sessionDir: null,
      installedPattern: null,
      previous: null,
      complete: true
    },
    facts: { privilege: null, previous: null, compressor: null, notes: [], ...facts2 }
  });
  const fallback = async (reason, facts2 = {}) => {
    const raised = await raiseParentCoreLimit();
    if (!raised.ok)
      return none(`${reason}; raising the core limit failed too (${raised.reason})`, facts2);
    const where = await describeCorePattern();
    const enabled = none(
      `${reason}. Instead the soft core limit of the runner process (pid ${raised.pid}) is ${raised.after} (was ${raised.before}) for the later steps, and ${where}`,
      facts2
    );
    enabled.state.mode = "rlimit";
    return enabled;
  };
  if (process.platform !== "linux") {
    return none(`capture needs Linux, and this runner is ${process.platform}`);
  }
  const privilege = await detectPrivilege();
  if (!privilege) {
    return fallback("the action is not root and has no passwordless sudo (sudo -n true failed)");
  }
  let previous;
  try {
    previous = await readKernelSettings();
  } catch (error) {
    return none(`the kernel settings cannot be read: ${error.message}`, { privilege });
  }
  const notes = [];
  const leftover = await leftoverSession(previous.corePattern);
  if (leftover && !leftover.live) {
    notes.push(
      `A previous job left crash-capture's handler installed (${leftover.session}); the settings it had found will be restored after this job${leftover.previous ? "" : " (unknown: the kernel's defaults)"}.`
    );
    previous = leftover.previous ?? { corePattern: "core", corePipeLimit: "0", suidDumpable: "0" };
    await runAsRoot(privilege, "Removing a stale session directory", "rm", [
      "-rf",
      "--",
      leftover.session
    ]).catch(() => void 0);
  }
  const compressor = await findTool("zstd");
  const facts = { privilege, previous, compressor, notes };
  const session = `${inputs.crashDir}/${sessionId()}`;
  const pattern = `|${session}/handler.sh ${HANDLER_SPECIFIERS}`;
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return none(
      `the handler path is too long for core_pattern (${pattern.length} > ${MAX_PATTERN_LENGTH} bytes): choose a shorter crash-dir`,
      facts
    );
  }
  const unsafe = await unsafeCrashDir(inputs.crashDir);
  if (unsafe) {
    return none(
      `crash-dir ${inputs.crashDir} is not safe for a handler that runs as root (${unsafe}): choose a directory whose every parent is owned by root and writable only by root`,
      facts
    );
  }
  const installed = {
    startedAt,
    mode: "pipe-handler",
    reason: `core_pattern now pipes every core to ${session}/handler.sh, whatever the crashing process's ulimit -c`,
    sessionDir: session,
    installedPattern: pattern,
    previous,
    complete: false
  };
  save(installed);
  try {
    const handler = await readFile3(handlerSource(), "utf8");
    const owner = privilege === "sudo" ? `${process.getuid?.()}:${process.getgid?.()}` : "";
    const config = await renderHandlerConfig(inputs, owner);
    const rootDirs = (what, mode, dirs) => runAsRoot(privilege, what, "install", ["-d", "-m", mode, "-o", "root", "-g", "root", ...dirs]);
    await rootDirs("Creating the crash directory", "0755", [inputs.crashDir, session]);
    await assertRootOwnedDirectory(inputs.crashDir);
    await rootDirs("Creating the crashes directory", "0755", [`${session}/crashes`]);
    await rootDirs("Creating the handler's private directories", "0700", [
      `${session}/executables`,
      `${session}/tickets`,
      `${session}/slots`
    ]);
    await installFiles(privilege, session, handler, config, { ...jobIdentity(), previous });
  } catch (error) {
    await runAsRoot(privilege, "Removing the session directory", "rm", [
      "-rf",
      "--",
      session
    ]).catch(() => void 0);
    return none(`the handler could not be installed: ${error.message}`, facts);
  }
  try {
    await writeKernelSettings(privilege, {
      corePattern: pattern,
      corePipeLimit: "0",
      suidDumpable: "2"
    });
  } catch (error) {
    await writeKernelSettings(privilege, previous, true).catch(() => void 0);
    await runAsRoot(privilege, "Removing the session directory", "rm", [
      "-rf",
      "--",
      session
    ]).catch(() => void 0);
    return fallback(
      `the kernel settings could not be changed (a read-only /proc/sys, as in a job container: capture then depends on the host's core_pattern): ${error.message}`,
      facts
    );
  }
  return { state: { ...installed, complete: true }, facts };
}

// src/inputs.ts
var CommentMode = /* @__PURE__ */ ((CommentMode2) => {
  CommentMode2["OnCrash"] = "on-crash";
  CommentMode2["Always"] = "always";
  CommentMode2["Never"] = "never";
  return CommentMode2;
})(CommentMode || {});
var SetuidCores = /* @__PURE__ */ ((SetuidCores2) => {
  SetuidCores2["Exclude"] = "exclude";
  SetuidCores2["Include"] = "include";
  return SetuidCores2;
})(SetuidCores || {});
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
    maxCores: parseInteger("max-cores" /* MaxCores */, read("max-cores" /* MaxCores */, "50"), 1, 1e4),
    setuidCores: parseEnum("setuid-cores" /* SetuidCores */, read("setuid-cores" /* SetuidCores */, "exclude" /* Exclude */), SetuidCores) === "include" /* Include */
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
    complete: v.complete !== false
  };
}

export {
  readKernelSettings,
  writeKernelSettings,
  readCoreLimit,
  MORE_RECORDS,
  enableCapture,
  getInputs,
  saveCaptureState,
  loadCaptureState
};
