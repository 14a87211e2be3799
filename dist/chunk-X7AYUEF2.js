import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  MORE_RECORDS,
  hostPattern,
  installRootFiles,
  listRegistrations,
  processStart,
  readHostRecord,
  registrationAlive,
  registrationId,
  removeAsRoot,
  withHostLock
} from "./chunk-YLI6YXXM.js";
import {
  detectPrivilege,
  fileBuildId,
  findGdb,
  gdbEnv,
  indexCacheSettings,
  runAsRoot,
  settingsArgs,
  writeAsRoot
} from "./chunk-2UX7GNZQ.js";
import {
  describeFailure,
  findProgram,
  lowerPriority,
  runCommand,
  shellQuote
} from "./chunk-QDU6IIMW.js";
import {
  getState,
  saveState
} from "./chunk-PA6W4IJO.js";

// src/collect/journal.ts
import { existsSync } from "node:fs";
var SYSLOG_SOCKET = "/dev/log";
var MAX_JOURNAL = 64 * 1024 * 1024;
async function hasJournal() {
  return existsSync(SYSLOG_SOCKET) && await findProgram("journalctl", process.env.PATH ?? "") !== null;
}
function text(value) {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.every((b) => typeof b === "number"))
    return Buffer.from(value).toString("utf8");
  return null;
}
async function readJournal(sinceMs, uid, privilege) {
  const journalctl = await findProgram("journalctl", process.env.PATH ?? "");
  if (!journalctl) return { problem: "journalctl is not installed" };
  const args = [
    `--since=@${Math.floor(sinceMs / 1e3)}`,
    "--output=json",
    "--no-pager",
    "--quiet",
    "_TRANSPORT=syslog",
    `_UID=${uid}`
  ];
  const asRoot = privilege === "sudo" ? ["sudo", "-n", journalctl, ...args] : [journalctl, ...args];
  const result = await runCommand(asRoot[0], asRoot.slice(1), {
    timeoutMs: 6e4,
    maxOutput: MAX_JOURNAL
  });
  if (result.startError || result.code !== 0)
    return {
      problem: `journalctl failed: ${(result.stderr || result.startError || `status ${result.code}`).toString().trim().slice(0, 300)}`
    };
  const lines = [];
  for (const row of result.stdout.split("\n")) {
    if (!row) continue;
    let entry;
    try {
      entry = JSON.parse(row);
    } catch {
      continue;
    }
    const message = text(entry.MESSAGE);
    const pid = Number(text(entry._PID));
    const time = Number(text(entry.__REALTIME_TIMESTAMP)) || 0;
    if (message === null || !Number.isInteger(pid) || pid <= 0 || time < sinceMs * 1e3) continue;
    lines.push({
      pid,
      uid: Number(text(entry._UID)),
      time,
      exe: text(entry._EXE),
      cmdline: text(entry._CMDLINE),
      comm: text(entry._COMM),
      message
    });
  }
  return { lines };
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
  if (pid <= 0) {
    const own = await readCoreLimit(process.pid);
    if (typeof own === "string") return { ok: false, reason: own };
    if (own.soft === "0")
      return {
        ok: false,
        reason: "each step of a container starts with the container's core limit, 0 here: add `--ulimit core=-1` to the container's options"
      };
    return { ok: true, pid: process.pid, before: own.soft, after: own.soft };
  }
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
import { spawn } from "node:child_process";
import { existsSync as existsSync2, readdirSync } from "node:fs";
import { chmod, lstat as lstat2, mkdir, readFile as readFile4, rm } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { delimiter, isAbsolute, join as join2 } from "node:path";

// src/capture/place.ts
import { lstat, readFile as readFile3, stat } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
function unescape(field) {
  return field.replace(/\\([0-7]{3})/g, (_, code) => String.fromCharCode(parseInt(code, 8)));
}
function parseMountinfo(text2) {
  const mounts = [];
  for (const line of text2.split("\n")) {
    const fields = line.split(" ");
    const dash = fields.indexOf("-", 6);
    if (fields.length < 10 || dash < 0) continue;
    mounts.push({
      root: unescape(fields[3]),
      mountPoint: unescape(fields[4]),
      options: fields[5].split(","),
      fsType: fields[dash + 1] ?? ""
    });
  }
  return mounts;
}
function mountOf(mounts, path) {
  let best = null;
  for (const mount of mounts) {
    const point = mount.mountPoint;
    const holds = point === "/" || path === point || path.startsWith(`${point}/`);
    if (holds && (!best || point.length >= best.mountPoint.length)) best = mount;
  }
  return best;
}
function sourcePath(mount, path) {
  return join(mount.root, relative(mount.mountPoint, path) || ".");
}
var NOT_FROM_HOST = /* @__PURE__ */ new Set([
  "overlay",
  "tmpfs",
  "ramfs",
  "proc",
  "sysfs",
  "devtmpfs",
  "devpts",
  "mqueue",
  "cgroup",
  "cgroup2",
  "fuse-overlayfs"
]);
async function existing(path) {
  for (let at = path; ; at = dirname(at)) {
    if (await lstat(at).catch(() => null)) return at;
    if (at === "/") return "/";
  }
}
var id = (info) => `${info.dev}:${info.ino}`;
async function probeKernelView(privilege, paths) {
  const script = [
    "comm=$(cat /proc/2/comm 2>/dev/null)",
    'echo "${comm:--}"',
    'echo "$(readlink /proc/2/ns/mnt 2>/dev/null || echo -) $(readlink /proc/self/ns/mnt)"',
    'for p; do stat -L -c %d:%i -- "/proc/2/root$p" 2>/dev/null || echo -; done'
  ].join("\n");
  const result = await runAsRoot(privilege, "Finding what the kernel sees", "sh", [
    "-c",
    script,
    "sh",
    ...paths
  ]).catch(() => null);
  const lines = result?.stdout.split("\n") ?? [];
  const kthreadd = lines[0] === "kthreadd";
  const [theirs, ours] = (lines[1] ?? "").split(" ");
  const ids = /* @__PURE__ */ new Map();
  if (kthreadd) paths.forEach((path, i) => ids.set(path, lines[i + 2] ?? "-"));
  return { kthreadd, sameNamespace: kthreadd && theirs !== "-" && theirs === ours, ids };
}
async function findHandlerPlace(privilege, candidates) {
  const mounts = parseMountinfo(await readFile3("/proc/self/mountinfo", "utf8").catch(() => ""));
  const options = await Promise.all(
    candidates.map(async (dir) => {
      const at = await existing(dir);
      const mount = mountOf(mounts, at);
      const own = await stat(at).catch(() => null);
      return { dir, at, mount, own, source: mount ? sourcePath(mount, at) : at };
    })
  );
  const view = await probeKernelView(privilege, [
    ...new Set(options.flatMap((o) => [o.at, o.source]))
  ]);
  const rest = (o) => relative(o.at, o.dir);
  if (view.sameNamespace) {
    const first = candidates[0];
    return { dir: first, kernelDir: first, trusted: null, how: "the initial mount namespace" };
  }
  const why = [];
  for (const o of options) {
    if (!o.own || !o.mount) {
      why.push(`${o.dir} cannot be examined`);
      continue;
    }
    if (view.kthreadd) {
      if (view.ids.get(o.at) === id(o.own))
        return {
          dir: o.dir,
          kernelDir: o.dir,
          trusted: null,
          how: "seen by the kernel at the same path"
        };
      if (o.source !== o.at && view.ids.get(o.source) === id(o.own)) {
        const kernelDir2 = join(o.source, rest(o));
        return {
          dir: o.dir,
          kernelDir: kernelDir2,
          trusted: await trustedMount(o.mount),
          how: `seen by the kernel as ${kernelDir2}`
        };
      }
      why.push(`the kernel cannot see ${o.dir} (a mount of this namespace only)`);
      continue;
    }
    if (o.mount.mountPoint === "/" || NOT_FROM_HOST.has(o.mount.fsType)) {
      why.push(`${o.dir} is on the container's own ${o.mount.fsType} file system`);
      continue;
    }
    const kernelDir = join(o.source, rest(o));
    return {
      dir: o.dir,
      kernelDir,
      trusted: await trustedMount(o.mount),
      how: `the host's ${kernelDir}, through the bind mount at ${o.mount.mountPoint}; the self-check proves it`
    };
  }
  return { reason: `no folder the kernel can run a handler from: ${why.join("; ")}` };
}
async function trustedMount(mount) {
  const info = await lstat(mount.mountPoint).catch(() => null);
  if (!info || !info.isDirectory() || (info.mode & 18) !== 0) return null;
  return { top: mount.mountPoint, uid: info.uid };
}
async function readOnlyProcSys() {
  const mounts = parseMountinfo(await readFile3("/proc/self/mountinfo", "utf8").catch(() => ""));
  const mount = mountOf(mounts, "/proc/sys/kernel");
  return mount?.options.includes("ro") ? `${mount.mountPoint} is mounted read-only` : null;
}

// src/capture/enable.ts
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
async function missingTools() {
  for (const tool of REQUIRED_TOOLS) {
    if (!await findTool(tool))
      return `the handler needs '${tool}', found in none of ${TOOL_DIRS.join(", ")}`;
  }
  return null;
}
function renderJobConfig(inputs, owner, selfCheck2, host) {
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
    // zstd where post runs (the handler's host may have it where a job container has not).
    `COMPRESS=${host.compress ? "zstd" : "none"}`,
    // The device and inode of main's root: a crash there is analysed with post's own files.
    `JOB_ROOT=${shellQuote(host.root)}`,
    ""
  ].join("\n");
}
async function rootId() {
  const info = await lstat2("/");
  return `${info.dev}:${info.ino}`;
}
function readOnlyProcSysReason(detail) {
  return `the kernel settings cannot be changed here (${detail}), as in a job container without \`options: --privileged\`: add that option to the job's container, or run the tests with \`docker run\` from a job on the host. Capture depends on the host's core_pattern meanwhile`;
}
function trackingId() {
  const id2 = process.env.RUNNER_TRACKING_ID ?? "";
  return /^[A-Za-z0-9_.-]{1,128}$/.test(id2) ? id2 : "";
}
async function unsafeCrashDir(crashDir, trusted = null) {
  const parts = crashDir.split("/").filter(Boolean);
  for (let i = 0; i <= parts.length; i++) {
    const path = "/" + parts.slice(0, i).join("/");
    let info;
    try {
      info = await lstat2(path);
    } catch (error) {
      if (error.code === "ENOENT") return null;
      return `${path} cannot be checked: ${error.message}`;
    }
    if (info.isSymbolicLink()) return `${path} is a symbolic link`;
    if (!info.isDirectory()) return `${path} is not a directory`;
    const mayOwn = trusted && (path === trusted.top || path.startsWith(`${trusted.top}/`)) ? trusted.uid : 0;
    if (info.uid !== 0 && info.uid !== mayOwn)
      return `${path} is owned by uid ${info.uid}, not root`;
    const sticky = (info.mode & 512) !== 0 && i < parts.length;
    if ((info.mode & 18) !== 0 && !sticky)
      return `${path} is writable by ${info.mode & 2 ? "everyone" : "its group"}`;
  }
  return null;
}
async function assertRootOwnedDirectory(path) {
  const info = await lstat2(path);
  if (!info.isDirectory() || info.uid !== 0 || (info.mode & 18) !== 0) {
    throw new Error(`${path} must be a directory owned by root and writable only by root`);
  }
}
async function crashAndWait(env, arrived) {
  const started = performance.now();
  const child = spawn("/bin/sh", ["-c", "ulimit -c unlimited 2>/dev/null; kill -s SEGV $$"], {
    env: { PATH: "/usr/bin:/bin", ...env },
    stdio: "ignore"
  });
  await new Promise((resolve) => child.on("close", resolve).on("error", resolve));
  for (let delay = 1; ; delay = Math.min(delay * 2, 20)) {
    if (arrived()) return Math.round(performance.now() - started);
    if (performance.now() - started >= SELF_CHECK_MS) return null;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
function selfCheck(jobDir, mark) {
  return crashAndWait(
    { RUNNER_TRACKING_ID: trackingId(), CRASH_CAPTURE_SELF_CHECK: mark },
    () => existsSync2(join2(jobDir, "self-check"))
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
    const took = await crashAndWait({}, () => {
      const name = readdirSync(coreDir).find((n) => n.startsWith("core."));
      if (name) core = join2(coreDir, name);
      return name !== void 0;
    });
    if (took === null) throw new Error(`no core file appeared in ${coreDir}`);
    await rm(core, { force: true }).catch(
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
        handler: null,
        notes: []
      }
    };
  } catch {
    await writeKernelSettings(privilege, before, true).catch(() => void 0);
    await rm(coreDir, { recursive: true, force: true }).catch(() => void 0);
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
      // Left by earlier handlers, which read their tool paths from it.
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
    handler: null,
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
  const readOnly = await readOnlyProcSys();
  if (readOnly) return fallback(readOnlyProcSysReason(readOnly));
  let found;
  try {
    found = await readKernelSettings();
  } catch (error) {
    return none(`the kernel settings cannot be read: ${error.message}`);
  }
  facts.previous = found;
  facts.compressor = await findTool("zstd");
  const instead = async (reason) => {
    const enabled = await filePattern(privilege, reason, startedAt, save);
    if (!enabled) return fallback(reason);
    return {
      state: enabled.state,
      facts: { ...facts, previous: enabled.facts.previous, selfCheckMs: enabled.facts.selfCheckMs }
    };
  };
  const temp = process.env.RUNNER_TEMP;
  const place = await findHandlerPlace(privilege, [
    inputs.crashDir,
    ...temp && isAbsolute(temp) ? [join2(temp, "crash-capture")] : []
  ]);
  if ("reason" in place) return instead(place.reason);
  const crashDir = place.dir;
  facts.handler = `${crashDir}/handler.sh (${place.how})`;
  const pattern = hostPattern(place.kernelDir);
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return instead(
      `the handler path is too long for core_pattern (${pattern.length} > ${MAX_PATTERN_LENGTH} bytes): choose a shorter crash-dir`
    );
  }
  const unsafe = await unsafeCrashDir(crashDir, place.trusted);
  if (unsafe) {
    return none(
      `crash-dir ${crashDir} is not safe for a handler that runs as root (${unsafe}): choose a directory whose every parent is owned by root and writable only by root`
    );
  }
  if (place.kernelDir === crashDir && place.how === "the initial mount namespace") {
    const missing = await missingTools();
    if (missing) return none(missing);
  }
  const id2 = registrationId();
  const jobDir = `${crashDir}/jobs/${id2}`;
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
      const runner = process.ppid > 0 ? process.ppid : 1;
      const owner = privilege === "sudo" ? `${process.getuid?.()}:${process.getgid?.()}` : "";
      await installRootFiles(privilege, jobDir, {
        "job.json": {
          content: JSON.stringify({
            trackingId: trackingId(),
            runnerPid: runner,
            runnerStart: await processStart(runner),
            runId: process.env.GITHUB_RUN_ID ?? "",
            job: process.env.GITHUB_JOB ?? "",
            registeredAt: Date.now()
          }) + "\n",
          mode: "0644"
        },
        tracking: { content: trackingId(), mode: "0644" },
        config: {
          content: renderJobConfig(inputs, owner, id2, {
            compress: facts.compressor !== null,
            root: await rootId()
          }),
          mode: "0644"
        }
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
    const denied = /EROFS|Read-only file system|Permission denied/.test(message);
    return giveUp(
      denied ? readOnlyProcSysReason(message) : `the handler could not be installed: ${message}`
    );
  }
  save(installed);
  facts.selfCheckMs = await selfCheck(jobDir, id2);
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
      return instead(reason);
    }
    return fallback(reason);
  }
}

