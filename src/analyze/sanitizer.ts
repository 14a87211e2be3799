import { mkdir, open } from 'node:fs/promises'
import { isAbsolute, join } from 'node:path'
import { bareAnalysis, newFrame, type Analysis, type Frame } from './analysis.js'
import { newCrash } from '../collect/crash.js'
import type { LoggedReport } from './sanitizer-log.js'
import { chooseBlame, SourceResolver, type BlameOptions } from './blame.js'
import { runCommand } from '../process.js'

/**
 * A sanitizer's report, as the crashed process printed it. AddressSanitizer keeps every report
 * it prints in an in-memory buffer (64 KiB), so the text is in the core of a process that
 * aborted after it (`abort_on_error=1`, which main sets): read from there, it needs no log file
 * and leaves the program's stderr as it was. Every string in it comes from the crashed program.
 */
export interface SanitizerReport {
  /** `AddressSanitizer`, `LeakSanitizer`, `UndefinedBehaviorSanitizer`, `ThreadSanitizer`. */
  tool: string
  /** `heap-use-after-free`, `SEGV`, `detected memory leaks`, `double-free`… */
  kind: string
  /** The error line after the tool's name, like `heap-use-after-free on address 0x… at pc …`. */
  headline: string
  /** The `SUMMARY:` line's text, or null. */
  summary: string | null
  /** Where a UBSan diagnostic or a race happened (`file:line[:column]`), as printed, or null. */
  location: string | null
  /** The stacks of the report, in order: the access (or the leak's allocation), then the free
   * and the allocation, or a race's two accesses. */
  stacks: { title: string; frames: Frame[] }[]
  /** The whole report, at most MAX_TEXT characters. */
  text: string
}

/** A report is at most ASan's buffer. */
const MAX_TEXT = 64 * 1024
const CHUNK = 4 * 1024 * 1024

/**
 * Finds the report of process `pid` in its core: the text from `==PID==ERROR: ` to the NUL that
 * ends ASan's buffer (UBSan diagnostics printed before it in the same buffer come along).
 * Reads the core in chunks; null when there is none.
 */
export async function findSanitizerReport(core: string): Promise<string | null> {
  // The pid in the report is the one the process saw (its pid namespace's), so the marker is
  // what follows it; the line's start is found backwards, and the text must read as a report.
  const marker = Buffer.from('==ERROR: ')
  const handle = await open(core, 'r').catch(() => null)
  if (!handle) return null
  try {
    const buffer = Buffer.alloc(CHUNK + marker.length)
    let position = 0
    let carried = 0
    for (;;) {
      const { bytesRead } = await handle.read(buffer, carried, CHUNK, position)
      if (bytesRead === 0) return null
      const filled = carried + bytesRead
      for (
        let at = buffer.indexOf(marker);
        at >= 0 && at < filled;
        at = buffer.indexOf(marker, at + 1)
      ) {
        const start = Math.max(0, position - carried + at - 16)
        const text = Buffer.alloc(MAX_TEXT)
        const read = await handle.read(text, 0, MAX_TEXT, start)
        const body = text.subarray(0, read.bytesRead)
        const line = /==\d{1,10}==ERROR: \w+Sanitizer: /.exec(
          body.subarray(0, 64).toString('latin1')
        )
        if (!line) continue
        const from = line.index
        const end = body.indexOf(0, from)
        return body.subarray(from, end < 0 ? body.length : end).toString('utf8')
      }
      // Keep the tail: the marker may straddle two chunks.
      carried = Math.min(marker.length - 1, filled)
      buffer.copy(buffer, 0, filled - carried, filled)
      position += bytesRead
    }
  } finally {
    await handle.close()
  }
}

/** `    #3 0x55d0c0a1b2c3 in main /src/app/uaf.c:12:5` and its variants. */
const FRAME =
  /^\s*#(\d+) (0x[0-9a-f]+)(?: in (.+?))?(?: ([^\s()]+?)(?::(\d+))?(?::\d+)?)?(?:\s+\(([^()]+?)\+(0x[0-9a-f]+)\))?(?: \(BuildId: [0-9a-f]+\))?\s*$/

/** `    #0 work /src/tsan.c:4 (tsan+0x11e9)`: ThreadSanitizer's frames have no pc nor `in`. */
const TSAN_FRAME =
  /^\s*#(\d+) ()(.+?)(?: ([^\s()]+?):(\d+)(?::\d+)?)? \(([^()]+?)\+(0x[0-9a-f]+)\)\s*$/

