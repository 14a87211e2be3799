import * as core from '@actions/core'
import { randomBytes } from 'node:crypto'
import { access, mkdir, realpath, rm, stat } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import type { Analysis } from './analyze/analysis.js'
import { analyzeAll, findGdb, findMultiarchGdb, installGdb, isForeign } from './analyze/gdb.js'
import { sortCrashes, type ExpectedRule } from './analyze/expected.js'
import { groupCrashes, type CrashGroup } from './analyze/group.js'
import { crashDirOf } from './capture/host.js'
import { restoreCapture } from './capture/restore.js'
import { isRunning, type Crash } from './collect/crash.js'
import { collectCoredumps } from './collect/coredumpctl.js'
import { collectHandlerCrashes, unattributedCrashes } from './collect/handler-dirs.js'
import { ExecutableCandidates, identify } from './collect/identify.js'
import { dumpLeftovers, findLeftovers } from './collect/leftovers.js'
import { markCoreTwins } from './collect/site.js'
import { hasJournal, readJournal } from './collect/journal.js'
import { loggedReports, type LoggedReport } from './analyze/sanitizer-log.js'
import { loggedAnalyses } from './analyze/sanitizer.js'
import { stopWatcher, type Watcher } from './hang.js'
import {
  collectStrayCores,
  defaultSearchPaths,
  fileKey,
  replaceEmulatorCrashes
} from './collect/stray.js'
import type { CoreInfo } from './elf/core-file.js'
import { CommentMode, getInputs, LeftoverMode, type Inputs } from './inputs.js'
import { artifactNameFor, REPORT_ARTIFACT_PREFIX } from './job.js'
import { detectPrivilege, runAsRoot, type Privilege } from './privilege.js'
import { renderAnnotations } from './report/annotations.js'
import { renderCrashComment, renderNoCrashComment, stickyComment } from './report/comment.js'
import { printCrashes } from './report/log.js'
import { buildReport, writeReport } from './report/report-file.js'
import { threadPlaces } from './report/describe.js'
import { renderStillRunning, renderSummary, sourceLinksFromEnv } from './report/summary.js'
import { BundleStager, portable, UploadMode } from './upload/bundle.js'
import type { ArtifactStream } from './upload/artifact-stream.js'
import { removeWarmedIndex, warmedIndex } from './analyze/warm.js'
import { canUpload, safeArtifactName, type Uploaded } from './upload/upload.js'
import { loadCaptureState, type CaptureState } from './state.js'

/** What the post step decided; the entry point turns `failure` into a failed step. */
export interface PostOutcome {
  /** The message to fail the step with, or null. */
  failure: string | null
}

/** Output names, exactly as in action.yml. */
export enum Output {
  Crashes = 'crashes',
  ExpectedCrashes = 'expected-crashes',
  Groups = 'groups',
  Report = 'report',
  Summary = 'summary',
  ArtifactId = 'artifact-id',
  ArtifactUrl = 'artifact-url'
}

/** How long post waits for handlers still writing a core when it starts. */
const HANDLER_WAIT_MS = 30_000

/** How long identifying every crash may take in all. */
const IDENTIFY_DEADLINE_MS = 300_000

/** The promise's value, or null when it has not settled within `ms`. */
async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

async function stageDirectory(state: CaptureState | null): Promise<string> {
  const name = state?.sessionDir ? basename(state.sessionDir) : randomBytes(4).toString('hex')
  const dir = join(process.env.RUNNER_TEMP || tmpdir(), `crash-capture-${name}`)
  await mkdir(dir, { recursive: true })
  return dir
}

/** What post found out about capture before anything else could fail. */
interface Restoration {
  privilege: Privilege | null
  /** True when core_pattern no longer points at the session's handler. */
  detached: boolean
  /** True when our handler received every core of the job. */
  handledAll: boolean
}

