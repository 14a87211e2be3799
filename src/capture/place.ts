import { lstat, readFile, stat } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { runAsRoot, type Privilege } from '../privilege.js'

/**
 * Where the handler can live so that the kernel can run it. The kernel starts a pipe
 * core_pattern helper in the initial mount namespace (as a child of kthreadd), so a handler
 * installed in a job container's own file system, or under a mount of a private namespace, is a
 * path that does not exist for it: every core would be lost. A place is good when the kernel
 * sees the same folder, possibly under another path (a job container's `/__w` is the host's
 * `/home/runner/work`).
 */
export interface HandlerPlace {
  /** The folder as main and post see it. */
  dir: string
  /** The same folder as the kernel sees it: core_pattern names this one. */
  kernelDir: string
  /**
   * A bind mount from the host whose owner may own the folders from its top down to `dir`
   * (the runner's user owns a job container's `/__w`); null when every ancestor must be root's.
   */
  trusted: { top: string; uid: number } | null
  /** How the place was found, for the facts group. */
  how: string
}

/** One line of /proc/self/mountinfo: the parts used here. */
export interface Mount {
  /** The folder of the source file system that is mounted (`/` for the whole of it). */
  root: string
  mountPoint: string
  /** Per-mount options: `ro` or `rw`, and others. */
  options: string[]
  fsType: string
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, code: string) => String.fromCharCode(parseInt(code, 8)))
}

/** Parses /proc/self/mountinfo (proc(5)); later lines mount over earlier ones. */
export function parseMountinfo(text: string): Mount[] {
  const mounts: Mount[] = []
  for (const line of text.split('\n')) {
    const fields = line.split(' ')
    const dash = fields.indexOf('-', 6)
    if (fields.length < 10 || dash < 0) continue
    mounts.push({
      root: unescape(fields[3]!),
      mountPoint: unescape(fields[4]!),
      options: fields[5]!.split(','),
      fsType: fields[dash + 1] ?? ''
    })
  }
  return mounts
}

/** The mount that holds `path` (an absolute, normalized path): the last, deepest one. */
export function mountOf(mounts: Mount[], path: string): Mount | null {
  let best: Mount | null = null
  for (const mount of mounts) {
    const point = mount.mountPoint
    const holds = point === '/' || path === point || path.startsWith(`${point}/`)
    if (holds && (!best || point.length >= best.mountPoint.length)) best = mount
  }
  return best
}

/** Where `path` lies in the file system its mount comes from. */
export function sourcePath(mount: Mount, path: string): string {
  return join(mount.root, relative(mount.mountPoint, path) || '.')
}

/**
 * File systems whose folders the host cannot name: made for the container (overlay roots,
 * tmpfs, proc…) or mounted somewhere on the host that the container cannot tell.
 */
const NOT_FROM_HOST = new Set([
  'overlay',
  'tmpfs',
  'ramfs',
  'proc',
  'sysfs',
  'devtmpfs',
  'devpts',
  'mqueue',
  'cgroup',
  'cgroup2',
  'fuse-overlayfs'
])

/** The deepest existing folder of `path` (itself when it exists). */
async function existing(path: string): Promise<string> {
  for (let at = path; ; at = dirname(at)) {
    if (await lstat(at).catch(() => null)) return at
    if (at === '/') return '/'
  }
}

const id = (info: { dev: number; ino: number }) => `${info.dev}:${info.ino}`

/**
 * What root sees of the kernel's own view: whether pid 2 is kthreadd (no pid namespace of our
 * own), whether our mount namespace is the initial one, and the device and inode of each path
 * under kthreadd's root (the initial mount namespace), `-` where there is none.
 */
async function probeKernelView(
  privilege: Privilege,
  paths: string[]
): Promise<{ kthreadd: boolean; sameNamespace: boolean; ids: Map<string, string> }> {
  const script = [
    'comm=$(cat /proc/2/comm 2>/dev/null)',
    'echo "${comm:--}"',
    'echo "$(readlink /proc/2/ns/mnt 2>/dev/null || echo -) $(readlink /proc/self/ns/mnt)"',
    'for p; do stat -L -c %d:%i -- "/proc/2/root$p" 2>/dev/null || echo -; done'
  ].join('\n')
  const result = await runAsRoot(privilege, 'Finding what the kernel sees', 'sh', [
    '-c',
    script,
    'sh',
    ...paths
  ]).catch(() => null)
  const lines = result?.stdout.split('\n') ?? []
  const kthreadd = lines[0] === 'kthreadd'
  const [theirs, ours] = (lines[1] ?? '').split(' ')
  const ids = new Map<string, string>()
  if (kthreadd) paths.forEach((path, i) => ids.set(path, lines[i + 2] ?? '-'))
  return { kthreadd, sameNamespace: kthreadd && theirs !== '-' && theirs === ours, ids }
}