/** Parses one frame line of any sanitizer; null when it is not one. */
export function parseFrameLine(
  line: string
): (Frame & { module: string | null; offset: string | null }) | null {
  const m = FRAME.exec(line) ?? TSAN_FRAME.exec(line)
  if (!m) return null
  const [, level, pc, fn, file, lineNo, module, offset] = m
  return {
    ...newFrame({
      level: Number(level),
      pc: pc ?? '',
      function: fn && fn !== '<null>' ? fn : null,
      file: file ?? null,
      fullname: file ?? null,
      line: lineNo ? Number(lineNo) : null,
      objfile: module ?? null
    }),
    module: module ?? null,
    offset: offset ?? null
  }
}

/**
 * The stacks of a report's lines, in order, each titled by the last line of text before it
 * (`freed by thread T0 here:`, `Read of size 4 … by thread T2:`), or `fallbackTitle`.
 */
export function stacksOf(lines: string[], fallbackTitle: string): SanitizerReport['stacks'] {
  const stacks: SanitizerReport['stacks'] = []
  let title = ''
  let current: Frame[] | null = null
  for (const line of lines) {
    const frame = parseFrameLine(line)
    if (frame) {
      if (!current) {
        current = []
        stacks.push({ title: title || fallbackTitle, frames: current })
      }
      current.push(frame)
      continue
    }
    current = null
    const trimmed = line.trim()
    if (trimmed) title = trimmed.replace(/^==\d+==/, '')
  }
  return stacks
}

/** Parses a report's text. Null when it has no error line of a sanitizer. */
export function parseSanitizerReport(text: string): SanitizerReport | null {
  const lines = text.split('\n')
  const error = lines.map((line) => /^==\d+==ERROR: (\w+Sanitizer): (.*)$/.exec(line)).find(Boolean)
  if (!error) return null
  const [, tool, rest] = error
  const headline = rest!.trim()
  // `heap-use-after-free on address…`, `attempting double-free on…`, `SEGV on unknown address…`,
  // `detected memory leaks`.
  const kind =
    /^attempting ([a-z-]+)/.exec(headline)?.[1] ??
    /^(SEGV|detected memory leaks|[a-z][a-z-]+)/.exec(headline)?.[1] ??
    headline
  const stacks = stacksOf(lines, headline)
  const summary = /^SUMMARY: (.*)$/m.exec(text)?.[1]?.trim() ?? null
  return {
    tool: tool!,
    kind,
    headline,
    summary,
    location: null,
    stacks,
    text: text.slice(0, MAX_TEXT)
  }
}

/**
 * Gives names, files and lines to the frames a report printed as `(/path/module+0x1234)` (no
 * symbolizer where it ran), from the crash's own copy of that module, checked by build-id when
 * it was staged: addr2line (binutils) reads the offset as the module's address.
 */
async function symbolize(report: SanitizerReport, analysis: Analysis): Promise<void> {
  const { crash } = analysis
  const copies = new Map<string, string>()
  if (crash.executablePath && crash.executable)
    copies.set(crash.executablePath.replace(/ \(deleted\)$/, ''), crash.executable)
  for (const library of crash.libraries) copies.set(library.path, library.file)
  const wanted = new Map<string, Set<string>>()
  for (const stack of report.stacks)
    for (const frame of stack.frames as (Frame & {
      module?: string | null
      offset?: string | null
    })[]) {
      if (frame.fullname || !frame.module || !frame.offset || !copies.has(frame.module)) continue
      const set = wanted.get(frame.module) ?? new Set<string>()
      set.add(frame.offset)
      wanted.set(frame.module, set)
    }
  for (const [module, offsets] of wanted) {
    const list = [...offsets]
    const result = await runCommand('addr2line', ['-f', '-C', '-e', copies.get(module)!, ...list], {
      timeoutMs: 30_000
    }).catch(() => null)
    if (!result || result.code !== 0) continue
    const lines = result.stdout.split('\n')
    const found = new Map<string, { fn: string | null; file: string | null; line: number | null }>()
    list.forEach((offset, i) => {
      const fn = lines[i * 2] ?? '??'
      const where = /^(.*):(\d+)(?: \(discriminator \d+\))?$/.exec(lines[i * 2 + 1] ?? '')
      found.set(offset, {
        fn: fn === '??' ? null : fn,
        file: where && where[1] !== '??' ? where[1]! : null,
        line: where && Number(where[2]) > 0 ? Number(where[2]) : null
      })
    })
    for (const stack of report.stacks)
      for (const frame of stack.frames as (Frame & {
        module?: string | null
        offset?: string | null
      })[]) {
        const hit = frame.module === module && frame.offset ? found.get(frame.offset) : undefined
        if (!hit) continue
        frame.function = frame.function ?? hit.fn
        frame.file = hit.file
        frame.fullname = hit.file
        frame.line = hit.line
      }
  }
}

/**
 * Adds the sanitizer's report in the crash's core to its analysis, symbolised where it was not,
 * and blames its first stack (the faulting access, or a leak's allocation) when that reaches
 * the project's code: the stack gdb sees is the runtime's abort after the report.
 */
