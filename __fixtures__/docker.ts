import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { otherRootfsTarball } from './rootfs.js'

/**
 * A Docker engine of the tests' own: Debian's dockerd (docker.io, installed by .ci/run and
 * scripts/check-system.mjs) started in the background with its data, sockets and pid file in
 * a fresh folder, no network, and the trixie root file system imported as an image (no image
 * registry is reachable). stop() ends it by its pid and removes everything it made.
 */
export interface Docker {
  /** The docker command line that talks to this engine. */
  cli: string[]
  /** The image of the other Debian release, with gdb. */
  image: string
  /** The engine's folder (data, sockets) and its pid: both gone after stop(). */
  home: string
  pid: number
  /** Runs docker with these arguments; throws with its stderr when it fails. */
  run(args: string[]): string
  stop(): Promise<void>
}

function found(program: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0
}

export async function startDocker(): Promise<Docker | { skipped: string }> {
  if (!found('dockerd') || !found('docker'))
    return { skipped: 'Docker is not installed (apt-get install docker.io)' }
  const rootfs = otherRootfsTarball()
  if ('skipped' in rootfs) return rootfs
  const home = mkdtempSync(join(tmpdir(), 'crash-capture-docker-'))
  const socket = join(home, 'docker.sock')
  const daemon = spawn(
    'dockerd',
    [
      '--data-root',
      join(home, 'data'),
      '--exec-root',
      join(home, 'exec'),
      '--pidfile',
      join(home, 'dockerd.pid'),
      '-H',
      `unix://${socket}`,
      '--bridge',
      'none',
      '--iptables=false',
      '--ip-masq=false'
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] }
  )
  let log = ''
  daemon.stderr.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)))
  const exited = new Promise<void>((resolve) => daemon.on('close', () => resolve()))
  const cli = ['docker', '-H', `unix://${socket}`]
  const run = (args: string[]) =>
    execFileSync(cli[0]!, [...cli.slice(1), ...args], { encoding: 'utf8', stdio: 'pipe' })
  const stop = async () => {
    if (daemon.exitCode === null) {
      daemon.kill('SIGTERM')
      const timer = setTimeout(() => daemon.kill('SIGKILL'), 20_000)
      await exited
      clearTimeout(timer)
    }
    // Whatever a killed engine left mounted under its folder goes with it.
    const mounts = readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[1] ?? '')
      .filter((point) => point.startsWith(`${home}/`))
      .reverse()
    for (const point of mounts) spawnSync('umount', ['-l', point])
    rmSync(home, { recursive: true, force: true })
  }
  for (let waited = 0; ; waited += 200) {
    if (existsSync(socket) && spawnSync(cli[0]!, [...cli.slice(1), 'version']).status === 0) break
    if (daemon.exitCode !== null || waited > 30_000) {
      await stop()
      return { skipped: `dockerd did not start: ${log.trim().split('\n').at(-1) ?? ''}` }
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  const image = 'crash-capture-test/trixie:gdb'
  try {
    run(['import', rootfs.tarball, image])
  } catch (error) {
    await stop()
    return {
      skipped: `the image could not be imported: ${(error as Error).message.split('\n')[0]}`
    }
  }
  return { cli, image, run, stop, home, pid: daemon.pid! }
}
