import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  code,
  codeBlock,
  commentMarker,
  escape,
  sourceLinksFromEnv,
  sourceLocation,
  stickyComment
} from "./chunk-OVGEZK32.js";
import {
  REPORT_ARTIFACT_PREFIX,
  getAggregateInputs
} from "./chunk-ABMK64BH.js";
import {
  fromBlame
} from "./chunk-GWWSH5FA.js";
import "./chunk-HSAGTQAI.js";
import "./chunk-QDU6IIMW.js";
import {
  canUpload
} from "./chunk-PUNQGZOI.js";
import {
  error,
  info,
  setFailed,
  setOutput,
  summary,
  warning
} from "./chunk-PA6W4IJO.js";
import "./chunk-VA35IVHB.js";

// src/aggregate-step.ts
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

// src/report/aggregate.ts
var str = (v) => typeof v === "string" ? v : "";
var num = (v) => typeof v === "number" && Number.isSafeInteger(v) ? v : null;
function frameText(frame) {
  const name = str(frame.function) || "??";
  const file = str(frame.projectPath) || str(frame.file);
  const line = num(frame.line);
  return `#${num(frame.level) ?? "?"} ${name}${file ? ` at ${file}${line !== null ? `:${line}` : ""}` : ""}`;
}
function reportFrames(frames, level) {
  const start = level === null ? 0 : frames.findIndex((f) => num(f.level) === level);
  return fromBlame(frames, start, 12, frameText);
}
function parseJobReport(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const v = value;
  const job = v.job ?? {};
  const key = str(job.key);
  if (!key) return null;
  const artifact = v.artifact ?? null;
  const groups = [];
  for (const g of Array.isArray(v.groups) ? v.groups : []) {
    const crashes = Array.isArray(g.crashes) ? g.crashes : [];
    const first = crashes[0] ?? {};
    const threads = Array.isArray(first.threads) ? first.threads : [];
    const thread = threads.find((t) => t.crashed === true) ?? threads[0];
    const frames = Array.isArray(thread?.frames) ? thread.frames : [];
    const blame = first.blame ?? null;
    const signal = first.signal ?? {};
    const path = str(first.executablePath).replace(/ \(deleted\)$/, "");
    groups.push({
      signature: str(g.signature),
      functions: Array.isArray(g.functions) ? g.functions.map(str) : [],
      count: num(g.count) ?? crashes.length,
      signal: str(signal.name) || "a signal",
      executable: path.split("/").pop() || str(first.comm) || "unknown executable",
      blame: blame && str(blame.path) ? { path: str(blame.path), line: num(blame.line), function: str(blame.function) || null } : null,
      frames: reportFrames(frames, num(blame?.level))
    });
  }
  return {
    key,
    label: str(job.label) || key,
    attempt: num(job.attempt) ?? 1,
    artifact: artifact && str(artifact.name) ? { name: str(artifact.name), url: str(artifact.url) || null } : null,
    groups: groups.filter((g) => g.signature),
    expected: num(v.expectedCrashes) ?? 0
  };
}
function mergeReports(reports) {
  const latest = /* @__PURE__ */ new Map();
  for (const report of reports) {
    const seen = latest.get(report.key);
    if (!seen || report.attempt > seen.attempt) latest.set(report.key, report);
  }
  const jobs = [...latest.values()].sort(
    (a, b) => a.key.localeCompare(b.key, "en", { numeric: true })
  );
  const groups = /* @__PURE__ */ new Map();
  for (const job of jobs) {
    for (const group of job.groups) {
      const run2 = groups.get(group.signature) ?? {
        signature: group.signature,
        functions: group.functions,
        count: 0,
        jobs: [],
        first: group
      };
      run2.count += group.count;
      run2.jobs.push({ label: job.label, count: group.count, artifact: job.artifact });
      groups.set(group.signature, run2);
    }
  }
  return {
    groups: [...groups.values()].sort((a, b) => b.jobs.length - a.jobs.length || b.count - a.count),
    jobs
  };
}
function title(group) {
  const where = group.first.blame?.function ?? group.functions[0] ?? "??";
  return `${group.first.signal} in ${where}() \u2014 ${group.first.executable}`;
}
function jobList(group, max) {
  const shown = group.jobs.slice(0, max).map((job) => {
    const name = code(job.label);
    return job.artifact?.url ? `${name} ([artifact](${job.artifact.url}))` : name;
  });
  return shown.join(", ") + (group.jobs.length > max ? `, \u2026 ${group.jobs.length - max} more` : "");
}
function renderRunSummary(groups, jobs, links) {
  const crashed = jobs.filter((j) => j.groups.length > 0).length;
  if (groups.length === 0)
    return `## crash-capture: the run

No crash in the ${jobs.length} job report(s) of this run. \u2705
`;
  const crashes = groups.reduce((n, g) => n + g.count, 0);
  const parts = [
    `## \u{1F4A5} crash-capture: ${crashes} crash${crashes === 1 ? "" : "es"} of ${groups.length} kind${groups.length === 1 ? "" : "s"} in ${crashed} job${crashed === 1 ? "" : "s"} of this run`,
    ""
  ];
  for (const [index, group] of groups.entries()) {
    const blame = group.first.blame;
    parts.push(
      `### ${index + 1}. ${escape(title(group))}: ${group.jobs.length} job${group.jobs.length === 1 ? "" : "s"}, ${group.count} crash${group.count === 1 ? "" : "es"}`,
      "",
      `- Blamed: ${blame ? sourceLocation(blame.path, blame.line, links) : "_no frame in the repository_"}`,
      `- Signature: ${code(group.signature)}: ${group.functions.map(code).join(" \u2190 ")}`,
      `- Jobs: ${jobList(group, 50)}`,
      "",
      `Frames in ${code(group.jobs[0].label)}:`,
      "",
      codeBlock(group.first.frames.join("\n") || "(no frames)"),
      ""
    );
  }
  return parts.join("\n");
}
function renderRunComment(groups, key, runUrl, links) {
  const crashes = groups.reduce((n, g) => n + g.count, 0);
  const run2 = runUrl ? `[this run](${runUrl})` : "this run";
  if (groups.length === 0)
    return [
      commentMarker(key),
      "### \u2705 crash-capture: no crash in this run",
      "",
      `${run2} found no crash in any job.`,
      ""
    ].join("\n");
  const parts = [
    commentMarker(key),
    `### \u{1F4A5} crash-capture: ${crashes} crash${crashes === 1 ? "" : "es"} of ${groups.length} kind${groups.length === 1 ? "" : "s"} in ${run2}`,
    ""
  ];
  for (const [index, group] of groups.slice(0, 20).entries()) {
    const blame = group.first.blame;
    parts.push(
      `**${index + 1}. ${escape(title(group))}**${blame ? ` at ${sourceLocation(blame.path, blame.line, links)}` : ""}: ${group.jobs.length} job${group.jobs.length === 1 ? "" : "s"} (${jobList(group, 10)})`,
      ""
    );
  }
  if (groups.length > 20)
    parts.push(`_${groups.length - 20} more kinds: see the run's summary._`, "");
  return parts.join("\n");
}

