import { executableName, type Analysis, type Frame } from '../analyze/analysis.js'
import type { CrashGroup } from '../analyze/group.js'
import {
  blamedFunction,
  commandLine,
  crashKind,
  groupTitle,
  signalDescription,
  threadPlaces
} from './describe.js'
import { shellQuote } from '../process.js'
import { code, codeBlock, codeLink, cut, encodePath, escape } from './markdown.js'

/** GitHub refuses a step summary over 1 MiB. */
export const MAX_SUMMARY = 1024 * 1024
/** Room kept for the closing note when the summary is cut. */
const RESERVE = 2048
/** Frames shown in a group's table. */
const TABLE_FRAMES = 30
/** Characters of gdb text per crash in the collapsed section. */
const TEXT_PER_CRASH = 64 * 1024

/** Where source links point: the commit that was built. */
export interface SourceLinks {
  /** `https://github.com` */
  server: string
  /** `owner/repo` */
  repository: string
  /** The commit sha */
  sha: string
}

/** Reads the link target from the runner's environment; null when it is incomplete. */
export function sourceLinksFromEnv(env: NodeJS.ProcessEnv = process.env): SourceLinks | null {
  const server = env.GITHUB_SERVER_URL
  const repository = env.GITHUB_REPOSITORY
  const sha = env.GITHUB_SHA
  if (!server || !repository || !sha) return null
  if (
    !/^https?:\/\/[^\s()<>]+$/.test(server) ||
    !/^[\w.-]+\/[\w.-]+$/.test(repository) ||
    !/^[0-9a-f]{7,64}$/i.test(sha)
  ) {
    return null
  }
  return { server: server.replace(/\/+$/, ''), repository, sha }
}

function sourceUrl(links: SourceLinks, path: string, line: number | null): string {
  const anchor = line !== null ? `#L${line}` : ''
  return `${links.server}/${links.repository}/blob/${links.sha}/${encodePath(path)}${anchor}`
}

/** `path:line` as code, linked to the source at the commit when links are known. */
export function sourceLocation(
  path: string,
  line: number | null,
  links: SourceLinks | null
): string {
  const text = line !== null ? `${path}:${line}` : path
  return links ? codeLink(text, sourceUrl(links, path, line)) : code(text)
}

function location(frame: Frame, links: SourceLinks | null): string {
  if (frame.projectPath && frame.line !== null)
    return sourceLocation(frame.projectPath, frame.line, links)
  if (frame.file && frame.line !== null) return code(`${frame.file}:${frame.line}`)
  return ''
}

function framesTable(
  analysis: Analysis,
  links: SourceLinks | null,
  frames: Frame[] = analysis.crashingThread?.frames ?? []
): string {
  if (frames.length === 0) return '_No frames: see the problems above._'
  const rows = ['| # | Function | Source | Library |', '|---:|---|---|---|']
  for (const frame of frames.slice(0, TABLE_FRAMES)) {
    const name = frame.signalHandler ? '<signal handler called>' : (frame.function ?? '??')
    const library = frame.objfile ? code(frame.objfile.split('/').pop() ?? '') : ''
    const blamed = analysis.blame?.frame === frame ? ' ⬅️' : ''
    rows.push(
      `| ${frame.level} | ${code(name)}${frame.inline ? ' _(inlined)_' : ''}${blamed} | ${location(frame, links)} | ${library} |`
    )
  }
  if (frames.length > TABLE_FRAMES)
    rows.push(`| | _${frames.length - TABLE_FRAMES} more frames_ | | |`)
  return rows.join('\n')
}

function blameLine(analysis: Analysis, links: SourceLinks | null): string {
  const blame = analysis.blame
  if (!blame) return '_no frames_'
  const name = code(blame.frame.function ?? '??')
  if (!blame.path) return `${name} (no frame of the crashing thread is in this repository)`
  const where = sourceLocation(blame.path, blame.line, links)
  const note = blame.kind === 'function' ? ' (the function; its line is in a library header)' : ''
  return `${name} at ${where}${note}`
}

