import * as core from '@actions/core'
import { parseExpectedRules, RuleError, type ExpectedRule } from './analyze/expected.js'
import { jobIdentity, type JobIdentity } from './job.js'
import { UploadMode } from './upload/bundle.js'

/** Input names, exactly as in action.yml. */
export enum Input {
  FailOnCrash = 'fail-on-crash',
  InstallGdb = 'install-gdb',
  GdbTimeout = 'gdb-timeout',
  SkipFrames = 'skip-frames',
  CrashDir = 'crash-dir',
  MaxCoreSize = 'max-core-size',
  MaxTotalSize = 'max-total-size',
  MinFreeSpace = 'min-free-space',
  GdbScripts = 'gdb-scripts',
  GdbCommands = 'gdb-commands',
  Comment = 'comment',
  GithubToken = 'github-token',
  CommentKey = 'comment-key',
  SearchPaths = 'search-paths',
  Executables = 'executables',
  Upload = 'upload',
  ArtifactName = 'artifact-name',
  RetentionDays = 'retention-days',
  CompressionLevel = 'compression-level',
  MaxArtifactSize = 'max-artifact-size',
  MaxCores = 'max-cores',
  SetuidCores = 'setuid-cores',
  Sanitizers = 'sanitizers',
  LeftoverProcesses = 'leftover-processes',
  HangTimeout = 'hang-timeout',
  HangAction = 'hang-action',
  ExpectedCrashes = 'expected-crashes',
  MaxCoresPerGroup = 'max-cores-per-group',
  Matrix = 'matrix',
  JobIndex = 'job-index',
  JobTotal = 'job-total'
}

/** When the sticky PR comment is written (input `comment`). */
export enum CommentMode {
  /** `on-crash` for a single job; `never` for a leg of a matrix, whose run-wide aggregate
   * comments instead. */
  Auto = 'auto',
  /** Only when something crashed; an earlier crash comment of the job is marked resolved. */
  OnCrash = 'on-crash',
  /** After every run, saying "no crash" when nothing crashed. */
  Always = 'always',
  /** Never. */
  Never = 'never'
}

/** Cores of processes that changed their user or group ids (input `setuid-cores`). */
export enum SetuidCores {
  /** Recorded without their core: their memory may hold another user's secrets. */
  Exclude = 'exclude',
  /** Kept, analysed and uploaded like any core. */
  Include = 'include'
}

/** Processes of the job still running at post (input `leftover-processes`). */
export enum LeftoverMode {
  /** Dumped and reported as warnings. */
  Report = 'report',
  /** Not looked for. */
  Ignore = 'ignore',
  /** Reported, and the job fails. */
  Fail = 'fail'
}

/** Every input of the action, parsed and validated. */
export interface Inputs {
  /** Fail the post step when at least one crash was found. */
  failOnCrash: boolean
  /** Install gdb with the system package manager when crashes exist and gdb is absent. */
  installGdb: boolean
  /** Seconds one gdb process may run before it is killed. */
  gdbTimeoutSeconds: number
  /** Function names to look past when choosing the frame to blame; null when not set. */
  skipFrames: RegExp | null
  /** Absolute path of the root-owned directory that holds the handler and the crashes. */
  crashDir: string
  /** Largest core stored per crash, in bytes of the uncompressed core; larger ones are cut. */
  maxCoreSize: number
  /** Bytes that all stored crashes together may take; later cores are dropped past it. */
  maxTotalSize: number
  /** Free bytes that must remain on the crash directory's file system; cores are dropped below. */
  minFreeSpace: number
  /** gdb script files of the project, sourced before the backtraces (relative to the workspace). */
  gdbScripts: string[]
  /** gdb commands run on each core after the backtrace. */
  gdbCommands: string[]
  /** When to write the sticky pull request comment. */
  comment: CommentMode
  /** Token for the GitHub API (the workflow token by default); empty when not available. */
  githubToken: string
  /** What tells this job's comment apart from other jobs' (workflow and job id by default). */
  commentKey: string
  /** Globs of core files written outside our handler; empty means the defaults. */
  searchPaths: string[]
  /** Globs of executables to match stray cores against by build-id. */
  executables: string[]
  /** What the artifact holds. */
  upload: UploadMode
  /** The artifact's name; empty means one unique per job. */
  artifactName: string
  /** Days the artifact is kept; null means the repository's setting. */
  retentionDays: number | null
  /** zlib level of the artifact zip, 0 to 9. */
  /** zlib level of the artifact zip; null for auto (0 when the cores in it are zstd files). */
  compressionLevel: number | null
  /** Bytes the artifact may hold before the largest cores are left out. */
  maxArtifactSize: number
  /** Keep cores of processes that changed their user or group ids (dumpable 2). */
  setuidCores: boolean
  /** Whether main sets ASAN_OPTIONS for later steps so that sanitizer errors leave a core. */
  sanitizers: boolean
  /** What post does with processes of the job still running when it runs. */
  leftoverProcesses: LeftoverMode
  /** Milliseconds after main when the hang watcher dumps the job's processes; null: off. */
  hangTimeoutMs: number | null
  /** What the watcher does after dumping them. */
  hangAction: 'report' | 'kill'
  /** Crashes that tests cause on purpose: reported, never failing the job. */
  expectedCrashes: ExpectedRule[]
  /** Cores of one group (one signature) put in the artifact; the others' reports only. */
  maxCoresPerGroup: number
  /** Which job of the run this is (matrix label, unique key), from the matrix inputs. */
  identity: JobIdentity
  /** Crashes whose core is stored in full; later ones are recorded without their core. */
  maxCores: number
}

