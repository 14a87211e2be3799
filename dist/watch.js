import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  dumpLeftovers,
  findLeftovers
} from "./chunk-66HQHXCG.js";
import {
  parseWatchConfig,
  processStart
} from "./chunk-YLI6YXXM.js";
import {
  detectPrivilege,
  runAsRoot
} from "./chunk-2UX7GNZQ.js";
import "./chunk-QDU6IIMW.js";
import "./chunk-VA35IVHB.js";

// src/watch.ts
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
async function watch(config2) {
  for (; ; ) {
    if (await processStart(config2.runnerPid) !== config2.runnerStart) return;
    const left = config2.deadline - Date.now();
    if (left <= 0) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(left, 1e3)));
  }
  const processes = (await findLeftovers(config2.trackingId)).filter(
    (p) => p.pid !== config2.runnerPid
  );
  const privilege = await detectPrivilege();
  const crashes = await dumpLeftovers(processes, config2.dir, privilege, config2.limits);
  for (const crash of crashes) crash.problems.unshift(`Hung: still running after hang-timeout.`);
  await writeFile(join(config2.dir, "hang.json"), JSON.stringify({ at: Date.now(), crashes }));
  if (config2.action !== "kill") return;
  for (const p of processes) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {
      if (privilege)
        await runAsRoot(privilege, "Killing a hung process", "kill", [
          "-KILL",
          String(p.pid)
        ]).catch(() => void 0);
    }
  }
}
var config = parseWatchConfig(process.env.CRASH_CAPTURE_WATCH ?? "");
if (config) await watch(config).catch(() => void 0);
process.exit(0);
