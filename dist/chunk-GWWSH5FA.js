import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  crashStack,
  executableName,
  isMachinery,
  shellQuote
} from "./chunk-QDU6IIMW.js";

// src/report/describe.ts
function blamedFunction(analysis) {
  return analysis.blame?.frame.function ?? "??";
}
function blamedLocation(analysis) {
  const blame = analysis.blame;
  return blame?.path ? `${blame.path}:${blame.line}` : null;
}
var CORE_SIGNALS = /* @__PURE__ */ new Set([
  "SIGQUIT",
  "SIGILL",
  "SIGTRAP",
  "SIGABRT",
  "SIGBUS",
  "SIGFPE",
  "SIGSEGV",
  "SIGXCPU",
  "SIGXFSZ",
  "SIGSYS"
]);
function isSnapshot(analysis) {
  return analysis.signal.number > 0 && !CORE_SIGNALS.has(analysis.signal.name);
}
function what(analysis) {
  if (analysis.crash.source === "leftover") return "still running";
  if (analysis.crash.source === "hang") return "hang";
  if (analysis.sanitizer) return `${analysis.sanitizer.tool}: ${analysis.sanitizer.kind}`;
  return isSnapshot(analysis) ? `snapshot (${analysis.signal.name})` : analysis.signal.name;
}
function groupTitle(group) {
  const first = group.analyses[0];
  const count = group.analyses.length;
  const where = blamedFunction(first);
  const title = `${what(first)} in ${where === "??" ? "??" : `${where}()`} \u2014 ${executableName(first)}`;
  const paths = group.callPaths > 1 ? ` from ${group.callPaths} call paths` : "";
  return count > 1 ? `${title}, ${count} crashes${paths}` : title;
}
function crashTitle(analysis) {
  const location = blamedLocation(analysis);
  const where = `${blamedFunction(analysis)}${location ? ` (${location})` : ""}`;
  if (analysis.crash.source === "hang")
    return `\u231B hang in ${where} \u2014 ${executableName(analysis)}, pid ${analysis.crash.pid}`;
  if (analysis.crash.source === "leftover")
    return `\u23F3 still running in ${where} \u2014 ${executableName(analysis)}, pid ${analysis.crash.pid}`;
  return `${isSnapshot(analysis) ? "\u{1F4F7}" : "\u{1F4A5}"} ${what(analysis)} in ${where} \u2014 ${executableName(analysis)}, pid ${analysis.crash.pid}`;
}
function threadPlaces(analysis) {
  const places = [];
  for (const thread of analysis.threads) {
    const frame = thread.frames.find((f) => f.projectPath && !isMachinery(f, null));
    if (frame)
      places.push({
        thread: thread.num,
        lwp: thread.lwp,
        function: frame.function,
        path: frame.projectPath,
        line: frame.line
      });
  }
  return places;
}
function crashKind(analysis) {
  return what(analysis);
}
function signalDescription(analysis) {
  if (analysis.sanitizer) return `${analysis.sanitizer.tool}: ${analysis.sanitizer.headline}`;
  const { signal } = analysis;
  const code = signal.codeName ? ` (${signal.codeName})` : "";
  const address = signal.address ? ` at ${signal.address}` : "";
  return `${signal.name}${code}${address}`;
}
function frameLine(frame) {
  const projectPath = frame.projectPath;
  const name = frame.function ?? "??";
  const inline = frame.inline ? " [inlined]" : "";
  if (frame.signalHandler) return `#${frame.level} <signal handler called>`;
  if (projectPath && frame.line !== null)
    return `#${frame.level} ${name}${inline} at ${projectPath}:${frame.line}`;
  if (frame.file && frame.line !== null)
    return `#${frame.level} ${name}${inline} at ${frame.file}:${frame.line}`;
  const library = frame.objfile ? ` in ${frame.objfile.split("/").pop()}` : "";
  return `#${frame.level} ${name}${inline}${library}`;
}
function commandLine(analysis) {
  return analysis.crash.commandLine.map((arg) => /^[\w@%+=:,./-]+$/.test(arg) ? arg : shellQuote(arg)).join(" ");
}
function fromBlame(frames, start, max, line) {
  const from = Math.max(0, start);
  const shown = frames.slice(from, from + max).map(line);
  const rest = frames.length - from - shown.length;
  return [
    ...from > 0 ? [`(${from} runtime frame${from === 1 ? "" : "s"} above)`] : [],
    ...shown,
    ...rest > 0 ? [`\u2026 ${rest} more frames`] : []
  ];
}
function blamedFrameLines(analysis, max) {
  const frames = crashStack(analysis);
  const start = analysis.blame ? frames.indexOf(analysis.blame.frame) : 0;
  return fromBlame(frames, start, max, (frame) => frameLine(frame));
}

export {
  blamedFunction,
  blamedLocation,
  groupTitle,
  crashTitle,
  threadPlaces,
  crashKind,
  signalDescription,
  commandLine,
  fromBlame,
  blamedFrameLines
};
