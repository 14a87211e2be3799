import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  SYSLOG_SOCKET,
  enableCapture,
  hasJournal,
  readCoreLimit,
  readKernelSettings,
  saveCaptureState,
  warmLibraryIndex
} from "./chunk-X7AYUEF2.js";
import {
  getInputs
} from "./chunk-ABMK64BH.js";
import "./chunk-HSAGTQAI.js";
import {
  startWatcher
} from "./chunk-YLI6YXXM.js";
import "./chunk-2UX7GNZQ.js";
import "./chunk-QDU6IIMW.js";
import {
  endGroup,
  exportVariable,
  info,
  saveState,
  setFailed,
  startGroup,
  warning
} from "./chunk-PA6W4IJO.js";
import "./chunk-VA35IVHB.js";

// src/main-step.ts
import { existsSync } from "node:fs";
import { join } from "node:path";
function humanSize(bytes) {
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = "bytes";
  for (const next of units) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`;
}
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
  const limit = await readCoreLimit(process.ppid > 0 ? process.ppid : process.pid);
  if (typeof limit !== "string") {
    lines.push(
      `Core limit of the ${process.ppid > 0 ? "runner process" : "container"} (soft, hard): ${limit.soft}, ${limit.hard}`
    );
  }
  const container = existsSync("/.dockerenv") || existsSync("/run/.containerenv");
  lines.push(`In a container: ${container ? "yes" : "no"}`);
  return lines;
}
async function watchForHangs(timeoutMs, inputs) {
  const temp = process.env.RUNNER_TEMP;
  const trackingId = process.env.RUNNER_TRACKING_ID ?? "";
  if (!temp || !trackingId) {
    warning(
      "hang-timeout is set, but this runner gives no RUNNER_TEMP or RUNNER_TRACKING_ID: no watcher."
    );
    return;
  }
  const watcher = await startWatcher({
    trackingId,
    runnerPid: process.ppid > 0 ? process.ppid : process.pid,
    deadline: Date.now() + timeoutMs,
    action: inputs.hangAction,
    dir: join(temp, `crash-capture-hang-${process.pid}-${Date.now()}`),
    limits: { maxCoreSize: inputs.maxCoreSize, minFreeSpace: inputs.minFreeSpace }
  });
  if (!watcher) return;
  saveState("watcher", JSON.stringify(watcher));
  info(
    `Hang watcher: pid ${watcher.pid}; after ${Math.round(timeoutMs / 1e3)} s it takes the stacks of every process of the job still running${inputs.hangAction === "kill" ? " and kills them" : ""}.`
  );
}
var ASAN_ADDED = "abort_on_error=1:disable_coredump=0";
var LOGGED_ADDED = {
  UBSAN_OPTIONS: "print_stacktrace=1:log_to_syslog=1",
  TSAN_OPTIONS: "log_to_syslog=1",
  LSAN_OPTIONS: "log_to_syslog=1"
};
function addOptions(name, ours) {
  const theirs = process.env[name] ?? "";
  const value = theirs ? `${ours}:${theirs}` : ours;
  exportVariable(name, value);
  return `${name}=${value}${theirs ? " (yours after ours: yours win)" : ""}`;
}
async function setUpSanitizers() {
  const set = [addOptions("ASAN_OPTIONS", ASAN_ADDED)];
  const journal = await hasJournal();
  if (journal)
    for (const [name, ours] of Object.entries(LOGGED_ADDED)) set.push(addOptions(name, ours));
  info(
    `Sanitizers: ${set.join(", ")} for the later steps; sanitizers: off leaves them alone.` + (journal ? "" : ` No system log here (${SYSLOG_SOCKET} and journalctl): UBSan, TSan and standalone LSan reports stay on stderr only.`)
  );
}
async function run() {
  const startedAt = Date.now();
  const inputs = getInputs();
  const { state, facts } = await enableCapture(inputs, startedAt, saveCaptureState);
  saveCaptureState(state);
  const heading = {
    "pipe-handler": "capturing every crash",
    "file-pattern": "core files through a file core_pattern",
    rlimit: "core files through the existing core_pattern",
    none: "capture is off"
  };
  startGroup(`crash-capture: ${heading[state.mode]}`);
  info(`Mode: ${state.mode} (${state.reason})`);
  info(`Privilege: ${describePrivilege(facts.privilege)}`);
  for (const line of await describeMachine(facts)) info(line);
  if (state.mode === "pipe-handler") {
    if (facts.handler) info(`Handler: ${facts.handler}`);
    info(
      `Compression: ${facts.compressor ? `zstd -1 (${facts.compressor})` : "none (zstd is not installed)"}`
    );
    info(
      `Limits: ${humanSize(inputs.maxCoreSize)} per core, ${humanSize(inputs.maxTotalSize)} in all, ${humanSize(inputs.minFreeSpace)} kept free`
    );
    info(
      `Other jobs capturing on this kernel: ${facts.otherJobs}${facts.otherJobs > 0 ? " (each crash goes to the job whose RUNNER_TRACKING_ID it carries)" : ""}`
    );
    info(`Self-check: captured in ${facts.selfCheckMs} ms`);
  }
  endGroup();
  if (state.mode !== "none") {
    const indexed = await warmLibraryIndex().catch(() => []);
    if (indexed.length > 0)
      info(
        `crash-capture: indexing the debug info of ${indexed.length} system librar${indexed.length === 1 ? "y" : "ies"} with gdb in the background (nice 19), for the post step's gdb`
      );
  }
  if (inputs.sanitizers && state.mode !== "none") await setUpSanitizers();
  if (inputs.hangTimeoutMs !== null) await watchForHangs(inputs.hangTimeoutMs, inputs);
  for (const note of facts.notes) warning(note);
  if (state.mode === "pipe-handler") {
    info(`crash-capture: every crash of a later step is captured (${state.reason}).`);
  } else if (state.mode === "file-pattern") {
    warning(
      `crash-capture cannot use its handler: ${state.reason}. Self-check: captured in ${facts.selfCheckMs} ms.`
    );
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
