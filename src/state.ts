import * as core from '@actions/core'

/** State keys: the only names main and post share through core.saveState. */
export enum StateKey {
  Capture = 'capture'
}

/** How crashes are captured for the rest of the job. */
export type CaptureMode = 'pipe-handler' | 'file-pattern' | 'rlimit' | 'none'

const MODES: CaptureMode[] = ['pipe-handler', 'file-pattern', 'rlimit', 'none']

/** The kernel settings main replaced, as read before the change. */
export interface KernelSettings {
  corePattern: string
  corePipeLimit: string
  suidDumpable: string
}

/** What main hands to post. */
export interface CaptureState {
  /** When main started, in milliseconds since the epoch. */
  startedAt: number
  /** The capture mode that main put in place. */
  mode: CaptureMode
  /** Why this mode, in a sentence for the log. */
  reason: string
  /** The session directory holding the handler and, below `crashes/`, one folder per crash. */
  sessionDir: string | null
  /** The core_pattern main installed, to recognise it before restoring. */
  installedPattern: string | null
  /** The settings to put back in post; null when main changed nothing. */
  previous: KernelSettings | null
  /** False in the state main saves before it changes anything: a main killed or cancelled
   * midway still leaves post what it needs to put everything back. */
  complete: boolean
  /** Other jobs capturing on this kernel when main registered. */
  otherJobs: number
  /** In mode file-pattern: the folder the kernel writes core files into. */
  coreDir: string | null
}

/** Hands the capture state to the post step. */
export function saveCaptureState(state: CaptureState): void {
  core.saveState(StateKey.Capture, JSON.stringify(state))
}

function isString(value: unknown): value is string {
  return typeof value === 'string'
}

function readSettings(value: unknown): KernelSettings | null {
  if (typeof value !== 'object' || value === null) return null
  const v = value as Record<string, unknown>
  if (!isString(v.corePattern) || !isString(v.corePipeLimit) || !isString(v.suidDumpable)) {
    return null
  }
  return {
    corePattern: v.corePattern,
    corePipeLimit: v.corePipeLimit,
    suidDumpable: v.suidDumpable
  }
}

/**
 * Reads the state main saved. Returns null when there is none (main failed early or did not run)
 * or when it cannot be understood; post then collects without restoring anything.
 */
export function loadCaptureState(): CaptureState | null {
  const raw = core.getState(StateKey.Capture)
  if (raw === '') return null
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null) return null
  const v = value as Record<string, unknown>
  const mode = MODES.find((m) => m === v.mode) ?? 'none'
  return {
    startedAt: typeof v.startedAt === 'number' ? v.startedAt : 0,
    mode,
    reason: isString(v.reason) ? v.reason : '',
    sessionDir: isString(v.sessionDir) && v.sessionDir.startsWith('/') ? v.sessionDir : null,
    installedPattern: isString(v.installedPattern) ? v.installedPattern : null,
    previous: readSettings(v.previous),
    complete: v.complete !== false,
    otherJobs: typeof v.otherJobs === 'number' ? v.otherJobs : 0,
    coreDir: isString(v.coreDir) && v.coreDir.startsWith('/') ? v.coreDir : null
  }
}
