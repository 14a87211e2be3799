import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  SIGNATURE_VERSION,
  groupCrashes,
  signatureOf
} from "./chunk-HSAGTQAI.js";
import {
  UploadMode,
  crashStack,
  executableName
} from "./chunk-QDU6IIMW.js";
import {
  getInput
} from "./chunk-PA6W4IJO.js";

// src/analyze/expected.ts
import { constants } from "node:os";
var KEYS = ["executable", "signal", "function", "signature"];
var RuleError = class extends Error {
  constructor(rule, index, why) {
    super(`rule ${index} '${rule}': ${why}`);
    this.name = "RuleError";
  }
};
function glob(pattern) {
  const source = pattern.split("").map((c) => c === "*" ? ".*" : c === "?" ? "." : c.replace(/[\\^$.|+()[\]{}]/g, "\\$&")).join("");
  return new RegExp(`^${source}$`);
}
function signalNumber(value) {
  if (/^\d{1,2}$/.test(value)) return Number(value);
  const name = value.toUpperCase().startsWith("SIG") ? value.toUpperCase() : `SIG${value.toUpperCase()}`;
  return constants.signals[name] ?? null;
}
function parseExpectedRules(lines) {
  return lines.map((text, i) => {
    const index = i + 1;
    const rule = {
      index,
      text,
      executable: null,
      signal: null,
      function: null,
      signature: null
    };
    const seen = /* @__PURE__ */ new Set();
    for (const token of text.split(/\s+/).filter(Boolean)) {
      const at = token.indexOf("=");
      const key = at > 0 ? token.slice(0, at) : "";
      const value = at > 0 ? token.slice(at + 1) : "";
      if (!KEYS.includes(key))
        throw new RuleError(
          text,
          index,
          `'${token}' is not key=value with a key among ${KEYS.join(", ")}`
        );
      if (value === "") throw new RuleError(text, index, `${key} has no value`);
      if (seen.has(key)) throw new RuleError(text, index, `${key} is given twice`);
      seen.add(key);
      if (key === "executable") rule.executable = glob(value);
      if (key === "function") rule.function = glob(value);
      if (key === "signal") {
        rule.signal = signalNumber(value);
        if (rule.signal === null) throw new RuleError(text, index, `'${value}' is not a signal`);
      }
      if (key === "signature") {
        if (!/^v\d+-[0-9a-f]{12}$/.test(value))
          throw new RuleError(
            text,
            index,
            `'${value}' is not a signature (like v${SIGNATURE_VERSION}-0123456789ab)`
          );
        if (!value.startsWith(`v${SIGNATURE_VERSION}-`))
          throw new RuleError(
            text,
            index,
            `'${value}' was made by another version of the signature rule: signatures now start with v${SIGNATURE_VERSION}-`
          );
        rule.signature = value;
      }
    }
    if (seen.size === 0) throw new RuleError(text, index, "it has no condition");
    return rule;
  });
}
function matchesRule(rule, analysis, skipFrames) {
  if (rule.executable && !rule.executable.test(executableName(analysis))) return false;
  if (rule.signal !== null && analysis.signal.number !== rule.signal) return false;
  if (rule.function) {
    const frames = [...analysis.crashingThread?.frames ?? [], ...crashStack(analysis)];
    const names = frames.map((f) => f.function ?? "");
    if (!names.some((name) => rule.function.test(name))) return false;
  }
  if (rule.signature && signatureOf(analysis, skipFrames).hash !== rule.signature) return false;
  return true;
}
function sortCrashes(analyses, rules, skipFrames) {
  const matched = rules.map(() => 0);
  const expected = [];
  const real = [];
  for (const analysis of analyses) {
    const rule = rules.findIndex((r) => matchesRule(r, analysis, skipFrames));
    if (rule >= 0) {
      matched[rule]++;
      expected.push(analysis);
    } else real.push(analysis);
  }
  return {
    groups: groupCrashes(real, skipFrames),
    expected: groupCrashes(expected, skipFrames),
    matched
  };
}