/**
 * Finds, among `candidates` (in order), a folder the kernel can run the handler from.
 * - In the initial mount namespace, the first candidate as it is.
 * - In a mount namespace of its own without a pid namespace (`unshare --mount`), where pid 2 is
 *   kthreadd: a candidate whose folder is the same (device and inode) under kthreadd's root,
 *   at its own path or at the path its mount comes from.
 * - In a container (a pid namespace of its own): a candidate on a bind mount of a host folder,
 *   named by the mount's source path. That assumes the source file system is the host's root
 *   one, as it is for GitHub's `/home/runner/work`; the self-check proves it or falls back.
 */
export async function findHandlerPlace(
  privilege: Privilege,
  candidates: string[]
): Promise<HandlerPlace | { reason: string }> {
  const mounts = parseMountinfo(await readFile('/proc/self/mountinfo', 'utf8').catch(() => ''))
  const options = await Promise.all(
    candidates.map(async (dir) => {
      const at = await existing(dir)
      const mount = mountOf(mounts, at)
      const own = await stat(at).catch(() => null)
      return { dir, at, mount, own, source: mount ? sourcePath(mount, at) : at }
    })
  )
  const view = await probeKernelView(privilege, [
    ...new Set(options.flatMap((o) => [o.at, o.source]))
  ])
  const rest = (o: (typeof options)[number]) => relative(o.at, o.dir)
  if (view.sameNamespace) {
    const first = candidates[0]!
    return { dir: first, kernelDir: first, trusted: null, how: 'the initial mount namespace' }
  }
  const why: string[] = []
  for (const o of options) {
    if (!o.own || !o.mount) {
      why.push(`${o.dir} cannot be examined`)
      continue
    }
    if (view.kthreadd) {
      if (view.ids.get(o.at) === id(o.own))
        return {
          dir: o.dir,
          kernelDir: o.dir,
          trusted: null,
          how: 'seen by the kernel at the same path'
        }
      if (o.source !== o.at && view.ids.get(o.source) === id(o.own)) {
        const kernelDir = join(o.source, rest(o))
        return {
          dir: o.dir,
          kernelDir,
          trusted: await trustedMount(o.mount),
          how: `seen by the kernel as ${kernelDir}`
        }
      }
      why.push(`the kernel cannot see ${o.dir} (a mount of this namespace only)`)
      continue
    }
    if (o.mount.mountPoint === '/' || NOT_FROM_HOST.has(o.mount.fsType)) {
      why.push(`${o.dir} is on the container's own ${o.mount.fsType} file system`)
      continue
    }
    const kernelDir = join(o.source, rest(o))
    return {
      dir: o.dir,
      kernelDir,
      trusted: await trustedMount(o.mount),
      how: `the host's ${kernelDir}, through the bind mount at ${o.mount.mountPoint}; the self-check proves it`
    }
  }
  return { reason: `no folder the kernel can run a handler from: ${why.join('; ')}` }
}

/** The top of a bind mount and its owner, when only that user and root can write to it. */
async function trustedMount(mount: Mount): Promise<HandlerPlace['trusted']> {
  const info = await lstat(mount.mountPoint).catch(() => null)
  if (!info || !info.isDirectory() || (info.mode & 0o022) !== 0) return null
  return { top: mount.mountPoint, uid: info.uid }
}

/**
 * Why the kernel settings cannot be written here, or null: a read-only /proc/sys, as in a
 * container without `--privileged` (Docker mounts it read-only over a read-write /proc).
 */
export async function readOnlyProcSys(): Promise<string | null> {
  const mounts = parseMountinfo(await readFile('/proc/self/mountinfo', 'utf8').catch(() => ''))
  const mount = mountOf(mounts, '/proc/sys/kernel')
  return mount?.options.includes('ro') ? `${mount.mountPoint} is mounted read-only` : null
}