// src/analyze/warm.ts
import { spawn as spawn2 } from "node:child_process";
import { lstat as lstat3, mkdtemp, readFile as readFile5, rm as rm2, stat as stat2 } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as join3 } from "node:path";
var STATE_KEY = "gdbIndex";
async function systemLibraries() {
  const maps = await readFile5("/proc/self/maps", "utf8").catch(() => "");
  const paths = /* @__PURE__ */ new Set();
  for (const line of maps.split("\n")) {
    const path = line.slice(line.indexOf("/"));
    if (line.indexOf("/") < 0 || !/^\/(usr\/)?lib(64|32)?\/\S+\.so(\.\d+)*$/.test(path)) continue;
    paths.add(path);
  }
  const trusted = [];
  for (const path of paths) {
    const info = await stat2(path).catch(() => null);
    if (!info?.isFile() || info.uid !== 0 || (info.mode & 18) !== 0) continue;
    const id2 = await fileBuildId(path).catch(() => null);
    const debug = id2 && `/usr/lib/debug/.build-id/${id2.slice(0, 2)}/${id2.slice(2)}.debug`;
    if (debug && (await stat2(debug).catch(() => null))?.isFile()) trusted.push(path);
  }
  return trusted;
}
async function warmLibraryIndex() {
  const gdb = await findGdb();
  if (!gdb) return [];
  const libraries = await systemLibraries();
  if (libraries.length === 0) return [];
  const dir = await mkdtemp(join3(process.env.RUNNER_TEMP || tmpdir(), "crash-capture-gdb-index-"));
  const args = settingsArgs(indexCacheSettings(dir));
  for (const library of libraries) args.push("-ex", `file ${library}`);
  const env = gdbEnv({});
  delete env.RUNNER_TRACKING_ID;
  const child = lowerPriority(
    spawn2(gdb, args, { detached: true, stdio: "ignore", env, cwd: dir }),
    19
  );
  child.on("error", () => void 0);
  child.unref();
  saveState(STATE_KEY, dir);
  return libraries;
}
async function warmedIndex() {
  const dir = getState(STATE_KEY);
  if (!dir) return null;
  const info = await lstat3(dir).catch(() => null);
  const ours = info?.isDirectory() && info.uid === process.getuid?.() && (info.mode & 63) === 0;
  return ours ? dir : null;
}
async function removeWarmedIndex() {
  const dir = await warmedIndex();
  if (dir) await rm2(dir, { recursive: true, force: true }).catch(() => void 0);
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
  SYSLOG_SOCKET,
  hasJournal,
  readJournal,
  readKernelSettings,
  writeKernelSettings,
  readCoreLimit,
  changedElsewhere,
  leaveHostCapture,
  enableCapture,
  warmLibraryIndex,
  warmedIndex,
  removeWarmedIndex,
  saveCaptureState,
  loadCaptureState
};