/** Puts the kernel settings back: first, so that no later trouble can leave them changed. */
async function restore(state: CaptureState | null): Promise<Restoration> {
  if (!state) {
    core.info(
      'crash-capture: the main step saved no state (it failed or did not run): nothing to restore.'
    )
    return { privilege: null, detached: true, handledAll: false }
  }
  if (state.mode !== 'pipe-handler' && state.mode !== 'file-pattern')
    return { privilege: null, detached: true, handledAll: false }
  const privilege = await detectPrivilege()
  // Read before leaving the host capture: the last job out removes them.
  const strangers = state.sessionDir
    ? await unattributedCrashes(crashDirOf(state.sessionDir), state.startedAt)
    : []
  if (strangers.length > 0)
    core.warning(
      `${strangers.length} crash(es) on this kernel during the job belonged to no capturing job (no matching RUNNER_TRACKING_ID: a docker run container, a system daemon, another tool), so they are not counted as this job's: ${strangers.slice(0, 10).join('; ')}${strangers.length > 10 ? '; …' : ''}`
    )
  const restored = await restoreCapture(state, privilege)
  for (const warning of restored.warnings) core.warning(warning)
  if (restored.warnings.length === 0) {
    const how =
      privilege === 'sudo'
        ? ' (through sudo -n, as were removing the handler and, if needed, installing gdb)'
        : ''
    core.info(
      restored.otherJobs > 0
        ? `crash-capture: this job left the host capture; ${restored.otherJobs} other job(s) still capture on this kernel, and the last one out restores the settings.`
        : `crash-capture: kernel core settings restored${how}.`
    )
  }
  if (state.otherJobs > 0 || restored.otherJobs > 0)
    core.info(
      `crash-capture: other jobs capturing on this kernel: ${state.otherJobs} when this job started, ${restored.otherJobs} when it ended.`
    )
  return { privilege, detached: restored.handlerDetached, handledAll: restored.handledAll }
}

/** Every crash of the job, identified, with what the ELF reader saw in each core. */
interface Collected {
  crashes: Crash[]
  cores: Map<Crash, CoreInfo>
  /** Sanitizer reports of processes that went on (system log), not in `crashes`. */
  logged: LoggedReport[]
}

/**
 * Collects the crashes from every source (our handler's session, core files in the search
 * paths, systemd-coredump), never the same core twice, and identifies each crash from its core.
 */
async function collect(
  state: CaptureState | null,
  restoration: Restoration,
  stage: string,
  inputs: Inputs,
  workspace: string
): Promise<Collected> {
  const crashes: Crash[] = []
  const session = state?.mode === 'pipe-handler' ? state.sessionDir : null
  if (session) {
    const found = await collectHandlerCrashes(session, stage, HANDLER_WAIT_MS, inputs)
    for (const problem of found.problems) core.warning(problem)
    crashes.push(...found.crashes)
  }
  // qemu-user's crashes are its guests' (their cores lie where qemu ran).
  const guestCores = new Set<string>()
  if (state && crashes.length > 0)
    crashes.splice(
      0,
      crashes.length,
      ...(await replaceEmulatorCrashes(crashes, state.startedAt, stage, guestCores))
    )
  if (state) {
    // Only cores newer than the main step: older ones belong to someone else.
    const seen = new Set<string>(guestCores)
    for (const crash of crashes) {
      const info = crash.core ? await stat(crash.core).catch(() => null) : null
      if (info) seen.add(fileKey(info))
    }
    // While our handler held core_pattern all job long, no core can be anywhere else: the
    // default search (which walks the workspace, seconds on a big tree) and coredumpctl are
    // skipped; paths the user named are still searched.
    const patterns = [
      ...(state.coreDir ? [`${state.coreDir}/core.*`] : []),
      ...(inputs.searchPaths.length > 0
        ? inputs.searchPaths
        : restoration.handledAll
          ? []
          : defaultSearchPaths(workspace))
    ]
    const stray = await collectStrayCores(patterns, state.startedAt, stage, seen).catch(
      (error: Error) => ({
        crashes: [],
        problems: [`Searching for core files failed: ${error.message}`]
      })
    )
    for (const problem of stray.problems) core.warning(problem)
    crashes.push(...stray.crashes)
    // systemd-coredump only ever sees a core when it, not our handler, held core_pattern.
    if (!restoration.handledAll) {
      const coredumps = await collectCoredumps(state.startedAt, stage)
      core.info(`crash-capture: ${coredumps.status}`)
      for (const problem of coredumps.problems) core.warning(problem)
      crashes.push(...coredumps.crashes)
    }
  }
  // The hang watcher first (it must not count as a process left running), with what it found.
  const watcher = parseWatcher(core.getState('watcher'))
  const hung = watcher ? await stopWatcher(watcher) : []
  crashes.push(...hung)
  // Processes of the job that never ended: the runner kills them right after the post steps.
  if (inputs.leftoverProcesses !== LeftoverMode.Ignore) {
    // A hung process the watcher dumped and let run is reported once, as a hang.
    const leftovers = (await findLeftovers(process.env.RUNNER_TRACKING_ID ?? '')).filter(
      (p) => !hung.some((crash) => crash.pid === p.pid)
    )
    if (leftovers.length > 0) {
      const privilege = restoration.privilege ?? (await detectPrivilege())
      crashes.push(...(await dumpLeftovers(leftovers, stage, privilege, inputs)))
    }
  }
  const cores = new Map<Crash, CoreInfo>()
  const candidates = new ExecutableCandidates(inputs.executables, stage)
  // Every file is opened so that it cannot block (see openRegular); the deadline is the last
  // line of defence, so that no file a crash names can keep the report from being written.
  const deadline = Date.now() + IDENTIFY_DEADLINE_MS
  for (const crash of crashes) {
    const left = deadline - Date.now()
    const identified = left > 0 ? await withTimeout(identify(crash, candidates), left) : null
    if (!identified) {
      crash.problems.push(
        `Not identified: identifying the crashes took longer than ${IDENTIFY_DEADLINE_MS / 1000} s in all.`
      )
      continue
    }
    crash.problems.push(...identified.problems)
    if (identified.core) cores.set(crash, identified.core)
  }
  markCoreTwins(crashes, cores)
  return { crashes, cores, logged: await sanitizerLog(state, restoration, inputs, crashes) }
}

