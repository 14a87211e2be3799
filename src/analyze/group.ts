import { createHash } from 'node:crypto'
import { executableName, type Analysis, type Frame } from './analysis.js'
import { isMachinery, isRuntimeLibrary } from './blame.js'

/** Crashes with the same signature: the same bug, however many cores. */
export interface CrashGroup {
  /** Short stable hash of the executable's name and the top meaningful function names. */
  signature: string
  /** The function names the signature was made of, innermost first. */
  functions: string[]
  /** Every crash of the group, oldest first; the first is the one shown in detail. */
  analyses: Analysis[]
}

/** How many meaningful frames make a signature. */
const SIGNATURE_FRAMES = 5

function frameName(frame: Frame): string {
  if (frame.function) return frame.function
  const library = frame.objfile
    ?.split('/')
    .pop()
    ?.replace(/ \(deleted\)$/, '')
  return `??@${library ?? '?'}`
}

/**
 * The signature of a crash: function names, never addresses or frame numbers (they change with
 * ASLR and with the presence of libc's debug info), of the crashing thread's top frames after
 * the runtime machinery and libraries, plus the executable's name and the signal.
 */
export function signatureOf(
  analysis: Analysis,
  skipFrames: RegExp | null
): { hash: string; functions: string[] } {
  const frames = analysis.crashingThread?.frames ?? []
  // Frames inside runtime libraries differ with libc's debug info (`??` or `__strlen_evex`).
  const meaningful = frames.filter(
    (frame) => !isMachinery(frame, skipFrames) && !isRuntimeLibrary(frame)
  )
  const functions = (meaningful.length > 0 ? meaningful : frames)
    .slice(0, SIGNATURE_FRAMES)
    .map(frameName)
  const material = [executableName(analysis), analysis.signal.name, ...functions].join('\n')
  return { hash: createHash('sha256').update(material).digest('hex').slice(0, 12), functions }
}

/**
 * Groups crashes by signature, most frequent group first (ties: earliest crash first). A crash
 * without any frame (its core was dropped in a storm, or gdb failed) joins the largest group of
 * the same executable and signal when there is one: it is most likely the same bug, and the
 * count stays right.
 */
export function groupCrashes(analyses: Analysis[], skipFrames: RegExp | null): CrashGroup[] {
  const groups = new Map<string, CrashGroup>()
  const frameless: Analysis[] = []
  for (const analysis of analyses) {
    if ((analysis.crashingThread?.frames.length ?? 0) === 0) {
      frameless.push(analysis)
      continue
    }
    const { hash, functions } = signatureOf(analysis, skipFrames)
    const group = groups.get(hash) ?? { signature: hash, functions, analyses: [] }
    group.analyses.push(analysis)
    groups.set(hash, group)
  }
  const kind = (a: Analysis) => `${executableName(a)}\n${a.signal.name}`
  for (const analysis of frameless) {
    const home = [...groups.values()]
      .filter((g) => g.functions.length > 0 && kind(g.analyses[0]!) === kind(analysis))
      .sort((a, b) => b.analyses.length - a.analyses.length)[0]
    if (home) {
      home.analyses.push(analysis)
      continue
    }
    const { hash, functions } = signatureOf(analysis, skipFrames)
    const group = groups.get(hash) ?? { signature: hash, functions, analyses: [] }
    group.analyses.push(analysis)
    groups.set(hash, group)
  }
  return [...groups.values()].sort((a, b) => b.analyses.length - a.analyses.length)
}
