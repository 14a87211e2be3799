import * as core from '@actions/core'
import { randomBytes } from 'node:crypto'
import { access, mkdir, realpath } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { bareAnalysis, type Analysis } from './analyze/analysis.js'
import { analyzeCrashes, findGdb, installGdb } from './analyze/gdb.js'
import { groupCrashes, type CrashGroup } from './analyze/group.js'
import { restoreCapture } from './capture/restore.js'
import type { Crash } from './collect/crash.js'
import { collectHandlerCrashes } from './collect/handler-dirs.js'
import { CommentMode, getInputs, type Inputs } from './inputs.js'
import { detectPrivilege, runAsRoot, type Privilege } from './privilege.js'
import { renderAnnotations } from './report/annotations.js'
import {
  commentMarker,
  commentTargetFromEnv,
  publishComment,
  renderCrashComment,
  renderNoCrashComment
} from './report/comment.js'
import { printCrashes } from './report/log.js'
import { buildReport, writeReport } from './report/report-file.js'
import { renderSummary, sourceLinksFromEnv } from './report/summary.js'
import { loadCaptureState, type CaptureState } from './state.js'

/** What the post step decided; the entry point turns `failure` into a failed step. */
export interface PostOutcome {
  /** The message to fail the step with, or null. */
  failure: string | null
}

/** Output names, exactly as in action.yml. */
export enum Output {
  Crashes = 'crashes',
  Groups = 'groups',
  Report = 'report',
  Summary = 'summary'
}

/** How long post waits for handlers still writing a core when it starts. */
const HANDLER_WAIT_MS = 30_000

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
}

/** Puts the kernel settings back: first, so that no later trouble can leave them changed. */
async function restore(state: CaptureState | null): Promise<Restoration> {
  if (!state) {
    core.info(
      'crash-capture: the main step saved no state (it failed or did not run): nothing to restore.'
    )
    return { privilege: null, detached: true }
  }
  if (state.mode !== 'pipe-handler') return { privilege: null, detached: true }
  const privilege = await detectPrivilege()
  const restored = await restoreCapture(state, privilege)
  for (const warning of restored.warnings) core.warning(warning)
  if (restored.warnings.length === 0) {
    const how =
      privilege === 'sudo'
        ? ' (through sudo -n, as were removing the handler and, if needed, installing gdb)'
        : ''
    core.info(`crash-capture: kernel core settings restored${how}.`)
  }
  return { privilege, detached: restored.handlerDetached }
}

/** Collects the session's crashes into the stage and removes the root-owned session directory. */
async function collect(
  state: CaptureState | null,
  restoration: Restoration,
  stage: string
): Promise<Crash[]> {
  const session = state?.mode === 'pipe-handler' ? state.sessionDir : null
  if (!session) return []
  const { privilege } = restoration
  const { crashes, problems } = await collectHandlerCrashes(session, stage, HANDLER_WAIT_MS)
  for (const problem of problems) core.warning(problem)
  if (restoration.detached && privilege) {
    await runAsRoot(privilege, 'Removing the crash session directory', 'rm', [
      '-rf',
      '--',
      session
    ]).catch((error: Error) => core.warning(error.message))
  }
  return crashes
}

async function analyze(
  crashes: Crash[],
  inputs: Inputs,
  privilege: Privilege | null
): Promise<Analysis[]> {
  let gdb = await findGdb()
  if (!gdb && inputs.installGdb) {
    core.info('crash-capture: gdb is not installed; installing it to backtrace the crashes.')
    try {
      gdb = await installGdb(privilege ?? (await detectPrivilege()))
    } catch (error) {
      core.warning(`${(error as Error).message}. Crashes are reported without backtraces.`)
    }
  }
  if (!gdb) {
    const why = inputs.installGdb
      ? 'gdb is not installed and could not be installed'
      : 'gdb is not installed (install-gdb is false)'
    return crashes.map((crash) => bareAnalysis(crash, [why]))
  }
  const workspace = await realpath(process.env.GITHUB_WORKSPACE || process.cwd()).catch(() =>
    process.cwd()
  )
  const scripts: string[] = []
  for (const script of inputs.gdbScripts) {
    const path = resolve(workspace, script)
    if (
      await access(path).then(
        () => true,
        () => false
      )
    )
      scripts.push(path)
    else
      core.warning(`The gdb script '${script}' (input gdb-scripts) does not exist: it is skipped.`)
  }
  return analyzeCrashes(crashes, {
    gdb,
    workspace,
    scripts,
    commands: inputs.gdbCommands,
    warn: (message) => core.warning(message),
    skipFrames: inputs.skipFrames,
    timeoutMsPerCore: inputs.gdbTimeoutSeconds * 1000,
    parallel: Math.min(2, availableParallelism())
  })
}

