#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  ExecutableCandidates,
  analyzeAll,
  buildReport,
  crashFromCoreFile,
  crashLogLines,
  findGdb,
  identify,
  looksLikeCore
} from "./chunk-F3C75CNQ.js";
import "./chunk-7DFBL3NF.js";
import {
  crashTitle
} from "./chunk-ZPBZ2OCP.js";
import {
  groupCrashes
} from "./chunk-BOIPLAFA.js";
import "./chunk-LY2TUG3Y.js";
import "./chunk-LQK3ML4U.js";

// src/local.ts
import { mkdtemp, realpath, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
var USAGE = `Usage: crash-capture [options] CORE...

Backtraces core files with the same engine as the action: finds each core's executable (by
build-id), runs gdb, picks the frame to blame and groups identical crashes.

Options:
  --exe FILE           an executable to match cores against by build-id (repeatable); it wins
                       over the path the core recorded
  --workspace DIR      the project's source root, for blame (default: the current directory)
  --source-dir DIR     the sources, when the build was made in another directory (CI): the
                       blamed file is looked for there (it is the workspace too)
  --skip-frames REGEX  function names to look past when blaming (panic helpers)
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
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        exe: { type: "string", multiple: true },
        workspace: { type: "string" },
        "source-dir": { type: "string" },
        "skip-frames": { type: "string" },
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
  const stage = await mkdtemp(join(tmpdir(), "crash-capture-local-"));
  try {
    return await analyseCores(values, positionals, skipFrames, timeout, stage, out, err);
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}
async function analyseCores(values, positionals, skipFrames, timeout, stage, out, err) {
  const candidates = new ExecutableCandidates(
    (values.exe ?? []).map((exe) => resolve(exe)),
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
      workspace: await realpath(values.workspace ?? values["source-dir"] ?? process.cwd()),
      sourceDir: values["source-dir"] ? await realpath(values["source-dir"]) : null,
      skipFrames,
      timeoutMsPerCore: timeout * 1e3,
      parallel: Math.min(2, availableParallelism()),
      scripts: [],
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
    const [first, ...others] = group.analyses;
    if (!first) continue;
    out(`
=== ${printable(crashTitle(first))} ===
`);
    out(printable(crashLogLines(first).join("\n")) + "\n");
    for (const other of others)
      out(`Same crash: pid ${other.crash.pid}, ${printable(other.crash.core ?? other.crash.id)}
`);
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
