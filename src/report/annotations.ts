import type { CrashGroup } from '../analyze/group.js'
import { blamedFrameLines, blamedLocation, groupTitle, signalDescription } from './describe.js'

/** GitHub shows at most 10 error annotations per step. */
export const MAX_ANNOTATIONS = 10
/** GitHub cuts an annotation message at 4,096 characters. */
export const MAX_ANNOTATION_MESSAGE = 4096
/** Frames listed in an annotation message. */
const MESSAGE_FRAMES = 8

/** One error annotation, still unescaped: @actions/core escapes it when it is issued. */
export interface Annotation {
  title: string
  message: string
  /** Path relative to the repository root, or undefined for a group without a project frame. */
  file?: string
  startLine?: number
}

/** One annotation per group, most frequent first, within GitHub's limits. */
export function renderAnnotations(groups: CrashGroup[]): Annotation[] {
  return groups.slice(0, MAX_ANNOTATIONS).map((group) => {
    const first = group.analyses[0]!
    const lines = [
      `${signalDescription(first)} in ${first.crash.executablePath ?? first.crash.comm} (pid ${first.crash.pid})`,
      ...(blamedLocation(first) ? [] : ['No frame of the crashing thread is in this repository.']),
      ...blamedFrameLines(first, MESSAGE_FRAMES)
    ]
    let message = lines.join('\n')
    if (message.length > MAX_ANNOTATION_MESSAGE) {
      message = message.slice(0, MAX_ANNOTATION_MESSAGE - 2) + ' …'
    }
    const annotation: Annotation = { title: groupTitle(group).slice(0, 255), message }
    if (first.blame?.path && first.blame.line !== null) {
      annotation.file = first.blame.path
      annotation.startLine = first.blame.line
    }
    return annotation
  })
}
