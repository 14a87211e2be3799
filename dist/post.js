import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  changedElsewhere,
  hasJournal,
  leaveHostCapture,
  loadCaptureState,
  readJournal,
  readKernelSettings,
  removeWarmedIndex,
  warmedIndex,
  writeKernelSettings
} from "./chunk-X7AYUEF2.js";
import {
  ExecutableCandidates,
  buildReport,
  collectStrayCores,
  defaultSearchPaths,
  fileKey,
  identify,
  printCrashes,
  replaceEmulatorCrashes,
  writeReport
} from "./chunk-WJOAQY5W.js";
import {
  renderCrashComment,
  renderNoCrashComment,
  renderStillRunning,
  renderSummary,
  sourceLinksFromEnv,
  stickyComment
} from "./chunk-OVGEZK32.js";
import {
  REPORT_ARTIFACT_PREFIX,
  artifactNameFor,
  getInputs,
  sortCrashes
} from "./chunk-ABMK64BH.js";
import {
  blamedFrameLines,
  blamedLocation,
  groupTitle,
  signalDescription,
  threadPlaces
} from "./chunk-GWWSH5FA.js";
import {
  groupCrashes
} from "./chunk-HSAGTQAI.js";
import {
  dumpLeftovers,
  findLeftovers
} from "./chunk-66HQHXCG.js";
import {
  MORE_RECORDS,
  crashDirOf,
  stopWatcher
} from "./chunk-YLI6YXXM.js";
import {
  analyzeAll,
  detectPrivilege,
  findGdb,
  findMultiarchGdb,
  installGdb,
  isForeign,
  loggedAnalyses,
  runAsRoot,
  stacksOf
} from "./chunk-2UX7GNZQ.js";
import {
  BundleStager,
  describeFailure,
  inParallel,
  isRunning,
  newCrash,
  newFrame,
  portable,
  runCommand
} from "./chunk-QDU6IIMW.js";
import {
  canUpload,
  safeArtifactName
} from "./chunk-PUNQGZOI.js";
import {
  core_exports,
  endGroup,
  getState,
  info,
  setFailed,
  setOutput,
  startGroup,
  summary,
  warning
} from "./chunk-PA6W4IJO.js";
import "./chunk-VA35IVHB.js";

// src/post-step.ts
import { randomBytes } from "node:crypto";
import { access, mkdir as mkdir3, realpath, rm, stat as stat3 } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { basename, dirname as dirname2, join as join4, resolve } from "node:path";

// src/capture/restore.ts
async function restoreCapture(state, privilege) {
  if (state.mode === "file-pattern") return restoreFilePattern(state, privilege);
  if (state.mode !== "pipe-handler" || !state.sessionDir || !state.installedPattern) {
    return { handlerDetached: true, handledAll: false, otherJobs: 0, warnings: [] };
  }
  if (!privilege) {
    return {
      handlerDetached: false,
      handledAll: false,
      otherJobs: 0,
      warnings: ["The kernel settings cannot be restored: neither root nor passwordless sudo now."]
    };
  }
  const warnings = [];
  if (!state.complete) {
    warnings.push(
      "The main step did not finish (cancelled or killed while it enabled capture): whatever it had changed is put back now."
    );
  }
  const crashDir = crashDirOf(state.sessionDir);
  try {
    const left = await leaveHostCapture(
      privilege,
      crashDir,
      state.sessionDir,
      state.installedPattern,
      state.previous,
      state.complete
    );
    return {
      handlerDetached: true,
      handledAll: left.handledAll,
      otherJobs: left.others,
      warnings: [...warnings, ...left.warnings]
    };
  } catch (error) {
    warnings.push(`Leaving the host capture failed: ${error.message}`);
    return { handlerDetached: false, handledAll: false, otherJobs: 0, warnings };
  }
}
async function restoreFilePattern(state, privilege) {
  const done = (warnings) => ({
    handlerDetached: true,
    handledAll: false,
    otherJobs: 0,
    warnings
  });
  if (!state.previous || !state.installedPattern) return done([]);
  if (!privilege)
    return done(["The kernel settings cannot be restored: neither root nor passwordless sudo now."]);
  const current = await readKernelSettings();
  if (current.corePattern !== state.installedPattern)
    return done([changedElsewhere(current.corePattern)]);
  try {
    await writeKernelSettings(
      privilege,
      { ...current, corePattern: state.previous.corePattern },
      true
    );
    return done([]);
  } catch (error) {
    return done([`Restoring the kernel settings failed: ${error.message}`]);
  }
}

// src/collect/coredumpctl.ts
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { constants } from "node:os";
function toNumber(value) {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && /^\d+$/.test(value)) return Number(value);
  return null;
}
function toSignal(value) {
  const n = toNumber(value);
  if (n !== null) return n;
  if (typeof value !== "string") return null;
  const name = value.startsWith("SIG") ? value : `SIG${value}`;
  return constants.signals[name] ?? null;
}
function parseCoredumpList(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(value)) return [];
  const entries = [];
  for (const item of value) {
    if (typeof item !== "object" || item === null) continue;
    const v = item;
    const time = toNumber(v.time);
    const pid = toNumber(v.pid);
    const signal = toSignal(v.sig);
    if (time === null || pid === null || signal === null) continue;
    entries.push({
      time,
      pid,
      uid: toNumber(v.uid) ?? -1,
      gid: toNumber(v.gid) ?? -1,
      signal,
      corefile: typeof v.corefile === "string" ? v.corefile : "unknown",
      exe: typeof v.exe === "string" ? v.exe : null
    });
  }
  return entries;
}
async function collectCoredumps(since, stageDir, timeoutMs = 6e4) {
  const list = await runCommand(
    "coredumpctl",
    ["list", "--json=short", "--no-pager", "--quiet", `--since=@${Math.floor(since / 1e3)}`],
    { timeoutMs }
  );
  if (list.startError)
    return {
      crashes: [],
      problems: [],
      status: "systemd-coredump is not installed: nothing to collect from it."
    };
  if (list.timedOut)
    return {
      crashes: [],
      problems: ["coredumpctl did not answer in time."],
      status: "coredumpctl timed out."
    };
  const entries = list.code === 0 ? parseCoredumpList(list.stdout) : [];
  if (list.code !== 0 && !/No coredumps found/i.test(list.stderr + list.stdout)) {
    return {
      crashes: [],
      problems: [`coredumpctl list failed: ${describeFailure(list)}`],
      status: "coredumpctl failed."
    };
  }
  const crashes = [];
  const problems = [];
  for (const entry of entries.filter((e) => e.time / 1e3 >= since)) {
    const id = `coredump-${Math.floor(entry.time / 1e6)}-${entry.pid}`;
    const dir = join(stageDir, id);
    await mkdir(dir, { recursive: true });
    const core = join(dir, "core");
    let coreNote = null;
    let stored = null;
    if (["present", "journal", "truncated"].includes(entry.corefile)) {
      const dump = await runCommand(
        "coredumpctl",
        ["dump", "--no-pager", "--quiet", `--output=${core}`, String(entry.pid)],
        { timeoutMs }
      );
      if (dump.code === 0) stored = core;
      else coreNote = `coredumpctl dump failed: ${describeFailure(dump)}`;
    } else {
      coreNote = `systemd-coredump kept no core (${entry.corefile})`;
    }
    crashes.push(
      newCrash(id, "systemd-coredump", dir, {
        pid: entry.pid,
        signal: entry.signal,
        time: Math.floor(entry.time / 1e6),
        uid: entry.uid,
        gid: entry.gid,
        executablePath: entry.exe,
        core: stored,
        coreState: stored ? entry.corefile === "truncated" ? "truncated" : "complete" : "dropped",
        coreNote,
        problems: coreNote ? [coreNote] : []
      })
    );
  }
  return {
    crashes,
    problems,
    status: `systemd-coredump: ${crashes.length} crash(es) since the main step.`
  };
}