// src/aggregate-step.ts
var MAX_ANNOTATIONS = 10;
async function readReports() {
  const started = Date.now();
  const { DefaultArtifactClient } = await import("./artifact-W6FLSKKA.js");
  const client = new DefaultArtifactClient();
  const { artifacts } = await client.listArtifacts({ latest: true });
  const shared = artifacts.filter((a) => a.name.startsWith(`${REPORT_ARTIFACT_PREFIX}-`));
  const dir = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), "crash-capture-run-"));
  const reports = [];
  try {
    for (const artifact of shared) {
      const path = join(dir, String(artifact.id));
      try {
        await client.downloadArtifact(artifact.id, { path });
        const report = parseJobReport(await readFile(join(path, "report.json"), "utf8"));
        if (report) reports.push(report);
        else warning(`The artifact '${artifact.name}' holds no crash-capture report.`);
      } catch (error2) {
        warning(
          `The report '${artifact.name}' could not be read: ${error2.message.split("\n")[0]}`
        );
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return { reports, listed: shared.length, ms: Date.now() - started };
}
function annotate(groups) {
  for (const group of groups.slice(0, MAX_ANNOTATIONS)) {
    const blame = group.first.blame;
    const jobs = group.jobs.map((j) => j.label);
    error(
      [
        `${group.count} crash(es) in ${jobs.length} job(s): ${jobs.slice(0, 30).join(", ")}${jobs.length > 30 ? ", \u2026" : ""}`,
        ...group.first.frames.slice(0, 8)
      ].join("\n").slice(0, 4096),
      {
        title: `${group.first.signal} in ${blame?.function ?? group.functions[0] ?? "??"}() \u2014 ${jobs.length} job(s)`.slice(
          0,
          255
        ),
        file: blame?.line !== null ? blame?.path : void 0,
        startLine: blame?.line ?? void 0
      }
    );
  }
}
function comment(inputs, groups) {
  return stickyComment(
    inputs,
    (runUrl, existing) => groups.length > 0 || existing || inputs.comment === "always" /* Always */ ? renderRunComment(groups, inputs.commentKey, runUrl, sourceLinksFromEnv()) : null,
    "run-wide pull request comment"
  );
}
async function run() {
  const inputs = getAggregateInputs();
  if (!canUpload()) {
    warning(
      "crash-capture aggregate: no artifact service here (ACTIONS_RUNTIME_TOKEN is not set): nothing to read."
    );
    return { failure: null };
  }
  const { reports, listed, ms } = await readReports();
  const { groups, jobs } = mergeReports(reports);
  info(
    `crash-capture: read ${reports.length} job report(s) of ${listed} shared, in ${ms} ms; ${jobs.length} job(s) after keeping each job's latest attempt.`
  );
  for (const group of groups)
    info(
      `crash-capture: ${group.signature}: ${group.count} crash(es) in ${group.jobs.length} job(s)`
    );
  annotate(groups);
  const summary2 = renderRunSummary(groups, jobs, sourceLinksFromEnv());
  try {
    await summary.addRaw(summary2).write();
  } catch (error2) {
    warning(`The job summary could not be written: ${error2.message}`);
  }
  await comment(inputs, groups);
  const crashes = groups.reduce((n, g) => n + g.count, 0);
  const crashedJobs = jobs.filter((j) => j.groups.length > 0).length;
  setOutput("crashes" /* Crashes */, crashes);
  setOutput("groups" /* Groups */, groups.length);
  setOutput("jobs" /* Jobs */, crashedJobs);
  setOutput("summary" /* Summary */, summary2);
  if (crashes === 0 || !inputs.failOnCrash) return { failure: null };
  return {
    failure: `crash-capture: ${crashes} crash(es) of ${groups.length} kind(s) in ${crashedJobs} job(s) of this run. See the summary.`
  };
}

// src/aggregate.ts
run().then(
  (outcome) => {
    if (outcome.failure) setFailed(outcome.failure);
  },
  (error2) => setFailed(error2 instanceof Error ? error2.message : String(error2))
);
