import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  GDB_SETTINGS,
  runAsRoot
} from "./chunk-2UX7GNZQ.js";
import {
  inParallel,
  newCrash,
  readProcStat
} from "./chunk-QDU6IIMW.js";

// src/collect/leftovers.ts
import { mkdir, readdir, readFile, stat, statfs } from "node:fs/promises";
import { join } from "node:path";
var MAX_DUMPS = 30;
var DUMP_TIMEOUT_MS = 3e4;
async function findLeftovers(trackingId) {
  if (!/^[A-Za-z0-9_.-]{1,128}$/.test(trackingId)) return [];
  const ancestors = /* @__PURE__ */ new Set();
  for (let pid = process.pid; pid > 0 && !ancestors.has(pid); ) {
    ancestors.add(pid);
    pid = Number((await readProcStat(pid))?.fields[1] ?? 0);
  }
  const wanted = Buffer.from(`RUNNER_TRACKING_ID=${trackingId}\0`);
  const found = [];
  for (const name of await readdir("/proc").catch(() => [])) {
    if (!/^\d+$/.test(name) || ancestors.has(Number(name))) continue;
    const environ = await readFile(`/proc/${name}/environ`).catch(() => null);
    if (!environ) continue;
    const at = environ.indexOf(wanted);
    if (at < 0 || at > 0 && environ[at - 1] !== 0) continue;
    const info = await readProcStat(Number(name));
    if (!info || info.fields[0] === "Z" || info.fields[0] === "X") continue;
    const wchan = await readFile(`/proc/${name}/wchan`, "utf8").catch(() => "");
    found.push({
      pid: Number(name),
      comm: info.comm,
      state: info.fields[0] ?? "?",
      wchan: wchan && wchan !== "0" ? wchan : null,
      threads: Number(info.fields[17] ?? 1)
    });
  }
  return found;
}
async function residentBytes(pid) {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
}
async function dumpLeftovers(leftovers, stageDir, privilege, limits) {
  const crashes = [];
  const now = Math.floor(Date.now() / 1e3);
  await inParallel(leftovers, 2, async (leftover, index) => {
    const id = `running-${now}-${leftover.pid}`;
    const dir = join(stageDir, id);
    await mkdir(dir, { recursive: true });
    const cmdline = await readFile(`/proc/${leftover.pid}/cmdline`).catch(() => Buffer.alloc(0));
    const crash = newCrash(id, "leftover", dir, {
      pid: leftover.pid,
      tid: leftover.pid,
      signal: 0,
      time: now,
      comm: leftover.comm,
      commandLine: cmdline.subarray(0, 65536).toString("utf8").split("\0").filter((arg, i, all) => arg !== "" || i < all.length - 1),
      coreState: "dropped",
      coreNote: null
    });
    crash.problems.push(
      `Still running at the end of the job: state ${leftover.state}${leftover.wchan ? `, waiting in ${leftover.wchan}` : ""}, ${leftover.threads} thread(s).`
    );
    crashes.push(crash);
    const size = await residentBytes(leftover.pid);
    const room = await statfs(dir).then((s) => s.bavail * s.bsize).catch(() => 0) - limits.minFreeSpace;
    if (!privilege) crash.coreNote = "not dumped: taking its stacks needs root or passwordless sudo";
    else if (index >= MAX_DUMPS) crash.coreNote = `not dumped: only the first ${MAX_DUMPS} are`;
    else if (size > limits.maxCoreSize || size * 2 > room)
      crash.coreNote = `not dumped: ${size} bytes resident is more than max-core-size or the free space allows`;
    if (crash.coreNote) return;
    const core = join(dir, "core");
    const result = await runAsRoot(privilege, "Dumping a process still running", "timeout", [
      "-k",
      "2",
      String(DUMP_TIMEOUT_MS / 1e3),
      "gdb",
      "-nx",
      "-batch",
      "-readnever",
      ...GDB_SETTINGS.flatMap((setting) => ["-iex", setting]),
      "-p",
      String(leftover.pid),
      "-ex",
      `gcore ${core}`,
      "-ex",
      "detach"
    ]).catch((error) => ({ code: 1, stdout: "", stderr: error.message }));
    const info = await stat(core).catch(() => null);
    if (!info?.isFile()) {
      crash.coreNote = `not dumped: gdb could not (${String(result.stderr ?? "").trim().split("\n").pop()?.slice(0, 200) ?? "no output"})`;
      return;
    }
    if (process.getuid?.() !== 0)
      await runAsRoot(privilege, "Handing the dump to this user", "chown", [
        `${process.getuid?.()}:${process.getgid?.()}`,
        core
      ]).catch(() => void 0);
    crash.core = core;
    crash.coreState = "complete";
  });
  return crashes.sort((a, b) => a.pid - b.pid);
}

export {
  findLeftovers,
  dumpLeftovers
};
