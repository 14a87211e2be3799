import { constants } from 'node:os'
import { crashStack, executableName, type Analysis } from './analysis.js'
import { groupCrashes, signatureOf, SIGNATURE_VERSION, type CrashGroup } from './group.js'

/**
 * One line of the `expected-crashes` input: `key=value` conditions separated by spaces, all of
 * which must hold. Keys: `executable` (the executable's file name), `signal` (`SIGABRT`, `ABRT`
 * or a number), `function` (a function anywhere in the crashing thread's frames), `signature`
 * (a group's signature, `v2-…`). Values of executable and function are globs (`*`, `?`).
 */
export interface ExpectedRule {
  /** 1-based line number among the rules, for messages. */
  index: number
  /** The rule as written. */
  text: string
  executable: RegExp | null
  signal: number | null
  function: RegExp | null
  signature: string | null
}

const KEYS = ['executable', 'signal', 'function', 'signature'] as const

/** A rule that cannot be used; the message names it and says why. */
export class RuleError extends Error {
  constructor(rule: string, index: number, why: string) {
    super(`rule ${index} '${rule}': ${why}`)
    this.name = 'RuleError'
  }
}

function glob(pattern: string): RegExp {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('')
  return new RegExp(`^${source}$`)
}

function signalNumber(value: string): number | null {
  if (/^\d{1,2}$/.test(value)) return Number(value)
  const name = value.toUpperCase().startsWith('SIG')
    ? value.toUpperCase()
    : `SIG${value.toUpperCase()}`
  return (constants.signals as Record<string, number>)[name] ?? null
}

/**
 * Parses the rules, one per line. Throws RuleError for a rule that cannot match anything: an
 * unknown key, an empty or repeated condition, an unknown signal, a signature that is not one of
 * this version's.
 */
export function parseExpectedRules(lines: string[]): ExpectedRule[] {
  return lines.map((text, i) => {
    const index = i + 1
    const rule: ExpectedRule = {
      index,
      text,
      executable: null,
      signal: null,
      function: null,
      signature: null
    }
    const seen = new Set<string>()
    for (const token of text.split(/\s+/).filter(Boolean)) {
      const at = token.indexOf('=')
      const key = at > 0 ? token.slice(0, at) : ''
      const value = at > 0 ? token.slice(at + 1) : ''
      if (!(KEYS as readonly string[]).includes(key))
        throw new RuleError(
          text,
          index,
          `'${token}' is not key=value with a key among ${KEYS.join(', ')}`
        )
      if (value === '') throw new RuleError(text, index, `${key} has no value`)
      if (seen.has(key)) throw new RuleError(text, index, `${key} is given twice`)
      seen.add(key)
      if (key === 'executable') rule.executable = glob(value)
      if (key === 'function') rule.function = glob(value)
      if (key === 'signal') {
        rule.signal = signalNumber(value)
        if (rule.signal === null) throw new RuleError(text, index, `'${value}' is not a signal`)
      }
      if (key === 'signature') {
        if (!/^v\d+-[0-9a-f]{12}$/.test(value))
          throw new RuleError(
            text,
            index,
            `'${value}' is not a signature (like v${SIGNATURE_VERSION}-0123456789ab)`
          )
        if (!value.startsWith(`v${SIGNATURE_VERSION}-`))
          throw new RuleError(
            text,
            index,
            `'${value}' was made by another version of the signature rule: signatures now start with v${SIGNATURE_VERSION}-`
          )
        rule.signature = value
      }
    }
    if (seen.size === 0) throw new RuleError(text, index, 'it has no condition')
    return rule
  })
}

/** True when every condition of the rule holds for the crash. */
export function matchesRule(
  rule: ExpectedRule,
  analysis: Analysis,
  skipFrames: RegExp | null
): boolean {
  if (rule.executable && !rule.executable.test(executableName(analysis))) return false
  if (rule.signal !== null && analysis.signal.number !== rule.signal) return false
  if (rule.function) {
    // gdb's crashing thread, and a sanitizer report's first stack: a report read from the
    // system log has only that.
    const frames = [...(analysis.crashingThread?.frames ?? []), ...crashStack(analysis)]
    const names = frames.map((f) => f.function ?? '')
    if (!names.some((name) => rule.function!.test(name))) return false
  }
  if (rule.signature && signatureOf(analysis, skipFrames).hash !== rule.signature) return false
  return true
}

/** The crashes split by the rules, grouped, with how many crashes each rule matched. */
export interface Sorted {
  /** Crashes no rule expected: these fail the job. */
  groups: CrashGroup[]
  /** Crashes a rule expected: reported apart, never failing the job. */
  expected: CrashGroup[]
  /** Crashes matched per rule, in rule order (a crash counts for the first rule it matches). */
  matched: number[]
}

/** Splits the crashes into expected and not, then groups each part. */
export function sortCrashes(
  analyses: Analysis[],
  rules: ExpectedRule[],
  skipFrames: RegExp | null
): Sorted {
  const matched = rules.map(() => 0)
  const expected: Analysis[] = []
  const real: Analysis[] = []
  for (const analysis of analyses) {
    const rule = rules.findIndex((r) => matchesRule(r, analysis, skipFrames))
    if (rule >= 0) {
      matched[rule]!++
      expected.push(analysis)
    } else real.push(analysis)
  }
  return {
    groups: groupCrashes(real, skipFrames),
    expected: groupCrashes(expected, skipFrames),
    matched
  }
}