export async function addSanitizerReport(analysis: Analysis, options: BlameOptions): Promise<void> {
  const core = analysis.crash.core
  if (!core || analysis.sanitizer) return
  // Only a process the sanitizer runtime ended has a report: its abort goes through
  // __sanitizer::Die. Other cores are not read (a server's is hundreds of MiB).
  const frames = analysis.threads.flatMap((thread) => thread.frames)
  if (
    !frames.some((f) => f.function && /^__(sanitizer|asan|lsan|ubsan)::|^__asan_/.test(f.function))
  )
    return
  const text = await findSanitizerReport(core).catch(() => null)
  const report = text ? parseSanitizerReport(text) : null
  if (!report) return
  await symbolize(report, analysis)
  placeReport(analysis, report, options)
}

/**
 * Gives the report's frames their project paths and attaches it to the analysis, blaming its
 * first stack (the faulting access, a leak's allocation, a race's access) when that reaches the
 * project's code.
 */
export function placeReport(
  analysis: Analysis,
  report: SanitizerReport,
  options: BlameOptions
): void {
  const resolver = new SourceResolver(options)
  // A symbolizer prints the file as the compiler named it: relative to the build's folder for
  // `gcc src/x.c`, which is the workspace or the process's working directory, most often.
  const roots = [options.workspace, analysis.crash.cwd].filter((r): r is string => !!r)
  for (const stack of report.stacks)
    for (const frame of stack.frames) {
      const name = frame.fullname
      if (!name) continue
      frame.projectPath = isAbsolute(name)
        ? resolver.projectPath(name)
        : (roots.map((root) => resolver.projectPath(join(root, name))).find(Boolean) ?? null)
    }
  analysis.sanitizer = report
  const first = report.stacks[0]
  if (!first) return
  const blame = chooseBlame(
    {
      num: 0,
      lwp: analysis.crash.tid,
      name: null,
      crashed: true,
      frames: first.frames,
      unwindStopReason: null,
      truncated: false
    },
    resolver,
    options.skipFrames
  )
  if (blame?.path || !analysis.blame?.path) analysis.blame = blame
}

/** Reports of one kind at one place kept as records; more are counted on the last one. */
const PER_PLACE = 20
/** Records of logged reports in all. */
const LOGGED_RECORDS = 200

/**
 * Crash records and analyses for the reports processes sent to the system log and went on
 * with (see sanitizer-log.ts): no core, the report's stacks for frames, blamed like a crash.
 * Each report of a process is one record; past PER_PLACE of one kind at one place, or
 * LOGGED_RECORDS in all, they are counted, not listed.
 */
export async function loggedAnalyses(
  logged: LoggedReport[],
  stage: string,
  options: BlameOptions
): Promise<Analysis[]> {
  const analyses: Analysis[] = []
  const places = new Map<string, { first: Analysis; count: number; pids: Set<number> }>()
  let dropped = 0
  for (const [index, entry] of logged.entries()) {
    const { report } = entry
    const place = `${report.tool}\0${report.kind}\0${report.location ?? report.stacks[0]?.frames[0]?.function ?? ''}`
    const at = places.get(place)
    if (at) {
      at.count += 1
      at.pids.add(entry.pid)
    }
    if ((at && at.count > PER_PLACE) || analyses.length >= LOGGED_RECORDS) {
      if (!at) dropped += 1
      continue
    }
    const id = `${report.tool.replace(/Sanitizer$/, '').toLowerCase()}-${entry.pid}-${index + 1}`
    const dir = join(stage, id)
    await mkdir(dir, { recursive: true })
    const crash = newCrash(id, 'sanitizer', dir, {
      pid: entry.pid,
      tid: entry.pid,
      signal: 0,
      time: entry.time,
      uid: entry.uid,
      comm: entry.comm ?? '',
      executablePath: entry.exe,
      commandLine: entry.cmdline ? [entry.cmdline] : [],
      coreState: 'dropped',
      coreNote:
        'none: the sanitizer printed its report and the process went on (read from the system log)'
    })
    const analysis = bareAnalysis(crash, [])
    analysis.text = `(no core: ${report.tool} printed this report and let the process go on; it was read from the system log)`
    placeReport(analysis, report, options)
    analyses.push(analysis)
    if (!at) places.set(place, { first: analysis, count: 1, pids: new Set([entry.pid]) })
  }
  for (const { first, count, pids } of places.values())
    if (count > PER_PLACE)
      first.problems.push(
        `${count} reports of this kind at this place, from ${pids.size} process(es): the first ${PER_PLACE} are listed.`
      )
  if (dropped > 0 && analyses.length > 0)
    analyses[analyses.length - 1]!.problems.push(
      `${dropped} more sanitizer report(s) in the system log are not listed (at most ${LOGGED_RECORDS}).`
    )
  return analyses
}
