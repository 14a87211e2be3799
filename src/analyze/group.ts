import { createHash } from 'node:crypto'
import { crashStack, executableName, type Analysis, type Frame } from './analysis.js'
import { isMachinery, isRuntimeLibrary } from './blame.js'
import { isRunning } from '../collect/crash.js'

/** Crashes with the same signature: the same bug, however many cores. */
export interface CrashGroup {
  /** `v2-` and a short stable hash of the executable's name, the signal and the top
   * meaningful function names (see signatureOf). */
  signature: string
  /** The function names the signature was made of, innermost first. */
  functions: string[]
  /** How many distinct call paths (the meaningful frames below the signature's) led to it. */
  callPaths: number
  /** Every crash of the group, oldest first; the first is the one shown in detail. */
  analyses: Analysis[]
}

/**
 * The version of the signature rule, part of every signature: groups made by another rule
 * (another version of the action in another job of the run) never mix with these.
 */
export const SIGNATURE_VERSION = 2

/**
 * How many meaningful frames make a signature: like the "crash state" of crash triage at scale
 * (ClusterFuzz), deep enough to tell apart bugs in a shared helper, shallow enough that the
 * callers of one bug do not split it.
 */
const SIGNATURE_FRAMES = 3

/** Frames of a call path kept below the signature, to count distinct paths. */
const PATH_FRAMES = 16

function frameName(frame: Frame): string {
  if (frame.function)
    // gcc's clones of one function (`f.isra.0`, `f.part.1`, `f.constprop.0`, `f.cold`) differ
    // with the compiler and its flags across a matrix: they are the same function.
    return frame.function.replace(/(\.(isra|part|constprop|cold|lto_priv)(\.\d+)?)+$/, '')
  const library = frame.objfile
    ?.split('/')
    .pop()
    ?.replace(/ \(deleted\)$/, '')
  return `??@${library ?? '?'}`
}

/**
 * The crashing thread's meaningful function names, innermost first: runtime machinery,
 * runtime libraries and `skip-frames` left out (frames inside libc differ with its debug info:
 * `??` or `__strlen_evex`), and consecutive frames of one function (an inlined copy above its
 * out-of-line frame, a recursion) counted once.
 */
/** A process still running: what each of its threads is doing, one `a<b<c` per distinct
 * state, sorted (20 idle workers of one daemon share them; a deadlock shows both waits). */
function threadStates(analysis: Analysis, skipFrames: RegExp | null): string[] {
  const states = analysis.threads.map((thread) =>
    namesOf(thread.frames, skipFrames).slice(0, SIGNATURE_FRAMES).join('<')
  )
  return [...new Set(states.filter(Boolean))].sort()
}

function meaningfulNames(analysis: Analysis, skipFrames: RegExp | null): string[] {
  if (isRunning(analysis.crash)) return threadStates(analysis, skipFrames)
  return namesOf(crashStack(analysis), skipFrames)
}

/** Meaningful function names of a stack, innermost first (see meaningfulNames). */
function namesOf(frames: Frame[], skipFrames: RegExp | null): string[] {
  const meaningful = frames.filter(
    (frame) => !isMachinery(frame, skipFrames) && !isRuntimeLibrary(frame)
  )
  const names = (meaningful.length > 0 ? meaningful : frames).map(frameName)
  return names.filter((name, i) => i === 0 || name !== names[i - 1])
}

/**
 * The signature of a crash: the executable's name, the signal and the top 3 meaningful
 * function names, never addresses or frame numbers (they change with ASLR and with libc's
 * debug info). `functions` are those names; `path` is the call path below them.
 */
export function signatureOf(
  analysis: Analysis,
  skipFrames: RegExp | null
): { hash: string; functions: string[]; path: string } {
  const names = meaningfulNames(analysis, skipFrames)
  const leftover = isRunning(analysis.crash)
  const functions = leftover ? names : names.slice(0, SIGNATURE_FRAMES)
  const material = [
    `v${SIGNATURE_VERSION}`,
    executableName(analysis),
    ...(leftover ? [analysis.crash.source] : []),
    analysis.sanitizer
      ? `${analysis.sanitizer.tool}: ${analysis.sanitizer.kind}`
      : analysis.signal.name,
    // A UBSan diagnostic is one place: two checks of one kind in one function are two.
    ...(analysis.sanitizer?.location ? [analysis.sanitizer.location] : []),
    ...functions
  ].join('\n')
  const hash = `v${SIGNATURE_VERSION}-${createHash('sha256').update(material).digest('hex').slice(0, 12)}`
  return {
    hash,
    functions,
    path: leftover ? '' : names.slice(SIGNATURE_FRAMES, SIGNATURE_FRAMES + PATH_FRAMES).join('\n')
  }
}

/**
 * Groups crashes by signature, most frequent group first (ties: earliest crash first). A crash
 * without any frame (its core was dropped in a storm, or gdb failed) joins the largest group of
 * the same executable and signal when there is one: it is most likely the same bug, and the
 * count stays right.
 */
export function groupCrashes(analyses: Analysis[], skipFrames: RegExp | null): CrashGroup[] {
  const groups = new Map<string, CrashGroup>()
  const paths = new Map<string, Set<string>>()
  const frameless: Analysis[] = []
  const add = (analysis: Analysis) => {
    const { hash, functions, path } = signatureOf(analysis, skipFrames)
    const group = groups.get(hash) ?? { signature: hash, functions, callPaths: 0, analyses: [] }
    group.analyses.push(analysis)
    groups.set(hash, group)
    if (functions.length > 0) paths.set(hash, (paths.get(hash) ?? new Set()).add(path))
  }
  for (const analysis of analyses) {
    if (crashStack(analysis).length === 0) frameless.push(analysis)
    else add(analysis)
  }
  const kind = (a: Analysis) => `${executableName(a)}\n${a.signal.name}`
  for (const analysis of frameless) {
    const home = [...groups.values()]
      .filter((g) => g.functions.length > 0 && kind(g.analyses[0]!) === kind(analysis))
      .sort((a, b) => b.analyses.length - a.analyses.length)[0]
    if (home) home.analyses.push(analysis)
    else add(analysis)
  }
  for (const group of groups.values()) group.callPaths = paths.get(group.signature)?.size ?? 0
  return [...groups.values()].sort((a, b) => b.analyses.length - a.analyses.length)
}
