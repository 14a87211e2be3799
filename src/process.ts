import { spawn, type ChildProcess } from 'node:child_process'
import { setPriority } from 'node:os'
import { access, constants, readFile } from 'node:fs/promises'
import { delimiter, join } from 'node:path'

/** Options for one external command. */
export interface RunOptions {
  /** Bytes written to the command's stdin, which is then closed. */
  input?: string | Buffer
  /** Milliseconds before the command and its process group are killed. */
  timeoutMs?: number
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** Bytes of stdout and of stderr kept each; the rest is counted and dropped. */
  maxOutput?: number
}

/** What one external command did. */
export interface RunResult {
  /** Exit code, or null when it was killed by a signal or could not start. */
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** True when the command was killed because it ran past timeoutMs. */
  timedOut: boolean
  /** True when stdout or stderr was longer than maxOutput and was cut. */
  truncated: boolean
  /** Why the command could not start (for example ENOENT), or null. */
  startError: string | null
}

/**
 * Runs a command without a shell and never rejects: failures are in the result. The command gets
 * its own process group so that a timeout kills whatever it started too.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: RunOptions = {}
): Promise<RunResult> {
  const maxOutput = options.maxOutput ?? 16 * 1024 * 1024
  return new Promise((resolve) => {
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    const kept = { stdout: 0, stderr: 0 }
    let truncated = false
    let timedOut = false
    let startError: string | null = null
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true
    })
    const collect = (name: 'stdout' | 'stderr', into: Buffer[]) => (chunk: Buffer) => {
      const room = maxOutput - kept[name]
      if (room <= 0) {
        truncated = true
        return
      }
      if (chunk.length > room) truncated = true
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk
      into.push(part)
      kept[name] += part.length
    }
    child.stdout.on('data', collect('stdout', stdout))
    child.stderr.on('data', collect('stderr', stderr))
    // A command that exits without reading its stdin makes the write fail with EPIPE: ignore it.
    child.stdin.on('error', () => undefined)
    child.stdin.end(options.input ?? '')
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true
            killGroup(child.pid)
          }, options.timeoutMs)
    child.on('error', (error) => {
      startError = error.message
    })
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer)
      resolve({
        code: startError ? null : code,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        timedOut,
        truncated,
        startError
      })
    })
  })
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return
  try {
    process.kill(-pid, 'SIGKILL')
  } catch {
    // The group is already gone.
  }
}

/** One line describing how a command failed, for messages. */
export function describeFailure(result: RunResult): string {
  if (result.startError) return result.startError
  if (result.timedOut) return 'timed out and was killed'
  const detail = result.stderr.trim().split('\n').slice(-3).join(' ').slice(0, 500)
  const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.code}`
  return detail ? `${how}: ${detail}` : how
}

/** Finds an executable program in a PATH-like list of directories; null when absent. */
export async function findProgram(name: string, path: string): Promise<string | null> {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue
    const candidate = join(dir, name)
    try {
      await access(candidate, constants.X_OK)
      return candidate
    } catch {
      // next
    }
  }
  return null
}

/** A string as one single-quoted shell word, for scripts we generate and text for humans. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`
}

/**
 * /proc/PID/stat: the comm, and the fields after it (state is [0], ppid [1], starttime [19]);
 * null when the process is gone. The comm may hold spaces and parentheses: the fields start
 * after the last ')'.
 */
export async function readProcStat(
  pid: number
): Promise<{ comm: string; fields: string[] } | null> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null)
  if (!text) return null
  const close = text.lastIndexOf(')')
  return {
    comm: text.slice(text.indexOf('(') + 1, close),
    fields: text.slice(close + 2).split(' ')
  }
}

/** Runs `work` on every item, at most `width` at a time. */
export async function inParallel<T>(
  items: T[],
  width: number,
  work: (item: T, index: number) => Promise<void>
): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      await work(items[index]!, index)
    }
  }
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker))
}

/**
 * Gives a child just started a lower CPU priority (a higher niceness): background work that
 * must take the CPU the step's critical path leaves rather than a share of it. Threads the
 * child starts later inherit it. A child already gone, or a system that refuses, runs as it is.
 */
export function lowerPriority<C extends ChildProcess>(child: C, niceness: number): C {
  if (child.pid !== undefined) {
    try {
      setPriority(child.pid, niceness)
    } catch {
      // runs at the step's priority
    }
  }
  return child
}
