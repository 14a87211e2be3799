import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  MORE_RECORDS,
  getInputs,
  leaveHostCapture,
  loadCaptureState,
  readKernelSettings,
  sortCrashes,
  writeKernelSettings
} from "./chunk-PGFXOEWE.js";
import {
  ExecutableCandidates,
  analyzeAll,
  blamedFunction,
  blamedLocation,
  buildReport,
  collectStrayCores,
  commandLine,
  defaultSearchPaths,
  fileKey,
  findGdb,
  frameLine,
  groupTitle,
  identify,
  installGdb,
  newCrash,
  printCrashes,
  signalDescription,
  writeReport
} from "./chunk-YQYXC2NC.js";
import {
  describeFailure,
  detectPrivilege,
  executableName,
  runAsRoot,
  runCommand,
  stageBundle
} from "./chunk-ZPV4PWJE.js";
import {
  core_exports,
  endGroup,
  info,
  setFailed,
  setOutput,
  startGroup,
  summary,
  warning
} from "./chunk-LY2TUG3Y.js";
import "./chunk-LQK3ML4U.js";

// src/post-step.ts
import { randomBytes } from "node:crypto";
import { access, mkdir as mkdir3, realpath, rm, stat as stat2 } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { basename, dirname as dirname2, join as join3, resolve } from "node:path";

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
  const crashDir = state.sessionDir.replace(/\/jobs\/[^/]+$/, "");
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
    return done([
      `core_pattern was changed during the job by something else (now '${current.corePattern}'): it is left as it is.`
    ]);
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
import { copyFile, link, mkdir as mkdir2, open, readdir, stat, statfs } from "node:fs/promises";
import { dirname, join as join2 } from "node:path";
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
  return stat(path).then(
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
      if (!await exists(join2(crashesDir, name, "result"))) pending.push(name);
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
    child.on("close", (code3) => done({ code: code3, error: null }));
  });
  const out = await open(target, "wx", 384);
  let bytes = 0;
  let cut2 = false;
  try {
    for await (const chunk of child.stdout) {
      let data = chunk;
      if (bytes + data.length > limit) {
        data = data.subarray(0, Math.max(0, limit - bytes));
        cut2 = true;
      }
      for (let at = 0; at < data.length; at += BLOCK) {
        const piece = data.subarray(at, at + BLOCK);
        if (!piece.equals(ZEROS.subarray(0, piece.length)))
          await out.write(piece, 0, piece.length, bytes + at);
      }
      bytes += data.length;
      if (cut2) {
        child.kill("SIGKILL");
        break;
      }
    }
    await out.truncate(bytes);
  } finally {
    await out.close();
  }
  const { code: code2, error } = await exited;
  if (cut2) return { bytes, cut: cut2, error: null };
  if (error) return { bytes, cut: cut2, error: `zstd could not run: ${error}` };
  if (code2 !== 0) return { bytes, cut: cut2, error: `zstd exited with ${code2}: ${stderr.trim()}` };
  return { bytes, cut: cut2, error: null };
}
async function stageCore(source, target, limits) {
  if (await exists(join2(source, "core.zst"))) {
    const room = await freeBytes(dirname(target)) - limits.minFreeSpace - STAGE_MARGIN;
    const limit = Math.min(limits.maxCoreSize, Math.max(0, room));
    if (limit <= 0)
      return {
        core: null,
        cut: null,
        note: "the core was not decompressed: less than min-free-space is left where the post step stages crashes"
      };
    const result = await decompressBounded(join2(source, "core.zst"), target, limit);
    const why = limit < limits.maxCoreSize ? "min-free-space" : "max-core-size";
    const cut2 = result.cut ? `the decompressed core was cut at ${result.bytes} bytes (${why})` : null;
    if (result.error)
      return {
        core: result.bytes > 0 ? target : null,
        cut: cut2,
        note: `decompressing the core failed: ${result.error}`
      };
    return { core: target, cut: cut2, note: null };
  }
  if (await exists(join2(source, "core"))) {
    await stageFile(join2(source, "core"), target);
    return { core: target, cut: null, note: null };
  }
  return { core: null, cut: null, note: null };
}
async function stageHandlerCrash(source, stageDir, finished, limits) {
  const name = source.split("/").pop() ?? "";
  if (!CRASH_NAME.test(name)) return null;
  const dir = join2(stageDir, name);
  await mkdir2(dir, { recursive: true });
  const meta = parseKeyValues(await readCapped(join2(source, "meta")));
  const result = parseKeyValues(await readCapped(join2(source, "result")));
  const cmdline = await readCapped(join2(source, "cmdline")) ?? "";
  let executable = null;
  const exeSource = join2(source, "exe");
  const exeInfo = await stat(exeSource).catch(() => null);
  if (exeInfo?.isFile()) {
    await mkdir2(join2(stageDir, "executables"), { recursive: true });
    executable = join2(stageDir, "executables", `${exeInfo.dev}-${exeInfo.ino}`);
    await stageFile(exeSource, executable);
  }
  let maps = null;
  if (await exists(join2(source, "maps"))) {
    maps = join2(dir, "maps");
    await stageFile(join2(source, "maps"), maps);
  }
  const staged = await stageCore(source, join2(dir, "core"), limits);
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
    if (!staged.core) coreNote = coreNote ?? "no core was stored";
  }
  const exeNote = await readCapped(join2(source, "exe-note"), 1024);
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
    comm: await readCapped(join2(source, "comm"), 256) ?? "",
    executablePath: stripNewline(await readCapped(join2(source, "exe-path"), 8192)),
    executable,
    commandLine: cmdline.split("\0").filter((arg, i, all) => arg !== "" || i < all.length - 1),
    cwd: stripNewline(await readCapped(join2(source, "cwd"), 8192)),
    core: staged.core,
    coreState,
    coreNote,
    maps,
    buildId: null,
    executableReason: executable ? "the copy the handler took through /proc/PID/exe" : null,
    libraries: [],
    problems: exeNote ? [`The handler did not copy the ${exeNote.trim()}.`] : []
  };
}
async function collectHandlerCrashes(sessionDir, stageDir, waitMs, limits) {
  const crashesDir = join2(sessionDir, "crashes");
  const pending = new Set(await waitForHandlers(crashesDir, waitMs));
  const names = (await crashFolders(crashesDir)).sort(
    (a, b) => a.localeCompare(b, "en", { numeric: true })
  );
  const crashes = [];
  const problems = [];
  for (const name of names) {
    try {
      const crash = await stageHandlerCrash(
        join2(crashesDir, name),
        stageDir,
        !pending.has(name),
        limits
      );
      if (crash) crashes.push(crash);
    } catch (error) {
      problems.push(`Crash ${name} could not be read: ${error.message}`);
    }
  }
  if (await exists(join2(sessionDir, "overflow")))
    problems.push(
      `More crashes happened than the handler keeps records of (max-cores plus ${MORE_RECORDS}): the later ones were not recorded.`
    );
  return { crashes, problems };
}
async function unattributedCrashes(crashDir, since) {
  const dir = join2(crashDir, "unattributed");
  const names = await readdir(dir).catch(() => []);
  const found = [];
  for (const name of names.filter((n) => CRASH_NAME.test(n)).sort()) {
    const meta = parseKeyValues(await readCapped(join2(dir, name, "meta"), 4096));
    if (toInt(meta.get("time")) * 1e3 < since - 1e3) continue;
    const exe = stripNewline(await readCapped(join2(dir, name, "exe-path"), 4096)) ?? "?";
    const cgroup = stripNewline(await readCapped(join2(dir, name, "cgroup"), 1024)) ?? "";
    const container = /([0-9a-f]{64})/.exec(cgroup)?.[1];
    found.push(
      `pid ${toInt(meta.get("pid"))}, signal ${toInt(meta.get("signal"))}, ${exe}${container ? `, in container ${container.slice(0, 12)}` : ""}`
    );
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
    const frames = first.crashingThread?.frames ?? [];
    const lines = [
      `${signalDescription(first)} in ${first.crash.executablePath ?? first.crash.comm} (pid ${first.crash.pid})`,
      ...blamedLocation(first) ? [] : ["No frame of the crashing thread is in this repository."],
      ...frames.slice(0, MESSAGE_FRAMES).map((frame) => frameLine(frame)),
      ...frames.length > MESSAGE_FRAMES ? [`\u2026 ${frames.length - MESSAGE_FRAMES} more frames`] : []
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

// src/report/comment.ts
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";

// src/report/markdown.ts
var CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g;
function longestBacktickRun(text) {
  let longest = 0;
  for (const run2 of text.match(/`+/g) ?? []) longest = Math.max(longest, run2.length);
  return longest;
}
function code(text) {
  const flat = text.replace(CONTROL, "\uFFFD").replace(/\r\n|\r|\n/g, "\u23CE").replace(/\t/g, " ");
  if (flat === "") return "` `";
  const cell = flat.replace(/\|/g, "\\|");
  const fence = "`".repeat(longestBacktickRun(cell) + 1);
  const pad = cell.startsWith("`") || cell.endsWith("`") || /^ .* $/.test(cell) ? " " : "";
  return `${fence}${pad}${cell}${pad}${fence}`;
}
function codeBlock(text, language = "text") {
  const clean = text.replace(CONTROL, "\uFFFD").replace(/\r\n?/g, "\n");
  const fence = "`".repeat(Math.max(3, longestBacktickRun(clean) + 1));
  return `${fence}${language}
${clean}${clean.endsWith("\n") ? "" : "\n"}${fence}`;
}
function escape(text) {
  return text.replace(CONTROL, "\uFFFD").replace(/\r\n|\r|\n/g, " ").replace(/[\\`*_{}[\]()#+\-.!|~]/g, (c) => `\\${c}`).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/@/g, "@\u2060");
}
function codeLink(text, url) {
  return `[${code(text)}](${url})`;
}
function encodePath(path) {
  const encode = (segment) => encodeURIComponent(segment).replace(
    /[()'!*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`
  );
  return path.split("/").map(encode).join("/");
}
function cut(text, max, note = "\u2026 (cut)") {
  if (text.length <= max) return text;
  return text.slice(0, Math.max(0, max - note.length - 1)) + "\n" + note;
}

// src/report/summary.ts
var MAX_SUMMARY = 1024 * 1024;
var RESERVE = 2048;
var TABLE_FRAMES = 30;
var TEXT_PER_CRASH = 64 * 1024;
function sourceLinksFromEnv(env = process.env) {
  const server = env.GITHUB_SERVER_URL;
  const repository = env.GITHUB_REPOSITORY;
  const sha = env.GITHUB_SHA;
  if (!server || !repository || !sha) return null;
  if (!/^https?:\/\/[^\s()<>]+$/.test(server) || !/^[\w.-]+\/[\w.-]+$/.test(repository) || !/^[0-9a-f]{7,64}$/i.test(sha)) {
    return null;
  }
  return { server: server.replace(/\/+$/, ""), repository, sha };
}
function sourceUrl(links, path, line) {
  const anchor = line !== null ? `#L${line}` : "";
  return `${links.server}/${links.repository}/blob/${links.sha}/${encodePath(path)}${anchor}`;
}
function sourceLocation(path, line, links) {
  const text = line !== null ? `${path}:${line}` : path;
  return links ? codeLink(text, sourceUrl(links, path, line)) : code(text);
}
function location(frame, links) {
  if (frame.projectPath && frame.line !== null)
    return sourceLocation(frame.projectPath, frame.line, links);
  if (frame.file && frame.line !== null) return code(`${frame.file}:${frame.line}`);
  return "";
}
function framesTable(analysis, links) {
  const frames = analysis.crashingThread?.frames ?? [];
  if (frames.length === 0) return "_No frames: see the problems above._";
  const rows = ["| # | Function | Source | Library |", "|---:|---|---|---|"];
  for (const frame of frames.slice(0, TABLE_FRAMES)) {
    const name = frame.signalHandler ? "<signal handler called>" : frame.function ?? "??";
    const library = frame.objfile ? code(frame.objfile.split("/").pop() ?? "") : "";
    const blamed = analysis.blame?.frame === frame ? " \u2B05\uFE0F" : "";
    rows.push(
      `| ${frame.level} | ${code(name)}${frame.inline ? " _(inlined)_" : ""}${blamed} | ${location(frame, links)} | ${library} |`
    );
  }
  if (frames.length > TABLE_FRAMES)
    rows.push(`| | _${frames.length - TABLE_FRAMES} more frames_ | | |`);
  return rows.join("\n");
}
function blameLine(analysis, links) {
  const blame = analysis.blame;
  if (!blame) return "_no frames_";
  const name = code(blame.frame.function ?? "??");
  if (!blame.path) return `${name} (no frame of the crashing thread is in this repository)`;
  const where = sourceLocation(blame.path, blame.line, links);
  const note = blame.kind === "function" ? " (the function; its line is in a library header)" : "";
  return `${name} at ${where}${note}`;
}
function renderGroup(group, index, links) {
  const first = group.analyses[0];
  const crash = first.crash;
  const facts = [
    `| Signal | ${code(signalDescription(first))} |`,
    `| Crashed in | ${blameLine(first, links)} |`,
    `| Executable | ${code(crash.executablePath ?? crash.comm)} |`,
    `| Command line | ${code(commandLine(first).slice(0, 1e3))} |`,
    `| Crashes | ${group.analyses.length}: ${group.analyses.slice(0, 20).map((a) => `pid ${a.crash.pid}`).join(", ")}${group.analyses.length > 20 ? ", \u2026" : ""} |`,
    `| Signature | ${code(group.signature)}: ${group.functions.map(code).join(" \u2190 ") || "no frames"} |`,
    ...group.callPaths > 1 ? [`| Call paths | ${group.callPaths} distinct paths below the signature led here |`] : []
  ];
  const problems = [...new Set(group.analyses.flatMap((a) => a.problems))];
  const parts = [
    `### ${index + 1}. ${escape(groupTitle(group))}`,
    "",
    "| | |",
    "|---|---|",
    ...facts,
    ""
  ];
  if (problems.length > 0) {
    parts.push(...problems.slice(0, 10).map((p) => `> \u26A0\uFE0F ${escape(p)}`), "");
  }
  parts.push(`Crashing thread of pid ${crash.pid}:`, "", framesTable(first, links), "");
  if (first.text) {
    parts.push(
      "<details><summary>Full backtrace (all threads)</summary>",
      "",
      codeBlock(cut(first.text, TEXT_PER_CRASH, "[crash-capture: cut, see the report artifact]")),
      "",
      "</details>",
      ""
    );
  }
  return parts.join("\n");
}
function artifactLine(artifact) {
  if (!artifact) return "";
  const name = code(artifact.name);
  const where = artifact.url && /^https?:\/\/[^\s()<>]+$/.test(artifact.url) ? `[${name}](${artifact.url})` : name;
  return `\u{1F4E6} Crash artifact ${where}: cores, the exact executables and libraries, backtraces; after downloading, \`sh <crash>/debug.sh\` opens a crash in gdb.

`;
}
function renderSummary(groups, links, artifact = null, limit = MAX_SUMMARY, expected = []) {
  const analyses = groups.flatMap((g) => g.analyses);
  const expectedPart = renderExpected(expected, links, Math.floor(limit / 4));
  if (analyses.length === 0)
    return expected.length > 0 ? `## crash-capture

No unexpected crash in this job. \u2705

${expectedPart}` : "## crash-capture\n\nNo crash was found in this job. \u2705\n";
  const executables = new Set(analyses.map(executableName));
  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "es"}`;
  const headline = `## \u{1F4A5} crash-capture: ${plural(analyses.length, "crash")} in ${groups.length} group${groups.length === 1 ? "" : "s"}, ${executables.size} executable${executables.size === 1 ? "" : "s"}

` + groups.map(
    (g) => `- ${g.analyses.length} \xD7 ${code(g.analyses[0].signal.name)} in ${code(blamedFunction(g.analyses[0]))} \u2014 ${code(executableName(g.analyses[0]))}`
  ).slice(0, 50).join("\n") + (groups.length > 50 ? `
- \u2026 and ${groups.length - 50} more groups` : "") + "\n\n" + artifactLine(artifact);
  let body = headline;
  let shown = 0;
  for (const [index, group] of groups.entries()) {
    const section = renderGroup(group, index, links) + "\n";
    if (Buffer.byteLength(body) + Buffer.byteLength(section) > limit - RESERVE - Buffer.byteLength(expectedPart))
      break;
    body += section;
    shown++;
  }
  if (shown < groups.length) {
    body += `
_${groups.length - shown} more group(s) are not shown: the summary is limited to 1 MiB. The report artifact has every crash._
`;
  }
  return expected.length > 0 ? `${body}
${expectedPart}` : body;
}
function renderExpected(expected, links, limit) {
  if (expected.length === 0) return "";
  const count = expected.reduce((n, g) => n + g.analyses.length, 0);
  let body = `## Expected crashes: ${count}

Matched by the \`expected-crashes\` input: reported here, not counted, never failing the job.

`;
  for (const [index, group] of expected.entries()) {
    const section = renderGroup(group, index, links) + "\n";
    if (Buffer.byteLength(body) + Buffer.byteLength(section) > limit) {
      body += `_${expected.length - index} more expected group(s) are not shown._
`;
      break;
    }
    body += section;
  }
  return body;
}

// src/report/comment.ts
var MAX_COMMENT = 65536;
var COMMENT_FRAMES = 10;
async function commentTargetFromEnv(env = process.env) {
  if (env.GITHUB_EVENT_NAME !== "pull_request" && env.GITHUB_EVENT_NAME !== "pull_request_target")
    return null;
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? "").split("/");
  if (!owner || !repo || !env.GITHUB_EVENT_PATH) return null;
  let payload;
  try {
    payload = JSON.parse(await readFile(env.GITHUB_EVENT_PATH, "utf8"));
  } catch {
    return null;
  }
  const number = payload?.pull_request?.number;
  if (typeof number !== "number" || !Number.isSafeInteger(number) || number <= 0) return null;
  const server = (env.GITHUB_SERVER_URL ?? "https://github.com").replace(/\/+$/, "");
  const runUrl = env.GITHUB_RUN_ID && /^\d+$/.test(env.GITHUB_RUN_ID) ? `${server}/${owner}/${repo}/actions/runs/${env.GITHUB_RUN_ID}` : null;
  return {
    owner,
    repo,
    issueNumber: number,
    apiUrl: (env.GITHUB_API_URL ?? "https://api.github.com").replace(/\/+$/, ""),
    runUrl
  };
}
function commentMarker(key) {
  return `<!-- crash-capture:${createHash("sha256").update(key).digest("hex").slice(0, 16)} -->`;
}
function runLink(runUrl, text) {
  return runUrl ? `[${text}](${runUrl})` : text;
}
function renderCrashComment(groups, key, runUrl, links, artifact = null) {
  const crashes = groups.reduce((n, g) => n + g.analyses.length, 0);
  const head = [
    commentMarker(key),
    `### \u{1F4A5} crash-capture: ${crashes} crash${crashes === 1 ? "" : "es"} in ${groups.length} group${groups.length === 1 ? "" : "s"}`,
    "",
    `Job ${code(key)}, ${runLink(runUrl, "this run")}. The job summary has every frame and the full backtraces.`,
    "",
    artifactLine(artifact)
  ].join("\n");
  let body = head;
  let shown = 0;
  for (const [index, group] of groups.entries()) {
    const first = group.analyses[0];
    const blame = first.blame;
    const where = blame?.path ? ` at ${sourceLocation(blame.path, blame.line, links)}` : "";
    const all = first.crashingThread?.frames ?? [];
    const start = Math.max(0, blame ? all.indexOf(blame.frame) : 0);
    const frames = [
      ...start > 0 ? [`(${start} runtime frame${start === 1 ? "" : "s"} above)`] : [],
      ...all.slice(start, start + COMMENT_FRAMES).map((f) => frameLine(f))
    ];
    const section = [
      `**${index + 1}. ${escape(groupTitle(group))}**${where}`,
      "",
      `${code(signalDescription(first))} in ${code(executableName(first))}; pid ${group.analyses.slice(0, 10).map((a) => a.crash.pid).join(", ")}${group.analyses.length > 10 ? ", \u2026" : ""}`,
      "",
      codeBlock(frames.join("\n") || "(no frames)"),
      ""
    ].join("\n");
    if (body.length + section.length > MAX_COMMENT - 500) break;
    body += section + "\n";
    shown++;
  }
  if (shown < groups.length)
    body += `_${groups.length - shown} more group(s): see the job summary._
`;
  return body;
}
function renderNoCrashComment(key, runUrl, earlier) {
  return [
    commentMarker(key),
    earlier ? "### \u2705 crash-capture: the crash is gone" : "### \u2705 crash-capture: no crash",
    "",
    earlier ? `Job ${code(key)} crashed in an earlier run; ${runLink(runUrl, "the latest run")} found no crash.` : `Job ${code(key)}: ${runLink(runUrl, "this run")} found no crash.`,
    ""
  ].join("\n");
}
var CommentPermissionError = class extends Error {
  constructor(status, detail) {
    super(
      `The pull request comment could not be written (HTTP ${status}: ${detail}). Give the job \`permissions: pull-requests: write\`; pull requests from forks get a read-only token, so no comment is possible there (the job summary and annotations still are), or set 'comment: never'.`
    );
    this.name = "CommentPermissionError";
  }
};
async function tokenLogin(octokit) {
  try {
    const answer = await octokit.graphql(
      "query { viewer { login } }"
    );
    if (answer.viewer.login) return answer.viewer.login;
  } catch {
  }
  try {
    return (await octokit.rest.users.getAuthenticated()).data.login;
  } catch {
    return "github-actions[bot]";
  }
}
function sameLogin(a, b) {
  const bare = (login) => login.replace(/\[bot\]$/i, "").toLowerCase();
  return bare(a) === bare(b);
}
async function publishComment(target, token, marker, body) {
  const { Octokit } = await import("./dist-src-ZQEMH6VS.js");
  const octokit = new Octokit({ auth: token, baseUrl: target.apiUrl });
  try {
    let found;
    const params = {
      owner: target.owner,
      repo: target.repo,
      issue_number: target.issueNumber,
      per_page: 100
    };
    let self = null;
    for await (const page of octokit.paginate.iterator(octokit.rest.issues.listComments, params)) {
      for (const comment2 of page.data) {
        if (!comment2.body?.includes(marker)) continue;
        self ??= await tokenLogin(octokit);
        if (sameLogin(comment2.user?.login ?? "", self)) {
          found = comment2;
          break;
        }
      }
      if (found) break;
    }
    const text = body(found !== void 0);
    if (text === null) return "skipped";
    if (found) {
      if (found.body === text) return "unchanged";
      await octokit.rest.issues.updateComment({
        owner: target.owner,
        repo: target.repo,
        comment_id: found.id,
        body: text
      });
      return "updated";
    }
    await octokit.rest.issues.createComment({ ...params, body: text });
    return "created";
  } catch (error) {
    const status = error.status;
    if (status === 401 || status === 403 || status === 404) {
      throw new CommentPermissionError(
        status,
        error.message.split("\n")[0].slice(0, 200)
      );
    }
    throw error;
  }
}

// src/upload/upload.ts
var FORBIDDEN_NAME = /["\\/:<>|*?\u0000-\u001f]/g;
function defaultArtifactName(env = process.env) {
  const parts = [
    "crash-capture",
    env.GITHUB_JOB,
    env.RUNNER_OS,
    env.RUNNER_ARCH,
    env.GITHUB_RUN_ATTEMPT ? `attempt${env.GITHUB_RUN_ATTEMPT}` : void 0
  ];
  return safeArtifactName(parts.filter(Boolean).join("-"));
}
function safeArtifactName(name) {
  return name.replace(FORBIDDEN_NAME, "-").slice(0, 200) || "crash-capture";
}
function artifactUrl(id, env = process.env) {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: run2 } = env;
  if (!server || !repo || !run2 || !/^\d+$/.test(run2)) return null;
  return `${server.replace(/\/+$/, "")}/${repo}/actions/runs/${run2}/artifacts/${id}`;
}
function canUpload(env = process.env) {
  return Boolean(env.ACTIONS_RUNTIME_TOKEN && env.ACTIONS_RESULTS_URL);
}
async function uploadBundle(bundle, options) {
  const { DefaultArtifactClient } = await import("./artifact-NBHIMXK2.js");
  const client = new DefaultArtifactClient();
  let lastError = null;
  for (let attempt = 1; attempt <= 5; attempt++) {
    const name = attempt === 1 ? options.name : `${options.name}-${attempt}`;
    try {
      const result = await client.uploadArtifact(name, bundle.files, bundle.root, {
        retentionDays: options.retentionDays ?? void 0,
        compressionLevel: options.compressionLevel
      });
      if (result.id === void 0) throw new Error("the artifact service returned no artifact id");
      return { id: result.id, name, url: artifactUrl(result.id), size: result.size ?? 0 };
    } catch (error) {
      lastError = error;
      if (!/\(409\)|already exists/i.test(lastError.message)) break;
    }
  }
  throw lastError ?? new Error("the upload failed");
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
  const dir = join3(process.env.RUNNER_TEMP || tmpdir(), `crash-capture-${name}`);
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
  if (state.mode === "file-pattern") {
    const privilege2 = await detectPrivilege();
    const restored2 = await restoreCapture(state, privilege2);
    for (const warning2 of restored2.warnings) warning(warning2);
    if (restored2.warnings.length === 0) info("crash-capture: core_pattern restored.");
    return { privilege: privilege2, detached: true, handledAll: false };
  }
  if (state.mode !== "pipe-handler") return { privilege: null, detached: true, handledAll: false };
  const privilege = await detectPrivilege();
  const crashDir = state.sessionDir?.replace(/\/jobs\/[^/]+$/, "");
  const strangers = crashDir ? await unattributedCrashes(crashDir, state.startedAt) : [];
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
  if (state) {
    const seen = /* @__PURE__ */ new Set();
    for (const crash of crashes) {
      const info2 = crash.core ? await stat2(crash.core).catch(() => null) : null;
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
  return { crashes, cores };
}
async function analyze({ crashes, cores }, inputs, privilege, workspace) {
  if (!crashes.some((crash) => crash.core && crash.executable))
    return analyzeAll(crashes, cores, { missing: "" });
  let gdb = await findGdb();
  if (!gdb && inputs.installGdb) {
    info("crash-capture: gdb is not installed; installing it to backtrace the crashes.");
    try {
      gdb = await installGdb(privilege ?? await detectPrivilege());
    } catch (error) {
      warning(`${error.message}. Crashes are reported without backtraces.`);
    }
  }
  if (!gdb) {
    const missing = inputs.installGdb ? "gdb is not installed and could not be installed" : "gdb is not installed (install-gdb is false)";
    return analyzeAll(crashes, cores, { missing });
  }
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
  return analyzeAll(crashes, cores, {
    gdb,
    workspace,
    scripts,
    commands: inputs.gdbCommands,
    warn: (message) => warning(message),
    skipFrames: inputs.skipFrames,
    timeoutMsPerCore: inputs.gdbTimeoutSeconds * 1e3,
    parallel: Math.min(2, availableParallelism())
  });
}
async function comment(inputs, groups, artifact) {
  if (inputs.comment === "never" /* Never */) return;
  const target = await commentTargetFromEnv();
  if (!target) return;
  if (!inputs.githubToken) {
    warning("No github-token: the pull request comment is skipped.");
    return;
  }
  const { commentKey: key } = inputs;
  const body = (existing) => {
    if (groups.length > 0)
      return renderCrashComment(groups, key, target.runUrl, sourceLinksFromEnv(), artifact);
    if (existing || inputs.comment === "always" /* Always */)
      return renderNoCrashComment(key, target.runUrl, existing);
    return null;
  };
  try {
    const result = await publishComment(target, inputs.githubToken, commentMarker(key), body);
    if (result !== "skipped") info(`crash-capture: pull request comment ${result}.`);
  } catch (error) {
    warning(error.message);
  }
}
function show(groups, expected) {
  printCrashes(groups);
  printCrashes(expected, "expected: ");
  const annotate = (kind, list, prefix = "") => {
    for (const annotation of renderAnnotations(list)) {
      core_exports[kind](annotation.message, {
        title: `${prefix}${annotation.title}`.slice(0, 255),
        file: annotation.file,
        startLine: annotation.startLine
      });
    }
  };
  annotate("error", groups);
  annotate("notice", expected, "Expected crash (expected-crashes): ");
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
async function summarize(groups, expected, artifact) {
  const summary2 = renderSummary(groups, sourceLinksFromEnv(), artifact, void 0, expected);
  try {
    await summary.addRaw(summary2).write();
  } catch (error) {
    warning(`The job summary could not be written: ${error.message}`);
  }
  return summary2;
}
async function upload(inputs, analyses, stage) {
  if (inputs.upload === "none" /* None */) return null;
  try {
    const bundle = await stageBundle(analyses, stage, inputs.upload, inputs.maxArtifactSize);
    for (const note of bundle.dropped) warning(`Crash artifact: ${note}`);
    if (!canUpload()) {
      info(
        `crash-capture: not on GitHub Actions (no ACTIONS_RUNTIME_TOKEN): no artifact upload; the bundle is at ${bundle.root}`
      );
      return null;
    }
    const started = Date.now();
    const uploaded = await uploadBundle(bundle, {
      name: inputs.artifactName ? safeArtifactName(inputs.artifactName) : defaultArtifactName(),
      retentionDays: inputs.retentionDays,
      compressionLevel: inputs.compressionLevel
    });
    info(
      `crash-capture: uploaded the artifact '${uploaded.name}' (${uploaded.size} bytes from ${bundle.bytes} staged) in ${Date.now() - started} ms.`
    );
    return uploaded;
  } catch (error) {
    warning(
      `The crash artifact could not be uploaded: ${error.message.split("\n")[0]}`
    );
    return null;
  }
}
async function run() {
  const state = loadCaptureState();
  const restoration = await restore(state);
  try {
    return await report(state, restoration);
  } finally {
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
    }
  }
}
async function report(state, restoration) {
  const inputs = getInputs();
  const stage = await stageDirectory(state);
  const workspace = await realpath(process.env.GITHUB_WORKSPACE || process.cwd()).catch(
    () => process.cwd()
  );
  const collected = await collect(state, restoration, stage, inputs, workspace);
  const { crashes } = collected;
  const reportPath = join3(stage, "report.json");
  let groups = [];
  let expected = [];
  let matched = inputs.expectedCrashes.map(() => 0);
  let summary2 = "";
  let artifact = null;
  if (crashes.length === 0) {
    info("crash-capture: no crash was found in this job.");
  } else {
    const analyses = await analyze(collected, inputs, restoration.privilege, workspace);
    ({ groups, expected, matched } = sortCrashes(
      analyses,
      inputs.expectedCrashes,
      inputs.skipFrames
    ));
    show(groups, expected);
    artifact = await upload(inputs, analyses, stage);
    summary2 = await summarize(groups, expected, artifact);
  }
  reportRules(inputs.expectedCrashes, matched);
  await comment(inputs, groups, artifact);
  try {
    await writeReport(reportPath, buildReport(groups, state?.mode ?? "none", expected));
  } catch (error) {
    warning(`The JSON report could not be written: ${error.message}`);
  }
  const counted = groups.reduce((n, g) => n + g.analyses.length, 0);
  const expectedCount = expected.reduce((n, g) => n + g.analyses.length, 0);
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