/** A value given to an input that cannot be used, named in the message. */
export class InputError extends Error {
  constructor(input: Input, value: string, expected: string) {
    super(`Input '${input}' has the invalid value '${value}': expected ${expected}.`)
    this.name = 'InputError'
  }
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4
}

/** Parses a byte size such as `512M`, `4G` or `1048576` (binary units, case-insensitive). */
export function parseSize(input: Input, raw: string): number {
  const match = /^(\d+)\s*([kmgt]?)(?:i?b)?$/i.exec(raw.trim())
  const unit = match ? SIZE_UNITS[match[2]!.toLowerCase()] : undefined
  if (!match || unit === undefined) {
    throw new InputError(input, raw, 'a size such as 512M, 4G or a number of bytes')
  }
  const bytes = Number(match[1]) * unit
  if (!Number.isSafeInteger(bytes)) throw new InputError(input, raw, 'a smaller size')
  return bytes
}

function parseBoolean(input: Input, raw: string): boolean {
  const value = raw.trim().toLowerCase()
  if (['true', 'yes', 'on', '1'].includes(value)) return true
  if (['false', 'no', 'off', '0'].includes(value)) return false
  throw new InputError(input, raw, "'true' or 'false'")
}

/** `20m`, `90s`, `1h`, a number of seconds, or empty for none. */
function parseDuration(input: Input, raw: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h)?$/i.exec(raw.trim())
  if (raw.trim() === '') return null
  const unit = { s: 1, m: 60, h: 3600 }[(m?.[2] ?? 's').toLowerCase() as 's' | 'm' | 'h']
  const seconds = m ? Number(m[1]) * unit : NaN
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 24 * 3600)
    throw new InputError(input, raw, 'a duration like 20m, 90s or 1h, at most 24h, or empty')
  return Math.round(seconds * 1000)
}

function parseSeconds(input: Input, raw: string): number {
  const value = Number(raw.trim())
  if (raw.trim() === '' || !Number.isFinite(value) || value <= 0 || value > 24 * 3600) {
    throw new InputError(input, raw, 'a number of seconds greater than 0 and at most 86400')
  }
  return value
}

function parseRegExp(input: Input, raw: string): RegExp | null {
  if (raw.trim() === '') return null
  try {
    return new RegExp(raw.trim())
  } catch (error) {
    throw new InputError(input, raw, `a valid regular expression (${(error as Error).message})`)
  }
}

function parseRules(input: Input, raw: string): ExpectedRule[] {
  try {
    return parseExpectedRules(parseLines(raw))
  } catch (error) {
    if (error instanceof RuleError)
      throw new InputError(input, raw, `rules that can match (${error.message})`)
    throw error
  }
}

function parseDirectory(input: Input, raw: string): string {
  const value = raw.trim()
  // The path goes into core_pattern, which the kernel splits on spaces and caps at 127 bytes.
  if (!/^\/[A-Za-z0-9._/-]*$/.test(value) || value.split('/').includes('..') || value.length > 64) {
    throw new InputError(
      input,
      raw,
      'an absolute path of at most 64 characters made of letters, digits, ".", "_", "-" and "/"'
    )
  }
  const trimmed = value.replace(/\/+$/, '')
  if (trimmed === '') throw new InputError(input, raw, 'a directory other than /')
  return trimmed
}

function parseEnum<T extends string>(input: Input, raw: string, values: Record<string, T>): T {
  const value = raw.trim().toLowerCase()
  const known = Object.values(values)
  const match = known.find((v) => v === value)
  if (!match) throw new InputError(input, raw, known.map((v) => `'${v}'`).join(', '))
  return match
}

function parseInteger(input: Input, raw: string, min: number, max: number): number {
  const value = Number(raw.trim())
  if (raw.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new InputError(input, raw, `a whole number from ${min} to ${max}`)
  }
  return value
}

function parseLines(raw: string): string[] {
  return raw
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
}

function read(input: Input, fallback: string): string {
  const raw = core.getInput(input)
  return raw === '' ? fallback : raw
}