/**
 * The reports UBSan, TSan and standalone LSan sent to the system log during the job (main set
 * log_to_syslog=1 where there is one), but not of a process that left a core: its crash
 * stands for it.
 */
async function sanitizerLog(
  state: CaptureState | null,
  restoration: Restoration,
  inputs: Inputs,
  crashes: Crash[]
): Promise<LoggedReport[]> {
  if (!state || !inputs.sanitizers || !(await hasJournal())) return []
  const read = await readJournal(state.startedAt, process.getuid?.() ?? 0, restoration.privilege)
  if ('problem' in read) {
    core.warning(`Sanitizer reports in the system log could not be read: ${read.problem}.`)
    return []
  }
  return loggedReports(read.lines, new Set(crashes.map((crash) => crash.pid)))
}

/**
 * gdb, or with `multiarch` gdb-multiarch, found on PATH or installed when install-gdb allows;
 * else why there is none.
 */
async function findOrInstallGdb(
  multiarch: boolean,
  inputs: Inputs,
  privilege: Privilege | null
): Promise<string | { missing: string }> {
  const name = multiarch ? 'gdb-multiarch' : 'gdb'
  const found = multiarch ? await findMultiarchGdb() : await findGdb()
  if (found) return found
  if (!inputs.installGdb) return { missing: `${name} is not installed (install-gdb is false)` }
  core.info(
    multiarch
      ? 'crash-capture: a core of another machine needs gdb-multiarch; installing it.'
      : 'crash-capture: gdb is not installed; installing it to backtrace the crashes.'
  )
  try {
    return await installGdb(privilege ?? (await detectPrivilege()), multiarch)
  } catch (error) {
    const which = multiarch ? 'Cores of another machine are' : 'Crashes are'
    core.warning(`${(error as Error).message}. ${which} reported without backtraces.`)
    return { missing: `${name} is not installed and could not be installed` }
  }
}

/** Finds (or installs) gdb and analyses every crash; without gdb, from the cores alone. */
async function analyze(
  { crashes, cores }: Collected,
  inputs: Inputs,
  privilege: Privilege | null,
  workspace: string
): Promise<Analysis[]> {
  // Nothing for gdb to do: do not install it.
  if (!crashes.some((crash) => crash.core && crash.executable))
    return analyzeAll(crashes, cores, { missing: '' })
  const gdb = await findOrInstallGdb(false, inputs, privilege)
  if (typeof gdb !== 'string') return analyzeAll(crashes, cores, gdb)
  const scripts: string[] = []
  for (const script of inputs.gdbScripts) {
    const path = resolve(workspace, script)
    const exists = await access(path).then(
      () => true,
      () => false
    )
    if (exists) scripts.push(path)
    else
      core.warning(`The gdb script '${script}' (input gdb-scripts) does not exist: it is skipped.`)
  }
  // Cores of another machine (qemu-user's) need gdb-multiarch: found or installed like gdb.
  const multiarch = crashes.some(
    (crash) => crash.core && crash.executable && isForeign(cores.get(crash))
  )
    ? await findOrInstallGdb(true, inputs, privilege)
    : undefined
  return analyzeAll(crashes, cores, {
    gdb,
    multiarch,
    workspace,
    scripts,
    commands: inputs.gdbCommands,
    warn: (message) => core.warning(message),
    skipFrames: inputs.skipFrames,
    timeoutMsPerCore: inputs.gdbTimeoutSeconds * 1000,
    indexCache: await warmedIndex(),
    parallel: Math.min(2, availableParallelism())
  })
}

