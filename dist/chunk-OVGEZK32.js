import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  blamedFrameLines,
  blamedFunction,
  commandLine,
  crashKind,
  groupTitle,
  signalDescription,
  threadPlaces
} from "./chunk-GWWSH5FA.js";
import {
  executableName,
  shellQuote
} from "./chunk-QDU6IIMW.js";
import {
  info,
  warning
} from "./chunk-PA6W4IJO.js";

// src/report/markdown.ts
var CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g;
function longestBacktickRun(text) {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
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
function framesTable(analysis, links, frames = analysis.crashingThread?.frames ?? []) {
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
  const report = first.sanitizer;
  if (report) {
    parts.push(`${escape(`${report.tool}: ${report.headline}`.slice(0, 300))}`, "");
    for (const stack of report.stacks.slice(0, 4))
      parts.push(
        `${escape(stack.title.slice(0, 200))}`,
        "",
        framesTable(first, links, stack.frames),
        ""
      );
  }
  if (crash.source === "sanitizer") {
    parts.push(`_${escape(first.text)}_`, "");
    return parts.join("\n");
  }
  parts.push(
    report ? `gdb's backtrace of pid ${crash.pid} (the runtime aborting after its report):` : `Crashing thread of pid ${crash.pid}:`,
    "",
    framesTable(first, links),
    ""
  );
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
  const run = process.env.GITHUB_RUN_ID;
  const id = /^\d+$/.test(run ?? "") ? run : "<run-id>";
  const download = codeBlock(
    [
      `gh run download ${id} -n ${shellQuote(artifact.name)} -D crash`,
      `ls crash   # ${artifact.folder ? `the crash folders, like ${artifact.folder}` : "one folder per crash"}`,
      `CRASH_SOURCES=$PWD sh crash/${artifact.folder ? shellQuote(artifact.folder) : "<crash>"}/debug.sh`
    ].join("\n"),
    "sh"
  );
  return `\u{1F4E6} Crash artifact ${where}: cores, the exact executables and libraries, backtraces, and \`report.json\`. From your checkout, this opens the first crash in gdb:

${download}

`;
}
function renderSummary(groups, links, artifact = null, limit = MAX_SUMMARY, expected = [], job = null) {
  const analyses = groups.flatMap((g) => g.analyses);
  const expectedPart = renderExpected(expected, links, Math.floor(limit / 4));
  const name = job ? `crash-capture (${escape(job.slice(0, 200))})` : "crash-capture";
  if (analyses.length === 0)
    return expected.length > 0 ? `## ${name}

No unexpected crash in this job. \u2705

${expectedPart}` : `## ${name}

No crash was found in this job. \u2705
`;
  const executables = new Set(analyses.map(executableName));
  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "es"}`;
  const headline = `## \u{1F4A5} ${name}: ${plural(analyses.length, "crash")} in ${groups.length} group${groups.length === 1 ? "" : "s"}, ${executables.size} executable${executables.size === 1 ? "" : "s"}

` + groups.map(
    (g) => `- ${g.analyses.length} \xD7 ${code(crashKind(g.analyses[0]))} in ${code(blamedFunction(g.analyses[0]))} \u2014 ${code(executableName(g.analyses[0]))}`
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
function renderStillRunning(groups, links, kind = "leftover") {
  if (groups.length === 0) return "";
  const processes = groups.reduce((n, g) => n + g.analyses.length, 0);
  const counted = `${processes} process${processes === 1 ? "" : "es"} in ${groups.length} group${groups.length === 1 ? "" : "s"}`;
  const parts = [
    kind === "hang" ? `## \u231B Hang: ${counted} still running after hang-timeout` : `## \u23F3 Still running at the end of the job: ${counted}`,
    "",
    kind === "hang" ? "The hang watcher took their stacks. Their threads:" : "The runner kills them right after this step. Their threads:",
    ""
  ];
  for (const [index, group] of groups.slice(0, 20).entries()) {
    const first = group.analyses[0];
    parts.push(
      `### ${index + 1}. ${escape(groupTitle(group))}`,
      "",
      `Processes: ${group.analyses.slice(0, 20).map((a) => `pid ${a.crash.pid}`).join(", ")}${group.analyses.length > 20 ? ", \u2026" : ""}`,
      ""
    );
    const places = threadPlaces(first);
    if (places.length > 0) {
      parts.push("| Thread | Waits in | At |", "|---:|---|---|");
      for (const place of places.slice(0, 50))
        parts.push(
          `| ${place.thread} (LWP ${place.lwp}) | ${code(place.function ?? "??")} | ${sourceLocation(place.path, place.line, links)} |`
        );
      parts.push("");
    } else parts.push(`> \u26A0\uFE0F ${escape(first.problems.join(" ").slice(0, 500))}`, "");
  }
  return parts.join("\n");
}

// src/report/comment.ts
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
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
    const frames = blamedFrameLines(first, COMMENT_FRAMES);
    const section = [
      `**${index + 1}. ${escape(groupTitle(group))}**${where}`,
      "",
      `${code(signalDescription(first))} in ${code(executableName(first))}; pid ${group.analyses.slice(0, 10).map((a) => a.crash.pid).join(", ")}${group.analyses.length > 10 ? ", \u2026" : ""}`,
      "",
      codeBlock(frames.join("\n") || "(no frames)"),
      ...otherStacks(first, links),
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
function otherStacks(analysis, links) {
  const lines = [];
  for (const stack of analysis.sanitizer?.stacks.slice(1, 4) ?? []) {
    const frame = stack.frames.find((f) => f.projectPath);
    if (!frame) continue;
    lines.push(
      `- ${escape(stack.title.replace(/:$/, ""))}: ${code(frame.function ?? "??")} at ${sourceLocation(frame.projectPath, frame.line, links)}`
    );
  }
  return lines.length > 0 ? ["", ...lines] : [];
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
  const { Octokit } = await import("./dist-src-TXBOHE2R.js");
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
      for (const comment of page.data) {
        if (!comment.body?.includes(marker)) continue;
        self ??= await tokenLogin(octokit);
        if (sameLogin(comment.user?.login ?? "", self)) {
          found = comment;
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
async function stickyComment(settings, render, what = "pull request comment") {
  if (settings.comment === "never" /* Never */) return;
  const target = await commentTargetFromEnv();
  if (!target) return;
  if (!settings.githubToken) {
    warning(`No github-token: the ${what} is skipped.`);
    return;
  }
  try {
    const result = await publishComment(
      target,
      settings.githubToken,
      commentMarker(settings.commentKey),
      (existing) => render(target.runUrl, existing)
    );
    if (result !== "skipped") info(`crash-capture: ${what} ${result}.`);
  } catch (error) {
    warning(error.message);
  }
}

export {
  code,
  codeBlock,
  escape,
  sourceLinksFromEnv,
  sourceLocation,
  renderSummary,
  renderStillRunning,
  commentMarker,
  renderCrashComment,
  renderNoCrashComment,
  stickyComment
};
