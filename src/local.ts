import { mkdtemp, realpath, rm } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { analyzeAll, findGdb, findMultiarchGdb } from './analyze/gdb.js'
import { groupCrashes } from './analyze/group.js'
import type { Crash } from './collect/crash.js'
import { ExecutableCandidates, identify } from './collect/identify.js'
import { crashFromCoreFile } from './collect/stray.js'
import { looksLikeCore, type CoreInfo } from './elf/core-file.js'
import { groupText } from './report/log.js'
import { runOpen } from './open.js'
import { buildReport } from './report/report-file.js'

const USAGE = `Usage: crash-capture [options] CORE...
       crash-capture open ARTIFACT ...     (a crash artifact downloaded from CI: see open --help)

Backtraces core files with the same engine as the action: finds each core's executable (by
build-id), runs gdb, picks the frame to blame and groups identical crashes.

Options:
  --exe FILE           an executable to match cores against by build-id (repeatable); it wins
                       over the path the core recorded
  --workspace DIR      the project's source root, for blame (default: the current directory)
  --source-dir DIR     the sources, when the build was made in another directory (CI): the
                       blamed file is looked for there (it is the workspace too)
  --skip-frames REGEX  function names to look past when blaming (panic helpers); searched
                       anywhere in a name, anchor it (^name$) for whole names
  --gdb-script FILE    a gdb script of the project (pretty-printers, helpers), sourced before
                       the backtraces (repeatable)
  --gdb-timeout SECS   seconds gdb may spend on one core (default 120)
  --json               print the JSON report instead of text
  -h, --help           this text

Only the report goes to standard output; messages go to standard error.
Exit status: 0 every core was analysed; 1 a file was missing or not a core, or a core could not
be analysed (no matching executable, cut short, gdb failed); 2 bad usage; 3 gdb is not installed.
`

/** Terminal output of untrusted text: no escape sequences or other control characters. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f\u009b]/g, '?')
}

/** Exit statuses of the local command (see USAGE). */
export enum Exit {
  Analysed = 0,
  NotAnalysed = 1,
  Usage = 2,
  NoGdb = 3
}

/**
 * The local command: analyse core files on a laptop. Writes the report to `out` and messages
 * to `err`; returns the exit status.
 */
export async function runCli(
  argv: string[],
  out: (text: string) => void,
  err: (text: string) => void = out
): Promise<number> {
  if (argv[0] === 'open') return runOpen(argv.slice(1), out, err, printable)
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        exe: { type: 'string', multiple: true },
        workspace: { type: 'string' },
        'source-dir': { type: 'string' },
        'skip-frames': { type: 'string' },
        'gdb-script': { type: 'string', multiple: true },
        'gdb-timeout': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' }
      }
    })
  } catch (error) {
    err(`${(error as Error).message}\n\n${USAGE}`)
    return Exit.Usage
  }
  const { values, positionals } = parsed
  if (values.help || positionals.length === 0) {
    ;(values.help ? out : err)(USAGE)
    return values.help ? Exit.Analysed : Exit.Usage
  }
  let skipFrames: RegExp | null
  try {
    skipFrames = values['skip-frames'] ? new RegExp(values['skip-frames']) : null
  } catch (error) {
    err(`--skip-frames: ${(error as Error).message}\n`)
    return Exit.Usage
  }
  const timeout = Number(values['gdb-timeout'] ?? 120)
  if (!Number.isFinite(timeout) || timeout <= 0) {
    err('--gdb-timeout: expected a number of seconds\n')
    return Exit.Usage
  }

  const stage = await mkdtemp(join(tmpdir(), 'crash-capture-local-'))
  try {
    return await analyseCores(values, positionals, skipFrames, timeout, stage, out, err)
  } finally {
    await rm(stage, { recursive: true, force: true })
  }
}

/** Identifies, analyses and prints the cores; returns the exit status. */
async function analyseCores(
  values: {
    exe?: string[]
    workspace?: string
    'source-dir'?: string
    'gdb-script'?: string[]
    json?: boolean
  },
  positionals: string[],
  skipFrames: RegExp | null,
  timeout: number,
  stage: string,
  out: (text: string) => void,
  err: (text: string) => void
): Promise<number> {
  // An explicit --exe is the user's word: it is tried before what the core recorded.
  const candidates = new ExecutableCandidates(
    (values.exe ?? []).map((exe) => resolve(exe)),
    stage
  )
  const crashes: Crash[] = []
  const cores = new Map<Crash, CoreInfo>()
  let status: Exit = Exit.Analysed
  for (const [index, given] of positionals.entries()) {
    // The user named these files: links they made (core -> core.1234) are theirs to follow.
    // Files the cores name in turn are opened without following links (see identify).
    const path = await realpath(given).catch(() => null)
    if (path === null) {
      err(`${printable(given)}: no such file\n`)
      status = Exit.NotAnalysed
      continue
    }
    if (!(await looksLikeCore(path))) {
      err(`${printable(given)}: not an ELF core file\n`)
      status = Exit.NotAnalysed
      continue
    }
    const crash = await crashFromCoreFile(path, Date.now(), stage, index + 1)
    const identified = await identify(crash, candidates, true)
    crash.problems.push(...identified.problems)
    if (identified.core) cores.set(crash, identified.core)
    crashes.push(crash)
  }

  const gdb = await findGdb()
  const analyses = await analyzeAll(
    crashes,
    cores,
    gdb
      ? {
          gdb,
          multiarch: (await findMultiarchGdb()) ?? {
            missing: 'it is not installed (apt-get install gdb-multiarch)'
          },
          workspace: await realpath(values.workspace ?? values['source-dir'] ?? process.cwd()),
          sourceDir: values['source-dir'] ? await realpath(values['source-dir']) : null,
          skipFrames,
          timeoutMsPerCore: timeout * 1000,
          parallel: Math.min(2, availableParallelism()),
          scripts: (values['gdb-script'] ?? []).map((script) => resolve(script)),
          commands: [],
          warn: (message) => err(`warning: ${message}\n`)
        }
      : { missing: 'gdb is not installed: install it (apt-get install gdb) for backtraces' }
  )
  if (!gdb && crashes.length > 0) {
    err('crash-capture: gdb is not installed: install it (apt-get install gdb) for backtraces\n')
    status = Exit.NoGdb
  }
  for (const analysis of analyses) {
    const { crash } = analysis
    const incomplete = crash.coreState !== 'complete'
    if (analysis.textPath !== null && !incomplete) continue
    if (status === Exit.Analysed) status = Exit.NotAnalysed
    const why = [
      ...(incomplete ? [`the core is ${crash.coreState}: ${crash.coreNote ?? ''}`] : []),
      ...analysis.problems
    ]
    err(
      `${printable(crash.core ?? crash.id)}: not fully analysed: ${printable(why.join('; ') || 'gdb wrote no backtrace')}\n`
    )
  }
  const groups = groupCrashes(analyses, skipFrames)
  if (values.json) {
    out(JSON.stringify(buildReport(groups, 'local'), null, 2) + '\n')
    return status
  }
  for (const group of groups) {
    if (group.analyses.length === 0) continue
    const { title, lines } = groupText(group)
    out(`\n=== ${printable(title)} ===\n`)
    out(printable(lines.join('\n')) + '\n')
  }
  return status
}
