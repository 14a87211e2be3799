#!/usr/bin/env node
// crash-capture on a laptop: `node dist/cli.js CORE...` (see src/local.ts).
import { runCli } from './local.js'

runCli(process.argv.slice(2), (text) => process.stdout.write(text)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(
      `crash-capture: ${error instanceof Error ? error.message : String(error)}\n`
    )
    process.exitCode = 1
  }
)