// src/collect/handler-dirs.ts
import { constants as constants2 } from "node:fs";
import { spawn } from "node:child_process";
import { copyFile, link, mkdir as mkdir2, open, readdir, stat as stat2, statfs } from "node:fs/promises";
import { dirname, join as join3 } from "node:path";

// src/collect/site.ts
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { join as join2 } from "node:path";
function siteKey(exe, signal, pc, stack, files, wide) {
  if (stack.length < 64 || files.length === 0) return null;
  const where = (address) => {
    const mapping = files.find((m) => address >= m.start && address < m.end);
    return mapping ? `${mapping.path}+${(address - mapping.start + mapping.offset).toString(16)}` : null;
  };
  const hash = createHash("sha256");
  hash.update(`${exe}\0${signal}\0${where(pc) ?? `0x${pc.toString(16)}`}`);
  const size = wide ? 8 : 4;
  for (let at = 0; at + size <= stack.length; at += size) {
    const word = wide ? stack.readBigUInt64LE(at) : BigInt(stack.readUInt32LE(at));
    const place = word === 0n ? null : where(word);
    if (place) hash.update(`\0${place}`);
  }
  return hash.digest("hex").slice(0, 24);
}
async function crashSiteKey(source, signal) {
  const [site, stack, maps, exe] = await Promise.all([
    readFile(join2(source, "site"), "utf8").catch(() => null),
    readFile(join2(source, "stack")).catch(() => null),
    readFile(join2(source, "maps"), "utf8").catch(() => null),
    stat(join2(source, "exe")).catch(() => null)
  ]);
  if (site === null || stack === null || maps === null || !exe?.isFile()) return null;
  const pc = /^pc=(\d{1,20})$/m.exec(site)?.[1];
  if (!pc) return null;
  const code = codeMappings(maps);
  const wide = code.some((m) => m.end > 0xffffffffn);
  return siteKey(`${exe.dev}-${exe.ino}`, signal, BigInt(pc), stack, code, wide);
}
function coreSiteKey(core, executable) {
  const thread = core.threads[0];
  if (!thread?.pc || !core.stack) return null;
  const signal = core.signal?.number ?? thread.signal;
  return siteKey(executable, signal, BigInt(thread.pc), core.stack, core.mappings, core.bits === 64);
}
function markCoreTwins(crashes, cores) {
  const sites = /* @__PURE__ */ new Map();
  for (const crash of crashes) {
    if (crash.source !== "core-file" && crash.source !== "systemd-coredump") continue;
    const core = cores.get(crash);
    const exe = crash.buildId ?? crash.executablePath;
    if (crash.twinOf || !core || !crash.core || !crash.executable || !exe) continue;
    const key = coreSiteKey(core, exe);
    if (!key) continue;
    const first = sites.get(key);
    if (first) crash.twinOf = first;
    else sites.set(key, crash.id);
  }
}
function codeMappings(maps) {
  const found = [];
  for (const line of maps.split("\n")) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) r-xp ([0-9a-f]+) \S+ \d+\s+(.*)$/.exec(line);
    if (!m) continue;
    found.push({
      start: BigInt(`0x${m[1]}`),
      end: BigInt(`0x${m[2]}`),
      offset: BigInt(`0x${m[3]}`),
      path: m[4]
    });
  }
  return found;
}

