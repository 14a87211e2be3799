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
import { FakeJob, ROOT, STEP_NODE } from '../scripts/runner.mjs'

/** A temporary workspace holding crash programs compiled from __fixtures__/crashers. */
export interface Workspace {
  dir: string
  /** Absolute path of a compiled program. */
  bin(name: string): string
}

/** A crash program to build: a fixture source under a name, with compiler flags. */
export interface Program {
  /** Name of the built program in bin/. */
  name: string
  /** Fixture file name without extension (.c or .cpp); defaults to name. */
  source?: string
  flags?: string[]
  /** The C compiler (musl-gcc for a musl-linked program); gcc or g++ by default. */
  cc?: string
}

/**
 * Copies the named crash programs into a fresh workspace and compiles them (-g -O0 by default).
 * `at`: the folder to use (made here); `seenAs`: where a container will see it, written into
 * the debug information as if the programs had been built there.
 */
export function makeWorkspace(
  programs: (string | Program)[],
  options: { at?: string; seenAs?: string } = {}
): Workspace {
  const dir = options.at ?? mkdtempSync(join(tmpdir(), 'crash-capture-ws-'))
  mkdirSync(dir, { recursive: true })
  mkdirSync(join(dir, 'src'))
  mkdirSync(join(dir, 'bin'))
  for (const entry of programs) {
    const program = typeof entry === 'string' ? { name: entry } : entry
    const base = program.source ?? program.name
    const cxx = existsSync(join(ROOT, '__fixtures__/crashers', `${base}.cpp`))
    const file = `${base}.${cxx ? 'cpp' : 'c'}`
    if (!existsSync(join(dir, 'src', file)))
      copyFileSync(join(ROOT, '__fixtures__/crashers', file), join(dir, 'src', file))
    const flags = [
      ...(program.flags ?? ['-g', '-O0']),
      ...(options.seenAs ? [`-fdebug-prefix-map=${dir}=${options.seenAs}`] : [])
    ]
    execFileSync(
      program.cc ?? (cxx ? 'g++' : 'gcc'),
      [...flags, '-o', `bin/${program.name}`, `src/${file}`, '-lpthread'],
      { cwd: dir }
    )
  }
  return { dir, bin: (name) => join(dir, 'bin', name) }
}

/**
 * Builds the project-library pair into a workspace: bin/libmylib.so (whose function crashes)
 * and bin/uselib, which loads it from its own folder. Call again to rebuild after an edit.
 */
export function buildWithLibrary(workspace: Workspace): void {
  for (const file of ['mylib.c', 'uselib.c']) {
    const target = join(workspace.dir, 'src', file)
    if (!existsSync(target)) copyFileSync(join(ROOT, '__fixtures__/crashers', file), target)
  }
  const cc = (args: string[]) => execFileSync('gcc', ['-g', '-O0', ...args], { cwd: workspace.dir })
  cc(['-shared', '-fPIC', '-o', 'bin/libmylib.so', 'src/mylib.c'])
  cc(['-o', 'bin/uselib', 'src/uselib.c', '-Lbin', '-lmylib', '-Wl,-rpath,$ORIGIN'])
}

/** The line of the `crash-here` marker in a fixture program. */
export function crashLine(name: string, marker = 'crash-here'): number {
  const base = join(ROOT, '__fixtures__/crashers', name)
  const file = existsSync(`${base}.cpp`) ? `${base}.cpp` : `${base}.c`
  const lines = readFileSync(file, 'utf8').split('\n')
  const index = lines.findIndex((line) => line.includes(marker))
  if (index < 0) throw new Error(`no ${marker} marker in ${file}`)
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

/** Every crash record of a post step's JSON report (its `report` output), all groups in turn. */
export function reportCrashes<T>(path: string | undefined): T[] {
  const report = JSON.parse(readFileSync(path!, 'utf8')) as { groups: { crashes: T[] }[] }
  return report.groups.flatMap((group) => group.crashes)
}

/** The session folder main registered (its job's folder under crash-dir). */
export function sessionOf(job: FakeJob): string {
  return (JSON.parse(job.state.capture!) as { sessionDir: string }).sessionDir
}

export { FakeJob, ROOT, STEP_NODE }