/** The job's sticky pull request comment: its crashes, or that an earlier crash is gone. */
function comment(inputs: Inputs, groups: CrashGroup[], artifact: Uploaded | null): Promise<void> {
  const key = inputs.commentKey
  return stickyComment(inputs, (runUrl, existing) => {
    if (groups.length > 0)
      return renderCrashComment(groups, key, runUrl, sourceLinksFromEnv(), artifact)
    if (existing || inputs.comment === CommentMode.Always)
      return renderNoCrashComment(key, runUrl, existing)
    return null
  })
}

/**
 * Prints the crashes and writes the annotations: errors for the crashes that count, notices for
 * the expected ones.
 */
function show(
  groups: CrashGroup[],
  expected: CrashGroup[],
  job: string | null,
  running: CrashGroup[] = [],
  hangs: CrashGroup[] = []
): void {
  // A matrix leg's label goes first: 25 legs of one job id are told apart by it.
  const tag = job ? `[${job.slice(0, 100)}] ` : ''
  printCrashes(groups, tag)
  printCrashes(expected, `${tag}expected: `)
  const annotate = (kind: 'error' | 'notice' | 'warning', list: CrashGroup[], prefix = '') => {
    for (const annotation of renderAnnotations(list)) {
      core[kind](annotation.message, {
        title: `${tag}${prefix}${annotation.title}`.slice(0, 255),
        file: annotation.file,
        startLine: annotation.startLine
      })
    }
  }
  annotate('error', groups)
  annotate('notice', expected, 'Expected crash (expected-crashes): ')
  printCrashes(hangs, tag)
  annotate('warning', hangs, 'Hang (hang-timeout): ')
  printCrashes(running, tag)
  annotate('warning', running, 'Still running at the end of the job: ')
}

/** Says how many crashes each expected-crashes rule matched, so that a stale rule shows. */
function reportRules(rules: ExpectedRule[], matched: number[]): void {
  if (rules.length === 0) return
  core.startGroup('crash-capture: expected-crashes rules')
  for (const rule of rules) {
    const count = matched[rule.index - 1] ?? 0
    core.info(
      `rule ${rule.index} (${rule.text}): ${count === 0 ? 'matched no crash' : `${count} crash${count === 1 ? '' : 'es'}`}`
    )
  }
  core.endGroup()
}

/** The watcher main saved, or null. */
function parseWatcher(text: string): Watcher | null {
  try {
    const watcher = JSON.parse(text) as Watcher
    return typeof watcher.pid === 'number' && typeof watcher.dir === 'string' ? watcher : null
  } catch {
    return null
  }
}

/**
 * A process still running has no crashing thread: it is blamed where the first of its threads
 * that is not the main one (often only waiting for the others) waits in the project's code, or
 * the main one.
 */
function blameRunning(analysis: Analysis): Analysis {
  const places = threadPlaces(analysis)
  const place = places.find((p) => p.thread !== 1) ?? places[0]
  const thread = place && analysis.threads.find((t) => t.num === place.thread)
  const frame = thread?.frames.find((f) => f.projectPath && f.line === place!.line)
  if (place && frame) analysis.blame = { frame, path: place.path, line: place.line, kind: 'line' }
  return analysis
}

/** Writes the job summary; returns its markdown. */
async function summarize(
  groups: CrashGroup[],
  expected: CrashGroup[],
  artifact: Uploaded | null,
  job: string | null,
  running: CrashGroup[],
  hangs: CrashGroup[]
): Promise<string> {
  const links = sourceLinksFromEnv()
  const summary =
    (groups.length + expected.length > 0 || running.length + hangs.length === 0
      ? renderSummary(groups, links, artifact, undefined, expected, job)
      : '') +
    renderStillRunning(hangs, links, 'hang') +
    renderStillRunning(running, links)
  try {
    await core.summary.addRaw(summary).write()
  } catch (error) {
    core.warning(`The job summary could not be written: ${(error as Error).message}`)
  }
  return summary
}

