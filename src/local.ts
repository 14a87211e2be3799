import { mkdtemp, realpath } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { analyzeAll, findGdb } from './analyze/gdb.js'
import { groupCrashes } from './analyze/group.js'
import type { Crash } from './collect/crash.js'
import { ExecutableCandidates, identify } from './collect/identify.js'
import { crashFromCoreFile } from './collect/stray.js'
import { looksLikeCore, type CoreInfo } from './elf/core-file.js'
import { crashTitle } from './report/describe.js'
import { crashLogLines } from './report/log.js'
import { buildReport } from './report/report-file.js'

const USAGE = `Usage: crash-capture [options] CORE...

Backtraces core files with the same engine as the action: finds each core's executable (by
build-id), runs gdb, picks the frame to blame and groups identical crashes.

Options:
  --exe FILE           an executable to match cores against by build-id (repeatable)
  --workspace DIR      the project's source root, for blame (default: the current directory)
  --skip-frames REGEX  function names to look past when blaming (panic helpers)
  --gdb-timeout SECS   seconds gdb may spend on one core (default 120)
  --json               print the JSON report instead of text
  -h, --help           this text
`

/** Terminal output of untrusted text: no escape sequences or other control characters. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f\u009b]/g, '?')
}

/**
 * The local command: analyse core files on a laptop. Writes to `out`; returns the exit code
 * (0 analysed, 1 a core could not be used, 2 bad usage).
 */
export async function runCli(argv: string[], out: (text: string) => void): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        exe: { type: 'string', multiple: true },
        workspace: { type: 'string' },
        'skip-frames': { type: 'string' },
        'gdb-timeout': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' }
      }
    })
  } catch (error) {
    out(`${(error as Error).message}\n\n${USAGE}`)
    return 2
  }
  const { values, positionals } = parsed
  if (values.help || positionals.length === 0) {
    out(USAGE)
    return values.help ? 0 : 2
  }
  let skipFrames: RegExp | null
  try {
    skipFrames = values['skip-frames'] ? new RegExp(values['skip-frames']) : null
  } catch (error) {
    out(`--skip-frames: ${(error as Error).message}\n`)
    return 2
  }
  const timeout = Number(values['gdb-timeout'] ?? 120)
  if (!Number.isFinite(timeout) || timeout <= 0) {
    out('--gdb-timeout: expected a number of seconds\n')
    return 2
  }

  const stage = await mkdtemp(join(tmpdir(), 'crash-capture-local-'))
  const candidates = new ExecutableCandidates(
    (values.exe ?? []).map((exe) => resolve(exe)),
    stage
  )
  const crashes: Crash[] = []
  const cores = new Map<Crash, CoreInfo>()
  let status = 0
  for (const [index, given] of positionals.entries()) {
    // The user named these files: links they made (core -> core.1234) are theirs to follow.
    // Files the cores name in turn are opened without following links (see identify).
    const path = await realpath(given).catch(() => given)
    if (!(await looksLikeCore(path))) {
      out(`${printable(given)}: not an ELF core file\n`)
      status = 1
      continue
    }
    const crash = await crashFromCoreFile(resolve(path), Date.now(), stage, index + 1)
    const identified = await identify(crash, candidates)
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
          workspace: await realpath(values.workspace ?? process.cwd()),
          skipFrames,
          timeoutMsPerCore: timeout * 1000,
          parallel: Math.min(2, availableParallelism()),
          scripts: [],
          commands: [],
          warn: (message) => out(`warning: ${message}\n`)
        }
      : { missing: 'gdb is not installed: install it (apt-get install gdb) for backtraces' }
  )
  const groups = groupCrashes(analyses, skipFrames)
  if (values.json) {
    out(JSON.stringify(buildReport(groups, 'local'), null, 2) + '\n')
    return status
  }
  for (const group of groups) {
    for (const analysis of group.analyses) {
      out(`\n=== ${printable(crashTitle(analysis))} ===\n`)
      out(printable(crashLogLines(analysis).join('\n')) + '\n')
    }
  }
  return status
}