function renderGroup(group: CrashGroup, index: number, links: SourceLinks | null): string {
  const first = group.analyses[0]!
  const crash = first.crash
  const facts = [
    `| Signal | ${code(signalDescription(first))} |`,
    `| Crashed in | ${blameLine(first, links)} |`,
    `| Executable | ${code(crash.executablePath ?? crash.comm)} |`,
    `| Command line | ${code(commandLine(first).slice(0, 1000))} |`,
    `| Crashes | ${group.analyses.length}: ${group.analyses
      .slice(0, 20)
      .map((a) => `pid ${a.crash.pid}`)
      .join(', ')}${group.analyses.length > 20 ? ', …' : ''} |`,
    `| Signature | ${code(group.signature)}: ${group.functions.map(code).join(' ← ') || 'no frames'} |`,
    ...(group.callPaths > 1
      ? [`| Call paths | ${group.callPaths} distinct paths below the signature led here |`]
      : [])
  ]
  const problems = [...new Set(group.analyses.flatMap((a) => a.problems))]
  const parts = [
    `### ${index + 1}. ${escape(groupTitle(group))}`,
    '',
    '| | |',
    '|---|---|',
    ...facts,
    ''
  ]
  if (problems.length > 0) {
    parts.push(...problems.slice(0, 10).map((p) => `> ⚠️ ${escape(p)}`), '')
  }
  const report = first.sanitizer
  if (report) {
    // The sanitizer's stacks: the access (or the leak's allocation), then the free and the
    // allocation, or a race's other access.
    parts.push(`${escape(`${report.tool}: ${report.headline}`.slice(0, 300))}`, '')
    for (const stack of report.stacks.slice(0, 4))
      parts.push(
        `${escape(stack.title.slice(0, 200))}`,
        '',
        framesTable(first, links, stack.frames),
        ''
      )
  }
  // A report read from the system log has no core, so no gdb backtrace: say so once.
  if (crash.source === 'sanitizer') {
    parts.push(`_${escape(first.text)}_`, '')
    return parts.join('\n')
  }
  parts.push(
    report
      ? `gdb's backtrace of pid ${crash.pid} (the runtime aborting after its report):`
      : `Crashing thread of pid ${crash.pid}:`,
    '',
    framesTable(first, links),
    ''
  )
  if (first.text) {
    parts.push(
      '<details><summary>Full backtrace (all threads)</summary>',
      '',
      codeBlock(cut(first.text, TEXT_PER_CRASH, '[crash-capture: cut, see the report artifact]')),
      '',
      '</details>',
      ''
    )
  }
  return parts.join('\n')
}

/** The uploaded crash artifact, as reports link to it. */
export interface ArtifactLink {
  name: string
  url: string | null
  /** A crash folder in it to name in the instructions (the first group's first crash). */
  folder?: string | null
}

/** One line pointing at the crash artifact; empty when there is none. */
export function artifactLine(artifact: ArtifactLink | null): string {
  if (!artifact) return ''
  const name = code(artifact.name)
  const where =
    artifact.url && /^https?:\/\/[^\s()<>]+$/.test(artifact.url)
      ? `[${name}](${artifact.url})`
      : name
  const run = process.env.GITHUB_RUN_ID
  const id = /^\d+$/.test(run ?? '') ? run : '<run-id>'
  // The artifact's name is ours (job id, leg label) but still goes through a shell word.
  const download = codeBlock(
    [
      `gh run download ${id} -n ${shellQuote(artifact.name)} -D crash`,
      `ls crash   # ${artifact.folder ? `the crash folders, like ${artifact.folder}` : 'one folder per crash'}`,
      `CRASH_SOURCES=$PWD sh crash/${artifact.folder ? shellQuote(artifact.folder) : '<crash>'}/debug.sh`
    ].join('\n'),
    'sh'
  )
  return `📦 Crash artifact ${where}: cores, the exact executables and libraries, backtraces, and \`report.json\`. From your checkout, this opens the first crash in gdb:\n\n${download}\n\n`
}

