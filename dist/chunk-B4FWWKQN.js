import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  runAsRoot
} from "./chunk-ECZPN52E.js";
import {
  SourceResolver,
  bareAnalysis,
  chooseBlame,
  describeFailure,
  fillFromCore,
  findProgram,
  parseGdbDocument,
  removeNoise,
  runCommand,
  safeRelative,
  signalName
} from "./chunk-O2JAAX7M.js";

// src/analyze/gdb.ts
import { createHash } from "node:crypto";
import { constants as constants2 } from "node:fs";
import { copyFile, link, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { basename, delimiter, dirname, join as join2 } from "node:path";
import { fileURLToPath } from "node:url";

// src/analyze/sanitizer.ts
import { open } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
var MAX_TEXT = 64 * 1024;
var CHUNK = 4 * 1024 * 1024;
async function findSanitizerReport(core) {
  const marker = Buffer.from("==ERROR: ");
  const handle = await open(core, "r").catch(() => null);
  if (!handle) return null;
  try {
    const buffer = Buffer.alloc(CHUNK + marker.length);
    let position = 0;
    let carried = 0;
    for (; ; ) {
      const { bytesRead } = await handle.read(buffer, carried, CHUNK, position);
      if (bytesRead === 0) return null;
      const filled = carried + bytesRead;
      for (let at = buffer.indexOf(marker); at >= 0 && at < filled; at = buffer.indexOf(marker, at + 1)) {
        const start = Math.max(0, position - carried + at - 16);
        const text = Buffer.alloc(MAX_TEXT);
        const read = await handle.read(text, 0, MAX_TEXT, start);
        const body = text.subarray(0, read.bytesRead);
        const line = /==\d{1,10}==ERROR: \w+Sanitizer: /.exec(
          body.subarray(0, 64).toString("latin1")
        );
        if (!line) continue;
        const from = line.index;
        const end = body.indexOf(0, from);
        return body.subarray(from, end < 0 ? body.length : end).toString("utf8");
      }
      carried = Math.min(marker.length - 1, filled);
      buffer.copy(buffer, 0, filled - carried, filled);
      position += bytesRead;
    }
  } finally {
    await handle.close();
  }
}
var FRAME = /^\s*#(\d+) (0x[0-9a-f]+)(?: in (.+?))?(?: ([^\s()]+?)(?::(\d+))?(?::\d+)?)?(?:\s+\(([^()]+?)\+(0x[0-9a-f]+)\))?(?: \(BuildId: [0-9a-f]+\))?\s*$/;
function parseFrameLine(line) {
  const m = FRAME.exec(line);
  if (!m) return null;
  const [, level, pc, fn, file, lineNo, module, offset] = m;
  return {
    level: Number(level),
    pc,
    function: fn && fn !== "<null>" ? fn : null,
    file: file ?? null,
    fullname: file ?? null,
    line: lineNo ? Number(lineNo) : null,
    objfile: module ?? null,
    functionFile: null,
    functionLine: null,
    inline: false,
    signalHandler: false,
    projectPath: null,
    module: module ?? null,
    offset: offset ?? null
  };
}
function parseSanitizerReport(text) {
  const lines = text.split("\n");
  const error = lines.map((line) => /^==\d+==ERROR: (\w+Sanitizer): (.*)$/.exec(line)).find(Boolean);
  if (!error) return null;
  const [, tool, rest] = error;
  const headline = rest.trim();
  const kind = /^attempting ([a-z-]+)/.exec(headline)?.[1] ?? /^(SEGV|detected memory leaks|[a-z][a-z-]+)/.exec(headline)?.[1] ?? headline;
  const stacks = [];
  let title = "";
  let current = null;
  for (const line of lines) {
    const frame = parseFrameLine(line);
    if (frame) {
      if (!current) {
        current = [];
        stacks.push({ title: title || headline, frames: current });
      }
      current.push(frame);
      continue;
    }
    current = null;
    const trimmed = line.trim();
    if (trimmed) title = trimmed.replace(/^==\d+==/, "");
  }
  const summary = /^SUMMARY: (.*)$/m.exec(text)?.[1]?.trim() ?? null;
  return {
    tool,
    kind,
    headline,
    summary,
    stacks,
    text: text.slice(0, MAX_TEXT)
  };
}
async function symbolize(report, analysis) {
  const { crash } = analysis;
  const copies = /* @__PURE__ */ new Map();
  if (crash.executablePath && crash.executable)
    copies.set(crash.executablePath.replace(/ \(deleted\)$/, ""), crash.executable);
  for (const library of crash.libraries) copies.set(library.path, library.file);
  const wanted = /* @__PURE__ */ new Map();
  for (const stack of report.stacks)
    for (const frame of stack.frames) {
      if (frame.fullname || !frame.module || !frame.offset || !copies.has(frame.module)) continue;
      const set = wanted.get(frame.module) ?? /* @__PURE__ */ new Set();
      set.add(frame.offset);
      wanted.set(frame.module, set);
    }
  for (const [module, offsets] of wanted) {
    const list = [...offsets];
    const result = await runCommand("addr2line", ["-f", "-C", "-e", copies.get(module), ...list], {
      timeoutMs: 3e4
    }).catch(() => null);
    if (!result || result.code !== 0) continue;
    const lines = result.stdout.split("\n");
    const found = /* @__PURE__ */ new Map();
    list.forEach((offset, i) => {
      const fn = lines[i * 2] ?? "??";
      const where = /^(.*):(\d+)(?: \(discriminator \d+\))?$/.exec(lines[i * 2 + 1] ?? "");
      found.set(offset, {
        fn: fn === "??" ? null : fn,
        file: where && where[1] !== "??" ? where[1] : null,
        line: where && Number(where[2]) > 0 ? Number(where[2]) : null
      });
    });
    for (const stack of report.stacks)
      for (const frame of stack.frames) {
        const hit = frame.module === module && frame.offset ? found.get(frame.offset) : void 0;
        if (!hit) continue;
        frame.function = frame.function ?? hit.fn;
        frame.file = hit.file;
        frame.fullname = hit.file;
        frame.line = hit.line;
      }
  }
}
async function addSanitizerReport(analysis, options) {
  const core = analysis.crash.core;
  if (!core || analysis.sanitizer) return;
  const frames = analysis.threads.flatMap((thread) => thread.frames);
  if (!frames.some((f) => f.function && /^__(sanitizer|asan|lsan|ubsan)::|^__asan_/.test(f.function)))
    return;
  const text = await findSanitizerReport(core).catch(() => null);
  const report = text ? parseSanitizerReport(text) : null;
  if (!report) return;
  await symbolize(report, analysis);
  const resolver = new SourceResolver(options);
  const roots = [options.workspace, analysis.crash.cwd].filter((r) => !!r);
  for (const stack of report.stacks)
    for (const frame of stack.frames) {
      const name = frame.fullname;
      if (!name) continue;
      frame.projectPath = isAbsolute(name) ? resolver.projectPath(name) : roots.map((root) => resolver.projectPath(join(root, name))).find(Boolean) ?? null;
    }
  analysis.sanitizer = report;
  const first = report.stacks[0];
  if (!first) return;
  const blame = chooseBlame(
    {
      num: 0,
      lwp: analysis.crash.tid,
      name: null,
      crashed: true,
      frames: first.frames,
      unwindStopReason: null,
      truncated: false
    },
    resolver,
    options.skipFrames
  );
  if (blame?.path || !analysis.blame?.path) analysis.blame = blame;
}

// src/analyze/bt-text.ts
import { constants } from "node:os";
var FRAME2 = /^#(\d+)\s+(?:(0x[0-9a-fA-F]+) in )?(.+?)(?: \((.*)\))?(?: at (.+):(\d+)| from (.+))?$/;
function parseFrameLine2(line) {
  const match = FRAME2.exec(line.trimEnd());
  if (!match) return null;
  const [, level, pc, name, , file, lineNo, from] = match;
  const signalHandler = name === "<signal handler called>";
  return {
    level: Number(level),
    pc: pc ?? "0x0",
    function: signalHandler || name === "??" ? null : name ?? null,
    file: file ?? null,
    fullname: file ?? null,
    line: lineNo ? Number(lineNo) : null,
    objfile: from ?? null,
    functionFile: null,
    functionLine: null,
    inline: false,
    signalHandler,
    projectPath: null
  };
}
function parseCrashingThread(text) {
  const frames = [];
  for (const line of text.split("\n")) {
    if (/^Thread \d+ /.test(line)) break;
    const frame = parseFrameLine2(line);
    if (frame) frames.push(frame);
  }
  return {
    num: 1,
    lwp: 0,
    name: null,
    crashed: true,
    frames,
    unwindStopReason: null,
    truncated: false
  };
}
function parseTerminatingSignal(text) {
  const match = /^Program terminated with signal (SIG[A-Z0-9]+)/m.exec(text);
  if (!match) return null;
  const number = constants.signals[match[1]];
  return number ?? null;
}

// src/analyze/gdb.ts
var SYSTEM_PATH = [
  "/usr/local/sbin",
  "/usr/local/bin",
  "/usr/sbin",
  "/usr/bin",
  "/sbin",
  "/bin"
].join(delimiter);
function findGdb() {
  return findProgram("gdb", process.env.PATH ?? "");
}
var APT_INSTALL = [
  "env",
  "DEBIAN_FRONTEND=noninteractive",
  "apt-get",
  "install",
  "-y",
  "--no-install-recommends",
  "gdb"
];
var INSTALLERS = [
  {
    tool: "apt-get",
    steps: [
      APT_INSTALL,
      ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "update"],
      APT_INSTALL
    ]
  },
  { tool: "dnf", steps: [["dnf", "install", "-y", "gdb"]] },
  { tool: "apk", steps: [["apk", "add", "gdb"]] }
];
async function installGdb(privilege) {
  if (!privilege)
    throw new Error("gdb is not installed, and installing it needs root or passwordless sudo");
  for (const installer of INSTALLERS) {
    if (!await findProgram(installer.tool, `${process.env.PATH ?? ""}${delimiter}${SYSTEM_PATH}`))
      continue;
    let lastError = "";
    for (const step of installer.steps) {
      try {
        await runAsRoot(privilege, `Installing gdb (${step.join(" ")})`, step[0], step.slice(1));
      } catch (error) {
        lastError = error.message;
        continue;
      }
      const gdb = await findProgram("gdb", `${process.env.PATH ?? ""}${delimiter}${SYSTEM_PATH}`);
      if (gdb) return gdb;
    }
    throw new Error(`gdb could not be installed with ${installer.tool}: ${lastError}`);
  }
  throw new Error("gdb is not installed and no known package manager (apt-get, dnf, apk) was found");
}
var GDB_SETTINGS = [
  "set auto-load off",
  "set libthread-db-search-path $sdir",
  "set debuginfod enabled off",
  "set pagination off",
  "set height 0",
  "set width 0",
  "set confirm off",
  "set style enabled off",
  "set print frame-arguments scalars",
  "set print entry-values no",
  "set max-value-size 65536",
  "set print elements 200"
];
function scriptPath() {
  return fileURLToPath(new URL("./backtrace.py", import.meta.url));
}
async function privateSysroot(crash, made) {
  const key = createHash("sha256").update(JSON.stringify(crash.libraries.map((l) => [l.path, l.file, l.soname]).sort())).digest("hex").slice(0, 16);
  let sysroot = made.get(key);
  if (!sysroot) {
    sysroot = buildSysroot(join2(dirname(crash.dir), "sysroots", key), crash.libraries);
    made.set(key, sysroot);
  }
  return sysroot;
}
async function buildSysroot(sysroot, libraries) {
  await rm(sysroot, { recursive: true, force: true });
  await mkdir(sysroot, { recursive: true });
  const folders = /* @__PURE__ */ new Set();
  const place = async (file, target) => {
    await mkdir(dirname(target), { recursive: true });
    await link(file, target).catch(() => copyFile(file, target, constants2.COPYFILE_EXCL));
  };
  for (const library of libraries) {
    const relative = safeRelative(library.path);
    if (!relative) continue;
    await place(library.file, join2(sysroot, relative)).catch(() => void 0);
    folders.add(dirname(join2(sysroot, relative)));
  }
  for (const library of libraries) {
    const relative = safeRelative(library.path);
    if (!relative || !library.soname || library.soname === basename(relative)) continue;
    await place(library.file, join2(sysroot, dirname(relative), library.soname)).catch(
      () => void 0
    );
  }
  return { sysroot, search: [...folders].join(delimiter) };
}
function gdbEnv(extra) {
  const env = { ...process.env, ...extra };
  delete env.DEBUGINFOD_URLS;
  delete env.LD_LIBRARY_PATH;
  return env;
}
function settingsArgs(extra = []) {
  const args = ["-nx", "-batch"];
  for (const setting of [...GDB_SETTINGS, ...extra]) args.push("-iex", setting);
  return args;
}
async function runBatch(options, executable, jobs, listFile) {
  await Promise.all(
    jobs.flatMap((job) => [rm(job.json, { force: true }), rm(job.text, { force: true })])
  );
  await writeFile(
    listFile,
    JSON.stringify(
      jobs.map((job) => ({
        core: job.crash.core,
        json: job.json,
        text: job.text,
        sysroot: job.sysroot,
        search: job.search
      }))
    )
  );
  const cache = jobs.length > 1 ? [
    "set index-cache directory " + join2(dirname(jobs[0].crash.dir), "gdb-index-cache"),
    "set index-cache enabled on"
  ] : [];
  const args = [...settingsArgs(cache), "-x", scriptPath()];
  if (executable) args.push(executable);
  const result = await runCommand(options.gdb, args, {
    // Never the workspace: gdb resolves relative DWARF names against its cwd.
    cwd: jobs[0].crash.dir,
    env: gdbEnv({
      CRASH_CAPTURE_JOBS: listFile,
      CRASH_CAPTURE_SCRIPTS: JSON.stringify(options.scripts),
      CRASH_CAPTURE_COMMANDS: JSON.stringify(options.commands)
    }),
    timeoutMs: options.timeoutMsPerCore * jobs.length,
    maxOutput: 1024 * 1024
  });
  const noPython = /Python scripting is not supported in this copy of GDB/.test(
    result.stdout + result.stderr
  );
  if (result.timedOut)
    return { failure: "gdb ran longer than its timeout and was killed", noPython };
  if (result.code !== 0) return { failure: `gdb ${describeFailure(result)}`, noPython };
  return { failure: null, noPython };
}
async function analyzeFromText(options, executable, job, resolver) {
  const args = settingsArgs([
    "set filename-display absolute",
    `set sysroot ${job.sysroot}`,
    `set solib-search-path ${job.search}`
  ]);
  for (const script of options.scripts) args.push("-x", script);
  args.push("-ex", "bt full 64", "-ex", "thread apply all -ascending bt full 64");
  for (const command of options.commands) args.push("-ex", command);
  if (executable) args.push(executable);
  args.push(job.crash.core);
  const result = await runCommand(options.gdb, args, {
    cwd: job.crash.dir,
    env: gdbEnv({}),
    timeoutMs: options.timeoutMsPerCore,
    maxOutput: 1024 * 1024
  });
  const analysis = bareAnalysis(job.crash, [
    "gdb has no Python support: frames were read from its text output (install the full gdb package for exact frames)"
  ]);
  if (result.timedOut || result.startError) {
    analysis.problems.push(`gdb ${describeFailure(result)}`);
    return analysis;
  }
  const text = removeNoise(result.stdout);
  const signal = parseTerminatingSignal(text);
  if (signal !== null && analysis.signal.number < 0) {
    analysis.signal = { ...analysis.signal, number: signal, name: signalName(signal) };
  }
  const thread = parseCrashingThread(text.slice(text.indexOf("\n#") >= 0 ? text.indexOf("\n#") : 0));
  for (const frame of thread.frames) frame.projectPath = resolver.projectPath(frame.fullname);
  analysis.threads = thread.frames.length > 0 ? [thread] : [];
  analysis.crashingThread = analysis.threads[0] ?? null;
  analysis.text = text;
  analysis.blame = chooseBlame(analysis.crashingThread, resolver, options.skipFrames);
  await writeFile(job.text, text).catch(() => void 0);
  analysis.textPath = job.text;
  return analysis;
}
async function readOutput(job) {
  try {
    const [json, text] = await Promise.all([readFile(job.json, "utf8"), readFile(job.text, "utf8")]);
    return { document: parseGdbDocument(json), text };
  } catch {
    return null;
  }
}
function toAnalysis(job, output, resolver, options) {
  const { document } = output;
  const analysis = bareAnalysis(job.crash, []);
  if (document.error) analysis.problems.push(`gdb could not open the core: ${document.error}`);
  if (/may not match specified executable/.test(document.loadMessages)) {
    analysis.problems.push(
      "gdb says the core may not match the executable: the frames may be wrong"
    );
  }
  if (document.signal) analysis.signal = document.signal;
  for (const thread of document.threads) {
    for (const frame of thread.frames) frame.projectPath = resolver.projectPath(frame.fullname);
  }
  analysis.threads = document.threads;
  analysis.crashingThread = document.threads.find((t) => t.crashed) ?? document.threads[0] ?? null;
  analysis.text = removeNoise(output.text);
  analysis.blame = chooseBlame(analysis.crashingThread, resolver, options.skipFrames);
  analysis.jsonPath = job.json;
  analysis.textPath = job.text;
  return analysis;
}
function split(jobs, parallel) {
  if (jobs.length < 4 || parallel < 2) return [jobs];
  const size = Math.ceil(jobs.length / parallel);
  const chunks = [];
  for (let i = 0; i < jobs.length; i += size) chunks.push(jobs.slice(i, i + size));
  return chunks;
}
async function analyzeCrashes(crashes, options) {
  const resolver = new SourceResolver(options);
  const results = /* @__PURE__ */ new Map();
  const sysroots = /* @__PURE__ */ new Map();
  const batches = /* @__PURE__ */ new Map();
  for (const crash of crashes) {
    const job = {
      crash,
      json: join2(crash.dir, "backtrace.json"),
      text: join2(crash.dir, "backtrace.txt"),
      ...await privateSysroot(crash, sysroots)
    };
    const key = crash.executable ?? "";
    batches.set(key, [...batches.get(key) ?? [], job]);
  }
  const queue = [];
  for (const [executable, jobs] of batches) {
    for (const chunk of split(jobs, options.parallel)) {
      queue.push({ executable: executable || null, jobs: chunk, retry: chunk.length > 1 });
    }
  }
  let warnedNoPython = false;
  const worker = async () => {
    for (let batch = queue.shift(); batch; batch = queue.shift()) {
      const listFile = join2(batch.jobs[0].crash.dir, "gdb-jobs.json");
      const run = await runBatch(options, batch.executable, batch.jobs, listFile);
      const unfinished = [];
      for (const job of batch.jobs) {
        const output = await readOutput(job);
        if (output) results.set(job.crash, toAnalysis(job, output, resolver, options));
        else unfinished.push(job);
      }
      if (unfinished.length === 0) continue;
      if (run.noPython) {
        if (!warnedNoPython)
          options.warn?.("gdb has no Python support: reading frames from its text output instead.");
        warnedNoPython = true;
        for (const job of unfinished) {
          results.set(job.crash, await analyzeFromText(options, batch.executable, job, resolver));
        }
      } else if (batch.retry) {
        for (const job of unfinished)
          queue.push({ executable: batch.executable, jobs: [job], retry: false });
      } else {
        for (const job of unfinished) {
          results.set(job.crash, bareAnalysis(job.crash, [run.failure ?? "gdb wrote no backtrace"]));
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.parallel) }, worker));
  return crashes.map((crash) => results.get(crash) ?? bareAnalysis(crash, ["not analysed"]));
}
async function analyzeAll(crashes, cores, gdb) {
  const results = /* @__PURE__ */ new Map();
  const usable = [];
  const byId = new Map(crashes.map((crash) => [crash.id, crash]));
  for (const crash of crashes) {
    if (crash.twinOf && byId.has(crash.twinOf)) {
    } else if (!crash.core) {
      results.set(
        crash,
        bareAnalysis(crash, [`No core to analyse: ${crash.coreNote ?? "none was stored"}`])
      );
    } else if (!crash.executable) {
      results.set(crash, bareAnalysis(crash, []));
    } else if ("missing" in gdb) {
      results.set(crash, bareAnalysis(crash, [gdb.missing]));
    } else {
      usable.push(crash);
    }
  }
  if (usable.length > 0 && !("missing" in gdb)) {
    for (const analysis of await analyzeCrashes(usable, gdb)) {
      await addSanitizerReport(analysis, gdb);
      results.set(analysis.crash, analysis);
    }
  }
  for (const crash of crashes) {
    const first = crash.twinOf ? results.get(byId.get(crash.twinOf)) : void 0;
    if (!crash.twinOf || results.has(crash)) continue;
    results.set(
      crash,
      first ? {
        ...first,
        crash,
        problems: [
          `Backtraced as ${crash.twinOf}: it crashed at the same place (signal, instruction and the code addresses on 8 KiB of its stack), so its core was not given to gdb.`
        ]
      } : bareAnalysis(crash, [`No core to analyse: ${crash.coreNote ?? "none was stored"}`])
    );
  }
  return crashes.map((crash) => fillFromCore(results.get(crash), cores.get(crash)));
}

export {
  findGdb,
  installGdb,
  GDB_SETTINGS,
  analyzeAll
};
