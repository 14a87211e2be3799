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
} from "./chunk-CI2XZFFF.js";
import "./chunk-PFK6ZXNS.js";
import {
  crashTitle
} from "./chunk-DAS4RST4.js";
import {
  groupCrashes
} from "./chunk-RMMOKWWV.js";
import "./chunk-LY2TUG3Y.js";
import "./chunk-LQK3ML4U.js";

// src/local.ts
import { mkdtemp, realpath } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
var USAGE = `Usage: crash-capture [options] CORE...

Backtraces core files with the same engine as the action: finds each core's executable (by
build-id), runs gdb, picks the frame to blame and groups identical crashes.

Options:
  --exe FILE           an executable to match cores against by build-id (repeatable)
  --workspace DIR      the project's source root, for blame (default: the current directory)
  --skip-frames REGEX  function names to look past when blaming (panic helpers)
  --gdb-timeout SECS   seconds gdb may spend on one core (default 120)
  --json               print the JSON report instead of text
  -h, --help           this text
`;
function printable(text) {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f\u009b]/g, "?");
}
async function runCli(argv, out) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        exe: { type: "string", multiple: true },
        workspace: { type: "string" },
        "skip-frames": { type: "string" },
        "gdb-timeout": { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" }
      }
    });
  } catch (error) {
    out(`${error.message}

${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    out(USAGE);
    return values.help ? 0 : 2;
  }
  let skipFrames;
  try {
    skipFrames = values["skip-frames"] ? new RegExp(values["skip-frames"]) : null;
  } catch (error) {
    out(`--skip-frames: ${error.message}
`);
    return 2;
  }
  const timeout = Number(values["gdb-timeout"] ?? 120);
  if (!Number.isFinite(timeout) || timeout <= 0) {
    out("--gdb-timeout: expected a number of seconds\n");
    return 2;
  }
  const stage = await mkdtemp(join(tmpdir(), "crash-capture-local-"));
  const candidates = new ExecutableCandidates(
    (values.exe ?? []).map((exe) => resolve(exe)),
    stage
  );
  const crashes = [];
  const cores = /* @__PURE__ */ new Map();
  let status = 0;
  for (const [index, given] of positionals.entries()) {
    const path = await realpath(given).catch(() => given);
    if (!await looksLikeCore(path)) {
      out(`${printable(given)}: not an ELF core file
`);
      status = 1;
      continue;
    }
    const crash = await crashFromCoreFile(resolve(path), Date.now(), stage, index + 1);
    const identified = await identify(crash, candidates);
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
      workspace: await realpath(values.workspace ?? process.cwd()),
      skipFrames,
      timeoutMsPerCore: timeout * 1e3,
      parallel: Math.min(2, availableParallelism()),
      scripts: [],
      commands: [],
      warn: (message) => out(`warning: ${message}
`)
    } : { missing: "gdb is not installed: install it (apt-get install gdb) for backtraces" }
  );
  const groups = groupCrashes(analyses, skipFrames);
  if (values.json) {
    out(JSON.stringify(buildReport(groups, "local"), null, 2) + "\n");
    return status;
  }
  for (const group of groups) {
    for (const analysis of group.analyses) {
      out(`
=== ${printable(crashTitle(analysis))} ===
`);
      out(printable(crashLogLines(analysis).join("\n")) + "\n");
    }
  }
  return status;
}

// src/cli.ts
runCli(process.argv.slice(2), (text) => process.stdout.write(text)).then(
  (code) => process.exitCode = code,
  (error) => {
    process.stderr.write(
      `crash-capture: ${error instanceof Error ? error.message : String(error)}
`
    );
    process.exitCode = 1;
  }
);