/**
 * The cores left out of the artifact: of the crashes at one crash site (the same executable
 * stopped at the same instruction with the same code addresses on its stack: `twinOf`), the
 * first max-cores-per-group keep theirs. Decided before the analysis, so that the cores are
 * compressed while gdb runs; a site is one bug, and a group (one signature) one or more sites.
 */
function coresLeftOut(crashes: Crash[], keep: number): Map<Crash, string> {
  const leaveOut = new Map<Crash, string>()
  const perSite = new Map<string, number>()
  for (const crash of crashes) {
    if (!crash.core && !crash.packedCore) continue
    const site = crash.twinOf ?? crash.id
    const seen = perSite.get(site) ?? 0
    perSite.set(site, seen + 1)
    if (seen >= keep)
      leaveOut.set(
        crash,
        `the core was left out: the artifact holds the cores of the first ${keep} crashes at this crash site (${site}'s, max-cores-per-group)`
      )
  }
  return leaveOut
}

/** The artifact under way: its heavy part staged, zipped and uploaded while the analysis runs. */
interface ArtifactJob {
  stager: BundleStager
  heavy: Promise<void>
  leftOut: number
  /** The zip under way to the artifact service; null off GitHub Actions. */
  upload: Promise<ArtifactStream> | null
}

/**
 * Starts the artifact as soon as the crashes are collected: the cores, executables and
 * libraries are compressed while gdb runs (one gdb leaves the other CPUs free), and each goes
 * into the zip and the upload once it is made.
 */
function startArtifact(
  inputs: Inputs,
  crashes: Crash[],
  stage: string,
  workspace: string
): ArtifactJob | null {
  if (inputs.upload === UploadMode.None) return null
  const upload = canUpload()
    ? import('./upload/artifact-stream.js').then(
        ({ ArtifactStream }) =>
          new ArtifactStream(join(stage, 'bundle'), {
            name: inputs.artifactName
              ? safeArtifactName(inputs.artifactName)
              : artifactNameFor(inputs.identity, 'crash-capture'),
            retentionDays: inputs.retentionDays,
            compressionLevel: inputs.compressionLevel
          })
      )
    : null
  // Its failure to load is read in finishArtifact.
  upload?.catch(() => undefined)
  // The stager tells of each file in order; the zip takes them in that order.
  const added = (path: string) => void upload?.then((stream) => stream.add(path))
  const stager = new BundleStager(stage, inputs.upload, inputs.maxArtifactSize, workspace, added)
  const leaveOut = coresLeftOut(crashes, inputs.maxCoresPerGroup)
  const heavy = stager.stageHeavy(crashes, leaveOut)
  // Its failures are read in finishArtifact.
  heavy.catch(() => undefined)
  return { stager, heavy, leftOut: leaveOut.size, upload }
}

/** Stages the reports into the artifact and ends its upload; trouble becomes a warning. */
async function finishArtifact(
  job: ArtifactJob | null,
  groups: CrashGroup[],
  stage: string,
  mode: string,
  inputs: Inputs,
  lap: (what: string) => void
): Promise<Uploaded | null> {
  if (!job) return null
  const analyses = groups.flatMap((g) => g.analyses)
  try {
    await job.heavy
    const bundle = await job.stager.stageReports(analyses)
    // The artifact carries its own index: the report, with paths inside the bundle.
    await job.stager.addFile(
      'report.json',
      JSON.stringify(
        portable(buildReport(groups, mode, [], inputs.identity), stage, bundle.root),
        null,
        2
      ) + '\n'
    )
    lap('staging')
    if (job.leftOut > 0)
      core.info(
        `crash-capture: ${job.leftOut} core(s) of crashes at the same crash site as bundled ones are left out of the artifact (max-cores-per-group ${inputs.maxCoresPerGroup}); their reports are in it.`
      )
    for (const note of bundle.dropped) core.warning(`Crash artifact: ${note}`)
    if (!job.upload) {
      core.info(
        `crash-capture: not on GitHub Actions (no ACTIONS_RUNTIME_TOKEN): no artifact upload; the bundle is at ${bundle.root}`
      )
      return null
    }
    const uploaded = await (await job.upload).finish()
    core.info(
      `crash-capture: uploaded the artifact '${uploaded.name}' (${uploaded.size} bytes from ${job.stager.bytes} staged).`
    )
    return uploaded
  } catch (error) {
    abortArtifact(job)
    core.warning(
      `The crash artifact could not be uploaded: ${(error as Error).message.split('\n')[0]}`
    )
    return null
  }
}