// src/collect/handler-dirs.ts
var CRASH_NAME = /^(\d{1,20})-(\d{1,10})(?:-\d)?$/;
async function crashFolders(crashesDir) {
  const entries = await readdir(crashesDir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory() && CRASH_NAME.test(e.name)).map((e) => e.name);
}
async function readCapped(path, max = 64 * 1024) {
  let handle;
  try {
    handle = await open(path, constants2.O_RDONLY | constants2.O_NOFOLLOW | constants2.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const buffer = Buffer.alloc(max);
    const { bytesRead } = await handle.read(buffer, 0, max, 0);
    return buffer.subarray(0, bytesRead).toString("utf8");
  } finally {
    await handle.close();
  }
}
function parseKeyValues(text) {
  const values = /* @__PURE__ */ new Map();
  for (const line of (text ?? "").split("\n")) {
    const at = line.indexOf("=");
    if (at > 0) values.set(line.slice(0, at), line.slice(at + 1));
  }
  return values;
}
function toInt(value) {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : -1;
}
function stripNewline(text) {
  if (text === null) return null;
  const value = text.replace(/\n$/, "");
  return value === "" ? null : value;
}
async function exists(path) {
  return stat2(path).then(
    () => true,
    () => false
  );
}
async function waitForHandlers(crashesDir, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (; ; ) {
    const names = await crashFolders(crashesDir);
    const pending = [];
    for (const name of names) {
      if (!await exists(join3(crashesDir, name, "result"))) pending.push(name);
    }
    if (pending.length === 0 || Date.now() >= deadline) return pending;
    await new Promise((resolve2) => setTimeout(resolve2, 100));
  }
}
async function stageFile(from, to) {
  if (await exists(to)) return;
  try {
    await link(from, to);
  } catch {
    await copyFile(from, to, constants2.COPYFILE_EXCL);
  }
}
var STAGE_MARGIN = 32 * 1024 * 1024;
var BLOCK = 64 * 1024;
var ZEROS = Buffer.alloc(BLOCK);
async function freeBytes(path) {
  const info2 = await statfs(path);
  return Number(info2.bavail) * Number(info2.bsize);
}
async function decompressBounded(source, target, limit) {
  const child = spawn("zstd", ["-d", "-q", "-c", "--", source], {
    stdio: ["ignore", "pipe", "pipe"]
  });
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk) => stderr = (stderr + chunk).slice(-2e3));
  const exited = new Promise((done) => {
    child.on("error", (error2) => done({ code: null, error: error2.message }));
    child.on("close", (code2) => done({ code: code2, error: null }));
  });
  const out = await open(target, "wx", 384);
  let bytes = 0;
  let cut = false;
  try {
    for await (const chunk of child.stdout) {
      let data = chunk;
      if (bytes + data.length > limit) {
        data = data.subarray(0, Math.max(0, limit - bytes));
        cut = true;
      }
      for (let at = 0; at < data.length; at += BLOCK) {
        const piece = data.subarray(at, at + BLOCK);
        if (!piece.equals(ZEROS.subarray(0, piece.length)))
          await out.write(piece, 0, piece.length, bytes + at);
      }
      bytes += data.length;
      if (cut) {
        child.kill("SIGKILL");
        break;
      }
    }
    await out.truncate(bytes);
  } finally {
    await out.close();
  }
  const { code, error } = await exited;
  if (cut) return { bytes, cut, error: null };
  if (error) return { bytes, cut, error: `zstd could not run: ${error}` };
  if (code !== 0) return { bytes, cut, error: `zstd exited with ${code}: ${stderr.trim()}` };
  return { bytes, cut, error: null };
}
async function decompressWhole(source, target) {
  const result = await runCommand("zstd", ["-d", "-q", "-f", "-o", target, "--", source], {
    timeoutMs: 6e5
  });
  const bytes = (await stat2(target).catch(() => null))?.size ?? 0;
  return {
    bytes,
    cut: false,
    error: result.code === 0 ? null : `zstd ${describeFailure(result)}`
  };
}
var reservedBytes = 0;
async function keepPacked(source, target) {
  return link(join3(source, "core.zst"), `${target}.zst`).then(
    () => `${target}.zst`,
    () => null
  );
}
async function stageCore(source, target, limits) {
  if (await exists(join3(source, "core.zst"))) {
    const room = await freeBytes(dirname(target)) - limits.minFreeSpace - STAGE_MARGIN - reservedBytes;
    const limit = Math.min(limits.maxCoreSize, Math.max(0, room));
    if (limit <= 0)
      return {
        core: null,
        packed: null,
        cut: null,
        note: "the core was not decompressed: less than min-free-space is left where the post step stages crashes"
      };
    reservedBytes += limit;
    const result = await (limit >= limits.maxCoreSize ? decompressWhole(join3(source, "core.zst"), target) : decompressBounded(join3(source, "core.zst"), target, limit)).finally(() => reservedBytes -= limit);
    const why = limit < limits.maxCoreSize ? "min-free-space" : "max-core-size";
    const cut = result.cut ? `the decompressed core was cut at ${result.bytes} bytes (${why})` : null;
    if (result.error)
      return {
        core: result.bytes > 0 ? target : null,
        packed: null,
        cut,
        note: `decompressing the core failed: ${result.error}`
      };
    return { core: target, packed: cut ? null : await keepPacked(source, target), cut, note: null };
  }
  if (await exists(join3(source, "core"))) {
    await stageFile(join3(source, "core"), target);
    return { core: target, packed: null, cut: null, note: null };
  }
  return { core: null, packed: null, cut: null, note: null };
}
var executablesStaged = /* @__PURE__ */ new Map();
async function stageHandlerCrash(source, stageDir, finished, limits, twinOf = null) {
  const name = source.split("/").pop() ?? "";
  if (!CRASH_NAME.test(name)) return null;
  const dir = join3(stageDir, name);
  await mkdir2(dir, { recursive: true });
  const meta = parseKeyValues(await readCapped(join3(source, "meta")));
  const result = parseKeyValues(await readCapped(join3(source, "result")));
  const cmdline = await readCapped(join3(source, "cmdline")) ?? "";
  let executable = null;
  const exeSource = join3(source, "exe");
  const exeInfo = await stat2(exeSource).catch(() => null);
  if (exeInfo?.isFile()) {
    await mkdir2(join3(stageDir, "executables"), { recursive: true });
    executable = join3(stageDir, "executables", `${exeInfo.dev}-${exeInfo.ino}`);
    let staging = executablesStaged.get(executable);
    if (!staging) {
      staging = stageFile(exeSource, executable);
      executablesStaged.set(executable, staging);
    }
    await staging;
  }
  let maps = null;
  if (await exists(join3(source, "maps"))) {
    maps = join3(dir, "maps");
    await stageFile(join3(source, "maps"), maps);
  }
  const staged = twinOf ? { core: null, packed: await keepPacked(source, join3(dir, "core")), cut: null, note: null } : await stageCore(source, join3(dir, "core"), limits);
  let coreState;
  let coreNote = staged.note ?? staged.cut;
  const recorded = result.get("core");
  if (!finished) {
    coreState = "incomplete";
    coreNote = coreNote ?? "the handler had not finished writing this crash when the post step ran";
  } else if (recorded === "truncated" || recorded === "dropped") {
    coreState = recorded;
    coreNote = coreNote ?? result.get("reason") ?? null;
  } else if (staged.cut) {
    coreState = "truncated";
  } else {
    coreState = staged.core ? "complete" : "dropped";
    if (twinOf) {
      coreState = staged.packed ? "complete" : "dropped";
      coreNote = `not decompressed: it crashed where ${twinOf} did, whose backtrace stands for it${staged.packed ? "" : " (and its compressed core could not be kept)"}`;
    } else if (!staged.core) coreNote = coreNote ?? "no core was stored";
  }
  const exeNote = await readCapped(join3(source, "exe-note"), 1024);
  const rootFiles = [];
  const otherRoot = meta.get("root") === "other";
  if (otherRoot) {
    const libs = await readdir(join3(source, "libs"), { withFileTypes: true }).catch(() => []);
    await mkdir2(join3(dir, "libs"), { recursive: true });
    for (const entry of libs) {
      if (!entry.isFile() || !/^[0-9a-f]+_[0-9a-f]+_\d+$/.test(entry.name)) continue;
      await stageFile(join3(source, "libs", entry.name), join3(dir, "libs", entry.name));
      rootFiles.push(join3(dir, "libs", entry.name));
    }
  }
  const cgroup = otherRoot ? await readCapped(join3(source, "cgroup"), 4096) ?? "" : "";
  return {
    id: name,
    source: "handler",
    dir,
    pid: toInt(meta.get("pid")),
    tid: toInt(meta.get("tid")),
    signal: toInt(meta.get("signal")),
    time: toInt(meta.get("time")),
    uid: toInt(meta.get("uid")),
    gid: toInt(meta.get("gid")),
    comm: await readCapped(join3(source, "comm"), 256) ?? "",
    executablePath: stripNewline(await readCapped(join3(source, "exe-path"), 8192)),
    executable,
    commandLine: cmdline.split("\0").filter((arg, i, all) => arg !== "" || i < all.length - 1),
    cwd: stripNewline(await readCapped(join3(source, "cwd"), 8192)),
    core: staged.core,
    packedCore: staged.packed,
    coreState,
    coreNote,
    maps,
    buildId: null,
    executableReason: executable ? "the copy the handler took through /proc/PID/exe" : null,
    libraries: [],
    otherRoot: otherRoot ? { container: /([0-9a-f]{64})/.exec(cgroup)?.[1] ?? null } : null,
    rootFiles,
    problems: exeNote ? [`The handler did not copy the ${exeNote.trim()}.`] : [],
    twinOf,
    machine: null,
    loadDisplacement: null
  };
}
async function collectHandlerCrashes(sessionDir, stageDir, waitMs, limits) {
  const crashesDir = join3(sessionDir, "crashes");
  const pending = new Set(await waitForHandlers(crashesDir, waitMs));
  const names = (await crashFolders(crashesDir)).sort(
    (a, b) => a.localeCompare(b, "en", { numeric: true })
  );
  const problems = [];
  const sites = /* @__PURE__ */ new Map();
  const plans = [];
  for (const name of names) {
    const source = join3(crashesDir, name);
    const finished = !pending.has(name);
    const signal = toInt(parseKeyValues(await readCapped(join3(source, "meta"))).get("signal"));
    const key = finished ? await crashSiteKey(source, signal).catch(() => null) : null;
    const twin = key ? sites.get(key) ?? null : null;
    if (key && !twin) sites.set(key, name);
    plans.push({ name, source, finished, twin });
  }
  const staged = plans.map(() => null);
  await inParallel(plans, 2, async (plan, index) => {
    try {
      staged[index] = await stageHandlerCrash(
        plan.source,
        stageDir,
        plan.finished,
        limits,
        plan.twin
      );
    } catch (error) {
      problems.push(`Crash ${plan.name} could not be read: ${error.message}`);
    }
  });
  const crashes = staged.filter((crash) => crash !== null);
  if (await exists(join3(sessionDir, "overflow")))
    problems.push(
      `More crashes happened than the handler keeps records of (max-cores plus ${MORE_RECORDS}): the later ones were not recorded.`
    );
  return { crashes, problems };
}
async function unattributedCrashes(crashDir, since) {
  const dir = join3(crashDir, "unattributed");
  const names = await readdir(dir).catch(() => []);
  const found = [];
  for (const name of names.filter((n) => CRASH_NAME.test(n)).sort()) {
    const meta = parseKeyValues(await readCapped(join3(dir, name, "meta"), 4096));
    if (toInt(meta.get("time")) * 1e3 < since - 1e3) continue;
    const exe = stripNewline(await readCapped(join3(dir, name, "exe-path"), 4096)) ?? "?";
    const cgroup = stripNewline(await readCapped(join3(dir, name, "cgroup"), 1024)) ?? "";
    const container = /([0-9a-f]{64})/.exec(cgroup)?.[1];
    found.push(
      `pid ${toInt(meta.get("pid"))}, signal ${toInt(meta.get("signal"))}, ${exe}${container ? `, in container ${container.slice(0, 12)}` : ""}`
    );
  }
  return found;
}

