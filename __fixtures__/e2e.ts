import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process'
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  existsSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FakeJob, ROOT } from '../scripts/runner.mjs'

/** A temporary workspace holding crash programs compiled from __fixtures__/crashers. */
export interface Workspace {
  dir: string
  /** Absolute path of a compiled program. */
  bin(name: string): string
}

/** Copies the named crash programs into a fresh workspace and compiles them with -g -O0. */
export function makeWorkspace(programs: string[], flags: string[] = ['-g', '-O0']): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'crash-capture-ws-'))
  mkdirSync(join(dir, 'src'))
  mkdirSync(join(dir, 'bin'))
  for (const name of programs) {
    copyFileSync(join(ROOT, '__fixtures__/crashers', `${name}.c`), join(dir, 'src', `${name}.c`))
    execFileSync('gcc', [...flags, '-o', `bin/${name}`, `src/${name}.c`, '-lpthread'], { cwd: dir })
  }
  return { dir, bin: (name) => join(dir, 'bin', name) }
}

/** The line of the `crash-here` marker in a fixture program. */
export function crashLine(name: string): number {
  const lines = readFileSync(join(ROOT, '__fixtures__/crashers', `${name}.c`), 'utf8').split('\n')
  const index = lines.findIndex((line) => line.includes('crash-here'))
  if (index < 0) throw new Error(`no crash-here marker in ${name}.c`)
  return index + 1
}

/** Runs a shell command line in the workspace, like a `run:` step. */
export function runStep(workspace: Workspace, script: string): SpawnSyncReturns<string> {
  return spawnSync('sh', ['-c', script], { cwd: workspace.dir, encoding: 'utf8' })
}

/** Waits until the handler has finished `count` crashes of the job's session. */
export async function waitForCrashes(
  job: FakeJob,
  count: number,
  timeoutMs = 10_000
): Promise<void> {
  const state = JSON.parse(job.state.capture ?? '{}') as { sessionDir?: string }
  if (!state.sessionDir) throw new Error('main saved no session directory')
  const crashes = join(state.sessionDir, 'crashes')
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const done = existsSync(crashes)
      ? readdirSync(crashes).filter((name) => existsSync(join(crashes, name, 'result'))).length
      : 0
    if (done >= count) return
    if (Date.now() > deadline) throw new Error(`only ${done} of ${count} crashes arrived`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** A workflow command line printed by a step, parsed. */
export interface WorkflowCommand {
  command: string
  properties: Record<string, string>
  message: string
}

function unescape(value: string): string {
  return value
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%25/g, '%')
}

/**
 * Every workflow command a step printed that the runner would act on: it skips the lines inside
 * a `::stop-commands::TOKEN` … `::TOKEN::` block, as the runner does.
 */
export function workflowCommands(stdout: string): WorkflowCommand[] {
  const commands: WorkflowCommand[] = []
  let stopToken: string | null = null
  for (const line of stdout.split(/\r?\n/)) {
    if (stopToken !== null) {
      if (line === `::${stopToken}::`) stopToken = null
      continue
    }
    const match = /^::([A-Za-z-]+)(?: ([^:]*))?::(.*)$/.exec(line)
    if (!match) continue
    const [, command, props, message] = match
    if (command === 'stop-commands') {
      stopToken = message!
      continue
    }
    const properties: Record<string, string> = {}
    for (const pair of (props ?? '').split(',').filter(Boolean)) {
      const at = pair.indexOf('=')
      properties[pair.slice(0, at)] = unescape(pair.slice(at + 1))
    }
    commands.push({ command: command!, properties, message: unescape(message!) })
  }
  return commands
}

export { FakeJob }
