// A small stand-in for the GitHub Actions runner: it runs the bundled entry points as node
// processes with the environment files a real runner provides (GITHUB_STATE, GITHUB_OUTPUT,
// GITHUB_STEP_SUMMARY, GITHUB_ENV, GITHUB_PATH), hands main's saved state to post as STATE_*
// variables, and parses what the step wrote. Used by the demo and the end-to-end tests.
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { chown, mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root: dist/ holds the entry points. */
export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)))

/**
 * The node that runs the steps: CRASH_CAPTURE_NODE when set (the tests run dist/ again under
 * Node 24, the action's `runs.using`), else this one.
 */
export const STEP_NODE = process.env.CRASH_CAPTURE_NODE
  ? resolve(ROOT, process.env.CRASH_CAPTURE_NODE)
  : process.execPath

/**
 * Parses a runner file-command file: `name<<DELIM\nvalue\nDELIM` blocks and `name=value` lines.
 * @param {string} text
 * @returns {Record<string, string>}
 */
export function parseFileCommands(text) {
  /** @type {Record<string, string>} */
  const values = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name, delimiter] = heredoc
      const body = []
      for (i++; i < lines.length && lines[i] !== delimiter; i++) body.push(lines[i])
      values[name] = body.join('\n')
    } else if (line.includes('=')) {
      const at = line.indexOf('=')
      values[line.slice(0, at)] = line.slice(at + 1)
    }
  }
  return values
}

/** The temp dirs of the jobs not yet removed: a crashing job's holds its cores (up to a GB). */
const temps = new Set()

/** Removes the temp dir of every job made so far (the tests do it after each test file). */
export async function removeJobTemps() {
  for (const temp of temps) await rm(temp, { recursive: true, force: true })
  temps.clear()
}

/**
 * A job: one workspace, one temp dir, and the state main leaves for post.
 */
export class FakeJob {
  /**
   * @param {{ workspace: string, env?: Record<string, string>, inputs?: Record<string, string>,
   *   user?: { uid: number, gid: number }, dist?: string, trackingId?: string }} options
   *   user: run the steps as this user (the temp dir is handed to it); dist: where main.js is;
   *   trackingId: the job's RUNNER_TRACKING_ID (a new one by default), which the runner puts in
   *   the environment of every process of a job.
   * @param {ContainerJob} [options.container] run the steps in this running container, as the
   *   runner does for a job with `container:` (its temp folder must be under a mounted folder).
   */
  /**
   * @typedef {{ docker: string[], name: string, mounts: [string, string][], node: string,
   *   dist: string }} ContainerJob
   *   docker: the docker command line (with its -H); mounts: host folder -> container folder;
   *   node: the node in the container (the runner mounts its own at /__e); dist: where dist/ is.
   */
  constructor(options) {
    this.workspace = options.workspace
    this.trackingId = options.trackingId ?? `github_${randomUUID()}`
    this.env = options.env ?? {}
    this.inputs = options.inputs ?? {}
    this.user = options.user
    this.dist = options.dist ?? join(ROOT, 'dist')
    this.container = options.container
    /** @type {Record<string, string>} */
    this.state = {}
    /** Variables the steps exported through GITHUB_ENV: the runner sets them for later steps.
     * @type {Record<string, string>} */
    this.exported = {}
    this.temp = ''
  }

  async init() {
    if (!this.temp) {
      this.temp = await mkdtemp(join(tmpdir(), 'crash-capture-runner-'))
      temps.add(this.temp)
    }
    await mkdir(join(this.temp, 'files'), { recursive: true })
    return this
  }

  /** Removes the job's temp dir (its stage, bundle and report), once they have been read. */
  async remove() {
    if (!this.temp) return
    await rm(this.temp, { recursive: true, force: true })
    temps.delete(this.temp)
  }

  /**
   * A host path as the job's container sees it (the same path without a container).
   * @param {string} path
   */
  inside(path) {
    for (const [host, there] of this.container?.mounts ?? []) {
      if (path === host || path.startsWith(`${host}/`)) return there + path.slice(host.length)
    }
    return path
  }

  /**
   * A path in the job's container as the host sees it.
   * @param {string} path
   */
  outside(path) {
    for (const [host, there] of this.container?.mounts ?? []) {
      if (path === there || path.startsWith(`${there}/`)) return host + path.slice(there.length)
    }
    return path
  }