/** Reads and validates every input; throws InputError naming the first bad one. */
export function getInputs(): Inputs {
  const identity = jobIdentity({
    matrix: core.getInput(Input.Matrix),
    jobIndex: core.getInput(Input.JobIndex),
    jobTotal: core.getInput(Input.JobTotal)
  })
  const comment = parseEnum(Input.Comment, read(Input.Comment, CommentMode.Auto), CommentMode)
  return {
    failOnCrash: parseBoolean(Input.FailOnCrash, read(Input.FailOnCrash, 'true')),
    installGdb: parseBoolean(Input.InstallGdb, read(Input.InstallGdb, 'true')),
    gdbTimeoutSeconds: parseSeconds(Input.GdbTimeout, read(Input.GdbTimeout, '120')),
    skipFrames: parseRegExp(Input.SkipFrames, read(Input.SkipFrames, '')),
    crashDir: parseDirectory(Input.CrashDir, read(Input.CrashDir, '/var/lib/crash-capture')),
    maxCoreSize: parseSize(Input.MaxCoreSize, read(Input.MaxCoreSize, '4G')),
    maxTotalSize: parseSize(Input.MaxTotalSize, read(Input.MaxTotalSize, '8G')),
    minFreeSpace: parseSize(Input.MinFreeSpace, read(Input.MinFreeSpace, '2G')),
    gdbScripts: parseLines(read(Input.GdbScripts, '')),
    gdbCommands: parseLines(read(Input.GdbCommands, '')),
    comment:
      comment !== CommentMode.Auto
        ? comment
        : identity.index !== null
          ? CommentMode.Never
          : CommentMode.OnCrash,
    githubToken: core.getInput(Input.GithubToken).trim(),
    commentKey:
      core.getInput(Input.CommentKey).trim() ||
      `${process.env.GITHUB_WORKFLOW ?? 'workflow'}/${identity.key}`,
    searchPaths: parseLines(read(Input.SearchPaths, '')),
    executables: parseLines(read(Input.Executables, '')),
    upload: parseEnum(Input.Upload, read(Input.Upload, UploadMode.All), UploadMode),
    artifactName: core.getInput(Input.ArtifactName).trim(),
    retentionDays: core.getInput(Input.RetentionDays).trim()
      ? parseInteger(Input.RetentionDays, core.getInput(Input.RetentionDays), 1, 90)
      : null,
    compressionLevel: ((value) =>
      value === 'auto' ? null : parseInteger(Input.CompressionLevel, value, 0, 9))(
      read(Input.CompressionLevel, 'auto')
    ),
    maxArtifactSize: parseSize(Input.MaxArtifactSize, read(Input.MaxArtifactSize, '4G')),
    maxCores: parseInteger(Input.MaxCores, read(Input.MaxCores, '50'), 1, 10000),
    hangTimeoutMs: parseDuration(Input.HangTimeout, read(Input.HangTimeout, '')),
    hangAction: parseEnum(Input.HangAction, read(Input.HangAction, 'report'), {
      report: 'report',
      kill: 'kill'
    } as const),
    leftoverProcesses: parseEnum(
      Input.LeftoverProcesses,
      read(Input.LeftoverProcesses, LeftoverMode.Report),
      LeftoverMode
    ),
    sanitizers:
      parseEnum(Input.Sanitizers, read(Input.Sanitizers, 'auto'), { auto: 'auto', off: 'off' }) ===
      'auto',
    setuidCores:
      parseEnum(Input.SetuidCores, read(Input.SetuidCores, SetuidCores.Exclude), SetuidCores) ===
      SetuidCores.Include,
    expectedCrashes: parseRules(Input.ExpectedCrashes, read(Input.ExpectedCrashes, '')),
    maxCoresPerGroup: parseInteger(
      Input.MaxCoresPerGroup,
      read(Input.MaxCoresPerGroup, '3'),
      1,
      10000
    ),
    identity
  }
}

/** The inputs of the run-wide aggregate action (aggregate/action.yml). */
export interface AggregateInputs {
  failOnCrash: boolean
  comment: CommentMode
  githubToken: string
  commentKey: string
}

/** Reads the aggregate action's inputs; throws InputError naming the first bad one. */
export function getAggregateInputs(): AggregateInputs {
  const comment = parseEnum(Input.Comment, read(Input.Comment, CommentMode.OnCrash), CommentMode)
  return {
    failOnCrash: parseBoolean(Input.FailOnCrash, read(Input.FailOnCrash, 'true')),
    comment: comment === CommentMode.Auto ? CommentMode.OnCrash : comment,
    githubToken: core.getInput(Input.GithubToken).trim(),
    commentKey:
      core.getInput(Input.CommentKey).trim() || `${process.env.GITHUB_WORKFLOW ?? 'workflow'}/run`
  }
}