/** Gives up an artifact's upload under way (nothing is left pending when post ends early). */
function abortArtifact(job: ArtifactJob | null): void {
  job?.upload?.then((stream) => stream.abort()).catch(() => undefined)
}

/**
 * Uploads a matrix leg's JSON report as an artifact of its own, small and apart from the cores,
 * for the run-wide aggregate action. A clean leg uploads nothing (the common path stays off the
 * network), except in a rerun attempt, where its report says that the crash of an earlier
 * attempt is gone.
 */
async function shareReport(inputs: Inputs, reportPath: string, crashes: number): Promise<void> {
  const { identity } = inputs
  if (identity.index === null || inputs.upload === UploadMode.None || !canUpload()) return
  if (crashes === 0 && identity.attempt <= 1) return
  try {
    const { ArtifactStream } = await import('./upload/artifact-stream.js')
    const upload = new ArtifactStream(dirname(reportPath), {
      name: artifactNameFor(identity, REPORT_ARTIFACT_PREFIX),
      retentionDays: inputs.retentionDays,
      compressionLevel: 9
    })
    upload.add(reportPath)
    const uploaded = await upload.finish()
    core.info(`crash-capture: shared the report as '${uploaded.name}' for the run-wide view.`)
  } catch (error) {
    core.warning(
      `The report could not be shared for the run-wide view: ${(error as Error).message.split('\n')[0]}`
    )
  }
}

/**
 * The post step: restore, collect, analyse, group, report, decide. Each reporting channel fails
 * alone, with a warning; only the verdict decides the step's status.
 */
export async function run(): Promise<PostOutcome> {
  const state = loadCaptureState()
  const restoration = await restore(state)
  try {
    return await report(state, restoration)
  } finally {
    await removeWarmedIndex()
    // The file-pattern fallback's folder: cores in it are the job's, and may hold secrets.
    if (state?.coreDir) {
      await rm(state.coreDir, { recursive: true, force: true }).catch(() =>
        restoration.privilege
          ? runAsRoot(restoration.privilege, 'Removing the core folder', 'rm', [
              '-rf',
              '--',
              state.coreDir!
            ]).catch(() => undefined)
          : undefined
      )
    }
    // The root-owned session directory goes once its crashes are staged, or when post failed:
    // never while core_pattern still points at its handler.
    if (state?.sessionDir && restoration.detached && restoration.privilege) {
      await runAsRoot(restoration.privilege, 'Removing the crash session directory', 'rm', [
        '-rf',
        '--',
        state.sessionDir
      ]).catch((error: Error) => core.warning(error.message))
      // The last job out leaves no empty jobs/ behind (a main registering meanwhile recreates it).
      await runAsRoot(restoration.privilege, 'Removing the empty jobs folder', 'rmdir', [
        dirname(state.sessionDir)
      ]).catch(() => undefined)
      // A handler placed in the job's temp folder (a job container's) leaves nothing there.
      const crashDir = crashDirOf(state.sessionDir)
      const temp = process.env.RUNNER_TEMP
      if (temp && crashDir === join(temp, 'crash-capture'))
        await runAsRoot(restoration.privilege, 'Removing the crash folder', 'rmdir', [
          crashDir
        ]).catch(() => undefined)
    }
  }
}