/** Writes or updates the sticky pull request comment; trouble becomes one warning. */
async function comment(inputs: Inputs, groups: CrashGroup[]): Promise<void> {
  if (inputs.comment === CommentMode.Never) return
  const target = await commentTargetFromEnv()
  if (!target) return
  if (!inputs.githubToken) {
    core.warning('No github-token: the pull request comment is skipped.')
    return
  }
  const { commentKey: key } = inputs
  const body = (existing: boolean): string | null => {
    if (groups.length > 0)
      return renderCrashComment(groups, key, target.runUrl, sourceLinksFromEnv())
    if (existing || inputs.comment === CommentMode.Always)
      return renderNoCrashComment(key, target.runUrl, existing)
    return null
  }
  try {
    const result = await publishComment(target, inputs.githubToken, commentMarker(key), body)
    if (result !== 'skipped') core.info(`crash-capture: pull request comment ${result}.`)
  } catch (error) {
    core.warning((error as Error).message)
  }
}

/** Prints the crashes and writes the annotations and the job summary. */
async function show(groups: CrashGroup[]): Promise<string> {
  printCrashes(groups)
  for (const annotation of renderAnnotations(groups)) {
    core.error(annotation.message, {
      title: annotation.title,
      file: annotation.file,
      startLine: annotation.startLine
    })
  }
  const summary = renderSummary(groups, sourceLinksFromEnv())
  try {
    await core.summary.addRaw(summary).write()
  } catch (error) {
    core.warning(`The job summary could not be written: ${(error as Error).message}`)
  }
  return summary
}

/**
 * The post step: restore, collect, analyse, group, report, decide. Each reporting channel fails
 * alone, with a warning; only the verdict decides the step's status.
 */
export async function run(): Promise<PostOutcome> {
  const state = loadCaptureState()
  const restoration = await restore(state)
  const inputs = getInputs()
  const stage = await stageDirectory(state)
  const crashes = await collect(state, restoration, stage)
  const reportPath = join(stage, 'report.json')

  let groups: CrashGroup[] = []
  let summary = ''
  if (crashes.length === 0) {
    core.info('crash-capture: no crash was found in this job.')
  } else {
    groups = groupCrashes(await analyze(crashes, inputs, restoration.privilege), inputs.skipFrames)
    summary = await show(groups)
  }
  await comment(inputs, groups)
  try {
    await writeReport(reportPath, buildReport(groups, state?.mode ?? 'none'))
  } catch (error) {
    core.warning(`The JSON report could not be written: ${(error as Error).message}`)
  }
  core.setOutput(Output.Crashes, crashes.length)
  core.setOutput(Output.Groups, groups.length)
  core.setOutput(Output.Report, reportPath)
  core.setOutput(Output.Summary, summary)

  if (crashes.length === 0) return { failure: null }
  const count = `${crashes.length} crash${crashes.length === 1 ? '' : 'es'} in ${groups.length} group${groups.length === 1 ? '' : 's'}`
  if (!inputs.failOnCrash) {
    core.info(`crash-capture: ${count} found; not failing the job (fail-on-crash is false).`)
    return { failure: null }
  }
  return { failure: `crash-capture: ${count} found. See the annotations and the job summary.` }
}