/** The job summary: a headline, then one section per group, under GitHub's 1 MiB limit. */
export function renderSummary(
  groups: CrashGroup[],
  links: SourceLinks | null,
  artifact: ArtifactLink | null = null,
  limit = MAX_SUMMARY,
  expected: CrashGroup[] = [],
  job: string | null = null
): string {
  const analyses = groups.flatMap((g) => g.analyses)
  const expectedPart = renderExpected(expected, links, Math.floor(limit / 4))
  // The matrix leg's label: in a matrix, 25 summaries of one job id are told apart by it.
  const name = job ? `crash-capture (${escape(job.slice(0, 200))})` : 'crash-capture'
  if (analyses.length === 0)
    return expected.length > 0
      ? `## ${name}\n\nNo unexpected crash in this job. ✅\n\n${expectedPart}`
      : `## ${name}\n\nNo crash was found in this job. ✅\n`
  const executables = new Set(analyses.map(executableName))
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 'es'}`
  const headline =
    `## 💥 ${name}: ${plural(analyses.length, 'crash')} in ${groups.length} ` +
    `group${groups.length === 1 ? '' : 's'}, ${executables.size} ` +
    `executable${executables.size === 1 ? '' : 's'}\n\n` +
    groups
      .map(
        (g) =>
          `- ${g.analyses.length} × ${code(crashKind(g.analyses[0]!))} in ${code(blamedFunction(g.analyses[0]!))} — ${code(executableName(g.analyses[0]!))}`
      )
      .slice(0, 50)
      .join('\n') +
    (groups.length > 50 ? `\n- … and ${groups.length - 50} more groups` : '') +
    '\n\n' +
    artifactLine(artifact)
  let body = headline
  let shown = 0
  for (const [index, group] of groups.entries()) {
    const section = renderGroup(group, index, links) + '\n'
    if (
      Buffer.byteLength(body) + Buffer.byteLength(section) >
      limit - RESERVE - Buffer.byteLength(expectedPart)
    )
      break
    body += section
    shown++
  }
  if (shown < groups.length) {
    body += `\n_${groups.length - shown} more group(s) are not shown: the summary is limited to 1 MiB. The report artifact has every crash._\n`
  }
  return expected.length > 0 ? `${body}\n${expectedPart}` : body
}

/** The section of crashes an expected-crashes rule matched: same detail, not counted. */
function renderExpected(expected: CrashGroup[], links: SourceLinks | null, limit: number): string {
  if (expected.length === 0) return ''
  const count = expected.reduce((n, g) => n + g.analyses.length, 0)
  let body = `## Expected crashes: ${count}\n\nMatched by the \`expected-crashes\` input: reported here, not counted, never failing the job.\n\n`
  for (const [index, group] of expected.entries()) {
    const section = renderGroup(group, index, links) + '\n'
    if (Buffer.byteLength(body) + Buffer.byteLength(section) > limit) {
      body += `_${expected.length - index} more expected group(s) are not shown._\n`
      break
    }
    body += section
  }
  return body
}

/**
 * The summary's part for processes of the job still running when post ran: one section per
 * group, with where each thread waits in the project's code.
 */
export function renderStillRunning(
  groups: CrashGroup[],
  links: SourceLinks | null,
  kind: 'leftover' | 'hang' = 'leftover'
): string {
  if (groups.length === 0) return ''
  const processes = groups.reduce((n, g) => n + g.analyses.length, 0)
  const counted = `${processes} process${processes === 1 ? '' : 'es'} in ${groups.length} group${groups.length === 1 ? '' : 's'}`
  const parts = [
    kind === 'hang'
      ? `## ⌛ Hang: ${counted} still running after hang-timeout`
      : `## ⏳ Still running at the end of the job: ${counted}`,
    '',
    kind === 'hang'
      ? 'The hang watcher took their stacks. Their threads:'
      : 'The runner kills them right after this step. Their threads:',
    ''
  ]
  for (const [index, group] of groups.slice(0, 20).entries()) {
    const first = group.analyses[0]!
    parts.push(
      `### ${index + 1}. ${escape(groupTitle(group))}`,
      '',
      `Processes: ${group.analyses
        .slice(0, 20)
        .map((a) => `pid ${a.crash.pid}`)
        .join(', ')}${group.analyses.length > 20 ? ', …' : ''}`,
      ''
    )
    const places = threadPlaces(first)
    if (places.length > 0) {
      parts.push('| Thread | Waits in | At |', '|---:|---|---|')
      for (const place of places.slice(0, 50))
        parts.push(
          `| ${place.thread} (LWP ${place.lwp}) | ${code(place.function ?? '??')} | ${sourceLocation(place.path, place.line, links)} |`
        )
      parts.push('')
    } else parts.push(`> ⚠️ ${escape(first.problems.join(' ').slice(0, 500))}`, '')
  }
  return parts.join('\n')
}