/** Everything after the restore: collect, analyse, report, decide. */
async function report(state: CaptureState | null, restoration: Restoration): Promise<PostOutcome> {
  const inputs = getInputs()
  const stage = await stageDirectory(state)
  const workspace = await realpath(process.env.GITHUB_WORKSPACE || process.cwd()).catch(() =>
    process.cwd()
  )
  const timings: string[] = []
  let mark = performance.now()
  const lap = (what: string) => {
    const now = performance.now()
    timings.push(`${what} ${Math.round(now - mark)} ms`)
    mark = now
  }
  const collected = await collect(state, restoration, stage, inputs, workspace)
  lap('collect')
  const { crashes } = collected
  const reportPath = join(stage, 'report.json')

  let groups: CrashGroup[] = []
  let expected: CrashGroup[] = []
  let matched = inputs.expectedCrashes.map(() => 0)
  let summary = ''
  let artifact: (Uploaded & { folder: string | null }) | null = null
  let running: CrashGroup[] = []
  let hangs: CrashGroup[] = []
  if (crashes.length === 0 && collected.logged.length === 0) {
    core.info('crash-capture: no crash was found in this job.')
  } else {
    const artifactJob = startArtifact(inputs, crashes, stage, workspace)
    let analyses: Analysis[]
    try {
      analyses = [
        ...(await analyze(collected, inputs, restoration.privilege, workspace)),
        ...(await loggedAnalyses(collected.logged, stage, {
          workspace,
          skipFrames: inputs.skipFrames
        }))
      ]
    } catch (error) {
      abortArtifact(artifactJob)
      throw error
    }
    lap('analysis')
    const leftover = (a: Analysis) => a.crash.source === 'leftover'
    const hanging = (a: Analysis) => a.crash.source === 'hang'
    ;({ groups, expected, matched } = sortCrashes(
      analyses.filter((a) => !isRunning(a.crash)),
      inputs.expectedCrashes,
      inputs.skipFrames
    ))
    running = groupCrashes(analyses.filter(leftover).map(blameRunning), inputs.skipFrames)
    hangs = groupCrashes(analyses.filter(hanging).map(blameRunning), inputs.skipFrames)
    const job = inputs.identity.index !== null ? inputs.identity.label : null
    show(groups, expected, job, running, hangs)
    lap('report')
    const uploaded = await finishArtifact(
      artifactJob,
      [...groups, ...expected, ...hangs, ...running],
      stage,
      state?.mode ?? 'none',
      inputs,
      lap
    )
    artifact = uploaded && {
      ...uploaded,
      folder: (groups[0] ?? expected[0])?.analyses[0]?.crash.id ?? null
    }
    if (uploaded) lap('end of the upload')
    summary = await summarize(groups, expected, artifact, job, running, hangs)
    core.info(`crash-capture: timings: ${timings.join(', ')}`)
  }
  reportRules(inputs.expectedCrashes, matched)
  await comment(inputs, groups, artifact)
  const counted = groups.reduce((n, g) => n + g.analyses.length, 0)
  const expectedCount = expected.reduce((n, g) => n + g.analyses.length, 0)
  try {
    await writeReport(
      reportPath,
      buildReport(
        groups,
        state?.mode ?? 'none',
        expected,
        inputs.identity,
        artifact,
        running,
        hangs
      )
    )
    await shareReport(inputs, reportPath, counted + expectedCount)
  } catch (error) {
    core.warning(`The JSON report could not be written: ${(error as Error).message}`)
  }
  core.setOutput(Output.Crashes, counted)
  core.setOutput(Output.ExpectedCrashes, expectedCount)
  core.setOutput(Output.Groups, groups.length)
  core.setOutput(Output.Report, reportPath)
  core.setOutput(Output.Summary, summary)
  core.setOutput(Output.ArtifactId, artifact?.id ?? '')
  core.setOutput(Output.ArtifactUrl, artifact?.url ?? '')

  if (expectedCount > 0)
    core.info(
      `crash-capture: ${expectedCount} expected crash${expectedCount === 1 ? '' : 'es'} (expected-crashes): reported, not counted.`
    )
  const hung = hangs.reduce((n, g) => n + g.analyses.length, 0)
  if (hung > 0)
    core.warning(
      `crash-capture: ${hung} process(es) of the job hung: still running after hang-timeout; their stacks are in the log and the summary.`
    )
  const stillRunning = running.reduce((n, g) => n + g.analyses.length, 0)
  if (stillRunning > 0 && inputs.leftoverProcesses === LeftoverMode.Fail && counted === 0)
    return {
      failure: `crash-capture: ${stillRunning} process(es) of the job were still running at its end (leftover-processes: fail). See the warnings and the job summary.`
    }
  if (counted === 0) return { failure: null }
  const count = `${counted} crash${counted === 1 ? '' : 'es'} in ${groups.length} group${groups.length === 1 ? '' : 's'}`
  if (!inputs.failOnCrash) {
    core.info(`crash-capture: ${count} found; not failing the job (fail-on-crash is false).`)
    return { failure: null }
  }
  return { failure: `crash-capture: ${count} found. See the annotations and the job summary.` }
}
