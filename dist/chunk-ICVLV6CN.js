import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  detectPrivilege,
  runAsRoot,
  writeAsRoot
} from "./chunk-J3UIQAND.js";
import {
  describeFailure,
  findProgram,
  runCommand,
  shellQuote
} from "./chunk-CFJVLGBW.js";
import {
  getState,
  saveState
} from "./chunk-LY2TUG3Y.js";

// src/capture/host.ts
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
var HANDLER_SPECIFIERS = "%P %i %s %t %u %g %c %d %e";
var MORE_RECORDS = 1e3;
function crashDirOf(jobDir) {
  return dirname(dirname(jobDir));
}
function hostPattern(crashDir) {
  return `|${crashDir}/handler.sh ${HANDLER_SPECIFIERS}`;
}
function registrationId() {
  return `${Date.now()}-${randomBytes(4).toString("hex")}`;
}
async function processStart(pid) {
  try {
    const text = await readFile(`/proc/${pid}/stat`, "utf8");
    return text.slice(text.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}
async function registrationAlive(registration) {
  if (registration.runnerPid <= 1) return false;
  const start = await processStart(registration.runnerPid);
  return start !== null && (registration.runnerStart === null || start === registration.runnerStart);
}
function parseRegistration(id, dir, text) {
  try {
    const v = JSON.parse(text);
    const str = (x) => typeof x === "string" ? x : "";
    return {
      id,
      dir,
      trackingId: str(v.trackingId),
      runnerPid: typeof v.runnerPid === "number" ? v.runnerPid : 0,
      runnerStart: typeof v.runnerStart === "string" ? v.runnerStart : null,
      runId: str(v.runId),
      job: str(v.job),
      registeredAt: typeof v.registeredAt === "number" ? v.registeredAt : 0
    };
  } catch {
    return null;
  }
}
async function listRegistrations(crashDir) {
  const jobs = join(crashDir, "jobs");
  const names = await readdir(jobs).catch(() => []);
  const found = [];
  for (const id of names.sort()) {
    const dir = join(jobs, id);
    if (!await stat(join(dir, "config")).catch(() => null)) continue;
    const text = await readFile(join(dir, "job.json"), "utf8").catch(() => "");
    found.push(
      parseRegistration(id, dir, text) ?? {
        id,
        dir,
        trackingId: "",
        runnerPid: 0,
        runnerStart: null,
        runId: "",
        job: "",
        registeredAt: 0
      }
    );
  }
  return found;
}
async function readHostRecord(crashDir) {
  try {
    const v = JSON.parse(await readFile(join(crashDir, "host.json"), "utf8"));
    const p = v.previous;
    if (p && typeof p.corePattern === "string" && typeof p.corePipeLimit === "string" && typeof p.suidDumpable === "string")
      return {
        previous: {
          corePattern: p.corePattern,
          corePipeLimit: p.corePipeLimit,
          suidDumpable: p.suidDumpable
        }
      };
  } catch {
  }
  return null;
}
var LOCK_WAIT_MS = 6e4;
async function withHostLock(privilege, crashDir, fn) {
  const lock = crashDir;
  const args = ["-x", "-w", String(LOCK_WAIT_MS / 1e3), lock, "-c", "echo locked; read _"];
  const holder = privilege === "root" ? spawn("flock", args, { stdio: ["pipe", "pipe", "pipe"] }) : spawn("sudo", ["-n", "--", "flock", ...args], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  holder.stderr.on("data", (chunk) => stderr = (stderr + chunk.toString()).slice(-500));
  await new Promise((taken, failed) => {
    holder.stdout.on("data", (chunk) => {
      if (chunk.toString().includes("locked")) taken();
    });
    holder.on("error", (error) => failed(new Error(`the host lock ${lock}: ${error.message}`)));
    holder.on(
      "close",
      (code) => failed(
        new Error(
          `the host lock ${lock} could not be taken (flock exited with ${code}: ${stderr.trim()})`
        )
      )
    );
  });
  try {
    return await fn();
  } finally {
    holder.stdin.end();
    await new Promise(
      (resolve) => holder.exitCode !== null ? resolve(null) : holder.on("close", resolve)
    );
  }
}
async function installRootFiles(privilege, dir, files) {
  const scratch = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), "crash-capture-"));
  try {
    const byMode = /* @__PURE__ */ new Map();
    for (const [name, file] of Object.entries(files)) {
      await writeFile(join(scratch, name), file.content);
      byMode.set(file.mode, [...byMode.get(file.mode) ?? [], join(scratch, name)]);
    }
    for (const [mode, paths] of byMode) {
      await runAsRoot(
        privilege,
        `Installing ${Object.keys(files).join(", ")} into ${dir}`,
        "install",
        ["-o", "root", "-g", "root", "-m", mode, "-t", dir, ...paths]
      );
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
async function removeAsRoot(privilege, paths) {
  if (paths.length === 0) return;
  await runAsRoot(privilege, "Removing crash-capture folders", "rm", ["-rf", "--", ...paths]).catch(
    () => void 0
  );
}

// src/capture/kernel.ts
import { readFile as readFile2 } from "node:fs/promises";
var KERNEL_FILES = {
  corePattern: "/proc/sys/kernel/core_pattern",
  corePipeLimit: "/proc/sys/kernel/core_pipe_limit",
  suidDumpable: "/proc/sys/fs/suid_dumpable"
};
async function readSetting(path) {
  return (await readFile2(path, "utf8")).replace(/\n$/, "");
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
import { readFile as readFile3 } from "node:fs/promises";
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
  const pattern = (await readFile3("/proc/sys/kernel/core_pattern", "utf8").catch(() => "")).replace(
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
import { spawn as spawn2 } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, lstat, mkdir, readFile as readFile4, rm as rm2 } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { delimiter, join as join2 } from "node:path";
var SLOT_WAIT_TENTHS = 300;
var META_KB = 1200;
var MAX_PATTERN_LENGTH = 127;
var SELF_CHECK_MS = 2e3;
var TOOL_DIRS = ["/usr/bin", "/bin", "/usr/sbin", "/sbin"];
var REQUIRED_TOOLS = [
  "mkdir",
  "readlink",
  "cat",
  "stat",
  "cp",
  "ln",
  "rm",
  "df",
  "du",
  "head",
  "wc",
  "mv",
  "chown",
  "chmod",
  "sleep",
  "tr",
  "sed"
];
function findTool(name) {
  return findProgram(name, TOOL_DIRS.join(delimiter));
}
function handlerSource() {
  return new URL("./handler.sh", import.meta.url);
}
async function renderHostConfig() {
  const lines = ["# Written by crash-capture main; sourced by handler.sh."];
  for (const tool of REQUIRED_TOOLS) {
    const path = await findTool(tool);
    if (!path)
      throw new Error(`the handler needs '${tool}', found in none of ${TOOL_DIRS.join(", ")}`);
    lines.push(`${tool.toUpperCase()}=${shellQuote(path)}`);
  }
  lines.push(`ZSTD=${shellQuote(await findTool("zstd") ?? "")}`);
  return lines.join("\n") + "\n";
}
function renderJobConfig(inputs, owner, selfCheck2) {
  return [
    "# Written by crash-capture main for one job; sourced by handler.sh.",
    `MAX_CORE_KB=${Math.floor(inputs.maxCoreSize / 1024)}`,
    `MAX_TOTAL_KB=${Math.floor(inputs.maxTotalSize / 1024)}`,
    `MIN_FREE_KB=${Math.floor(inputs.minFreeSpace / 1024)}`,
    `MAX_CORES=${inputs.maxCores}`,
    // Records (a few KiB each) of crashes past max-cores are kept up to this many.
    `MAX_RECORDS=${inputs.maxCores + MORE_RECORDS}`,
    // What the full metadata of one crash may take: cmdline 64 KiB, maps 1 MiB, status 16 KiB.
    `META_KB=${META_KB}`,
    `SETUID_CORES=${inputs.setuidCores ? "include" : "exclude"}`,
    // Writers at once: enough to keep both CPUs busy compressing, few enough not to thrash.
    `MAX_WRITERS=${Math.max(2, availableParallelism())}`,
    `SLOT_WAIT=${SLOT_WAIT_TENTHS}`,
    `OWNER=${shellQuote(owner)}`,
    `SELF_CHECK=${shellQuote(selfCheck2)}`,
    ""
  ].join("\n");
}
function trackingId() {
  const id = process.env.RUNNER_TRACKING_ID ?? "";
  return /^[A-Za-z0-9_.-]{1,128}$/.test(id) ? id : "";
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
async function crashAndWait(env, arrived) {
  const started = performance.now();
  const child = spawn2("/bin/sh", ["-c", "ulimit -c unlimited 2>/dev/null; kill -s SEGV $$"], {
    env: { PATH: "/usr/bin:/bin", ...env },
    stdio: "ignore"
  });
  await new Promise((resolve) => child.on("close", resolve).on("error", resolve));
  const path = arrived(child.pid ?? 0);
  for (let delay = 1; ; delay = Math.min(delay * 2, 20)) {
    if (existsSync(path)) return Math.round(performance.now() - started);
    if (performance.now() - started >= SELF_CHECK_MS) return null;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
function selfCheck(jobDir, mark) {
  return crashAndWait(
    { RUNNER_TRACKING_ID: trackingId(), CRASH_CAPTURE_SELF_CHECK: mark },
    () => join2(jobDir, "self-check")
  );
}
async function kernelCoredumpLine(privilege) {
  const result = await runAsRoot(privilege, "Reading the kernel log", "dmesg", []).catch(() => null);
  const lines = result?.stdout.split("\n").filter((line) => line.includes("coredump")) ?? [];
  return lines.at(-1)?.trim().slice(0, 300) ?? null;
}
async function filePattern(privilege, why, startedAt, save) {
  const temp = process.env.RUNNER_TEMP;
  if (!temp) return null;
  const before = await readKernelSettings();
  const coreDir = join2(temp, `crash-capture-cores-${registrationId()}`);
  const pattern = `${coreDir}/core.%P`;
  if (pattern.length > MAX_PATTERN_LENGTH) return null;
  const state = {
    startedAt,
    mode: "file-pattern",
    reason: `${why}. Instead core_pattern writes core files into ${coreDir}, and the runner's soft core limit is raised for the later steps`,
    sessionDir: null,
    installedPattern: pattern,
    previous: before,
    complete: false,
    otherJobs: 0,
    coreDir
  };
  save(state);
  try {
    await mkdir(coreDir, { recursive: true });
    await chmod(coreDir, 1023);
    const raised = await raiseParentCoreLimit();
    if (!raised.ok) throw new Error(`the core limit could not be raised: ${raised.reason}`);
    await writeKernelSettings(privilege, { ...before, corePattern: pattern });
    let core = "";
    const took = await crashAndWait({}, (pid) => core = join2(coreDir, `core.${pid}`));
    if (took === null) throw new Error(`no core file appeared in ${coreDir}`);
    await rm2(core, { force: true }).catch(
      () => runAsRoot(privilege, "Removing the self-check core", "rm", ["-f", core])
    );
    save({ ...state, complete: true });
    return {
      state: { ...state, complete: true },
      facts: {
        privilege,
        previous: before,
        compressor: null,
        otherJobs: 0,
        selfCheckMs: took,
        notes: []
      }
    };
  } catch {
    await writeKernelSettings(privilege, before, true).catch(() => void 0);
    await rm2(coreDir, { recursive: true, force: true }).catch(() => void 0);
    return null;
  }
}
function changedElsewhere(pattern) {
  return `core_pattern was changed during the job by something else (now '${pattern}'): it is left as it is.`;
}
async function leaveHostCapture(privilege, crashDir, jobDir, installedPattern, fallbackPrevious, mainFinished = true) {
  return withHostLock(privilege, crashDir, async () => {
    const warnings = [];
    const current = await readKernelSettings();
    const handledAll = current.corePattern === installedPattern;
    await removeAsRoot(privilege, [join2(jobDir, "config"), join2(jobDir, "tracking")]);
    const live = [];
    const dead = [];
    for (const registration of await listRegistrations(crashDir)) {
      if (await registrationAlive(registration)) live.push(registration);
      else dead.push(registration.dir);
    }
    await removeAsRoot(privilege, dead);
    if (live.length > 0) return { others: live.length, handledAll, warnings };
    const previous = (await readHostRecord(crashDir))?.previous ?? fallbackPrevious;
    if (previous) {
      const wanted = { ...previous };
      if (!handledAll) {
        if (mainFinished) warnings.push(changedElsewhere(current.corePattern));
        wanted.corePattern = current.corePattern;
      }
      try {
        await writeKernelSettings(privilege, wanted, true);
      } catch (error) {
        warnings.push(`Restoring the kernel settings failed: ${error.message}`);
      }
    }
    await removeAsRoot(privilege, [
      join2(crashDir, "handler.sh"),
      join2(crashDir, "config"),
      join2(crashDir, "host.json"),
      join2(crashDir, "unattributed")
    ]);
    return { others: 0, handledAll, warnings };
  });
}
async function enableCapture(inputs, startedAt, save) {
  const facts = {
    privilege: null,
    previous: null,
    compressor: null,
    otherJobs: 0,
    selfCheckMs: null,
    notes: []
  };
  const none = (reason) => ({
    state: {
      startedAt,
      mode: "none",
      reason,
      sessionDir: null,
      installedPattern: null,
      previous: null,
      complete: true,
      otherJobs: 0,
      coreDir: null
    },
    facts
  });
  const fallback = async (reason) => {
    const raised = await raiseParentCoreLimit();
    if (!raised.ok) return none(`${reason}; raising the core limit failed too (${raised.reason})`);
    const where = await describeCorePattern();
    const enabled = none(
      `${reason}. Instead the soft core limit of the runner process (pid ${raised.pid}) is ${raised.after} (was ${raised.before}) for the later steps, and ${where}`
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
  facts.privilege = privilege;
  let found;
  try {
    found = await readKernelSettings();
  } catch (error) {
    return none(`the kernel settings cannot be read: ${error.message}`);
  }
  facts.previous = found;
  facts.compressor = await findTool("zstd");
  const { crashDir } = inputs;
  const pattern = hostPattern(crashDir);
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return none(
      `the handler path is too long for core_pattern (${pattern.length} > ${MAX_PATTERN_LENGTH} bytes): choose a shorter crash-dir`
    );
  }
  const unsafe = await unsafeCrashDir(crashDir);
  if (unsafe) {
    return none(
      `crash-dir ${crashDir} is not safe for a handler that runs as root (${unsafe}): choose a directory whose every parent is owned by root and writable only by root`
    );
  }
  const id = registrationId();
  const jobDir = `${crashDir}/jobs/${id}`;
  const installed = {
    startedAt,
    mode: "pipe-handler",
    reason: `core_pattern pipes every core to ${crashDir}/handler.sh, whatever the crashing process's ulimit -c`,
    sessionDir: jobDir,
    installedPattern: pattern,
    previous: found,
    complete: false,
    otherJobs: 0,
    coreDir: null
  };
  save(installed);
  const rootDirs = (what, mode, dirs) => runAsRoot(privilege, what, "install", ["-d", "-m", mode, "-o", "root", "-g", "root", ...dirs]);
  try {
    await rootDirs("Creating the crash directory", "0755", [crashDir]);
    await assertRootOwnedDirectory(crashDir);
    await withHostLock(privilege, crashDir, async () => {
      const current = await readKernelSettings();
      const record = await readHostRecord(crashDir);
      const active = current.corePattern === pattern && record !== null;
      const registrations = await listRegistrations(crashDir);
      const live = [];
      for (const registration of registrations) {
        if (active && await registrationAlive(registration)) live.push(registration);
      }
      const stale = registrations.filter((r) => !live.includes(r)).map((r) => r.dir);
      if (stale.length > 0)
        facts.notes.push(
          `${stale.length} job(s) that ended without their post step had registered with crash-capture on this machine; their leftovers were removed.`
        );
      await removeAsRoot(privilege, stale);
      facts.otherJobs = live.length;
      installed.otherJobs = live.length;
      const previous = active ? record.previous : current;
      if (live.length === 0) {
        await removeAsRoot(privilege, [join2(crashDir, "unattributed")]);
        await rootDirs("Creating the host folders", "0755", [
          join2(crashDir, "jobs"),
          join2(crashDir, "unattributed")
        ]);
        await installRootFiles(privilege, crashDir, {
          "handler.sh": { content: await readFile4(handlerSource(), "utf8"), mode: "0755" },
          config: { content: await renderHostConfig(), mode: "0644" },
          "host.json": { content: JSON.stringify({ previous }) + "\n", mode: "0644" }
        });
      }
      facts.previous = previous;
      installed.previous = previous;
      await rootDirs("Registering the job", "0755", [jobDir, join2(jobDir, "crashes")]);
      await rootDirs("Creating the handler's private folders", "0700", [
        join2(jobDir, "executables"),
        join2(jobDir, "tickets"),
        join2(jobDir, "slots")
      ]);
      const owner = privilege === "sudo" ? `${process.getuid?.()}:${process.getgid?.()}` : "";
      await installRootFiles(privilege, jobDir, {
        "job.json": {
          content: JSON.stringify({
            trackingId: trackingId(),
            runnerPid: process.ppid,
            runnerStart: await processStart(process.ppid),
            runId: process.env.GITHUB_RUN_ID ?? "",
            job: process.env.GITHUB_JOB ?? "",
            registeredAt: Date.now()
          }) + "\n",
          mode: "0644"
        },
        tracking: { content: trackingId(), mode: "0644" },
        config: { content: renderJobConfig(inputs, owner, id), mode: "0644" }
      });
      if (!active) {
        await writeKernelSettings(privilege, {
          corePattern: pattern,
          corePipeLimit: "0",
          suidDumpable: "2"
        });
      }
    });
  } catch (error) {
    const message = error.message;
    const readOnly = /EROFS|Read-only file system|Permission denied/.test(message);
    return giveUp(
      readOnly ? `the kernel settings could not be changed: /proc/sys is read-only, as in a job container without \`options: --privileged\` (add it to the job's container, or run the tests with \`docker run\` from a job on the host); capture then depends on the host's core_pattern (${message})` : `the handler could not be installed: ${message}`
    );
  }
  save(installed);
  facts.selfCheckMs = await selfCheck(jobDir, id);
  if (facts.selfCheckMs === null) {
    const kernel = await kernelCoredumpLine(privilege);
    return giveUp(
      !trackingId() && facts.otherJobs > 0 ? `the self-check failed: this job has no RUNNER_TRACKING_ID and ${facts.otherJobs} other job(s) capture on this kernel, so its crashes cannot be told apart` : `the self-check failed: a test crash did not reach the handler within ${SELF_CHECK_MS / 1e3} s${kernel ? ` (kernel: ${kernel})` : ""}`
    );
  }
  return { state: { ...installed, complete: true }, facts };
  async function giveUp(reason) {
    const left = await leaveHostCapture(privilege, crashDir, jobDir, pattern, found, false).catch(
      () => null
    );
    await removeAsRoot(privilege, [jobDir]);
    if (left && left.others === 0) {
      await runAsRoot(privilege, "Removing the empty jobs folder", "rmdir", [
        join2(crashDir, "jobs")
      ]).catch(() => void 0);
      const enabled = await filePattern(privilege, reason, startedAt, save);
      if (enabled)
        return {
          state: enabled.state,
          facts: {
            ...facts,
            previous: enabled.facts.previous,
            selfCheckMs: enabled.facts.selfCheckMs
          }
        };
    }
    return fallback(reason);
  }
}

// src/state.ts
var MODES = ["pipe-handler", "file-pattern", "rlimit", "none"];
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
  const mode = MODES.find((m) => m === v.mode) ?? "none";
  return {
    startedAt: typeof v.startedAt === "number" ? v.startedAt : 0,
    mode,
    reason: isString(v.reason) ? v.reason : "",
    sessionDir: isString(v.sessionDir) && v.sessionDir.startsWith("/") ? v.sessionDir : null,
    installedPattern: isString(v.installedPattern) ? v.installedPattern : null,
    previous: readSettings(v.previous),
    complete: v.complete !== false,
    otherJobs: typeof v.otherJobs === "number" ? v.otherJobs : 0,
    coreDir: isString(v.coreDir) && v.coreDir.startsWith("/") ? v.coreDir : null
  };
}

export {
  MORE_RECORDS,
  crashDirOf,
  readKernelSettings,
  writeKernelSettings,
  readCoreLimit,
  changedElsewhere,
  leaveHostCapture,
  enableCapture,
  saveCaptureState,
  loadCaptureState
};
