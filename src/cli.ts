#!/usr/bin/env node
// crash-capture on a laptop: `node dist/cli.js CORE...` (see src/local.ts).
import { runCli } from './local.js'

// Standard output carries the report alone: anything else a library prints there (the toolkit's
// `::debug::` lines) goes to standard error.
const report = process.stdout.write.bind(process.stdout)
process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write

runCli(
  process.argv.slice(2),
  (text) => report(text),
  (text) => process.stderr.write(text)
).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(
      `crash-capture: ${error instanceof Error ? error.message : String(error)}\n`
    )
    process.exitCode = 1
  }
)