// src/analyze/sanitizer-log.ts
var MAX_LINES = 400;
var UBSAN_CHECKS = [
  [/^(signed integer overflow|negation of -?\d+ cannot be represented)/, "signed-integer-overflow"],
  [/^unsigned integer overflow/, "unsigned-integer-overflow"],
  [/^division by zero/, "integer-divide-by-zero"],
  [/^(shift exponent|left shift of)/, "shift"],
  [/misaligned address/, "alignment"],
  [/null pointer|applying (zero|non-zero) offset to null/, "null"],
  [/^index -?\d+ out of bounds/, "bounds"],
  [/not a valid value for type '(bool|_Bool)'/, "bool"],
  [/not a valid value for type/, "enum"],
  [
    /^(pointer index expression|addition of unsigned offset|subtraction of unsigned offset|applying non-zero offset)/,
    "pointer-overflow"
  ],
  [/^execution reached an unreachable program point/, "unreachable"],
  [/^execution reached the end of a value-returning function/, "return"],
  [/^variable length array bound/, "vla-bound"],
  [/is outside the range of representable values/, "float-cast-overflow"],
  [/through pointer to incorrect function type/, "function"],
  [/^load of value .* which is not a valid value/, "bool"],
  [/^(load|store) of address .* with insufficient space/, "object-size"]
];
function ubsanKind(message) {
  for (const [pattern, kind] of UBSAN_CHECKS) if (pattern.test(message)) return kind;
  return message.replace(/0x[0-9a-f]+|-?\d+/g, "N").split(" ").slice(0, 6).join(" ");
}
function joinPieces(messages) {
  const lines = [];
  for (const message of messages) {
    const piece = message.replace(/\r?\n$/, "");
    if (lines.length > 0 && /^(:| \(| at:)/.test(piece)) lines[lines.length - 1] += piece;
    else lines.push(piece);
  }
  return lines;
}
var UBSAN_ERROR = /^(.+?):(\d+):(\d+): runtime error: (.*)$/;
var TSAN_WARNING = /^WARNING: ThreadSanitizer: (.+?)(?: \(pid=\d+\))?\s*$/;
var LSAN_ERROR = /^==\d+==ERROR: LeakSanitizer: detected memory leaks\s*$/;
var SEPARATOR = /^={10,}$/;
var LEAK = /^(Direct|Indirect) leak of \d+ byte\(s\) in \d+ object\(s\) allocated from:\s*$/;
function blockEnd(lines, from, stops) {
  let end = from + 1;
  while (end < lines.length && end - from < MAX_LINES && !stops(lines[end])) end++;
  return end;
}
function reportsOf(lines) {
  const reports = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    const ubsan = UBSAN_ERROR.exec(line);
    if (ubsan) {
      const end = blockEnd(
        lines,
        i,
        (l) => UBSAN_ERROR.test(l) || TSAN_WARNING.test(l) || SEPARATOR.test(l)
      );
      const body = lines.slice(i, end);
      const [, file, lineNo, column, message] = ubsan;
      const location = `${file}:${lineNo}:${column}`;
      const stacks = stacksOf(body.slice(1), message);
      if (stacks[0]) stacks[0].title = message;
      if (stacks.length === 0)
        stacks.push({
          title: message,
          frames: [newFrame({ level: 0, file, fullname: file, line: Number(lineNo) })]
        });
      reports.push({
        tool: "UndefinedBehaviorSanitizer",
        kind: ubsanKind(message),
        headline: `${message} at ${location}`,
        summary: null,
        location,
        stacks,
        text: body.join("\n")
      });
      i = end;
      continue;
    }
    const tsan = TSAN_WARNING.exec(line);
    if (tsan) {
      const end = blockEnd(lines, i, (l) => SEPARATOR.test(l));
      const body = lines.slice(i, end);
      const summary2 = body.map((l) => /^SUMMARY: ThreadSanitizer: (.*)$/.exec(l)?.[1]).find(Boolean);
      reports.push({
        tool: "ThreadSanitizer",
        kind: tsan[1],
        headline: tsan[1],
        summary: summary2 ? `ThreadSanitizer: ${summary2.trim()}` : null,
        location: summary2 ? / (\S+:\d+)(?::\d+)? in /.exec(summary2)?.[1] ?? null : null,
        // The racing accesses; thread creation stacks and locations are for reading, not blame.
        stacks: stacksOf(body.slice(1), tsan[1]).filter((s) => !/^Thread T\d+/.test(s.title)),
        text: body.join("\n")
      });
      i = end;
      continue;
    }
    if (LSAN_ERROR.test(line)) {
      const end = blockEnd(lines, i, (l) => /^SUMMARY: LeakSanitizer/.test(l));
      const summary2 = lines[end]?.replace(/^SUMMARY: /, "") ?? null;
      let j = i + 1;
      while (j < end) {
        const leak = LEAK.exec(lines[j]);
        if (!leak) {
          j++;
          continue;
        }
        let k = j + 1;
        while (k < end && !LEAK.test(lines[k])) k++;
        const body = lines.slice(j, k);
        reports.push({
          tool: "LeakSanitizer",
          kind: leak[1] === "Direct" ? "leak" : "indirect leak",
          headline: lines[j].replace(/ allocated from:\s*$/, ""),
          summary: summary2,
          location: null,
          stacks: stacksOf(body, lines[j]),
          text: body.join("\n").trimEnd()
        });
        j = k;
      }
      i = end + 1;
      continue;
    }
    i++;
  }
  return reports;
}
function loggedReports(lines, skip = /* @__PURE__ */ new Set()) {
  const byPid = /* @__PURE__ */ new Map();
  for (const line of lines) {
    if (skip.has(line.pid)) continue;
    const list = byPid.get(line.pid) ?? [];
    list.push(line);
    byPid.set(line.pid, list);
  }
  const found = [];
  for (const [pid, list] of byPid) {
    const first = list[0];
    for (const report2 of reportsOf(joinPieces(list.map((l) => l.message))))
      found.push({
        pid,
        uid: first.uid,
        time: Math.floor(first.time / 1e6),
        exe: first.exe,
        cmdline: first.cmdline,
        comm: first.comm,
        report: report2
      });
  }
  return found;
}

