/**
 * The hang watcher (input `hang-timeout`), started by main as a process of its own: a new
 * session, so that the runner's cancellation of a step, which kills the step's process tree,
 * leaves it be; it keeps the job's RUNNER_TRACKING_ID, so the runner's cleanup after the post
 * steps kills it should post not have. It waits until the job has run `hang-timeout`, then
 * dumps every process of the job still running (as post does with leftovers), writes what it
 * found for post, and with `hang-action: kill` kills them so that the job ends now, with the
 * stacks, instead of at its timeout with nothing. It exits when the runner process that ran
 * main is gone, after acting, or when post stops it.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { dumpLeftovers, findLeftovers } from './collect/leftovers.js'
import { processStart } from './capture/host.js'
import { detectPrivilege, runAsRoot } from './privilege.js'
import { parseWatchConfig, type WatchConfig } from './hang.js'

async function watch(config: WatchConfig): Promise<void> {
  for (;;) {
    if ((await processStart(config.runnerPid)) !== config.runnerStart) return
    const left = config.deadline - Date.now()
    if (left <= 0) break
    await new Promise((resolve) => setTimeout(resolve, Math.min(left, 1000)))
  }
  const processes = (await findLeftovers(config.trackingId)).filter(
    (p) => p.pid !== config.runnerPid
  )
  const privilege = await detectPrivilege()
  const crashes = await dumpLeftovers(processes, config.dir, privilege, config.limits)
  for (const crash of crashes) crash.problems.unshift(`Hung: still running after hang-timeout.`)
  await writeFile(join(config.dir, 'hang.json'), JSON.stringify({ at: Date.now(), crashes }))
  if (config.action !== 'kill') return
  for (const p of processes) {
    try {
      process.kill(p.pid, 'SIGKILL')
    } catch {
      if (privilege)
        await runAsRoot(privilege, 'Killing a hung process', 'kill', [
          '-KILL',
          String(p.pid)
        ]).catch(() => undefined)
    }
  }
}

const config = parseWatchConfig(process.env.CRASH_CAPTURE_WATCH ?? '')
if (config) await watch(config).catch(() => undefined)
process.exit(0)
