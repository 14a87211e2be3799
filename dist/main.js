import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  getInputs,
  readKernelSettings,
  saveCaptureState,
  writeKernelSettings
} from "./chunk-B3MDYIVA.js";
import {
  describeFailure,
  detectPrivilege,
  findProgram,
  runAsRoot,
  runCommand,
  shellQuote
} from "./chunk-RMEFPRUF.js";
import {
  endGroup,
  info,
  setFailed,
  startGroup,
  warning
} from "./chunk-3L7JGGGI.js";
import "./chunk-LQK3ML4U.js";

// src/main-step.ts
import { existsSync } from "node:fs";

// src/capture/enable.ts
import { randomBytes } from "node:crypto";
import { lstat, mkdtemp, readFile as readFile2, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { delimiter, join } from "node:path";

// src/capture/rlimit.ts
import { readFile } from "node:fs/promises";
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
  const pattern = (await readFile("/proc/sys/kernel/core_pattern", "utf8").catch(() => "")).replace(
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
var HANDLER_SPECIFIERS = "%P %i %s %t %u %g %c %d %e";
var SLOT_WAIT_TENTHS = 300;
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
    owner = JSON.parse(await readFile2(`${session}/owner.json`, "utf8"));
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
  lines.push(`MAX_WRITERS=${Math.max(2, availableParallelism())}`);
  lines.push(`SLOT_WAIT=${SLOT_WAIT_TENTHS}`);
  lines.push(`OWNER=${shellQuote(owner)}`);
  return lines.join("\n") + "\n";
}
function sessionId() {
  const run2 = (process.env.GITHUB_RUN_ID ?? "").replace(/[^0-9]/g, "").slice(0, 20) || "local";
  return `${run2}-${randomBytes(4).toString("hex")}`;
}
async function assertRootOwnedDirectory(path) {
  const info2 = await lstat(path);
  if (!info2.isDirectory() || info2.uid !== 0 || (info2.mode & 18) !== 0) {
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
async function enableCapture(inputs, startedAt) {
  const none = (reason, facts2 = {}) => ({
    state: {
      startedAt,
      mode: "none",
      reason,
      sessionDir: null,
      installedPattern: null,
      previous: null
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
  try {
    const handler = await readFile2(handlerSource(), "utf8");
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
    await writeKernelSettings(privilege, previous).catch(() => void 0);
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
  return {
    state: {
      startedAt,
      mode: "pipe-handler",
      reason: `core_pattern now pipes every core to ${session}/handler.sh, whatever the crashing process's ulimit -c`,
      sessionDir: session,
      installedPattern: pattern,
      previous
    },
    facts
  };
}

// src/main-step.ts
function describePrivilege(privilege) {
  if (privilege === "root") return "root";
  if (privilege === "sudo") {
    return "passwordless sudo: `sudo -n` is used only to create the root-owned crash directory, install the handler in it and write kernel.core_pattern, core_pipe_limit and fs.suid_dumpable; everything else runs as this user";
  }
  return "none (not root, no passwordless sudo)";
}
async function describeMachine(facts) {
  const lines = [];
  const settings = facts.previous ?? await readKernelSettings().catch(() => null);
  if (settings) {
    lines.push(`core_pattern before: ${JSON.stringify(settings.corePattern)}`);
    lines.push(
      `core_pipe_limit before: ${settings.corePipeLimit}, suid_dumpable before: ${settings.suidDumpable}`
    );
  }
  const limit = await readCoreLimit(process.ppid);
  if (typeof limit !== "string") {
    lines.push(`Core limit of the runner process (soft, hard): ${limit.soft}, ${limit.hard}`);
  }
  const container = existsSync("/.dockerenv") || existsSync("/run/.containerenv");
  lines.push(`In a container: ${container ? "yes" : "no"}`);
  return lines;
}
async function run() {
  const startedAt = Date.now();
  const inputs = getInputs();
  const { state, facts } = await enableCapture(inputs, startedAt);
  saveCaptureState(state);
  const heading = {
    "pipe-handler": "capturing every crash",
    rlimit: "core files through the existing core_pattern",
    none: "capture is off"
  };
  startGroup(`crash-capture: ${heading[state.mode]}`);
  info(`Mode: ${state.mode} (${state.reason})`);
  info(`Privilege: ${describePrivilege(facts.privilege)}`);
  for (const line of await describeMachine(facts)) info(line);
  if (state.mode === "pipe-handler") {
    info(
      `Compression: ${facts.compressor ? `zstd -1 (${facts.compressor})` : "none (zstd is not installed)"}`
    );
    info(
      `Limits: ${inputs.maxCoreSize} bytes per core, ${inputs.maxTotalSize} bytes in all, ${inputs.minFreeSpace} bytes kept free`
    );
  }
  endGroup();
  for (const note of facts.notes) warning(note);
  if (state.mode === "pipe-handler") {
    info(`crash-capture: every crash of a later step is captured (${state.reason}).`);
  } else if (state.mode === "rlimit") {
    warning(`crash-capture cannot install its handler: ${state.reason}.`);
  } else {
    warning(
      `crash-capture cannot capture crashes here: ${state.reason}. The job goes on; crashes of later steps will not be backtraced.`
    );
  }
}

// src/main.ts
run().catch(
  (error) => setFailed(error instanceof Error ? error.message : String(error))
);
