import { spawn } from 'node:child_process'
import { mkdir, readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { processStart } from './capture/host.js'
import type { Crash } from './collect/crash.js'

/** What main hands the hang watcher (src/watch.ts), through its environment. */
export interface WatchConfig {
  trackingId: string
  /** The runner process that ran main, and its start time: the watcher ends with it. */
  runnerPid: number
  runnerStart: string | null
  /** Epoch ms when the job has run hang-timeout. */
  deadline: number
  action: 'report' | 'kill'
  /** Where it writes the dumps and hang.json. */
  dir: string
  limits: { maxCoreSize: number; minFreeSpace: number }
}

/** The watcher as main saved it for post. */
export interface Watcher {
  pid: number
  start: string | null
  dir: string
}

export function parseWatchConfig(text: string): WatchConfig | null {
  try {
    const config = JSON.parse(text) as WatchConfig
    return typeof config.deadline === 'number' && typeof config.dir === 'string' ? config : null
  } catch {
    return null
  }
}

/**
 * Starts the watcher: `dist/watch.js` beside this bundle, in a session of its own, detached.
 */
export async function startWatcher(
  config: Omit<WatchConfig, 'runnerStart'>
): Promise<Watcher | null> {
  await mkdir(config.dir, { recursive: true, mode: 0o700 })
  const script = join(dirname(fileURLToPath(import.meta.url)), 'watch.js')
  const child = spawn(process.execPath, [script], {
    detached: true,
    stdio: 'ignore',
    env: {
      ...process.env,
      CRASH_CAPTURE_WATCH: JSON.stringify({
        ...config,
        runnerStart: await processStart(config.runnerPid)
      })
    }
  })
  child.unref()
  if (!child.pid) return null
  return { pid: child.pid, start: await processStart(child.pid), dir: config.dir }
}

/**
 * Stops the watcher if it is still the process main started (its start time says so), and
 * returns the crashes it recorded: the job's processes that hung, dumped.
 */
export async function stopWatcher(watcher: Watcher): Promise<Crash[]> {
  if (watcher.pid > 0 && (await processStart(watcher.pid)) === watcher.start) {
    try {
      process.kill(watcher.pid, 'SIGKILL')
    } catch {
      // already gone
    }
    for (let i = 0; i < 50 && (await processStart(watcher.pid)) === watcher.start; i++)
      await new Promise((resolve) => setTimeout(resolve, 20))
  }
  const found = await readFile(join(watcher.dir, 'hang.json'), 'utf8').catch(() => null)
  if (!found) return []
  try {
    const crashes = (JSON.parse(found) as { crashes: Crash[] }).crashes
    return crashes.map((crash) => ({ ...crash, source: 'hang' as const }))
  } catch {
    return []
  }
}