// src/report/annotations.ts
var MAX_ANNOTATIONS = 10;
var MAX_ANNOTATION_MESSAGE = 4096;
var MESSAGE_FRAMES = 8;
function renderAnnotations(groups) {
  return groups.slice(0, MAX_ANNOTATIONS).map((group) => {
    const first = group.analyses[0];
    const lines = [
      `${signalDescription(first)} in ${first.crash.executablePath ?? first.crash.comm} (pid ${first.crash.pid})`,
      ...blamedLocation(first) ? [] : ["No frame of the crashing thread is in this repository."],
      ...blamedFrameLines(first, MESSAGE_FRAMES)
    ];
    let message = lines.join("\n");
    if (message.length > MAX_ANNOTATION_MESSAGE) {
      message = message.slice(0, MAX_ANNOTATION_MESSAGE - 2) + " \u2026";
    }
    const annotation = { title: groupTitle(group).slice(0, 255), message };
    if (first.blame?.path && first.blame.line !== null) {
      annotation.file = first.blame.path;
      annotation.startLine = first.blame.line;
    }
    return annotation;
  });
}

// src/post-step.ts
var HANDLER_WAIT_MS = 3e4;
var IDENTIFY_DEADLINE_MS = 3e5;
async function withTimeout(promise, ms) {
  let timer;
  const timeout = new Promise((resolve2) => {
    timer = setTimeout(() => resolve2(null), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
async function stageDirectory(state) {
  const name = state?.sessionDir ? basename(state.sessionDir) : randomBytes(4).toString("hex");
  const dir = join4(process.env.RUNNER_TEMP || tmpdir(), `crash-capture-${name}`);
  await mkdir3(dir, { recursive: true });
  return dir;
}
async function restore(state) {
  if (!state) {
    info(
      "crash-capture: the main step saved no state (it failed or did not run): nothing to restore."
    );
    return { privilege: null, detached: true, handledAll: false };
  }
  if (state.mode !== "pipe-handler" && state.mode !== "file-pattern")
    return { privilege: null, detached: true, handledAll: false };
  const privilege = await detectPrivilege();
  const strangers = state.sessionDir ? await unattributedCrashes(crashDirOf(state.sessionDir), state.startedAt) : [];
  if (strangers.length > 0)
    warning(
      `${strangers.length} crash(es) on this kernel during the job belonged to no capturing job (no matching RUNNER_TRACKING_ID: a docker run container, a system daemon, another tool), so they are not counted as this job's: ${strangers.slice(0, 10).join("; ")}${strangers.length > 10 ? "; \u2026" : ""}`
    );
  const restored = await restoreCapture(state, privilege);
  for (const warning2 of restored.warnings) warning(warning2);
  if (restored.warnings.length === 0) {
    const how = privilege === "sudo" ? " (through sudo -n, as were removing the handler and, if needed, installing gdb)" : "";
    info(
      restored.otherJobs > 0 ? `crash-capture: this job left the host capture; ${restored.otherJobs} other job(s) still capture on this kernel, and the last one out restores the settings.` : `crash-capture: kernel core settings restored${how}.`
    );
  }
  if (state.otherJobs > 0 || restored.otherJobs > 0)
    info(
      `crash-capture: other jobs capturing on this kernel: ${state.otherJobs} when this job started, ${restored.otherJobs} when it ended.`
    );
  return { privilege, detached: restored.handlerDetached, handledAll: restored.handledAll };
}
async function collect(state, restoration, stage, inputs, workspace) {
  const crashes = [];
  const session = state?.mode === "pipe-handler" ? state.sessionDir : null;
  if (session) {
    const found = await collectHandlerCrashes(session, stage, HANDLER_WAIT_MS, inputs);
    for (const problem of found.problems) warning(problem);
    crashes.push(...found.crashes);
  }
  const guestCores = /* @__PURE__ */ new Set();
  if (state && crashes.length > 0)
    crashes.splice(
      0,
      crashes.length,
      ...await replaceEmulatorCrashes(crashes, state.startedAt, stage, guestCores)
    );
  if (state) {
    const seen = new Set(guestCores);
    for (const crash of crashes) {
      const info2 = crash.core ? await stat3(crash.core).catch(() => null) : null;
      if (info2) seen.add(fileKey(info2));
    }
    const patterns = [
      ...state.coreDir ? [`${state.coreDir}/core.*`] : [],
      ...inputs.searchPaths.length > 0 ? inputs.searchPaths : restoration.handledAll ? [] : defaultSearchPaths(workspace)
    ];
    const stray = await collectStrayCores(patterns, state.startedAt, stage, seen).catch(
      (error) => ({
        crashes: [],
        problems: [`Searching for core files failed: ${error.message}`]
      })
    );
    for (const problem of stray.problems) warning(problem);
    crashes.push(...stray.crashes);
    if (!restoration.handledAll) {
      const coredumps = await collectCoredumps(state.startedAt, stage);
      info(`crash-capture: ${coredumps.status}`);
      for (const problem of coredumps.problems) warning(problem);
      crashes.push(...coredumps.crashes);
    }
  }
  const watcher = parseWatcher(getState("watcher"));
  const hung = watcher ? await stopWatcher(watcher) : [];
  crashes.push(...hung);
  if (inputs.leftoverProcesses !== "ignore" /* Ignore */) {
    const leftovers = (await findLeftovers(process.env.RUNNER_TRACKING_ID ?? "")).filter(
      (p) => !hung.some((crash) => crash.pid === p.pid)
    );
    if (leftovers.length > 0) {
      const privilege = restoration.privilege ?? await detectPrivilege();
      crashes.push(...await dumpLeftovers(leftovers, stage, privilege, inputs));
    }
  }
  const cores = /* @__PURE__ */ new Map();
  const candidates = new ExecutableCandidates(inputs.executables, stage);
  const deadline = Date.now() + IDENTIFY_DEADLINE_MS;
  for (const crash of crashes) {
    const left = deadline - Date.now();
    const identified = left > 0 ? await withTimeout(identify(crash, candidates), left) : null;
    if (!identified) {
      crash.problems.push(
        `Not identified: identifying the crashes took longer than ${IDENTIFY_DEADLINE_MS / 1e3} s in all.`
      );
      continue;
    }
    crash.problems.push(...identified.problems);
    if (identified.core) cores.set(crash, identified.core);
  }
  markCoreTwins(crashes, cores);
  return { crashes, cores, logged: await sanitizerLog(state, restoration, inputs, crashes) };
}
async function sanitizerLog(state, restoration, inputs, crashes) {
  if (!state || !inputs.sanitizers || !await hasJournal()) return [];
  const read = await readJournal(state.startedAt, process.getuid?.() ?? 0, restoration.privilege);
  if ("problem" in read) {
    warning(`Sanitizer reports in the system log could not be read: ${read.problem}.`);
    return [];
  }
  return loggedReports(read.lines, new Set(crashes.map((crash) => crash.pid)));
}
async function findOrInstallGdb(multiarch, inputs, privilege) {
  const name = multiarch ? "gdb-multiarch" : "gdb";
  const found = multiarch ? await findMultiarchGdb() : await findGdb();
  if (found) return found;
  if (!inputs.installGdb) return { missing: `${name} is not installed (install-gdb is false)` };
  info(
    multiarch ? "crash-capture: a core of another machine needs gdb-multiarch; installing it." : "crash-capture: gdb is not installed; installing it to backtrace the crashes."
  );
  try {
    return await installGdb(privilege ?? await detectPrivilege(), multiarch);
  } catch (error) {
    const which = multiarch ? "Cores of another machine are" : "Crashes are";
    warning(`${error.message}. ${which} reported without backtraces.`);
    return { missing: `${name} is not installed and could not be installed` };
  }
}
async function analyze({ crashes, cores }, inputs, privilege, workspace) {
  if (!crashes.some((crash) => crash.core && crash.executable))
    return analyzeAll(crashes, cores, { missing: "" });
  const gdb = await findOrInstallGdb(false, inputs, privilege);
  if (typeof gdb !== "string") return analyzeAll(crashes, cores, gdb);
  const scripts = [];
  for (const script of inputs.gdbScripts) {
    const path = resolve(workspace, script);
    const exists2 = await access(path).then(
      () => true,
      () => false
    );
    if (exists2) scripts.push(path);
    else
      warning(`The gdb script '${script}' (input gdb-scripts) does not exist: it is skipped.`);
  }
  const multiarch = crashes.some(
    (crash) => crash.core && crash.executable && isForeign(cores.get(crash))
  ) ? await findOrInstallGdb(true, inputs, privilege) : void 0;
  return analyzeAll(crashes, cores, {
    gdb,
    multiarch,
    workspace,
    scripts,
    commands: inputs.gdbCommands,
    warn: (message) => warning(message),
    skipFrames: inputs.skipFrames,
    timeoutMsPerCore: inputs.gdbTimeoutSeconds * 1e3,
    indexCache: await warmedIndex(),
    parallel: Math.min(2, availableParallelism())
  });
}
function comment(inputs, groups, artifact) {
  const key = inputs.commentKey;
  return stickyComment(inputs, (runUrl, existing) => {
    if (groups.length > 0)
      return renderCrashComment(groups, key, runUrl, sourceLinksFromEnv(), artifact);
    if (existing || inputs.comment === "always" /* Always */)
      return renderNoCrashComment(key, runUrl, existing);
    return null;
  });
}
function show(groups, expected, job, running = [], hangs = []) {
  const tag = job ? `[${job.slice(0, 100)}] ` : "";
  printCrashes(groups, tag);
  printCrashes(expected, `${tag}expected: `);
  const annotate = (kind, list, prefix = "") => {
    for (const annotation of renderAnnotations(list)) {
      core_exports[kind](annotation.message, {
        title: `${tag}${prefix}${annotation.title}`.slice(0, 255),
        file: annotation.file,
        startLine: annotation.startLine
      });
    }
  };
  annotate("error", groups);
  annotate("notice", expected, "Expected crash (expected-crashes): ");
  printCrashes(hangs, tag);
  annotate("warning", hangs, "Hang (hang-timeout): ");
  printCrashes(running, tag);
  annotate("warning", running, "Still running at the end of the job: ");
}
function reportRules(rules, matched) {
  if (rules.length === 0) return;
  startGroup("crash-capture: expected-crashes rules");
  for (const rule of rules) {
    const count = matched[rule.index - 1] ?? 0;
    info(
      `rule ${rule.index} (${rule.text}): ${count === 0 ? "matched no crash" : `${count} crash${count === 1 ? "" : "es"}`}`
    );
  }
  endGroup();
}
function parseWatcher(text) {
  try {
    const watcher = JSON.parse(text);
    return typeof watcher.pid === "number" && typeof watcher.dir === "string" ? watcher : null;
  } catch {
    return null;
  }
}
function blameRunning(analysis) {
  const places = threadPlaces(analysis);
  const place = places.find((p) => p.thread !== 1) ?? places[0];
  const thread = place && analysis.threads.find((t) => t.num === place.thread);
  const frame = thread?.frames.find((f) => f.projectPath && f.line === place.line);
  if (place && frame) analysis.blame = { frame, path: place.path, line: place.line, kind: "line" };
  return analysis;
}
async function summarize(groups, expected, artifact, job, running, hangs) {
  const links = sourceLinksFromEnv();
  const summary2 = (groups.length + expected.length > 0 || running.length + hangs.length === 0 ? renderSummary(groups, links, artifact, void 0, expected, job) : "") + renderStillRunning(hangs, links, "hang") + renderStillRunning(running, links);
  try {
    await summary.addRaw(summary2).write();
  } catch (error) {
    warning(`The job summary could not be written: ${error.message}`);
  }
  return summary2;
}
function coresLeftOut(crashes, keep) {
  const leaveOut = /* @__PURE__ */ new Map();
  const perSite = /* @__PURE__ */ new Map();
  for (const crash of crashes) {
    if (!crash.core && !crash.packedCore) continue;
    const site = crash.twinOf ?? crash.id;
    const seen = perSite.get(site) ?? 0;
    perSite.set(site, seen + 1);
    if (seen >= keep)
      leaveOut.set(
        crash,
        `the core was left out: the artifact holds the cores of the first ${keep} crashes at this crash site (${site}'s, max-cores-per-group)`
      );
  }
  return leaveOut;
}
function startArtifact(inputs, crashes, stage, workspace) {
  if (inputs.upload === "none" /* None */) return null;
  const upload = canUpload() ? import("./artifact-stream-2TNSFJEJ.js").then(
    ({ ArtifactStream }) => new ArtifactStream(join4(stage, "bundle"), {
      name: inputs.artifactName ? safeArtifactName(inputs.artifactName) : artifactNameFor(inputs.identity, "crash-capture"),
      retentionDays: inputs.retentionDays,
      compressionLevel: inputs.compressionLevel
    })
  ) : null;
  upload?.catch(() => void 0);
  const added = (path) => void upload?.then((stream) => stream.add(path));
  const stager = new BundleStager(stage, inputs.upload, inputs.maxArtifactSize, workspace, added);
  const leaveOut = coresLeftOut(crashes, inputs.maxCoresPerGroup);
  const heavy = stager.stageHeavy(crashes, leaveOut);
  heavy.catch(() => void 0);
  return { stager, heavy, leftOut: leaveOut.size, upload };
}
async function finishArtifact(job, groups, stage, mode, inputs, lap) {
  if (!job) return null;
  const analyses = groups.flatMap((g) => g.analyses);
  try {
    await job.heavy;
    const bundle = await job.stager.stageReports(analyses);
    await job.stager.addFile(
      "report.json",
      JSON.stringify(
        portable(buildReport(groups, mode, [], inputs.identity), stage, bundle.root),
        null,
        2
      ) + "\n"
    );
    lap("staging");
    if (job.leftOut > 0)
      info(
        `crash-capture: ${job.leftOut} core(s) of crashes at the same crash site as bundled ones are left out of the artifact (max-cores-per-group ${inputs.maxCoresPerGroup}); their reports are in it.`
      );
    for (const note of bundle.dropped) warning(`Crash artifact: ${note}`);
    if (!job.upload) {
      info(
        `crash-capture: not on GitHub Actions (no ACTIONS_RUNTIME_TOKEN): no artifact upload; the bundle is at ${bundle.root}`
      );
      return null;
    }
    const uploaded = await (await job.upload).finish();
    info(
      `crash-capture: uploaded the artifact '${uploaded.name}' (${uploaded.size} bytes from ${job.stager.bytes} staged).`
    );
    return uploaded;
  } catch (error) {
    abortArtifact(job);
    warning(
      `The crash artifact could not be uploaded: ${error.message.split("\n")[0]}`
    );
    return null;
  }
}
function abortArtifact(job) {
  job?.upload?.then((stream) => stream.abort()).catch(() => void 0);
}
async function shareReport(inputs, reportPath, crashes) {
  const { identity } = inputs;
  if (identity.index === null || inputs.upload === "none" /* None */ || !canUpload()) return;
  if (crashes === 0 && identity.attempt <= 1) return;
  try {
    const { ArtifactStream } = await import("./artifact-stream-2TNSFJEJ.js");
    const upload = new ArtifactStream(dirname2(reportPath), {
      name: artifactNameFor(identity, REPORT_ARTIFACT_PREFIX),
      retentionDays: inputs.retentionDays,
      compressionLevel: 9
    });
    upload.add(reportPath);
    const uploaded = await upload.finish();
    info(`crash-capture: shared the report as '${uploaded.name}' for the run-wide view.`);
  } catch (error) {
    warning(
      `The report could not be shared for the run-wide view: ${error.message.split("\n")[0]}`
    );
  }
}
async function run() {
  const state = loadCaptureState();
  const restoration = await restore(state);
  try {
    return await report(state, restoration);
  } finally {
    await removeWarmedIndex();
    if (state?.coreDir) {
      await rm(state.coreDir, { recursive: true, force: true }).catch(
        () => restoration.privilege ? runAsRoot(restoration.privilege, "Removing the core folder", "rm", [
          "-rf",
          "--",
          state.coreDir
        ]).catch(() => void 0) : void 0
      );
    }
    if (state?.sessionDir && restoration.detached && restoration.privilege) {
      await runAsRoot(restoration.privilege, "Removing the crash session directory", "rm", [
        "-rf",
        "--",
        state.sessionDir
      ]).catch((error) => warning(error.message));
      await runAsRoot(restoration.privilege, "Removing the empty jobs folder", "rmdir", [
        dirname2(state.sessionDir)
      ]).catch(() => void 0);
      const crashDir = crashDirOf(state.sessionDir);
      const temp = process.env.RUNNER_TEMP;
      if (temp && crashDir === join4(temp, "crash-capture"))
        await runAsRoot(restoration.privilege, "Removing the crash folder", "rmdir", [
          crashDir
        ]).catch(() => void 0);
    }
  }
}
async function report(state, restoration) {
  const inputs = getInputs();
  const stage = await stageDirectory(state);
  const workspace = await realpath(process.env.GITHUB_WORKSPACE || process.cwd()).catch(
    () => process.cwd()
  );
  const timings = [];
  let mark = performance.now();
  const lap = (what) => {
    const now = performance.now();
    timings.push(`${what} ${Math.round(now - mark)} ms`);
    mark = now;
  };
  const collected = await collect(state, restoration, stage, inputs, workspace);
  lap("collect");
  const { crashes } = collected;
  const reportPath = join4(stage, "report.json");
  let groups = [];
  let expected = [];
  let matched = inputs.expectedCrashes.map(() => 0);
  let summary2 = "";
  let artifact = null;
  let running = [];
  let hangs = [];
  if (crashes.length === 0 && collected.logged.length === 0) {
    info("crash-capture: no crash was found in this job.");
  } else {
    const artifactJob = startArtifact(inputs, crashes, stage, workspace);
    let analyses;
    try {
      analyses = [
        ...await analyze(collected, inputs, restoration.privilege, workspace),
        ...await loggedAnalyses(collected.logged, stage, {
          workspace,
          skipFrames: inputs.skipFrames
        })
      ];
    } catch (error) {
      abortArtifact(artifactJob);
      throw error;
    }
    lap("analysis");
    const leftover = (a) => a.crash.source === "leftover";
    const hanging = (a) => a.crash.source === "hang";
    ({ groups, expected, matched } = sortCrashes(
      analyses.filter((a) => !isRunning(a.crash)),
      inputs.expectedCrashes,
      inputs.skipFrames
    ));
    running = groupCrashes(analyses.filter(leftover).map(blameRunning), inputs.skipFrames);
    hangs = groupCrashes(analyses.filter(hanging).map(blameRunning), inputs.skipFrames);
    const job = inputs.identity.index !== null ? inputs.identity.label : null;
    show(groups, expected, job, running, hangs);
    lap("report");
    const uploaded = await finishArtifact(
      artifactJob,
      [...groups, ...expected, ...hangs, ...running],
      stage,
      state?.mode ?? "none",
      inputs,
      lap
    );
    artifact = uploaded && {
      ...uploaded,
      folder: (groups[0] ?? expected[0])?.analyses[0]?.crash.id ?? null
    };
    if (uploaded) lap("end of the upload");
    summary2 = await summarize(groups, expected, artifact, job, running, hangs);
    info(`crash-capture: timings: ${timings.join(", ")}`);
  }
  reportRules(inputs.expectedCrashes, matched);
  await comment(inputs, groups, artifact);
  const counted = groups.reduce((n, g) => n + g.analyses.length, 0);
  const expectedCount = expected.reduce((n, g) => n + g.analyses.length, 0);
  try {
    await writeReport(
      reportPath,
      buildReport(
        groups,
        state?.mode ?? "none",
        expected,
        inputs.identity,
        artifact,
        running,
        hangs
      )
    );
    await shareReport(inputs, reportPath, counted + expectedCount);
  } catch (error) {
    warning(`The JSON report could not be written: ${error.message}`);
  }
  setOutput("crashes" /* Crashes */, counted);
  setOutput("expected-crashes" /* ExpectedCrashes */, expectedCount);
  setOutput("groups" /* Groups */, groups.length);
  setOutput("report" /* Report */, reportPath);
  setOutput("summary" /* Summary */, summary2);
  setOutput("artifact-id" /* ArtifactId */, artifact?.id ?? "");
  setOutput("artifact-url" /* ArtifactUrl */, artifact?.url ?? "");
  if (expectedCount > 0)
    info(
      `crash-capture: ${expectedCount} expected crash${expectedCount === 1 ? "" : "es"} (expected-crashes): reported, not counted.`
    );
  const hung = hangs.reduce((n, g) => n + g.analyses.length, 0);
  if (hung > 0)
    warning(
      `crash-capture: ${hung} process(es) of the job hung: still running after hang-timeout; their stacks are in the log and the summary.`
    );
  const stillRunning = running.reduce((n, g) => n + g.analyses.length, 0);
  if (stillRunning > 0 && inputs.leftoverProcesses === "fail" /* Fail */ && counted === 0)
    return {
      failure: `crash-capture: ${stillRunning} process(es) of the job were still running at its end (leftover-processes: fail). See the warnings and the job summary.`
    };
  if (counted === 0) return { failure: null };
  const count = `${counted} crash${counted === 1 ? "" : "es"} in ${groups.length} group${groups.length === 1 ? "" : "s"}`;
  if (!inputs.failOnCrash) {
    info(`crash-capture: ${count} found; not failing the job (fail-on-crash is false).`);
    return { failure: null };
  }
  return { failure: `crash-capture: ${count} found. See the annotations and the job summary.` };
}

// src/post.ts
run().then(
  (outcome) => {
    if (outcome.failure) setFailed(outcome.failure);
  },
  (error) => setFailed(error instanceof Error ? error.message : String(error))
);
