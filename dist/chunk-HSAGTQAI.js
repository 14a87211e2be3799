import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  crashStack,
  executableName,
  isMachinery,
  isRunning,
  isRuntimeLibrary
} from "./chunk-QDU6IIMW.js";

// src/analyze/group.ts
import { createHash } from "node:crypto";
var SIGNATURE_VERSION = 2;
var SIGNATURE_FRAMES = 3;
var PATH_FRAMES = 16;
function frameName(frame) {
  if (frame.function)
    return frame.function.replace(/(\.(isra|part|constprop|cold|lto_priv)(\.\d+)?)+$/, "");
  const library = frame.objfile?.split("/").pop()?.replace(/ \(deleted\)$/, "");
  return `??@${library ?? "?"}`;
}
function threadStates(analysis, skipFrames) {
  const states = analysis.threads.map(
    (thread) => namesOf(thread.frames, skipFrames).slice(0, SIGNATURE_FRAMES).join("<")
  );
  return [...new Set(states.filter(Boolean))].sort();
}
function meaningfulNames(analysis, skipFrames) {
  if (isRunning(analysis.crash)) return threadStates(analysis, skipFrames);
  return namesOf(crashStack(analysis), skipFrames);
}
function namesOf(frames, skipFrames) {
  const meaningful = frames.filter(
    (frame) => !isMachinery(frame, skipFrames) && !isRuntimeLibrary(frame)
  );
  const names = (meaningful.length > 0 ? meaningful : frames).map(frameName);
  return names.filter((name, i) => i === 0 || name !== names[i - 1]);
}
function signatureOf(analysis, skipFrames) {
  const names = meaningfulNames(analysis, skipFrames);
  const leftover = isRunning(analysis.crash);
  const functions = leftover ? names : names.slice(0, SIGNATURE_FRAMES);
  const material = [
    `v${SIGNATURE_VERSION}`,
    executableName(analysis),
    ...leftover ? [analysis.crash.source] : [],
    analysis.sanitizer ? `${analysis.sanitizer.tool}: ${analysis.sanitizer.kind}` : analysis.signal.name,
    // A UBSan diagnostic is one place: two checks of one kind in one function are two.
    ...analysis.sanitizer?.location ? [analysis.sanitizer.location] : [],
    ...functions
  ].join("\n");
  const hash = `v${SIGNATURE_VERSION}-${createHash("sha256").update(material).digest("hex").slice(0, 12)}`;
  return {
    hash,
    functions,
    path: leftover ? "" : names.slice(SIGNATURE_FRAMES, SIGNATURE_FRAMES + PATH_FRAMES).join("\n")
  };
}
function groupCrashes(analyses, skipFrames) {
  const groups = /* @__PURE__ */ new Map();
  const paths = /* @__PURE__ */ new Map();
  const frameless = [];
  const add = (analysis) => {
    const { hash, functions, path } = signatureOf(analysis, skipFrames);
    const group = groups.get(hash) ?? { signature: hash, functions, callPaths: 0, analyses: [] };
    group.analyses.push(analysis);
    groups.set(hash, group);
    if (functions.length > 0) paths.set(hash, (paths.get(hash) ?? /* @__PURE__ */ new Set()).add(path));
  };
  for (const analysis of analyses) {
    if (crashStack(analysis).length === 0) frameless.push(analysis);
    else add(analysis);
  }
  const kind = (a) => `${executableName(a)}
${a.signal.name}`;
  for (const analysis of frameless) {
    const home = [...groups.values()].filter((g) => g.functions.length > 0 && kind(g.analyses[0]) === kind(analysis)).sort((a, b) => b.analyses.length - a.analyses.length)[0];
    if (home) home.analyses.push(analysis);
    else add(analysis);
  }
  for (const group of groups.values()) group.callPaths = paths.get(group.signature)?.size ?? 0;
  return [...groups.values()].sort((a, b) => b.analyses.length - a.analyses.length);
}

export {
  SIGNATURE_VERSION,
  signatureOf,
  groupCrashes
};
