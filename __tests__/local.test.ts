import { beforeAll, describe, expect, it } from '@jest/globals'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCli } from '../src/local.js'
import { dumpCores } from '../__fixtures__/cores.js'
import { crashLine, makeWorkspace, type Workspace } from '../__fixtures__/e2e.js'

// The local command on real cores: the same engine as the post step, on a laptop.
let ws: Workspace
let cores: Map<string, string>

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  let out = ''
  const code = await runCli(args, (text) => (out += text))
  return { code, out }
}

beforeAll(() => {
  ws = makeWorkspace(['nullderef', 'threads'])
  cores = dumpCores(ws.dir, { nullderef: './bin/nullderef', threads: './bin/threads' })
}, 60_000)

describe('local command', () => {
  it('backtraces cores and blames the project line', async () => {
    const { code, out } = await cli(
      '--workspace',
      ws.dir,
      cores.get('nullderef')!,
      cores.get('threads')!
    )
    expect(code).toBe(0)
    expect(out).toContain(
      `SIGSEGV in sum_list (src/nullderef.c:${crashLine('nullderef')}) — nullderef`
    )
    expect(out).toContain(`SIGSEGV in do_work (src/threads.c:${crashLine('threads')}) — threads`)
  })

  it('prints the JSON report', async () => {
    const { out } = await cli('--json', '--workspace', ws.dir, cores.get('nullderef')!)
    const report = JSON.parse(out) as {
      crashes: number
      groups: { crashes: { blame: { function: string } }[] }[]
    }
    expect(report.crashes).toBe(1)
    expect(report.groups[0]!.crashes[0]!.blame.function).toBe('sum_list')
  })

  it('says what is wrong with its arguments and files', async () => {
    expect((await cli()).code).toBe(2)
    expect((await cli('--bogus', 'x')).code).toBe(2)
    const notCore = join(ws.dir, 'not-a-core')
    writeFileSync(notCore, 'hello')
    const { code, out } = await cli(notCore)
    expect(code).toBe(1)
    expect(out).toContain('not an ELF core file')
  })
})
