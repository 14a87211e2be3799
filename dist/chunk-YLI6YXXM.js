import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  runAsRoot
} from "./chunk-2UX7GNZQ.js";
import {
  readProcStat
} from "./chunk-QDU6IIMW.js";

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
  return (await readProcStat(pid))?.fields[19] ?? null;
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

// src/hang.ts
import { spawn as spawn2 } from "node:child_process";
import { mkdir, readFile as readFile2 } from "node:fs/promises";
import { dirname as dirname2, join as join2 } from "node:path";
import { fileURLToPath } from "node:url";
function parseWatchConfig(text) {
  try {
    const config = JSON.parse(text);
    return typeof config.deadline === "number" && typeof config.dir === "string" ? config : null;
  } catch {
    return null;
  }
}
async function startWatcher(config) {
  await mkdir(config.dir, { recursive: true, mode: 448 });
  const script = join2(dirname2(fileURLToPath(import.meta.url)), "watch.js");
  const child = spawn2(process.execPath, [script], {
    detached: true,
    stdio: "ignore",
    env: {
      ...process.env,
      CRASH_CAPTURE_WATCH: JSON.stringify({
        ...config,
        runnerStart: await processStart(config.runnerPid)
      })
    }
  });
  child.unref();
  if (!child.pid) return null;
  return { pid: child.pid, start: await processStart(child.pid), dir: config.dir };
}
async function stopWatcher(watcher) {
  if (watcher.pid > 0 && await processStart(watcher.pid) === watcher.start) {
    try {
      process.kill(watcher.pid, "SIGKILL");
    } catch {
    }
    for (let i = 0; i < 50 && await processStart(watcher.pid) === watcher.start; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const found = await readFile2(join2(watcher.dir, "hang.json"), "utf8").catch(() => null);
  if (!found) return [];
  try {
    const crashes = JSON.parse(found).crashes;
    return crashes.map((crash) => ({ ...crash, source: "hang" }));
  } catch {
    return [];
  }
}

export {
  MORE_RECORDS,
  crashDirOf,
  hostPattern,
  registrationId,
  processStart,
  registrationAlive,
  listRegistrations,
  readHostRecord,
  withHostLock,
  installRootFiles,
  removeAsRoot,
  parseWatchConfig,
  startWatcher,
  stopWatcher
};