  /** The environment of a process started by one of this job's steps (its tracking id). */
  processEnv() {
    return { ...process.env, ...this.exported, RUNNER_TRACKING_ID: this.trackingId }
  }

  /**
   * Runs dist/<entry>.js like the runner runs a node action step.
   * @param {'main' | 'post'} entry
   * @param {{ env?: Record<string, string>, shell?: { before?: string, after?: string },
   *   wrap?: string[] }} [options]
   *   shell: run the step inside `sh -c 'BEFORE; node step.js; AFTER'`, so that the step's parent
   *   is a shell that lives on, like the runner's worker, and later commands are its children.
   *   wrap: a command line that runs the step (node and the script are appended), such as
   *   `unshare --mount …` to run it in a namespace of its own.
   */
  async runStep(entry, options = {}) {
    await this.init()
    const files = join(this.temp, 'files')
    const names = [
      'GITHUB_STATE',
      'GITHUB_OUTPUT',
      'GITHUB_STEP_SUMMARY',
      'GITHUB_ENV',
      'GITHUB_PATH'
    ]
    /** @type {Record<string, string>} */
    const fileEnv = {}
    for (const name of names) {
      const path = join(files, `${entry}-${name.toLowerCase()}`)
      await writeFile(path, '')
      fileEnv[name] = path
    }
    if (this.user) {
      // Like a runner's temp dir: owned by the user the steps run as.
      for (const path of [this.temp, files, ...(await readdir(files)).map((f) => join(files, f))]) {
        await chown(path, this.user.uid, this.user.gid)
      }
    }
    /** @type {Record<string, string>} */
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: this.user ? this.temp : (process.env.HOME ?? '/root'),
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: this.workspace,
      RUNNER_TEMP: this.temp,
      RUNNER_OS: 'Linux',
      GITHUB_RUN_ID: '4242',
      RUNNER_TRACKING_ID: this.trackingId,
      ...this.exported,
      ...fileEnv,
      ...this.env,
      ...(options.env ?? {})
    }
    for (const [name, value] of Object.entries(this.inputs)) {
      env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
    }
    if (entry === 'post') {
      for (const [name, value] of Object.entries(this.state)) env[`STATE_${name}`] = value
    }
    const started = process.hrtime.bigint()
    const result = await new Promise((done) => {
      const script = join(this.dist, `${entry}.js`)
      const container = this.container
      const [command, args] = container
        ? [
            container.docker[0],
            [
              ...container.docker.slice(1),
              'exec',
              '-i',
              '-w',
              this.inside(this.workspace),
              // Like the runner: the step's variables, with paths as the container sees them.
              ...Object.entries(env)
                .filter(([name]) => name !== 'PATH' && name !== 'HOME')
                .flatMap(([name, value]) => ['-e', `${name}=${this.inside(value)}`]),
              container.name,
              container.node,
              join(container.dist, `${entry}.js`)
            ]
          ]
        : options.wrap
          ? [options.wrap[0], [...options.wrap.slice(1), STEP_NODE, script]]
          : options.shell
            ? [
                'sh',
                [
                  '-c',
                  `${options.shell.before ?? ':'}; "$0" "$1"; rc=$?; ${options.shell.after ?? ':'}; exit $rc`,
                  STEP_NODE,
                  script
                ]
              ]
            : [STEP_NODE, [script]]
      const child = spawn(command, args, {
        cwd: this.workspace,
        env,
        uid: this.user?.uid,
        gid: this.user?.gid,
        stdio: ['ignore', 'pipe', 'pipe']
      })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (chunk) => (stdout += chunk))
      child.stderr.on('data', (chunk) => (stderr += chunk))
      child.on('close', (code) => done({ code, stdout, stderr }))
    })
    const ms = Number(process.hrtime.bigint() - started) / 1e6
    const read = (name) => readFile(fileEnv[name], 'utf8').catch(() => '')
    const state = parseFileCommands(await read('GITHUB_STATE'))
    if (entry === 'main') this.state = state
    Object.assign(this.exported, parseFileCommands(await read('GITHUB_ENV')))
    return {
      ...result,
      ms,
      outputs: parseFileCommands(await read('GITHUB_OUTPUT')),
      summary: await read('GITHUB_STEP_SUMMARY'),
      summaryPath: fileEnv.GITHUB_STEP_SUMMARY,
      state
    }
  }
}
