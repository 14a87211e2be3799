#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  ExecutableCandidates,
  buildReport,
  crashFromCoreFile,
  groupText,
  identify
} from "./chunk-WJOAQY5W.js";
import "./chunk-GWWSH5FA.js";
import {
  groupCrashes
} from "./chunk-HSAGTQAI.js";
import {
  analyzeAll,
  findGdb,
  findMultiarchGdb,
  looksLikeCore
} from "./chunk-2UX7GNZQ.js";
import "./chunk-QDU6IIMW.js";
import "./chunk-PA6W4IJO.js";
import "./chunk-VA35IVHB.js";

// src/local.ts
import { mkdtemp as mkdtemp2, realpath, rm as rm2 } from "node:fs/promises";
import { availableParallelism, tmpdir as tmpdir2 } from "node:os";
import { join as join2, resolve as resolve2 } from "node:path";
import { parseArgs as parseArgs2 } from "node:util";

// src/open.ts
import { spawn } from "node:child_process";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, normalize, resolve, sep } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
var OPEN_USAGE = `Usage: crash-capture open ARTIFACT [--crash ID] [--bt] [--source-dir DIR] [-- GDB-ARGS...]

Opens a crash artifact downloaded from a CI run (its folder, or the zip as downloaded from the
run's page):
  crash-capture open crash/                      lists its crashes, one line per group
  crash-capture open crash/ --crash ID --bt      prints that crash's backtrace
  crash-capture open crash/ --crash ID           starts gdb on it with the executable and the
                                                 libraries it ran with, from the bundle
  crash-capture open crash.zip --crash ID -- -batch -ex bt

Options:
  --crash ID        a crash folder of the artifact (as the list shows it)
  --bt              print the crash's backtrace instead of starting gdb
  --source-dir DIR  your checkout, so that gdb shows the sources (default: the current directory)
  -h, --help        this text
`;
var MAX_UNPACKED = 64 * 1024 ** 3;
async function unpackZip(zip, into) {
  const { Parse } = (await import("./unzip-WE3SUU57.js")).default;
  let total = 0;
  const writes = [];
  await new Promise((done, fail) => {
    const parser = Parse();
    parser.on("entry", (entry) => {
      const name = normalize(entry.path);
      if (isAbsolute(name) || name === ".." || name.startsWith(`..${sep}`)) {
        entry.autodrain();
        fail(new Error(`the zip holds a path outside itself: ${JSON.stringify(entry.path)}`));
        return;
      }
      const target = join(into, name);
      if (entry.type === "Directory") {
        entry.autodrain();
        return;
      }
      const count = new Transform({
        transform(chunk, _encoding, next) {
          total += chunk.length;
          next(
            total > MAX_UNPACKED ? new Error("the zip unpacks to more than 64 GiB") : null,
            chunk
          );
        }
      });
      writes.push(
        mkdir(dirname(target), { recursive: true }).then(
          () => pipeline(entry, count, createWriteStream(target, { flags: "wx", mode: 384 }))
        )
      );
    });
    parser.on("error", fail);
    parser.on("close", () => done());
    parser.on("finish", () => done());
    createReadStream(zip).on("error", fail).pipe(parser);
  });
  await Promise.all(writes);
}
async function runOpen(argv, out, err, printable2) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        crash: { type: "string" },
        bt: { type: "boolean" },
        "source-dir": { type: "string" },
        help: { type: "boolean", short: "h" }
      }
    });
  } catch (error) {
    err(`${error.message}

${OPEN_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const dashes = argv.indexOf("--");
  const gdbArgs = dashes >= 0 ? argv.slice(dashes + 1) : [];
  const artifact = positionals[0];
  if (values.help || !artifact) {
    ;
    (values.help ? out : err)(OPEN_USAGE);
    return values.help ? 0 : 2;
  }
  const info = await stat(artifact).catch(() => null);
  if (!info) {
    err(`${printable2(artifact)}: no such file or folder
`);
    return 1;
  }
  let root = resolve(artifact);
  let scratch = null;
  try {
    if (info.isFile()) {
      scratch = await mkdtemp(join(tmpdir(), "crash-capture-open-"));
      await unpackZip(root, scratch);
      root = scratch;
    }
    const report2 = JSON.parse(
      await readFile(join(root, "report.json"), "utf8").catch(() => "null")
    );
    if (!report2?.groups) {
      err(`${printable2(artifact)}: not a crash-capture artifact (no report.json)
`);
      return 1;
    }
    if (!values.crash) {
      for (const [index, group] of report2.groups.entries()) {
        const first = group.crashes?.[0] ?? {};
        const where = first.blame?.path ? ` at ${first.blame.path}:${first.blame.line}` : "";
        out(
          printable2(
            `${index + 1}. ${first.signal?.name ?? "crash"} in ${first.blame?.function ?? "??"}${where}: ${group.count ?? 0} crash(es), folders ${(group.crashes ?? []).map((c) => c.id).join(" ")}`
          ) + "\n"
        );
      }
      return 0;
    }
    const id = values.crash;
    if (!/^[A-Za-z0-9._-]+$/.test(id) || !await stat(join(root, id)).catch(() => null)) {
      err(`${printable2(id)}: no such crash in the artifact (the list shows its crash folders)
`);
      return 1;
    }
    if (values.bt) {
      const text = await readFile(join(root, id, "backtrace.txt"), "utf8").catch(() => null);
      if (text === null) {
        err(`${id}: the artifact has no backtrace for this crash
`);
        return 1;
      }
      out(printable2(text));
      return 0;
    }
    const script = join(root, id, "debug.sh");
    if (!await stat(script).catch(() => null)) {
      err(`${id}: the artifact has no core for this crash (see its crash.json)
`);
      return 1;
    }
    const sources = resolve(values["source-dir"] ?? process.cwd());
    return await new Promise((done) => {
      const child = spawn("sh", [script, ...gdbArgs], {
        stdio: "inherit",
        env: { ...process.env, CRASH_SOURCES: sources }
      });
      child.on("error", () => done(1));
      child.on("close", (code) => done(code ?? 1));
    });
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

// src/local.ts
var USAGE = `Usage: crash-capture [options] CORE...
       crash-capture open ARTIFACT ...     (a crash artifact downloaded from CI: see open --help)

Backtraces core files with the same engine as the action: finds each core's executable (by
build-id), runs gdb, picks the frame to blame and groups identical crashes.

Options:
  --exe FILE           an executable to match cores against by build-id (repeatable); it wins
                       over the path the core recorded
  --workspace DIR      the project's source root, for blame (default: the current directory)
  --source-dir DIR     the sources, when the build was made in another directory (CI): the
                       blamed file is looked for there (it is the workspace too)
  --skip-frames REGEX  function names to look past when blaming (panic helpers); searched
                       anywhere in a name, anchor it (^name$) for whole names
  --gdb-script FILE    a gdb script of the project (pretty-printers, helpers), sourced before
                       the backtraces (repeatable)
  --gdb-timeout SECS   seconds gdb may spend on one core (default 120)
  --json               print the JSON report instead of text
  -h, --help           this text

Only the report goes to standard output; messages go to standard error.
Exit status: 0 every core was analysed; 1 a file was missing or not a core, or a core could not
be analysed (no matching executable, cut short, gdb failed); 2 bad usage; 3 gdb is not installed.
`;
function printable(text) {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f\u009b]/g, "?");
}
async function runCli(argv, out, err = out) {
  if (argv[0] === "open") return runOpen(argv.slice(1), out, err, printable);
  let parsed;
  try {
    parsed = parseArgs2({
      args: argv,
      allowPositionals: true,
      options: {
        exe: { type: "string", multiple: true },
        workspace: { type: "string" },
        "source-dir": { type: "string" },
        "skip-frames": { type: "string" },
        "gdb-script": { type: "string", multiple: true },
        "gdb-timeout": { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" }
      }
    });
  } catch (error) {
    err(`${error.message}

${USAGE}`);
    return 2 /* Usage */;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    ;
    (values.help ? out : err)(USAGE);
    return values.help ? 0 /* Analysed */ : 2 /* Usage */;
  }
  let skipFrames;
  try {
    skipFrames = values["skip-frames"] ? new RegExp(values["skip-frames"]) : null;
  } catch (error) {
    err(`--skip-frames: ${error.message}
`);
    return 2 /* Usage */;
  }
  const timeout = Number(values["gdb-timeout"] ?? 120);
  if (!Number.isFinite(timeout) || timeout <= 0) {
    err("--gdb-timeout: expected a number of seconds\n");
    return 2 /* Usage */;
  }
  const stage = await mkdtemp2(join2(tmpdir2(), "crash-capture-local-"));
  try {
    return await analyseCores(values, positionals, skipFrames, timeout, stage, out, err);
  } finally {
    await rm2(stage, { recursive: true, force: true });
  }
}
async function analyseCores(values, positionals, skipFrames, timeout, stage, out, err) {
  const candidates = new ExecutableCandidates(
    (values.exe ?? []).map((exe) => resolve2(exe)),
    stage
  );
  const crashes = [];
  const cores = /* @__PURE__ */ new Map();
  let status = 0 /* Analysed */;
  for (const [index, given] of positionals.entries()) {
    const path = await realpath(given).catch(() => null);
    if (path === null) {
      err(`${printable(given)}: no such file
`);
      status = 1 /* NotAnalysed */;
      continue;
    }
    if (!await looksLikeCore(path)) {
      err(`${printable(given)}: not an ELF core file
`);
      status = 1 /* NotAnalysed */;
      continue;
    }
    const crash = await crashFromCoreFile(path, Date.now(), stage, index + 1);
    const identified = await identify(crash, candidates, true);
    crash.problems.push(...identified.problems);
    if (identified.core) cores.set(crash, identified.core);
    crashes.push(crash);
  }
  const gdb = await findGdb();
  const analyses = await analyzeAll(
    crashes,
    cores,
    gdb ? {
      gdb,
      multiarch: await findMultiarchGdb() ?? {
        missing: "it is not installed (apt-get install gdb-multiarch)"
      },
      workspace: await realpath(values.workspace ?? values["source-dir"] ?? process.cwd()),
      sourceDir: values["source-dir"] ? await realpath(values["source-dir"]) : null,
      skipFrames,
      timeoutMsPerCore: timeout * 1e3,
      parallel: Math.min(2, availableParallelism()),
      scripts: (values["gdb-script"] ?? []).map((script) => resolve2(script)),
      commands: [],
      warn: (message) => err(`warning: ${message}
`)
    } : { missing: "gdb is not installed: install it (apt-get install gdb) for backtraces" }
  );
  if (!gdb && crashes.length > 0) {
    err("crash-capture: gdb is not installed: install it (apt-get install gdb) for backtraces\n");
    status = 3 /* NoGdb */;
  }
  for (const analysis of analyses) {
    const { crash } = analysis;
    const incomplete = crash.coreState !== "complete";
    if (analysis.textPath !== null && !incomplete) continue;
    if (status === 0 /* Analysed */) status = 1 /* NotAnalysed */;
    const why = [
      ...incomplete ? [`the core is ${crash.coreState}: ${crash.coreNote ?? ""}`] : [],
      ...analysis.problems
    ];
    err(
      `${printable(crash.core ?? crash.id)}: not fully analysed: ${printable(why.join("; ") || "gdb wrote no backtrace")}
`
    );
  }
  const groups = groupCrashes(analyses, skipFrames);
  if (values.json) {
    out(JSON.stringify(buildReport(groups, "local"), null, 2) + "\n");
    return status;
  }
  for (const group of groups) {
    if (group.analyses.length === 0) continue;
    const { title, lines } = groupText(group);
    out(`
=== ${printable(title)} ===
`);
    out(printable(lines.join("\n")) + "\n");
  }
  return status;
}

// src/cli.ts
var report = process.stdout.write.bind(process.stdout);
process.stdout.write = process.stderr.write.bind(process.stderr);
runCli(
  process.argv.slice(2),
  (text) => report(text),
  (text) => process.stderr.write(text)
).then(
  (code) => process.exitCode = code,
  (error) => {
    process.stderr.write(
      `crash-capture: ${error instanceof Error ? error.message : String(error)}
`
    );
    process.exitCode = 1;
  }
);