// src/job.ts
function scalar(value) {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return null;
}
function matrixLabel(json) {
  let matrix;
  try {
    matrix = JSON.parse(json);
  } catch {
    return null;
  }
  if (typeof matrix !== "object" || matrix === null || Array.isArray(matrix)) return null;
  const values = matrix;
  const name = scalar(values.name);
  if (name) return name;
  const parts = Object.values(values).map((value) => scalar(value) ?? (value === null ? null : JSON.stringify(value))).filter((part) => part !== null && part !== "");
  return parts.length > 0 ? parts.join(", ") : null;
}
function wholeNumber(text) {
  return /^\d{1,6}$/.test(text.trim()) ? Number(text.trim()) : null;
}
function jobIdentity(facts) {
  const env = facts.env ?? process.env;
  const job = (env.GITHUB_JOB ?? "").trim() || "job";
  const total = wholeNumber(facts.jobTotal);
  const index = total !== null && total > 1 ? wholeNumber(facts.jobIndex) : null;
  const inMatrix = index !== null;
  const label = (inMatrix ? matrixLabel(facts.matrix) : null) ?? job;
  return {
    job,
    // Control characters never make it into a label: it goes into titles and names.
    // eslint-disable-next-line no-control-regex
    label: label.replace(/[\u0000-\u001f\u007f]+/g, " ").slice(0, 200),
    key: inMatrix ? `${job}-${index}` : job,
    index,
    total: inMatrix ? total : null,
    attempt: wholeNumber(env.GITHUB_RUN_ATTEMPT ?? "") ?? 1
  };
}
var REPORT_ARTIFACT_PREFIX = "crash-capture-report";
var FORBIDDEN_NAME = /["\\/:<>|*?\u0000-\u001f\s]+/g;
function namePart(text, max) {
  return text.replace(FORBIDDEN_NAME, "-").replace(/-+/g, "-").replace(/^-|-$/g, "").slice(0, max);
}
function artifactNameFor(identity, prefix) {
  const label = identity.index !== null ? namePart(identity.label, 80) : "";
  return [prefix, namePart(identity.key, 80), label, `attempt${identity.attempt}`].filter(Boolean).join("-");
}

// src/inputs.ts
var CommentMode = /* @__PURE__ */ ((CommentMode2) => {
  CommentMode2["Auto"] = "auto";
  CommentMode2["OnCrash"] = "on-crash";
  CommentMode2["Always"] = "always";
  CommentMode2["Never"] = "never";
  return CommentMode2;
})(CommentMode || {});
var SetuidCores = /* @__PURE__ */ ((SetuidCores2) => {
  SetuidCores2["Exclude"] = "exclude";
  SetuidCores2["Include"] = "include";
  return SetuidCores2;
})(SetuidCores || {});
var LeftoverMode = /* @__PURE__ */ ((LeftoverMode2) => {
  LeftoverMode2["Report"] = "report";
  LeftoverMode2["Ignore"] = "ignore";
  LeftoverMode2["Fail"] = "fail";
  return LeftoverMode2;
})(LeftoverMode || {});
var InputError = class extends Error {
  constructor(input, value, expected) {
    super(`Input '${input}' has the invalid value '${value}': expected ${expected}.`);
    this.name = "InputError";
  }
};
var SIZE_UNITS = {
  "": 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4
};
function parseSize(input, raw) {
  const match = /^(\d+)\s*([kmgt]?)(?:i?b)?$/i.exec(raw.trim());
  const unit = match ? SIZE_UNITS[match[2].toLowerCase()] : void 0;
  if (!match || unit === void 0) {
    throw new InputError(input, raw, "a size such as 512M, 4G or a number of bytes");
  }
  const bytes = Number(match[1]) * unit;
  if (!Number.isSafeInteger(bytes)) throw new InputError(input, raw, "a smaller size");
  return bytes;
}
function parseBoolean(input, raw) {
  const value = raw.trim().toLowerCase();
  if (["true", "yes", "on", "1"].includes(value)) return true;
  if (["false", "no", "off", "0"].includes(value)) return false;
  throw new InputError(input, raw, "'true' or 'false'");
}
function parseDuration(input, raw) {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h)?$/i.exec(raw.trim());
  if (raw.trim() === "") return null;
  const unit = { s: 1, m: 60, h: 3600 }[(m?.[2] ?? "s").toLowerCase()];
  const seconds = m ? Number(m[1]) * unit : NaN;
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 24 * 3600)
    throw new InputError(input, raw, "a duration like 20m, 90s or 1h, at most 24h, or empty");
  return Math.round(seconds * 1e3);
}
function parseSeconds(input, raw) {
  const value = Number(raw.trim());
  if (raw.trim() === "" || !Number.isFinite(value) || value <= 0 || value > 24 * 3600) {
    throw new InputError(input, raw, "a number of seconds greater than 0 and at most 86400");
  }
  return value;
}
function parseRegExp(input, raw) {
  if (raw.trim() === "") return null;
  try {
    return new RegExp(raw.trim());
  } catch (error) {
    throw new InputError(input, raw, `a valid regular expression (${error.message})`);
  }
}
function parseRules(input, raw) {
  try {
    return parseExpectedRules(parseLines(raw));
  } catch (error) {
    if (error instanceof RuleError)
      throw new InputError(input, raw, `rules that can match (${error.message})`);
    throw error;
  }
}
function parseDirectory(input, raw) {
  const value = raw.trim();
  if (!/^\/[A-Za-z0-9._/-]*$/.test(value) || value.split("/").includes("..") || value.length > 64) {
    throw new InputError(
      input,
      raw,
      'an absolute path of at most 64 characters made of letters, digits, ".", "_", "-" and "/"'
    );
  }
  const trimmed = value.replace(/\/+$/, "");
  if (trimmed === "") throw new InputError(input, raw, "a directory other than /");
  return trimmed;
}
function parseEnum(input, raw, values) {
  const value = raw.trim().toLowerCase();
  const known = Object.values(values);
  const match = known.find((v) => v === value);
  if (!match) throw new InputError(input, raw, known.map((v) => `'${v}'`).join(", "));
  return match;
}
function parseInteger(input, raw, min, max) {
  const value = Number(raw.trim());
  if (raw.trim() === "" || !Number.isInteger(value) || value < min || value > max) {
    throw new InputError(input, raw, `a whole number from ${min} to ${max}`);
  }
  return value;
}
function parseLines(raw) {
  return raw.split("\n").map((line) => line.trim()).filter((line) => line !== "" && !line.startsWith("#"));
}
function read(input, fallback) {
  const raw = getInput(input);
  return raw === "" ? fallback : raw;
}
function getInputs() {
  const identity = jobIdentity({
    matrix: getInput("matrix" /* Matrix */),
    jobIndex: getInput("job-index" /* JobIndex */),
    jobTotal: getInput("job-total" /* JobTotal */)
  });
  const comment = parseEnum("comment" /* Comment */, read("comment" /* Comment */, "auto" /* Auto */), CommentMode);
  return {
    failOnCrash: parseBoolean("fail-on-crash" /* FailOnCrash */, read("fail-on-crash" /* FailOnCrash */, "true")),
    installGdb: parseBoolean("install-gdb" /* InstallGdb */, read("install-gdb" /* InstallGdb */, "true")),
    gdbTimeoutSeconds: parseSeconds("gdb-timeout" /* GdbTimeout */, read("gdb-timeout" /* GdbTimeout */, "120")),
    skipFrames: parseRegExp("skip-frames" /* SkipFrames */, read("skip-frames" /* SkipFrames */, "")),
    crashDir: parseDirectory("crash-dir" /* CrashDir */, read("crash-dir" /* CrashDir */, "/var/lib/crash-capture")),
    maxCoreSize: parseSize("max-core-size" /* MaxCoreSize */, read("max-core-size" /* MaxCoreSize */, "4G")),
    maxTotalSize: parseSize("max-total-size" /* MaxTotalSize */, read("max-total-size" /* MaxTotalSize */, "8G")),
    minFreeSpace: parseSize("min-free-space" /* MinFreeSpace */, read("min-free-space" /* MinFreeSpace */, "2G")),
    gdbScripts: parseLines(read("gdb-scripts" /* GdbScripts */, "")),
    gdbCommands: parseLines(read("gdb-commands" /* GdbCommands */, "")),
    comment: comment !== "auto" /* Auto */ ? comment : identity.index !== null ? "never" /* Never */ : "on-crash" /* OnCrash */,
    githubToken: getInput("github-token" /* GithubToken */).trim(),
    commentKey: getInput("comment-key" /* CommentKey */).trim() || `${process.env.GITHUB_WORKFLOW ?? "workflow"}/${identity.key}`,
    searchPaths: parseLines(read("search-paths" /* SearchPaths */, "")),
    executables: parseLines(read("executables" /* Executables */, "")),
    upload: parseEnum("upload" /* Upload */, read("upload" /* Upload */, "all" /* All */), UploadMode),
    artifactName: getInput("artifact-name" /* ArtifactName */).trim(),
    retentionDays: getInput("retention-days" /* RetentionDays */).trim() ? parseInteger("retention-days" /* RetentionDays */, getInput("retention-days" /* RetentionDays */), 1, 90) : null,
    compressionLevel: ((value) => value === "auto" ? null : parseInteger("compression-level" /* CompressionLevel */, value, 0, 9))(
      read("compression-level" /* CompressionLevel */, "auto")
    ),
    maxArtifactSize: parseSize("max-artifact-size" /* MaxArtifactSize */, read("max-artifact-size" /* MaxArtifactSize */, "4G")),
    maxCores: parseInteger("max-cores" /* MaxCores */, read("max-cores" /* MaxCores */, "50"), 1, 1e4),
    hangTimeoutMs: parseDuration("hang-timeout" /* HangTimeout */, read("hang-timeout" /* HangTimeout */, "")),
    hangAction: parseEnum("hang-action" /* HangAction */, read("hang-action" /* HangAction */, "report"), {
      report: "report",
      kill: "kill"
    }),
    leftoverProcesses: parseEnum(
      "leftover-processes" /* LeftoverProcesses */,
      read("leftover-processes" /* LeftoverProcesses */, "report" /* Report */),
      LeftoverMode
    ),
    sanitizers: parseEnum("sanitizers" /* Sanitizers */, read("sanitizers" /* Sanitizers */, "auto"), { auto: "auto", off: "off" }) === "auto",
    setuidCores: parseEnum("setuid-cores" /* SetuidCores */, read("setuid-cores" /* SetuidCores */, "exclude" /* Exclude */), SetuidCores) === "include" /* Include */,
    expectedCrashes: parseRules("expected-crashes" /* ExpectedCrashes */, read("expected-crashes" /* ExpectedCrashes */, "")),
    maxCoresPerGroup: parseInteger(
      "max-cores-per-group" /* MaxCoresPerGroup */,
      read("max-cores-per-group" /* MaxCoresPerGroup */, "3"),
      1,
      1e4
    ),
    identity
  };
}
function getAggregateInputs() {
  const comment = parseEnum("comment" /* Comment */, read("comment" /* Comment */, "on-crash" /* OnCrash */), CommentMode);
  return {
    failOnCrash: parseBoolean("fail-on-crash" /* FailOnCrash */, read("fail-on-crash" /* FailOnCrash */, "true")),
    comment: comment === "auto" /* Auto */ ? "on-crash" /* OnCrash */ : comment,
    githubToken: getInput("github-token" /* GithubToken */).trim(),
    commentKey: getInput("comment-key" /* CommentKey */).trim() || `${process.env.GITHUB_WORKFLOW ?? "workflow"}/run`
  };
}

export {
  sortCrashes,
  REPORT_ARTIFACT_PREFIX,
  artifactNameFor,
  getInputs,
  getAggregateInputs
};
