import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FakeGitHub } from '../__fixtures__/fake-github.js'
import { FakeJob, ROOT, workflowCommands } from '../__fixtures__/e2e.js'
import { prose } from '../__fixtures__/markdown.js'
import { readKernel, restoreKernel, type KernelSnapshot } from '../__fixtures__/kernel.js'

// A crash whose every name is an attack: the executable's name carries a workflow command, an
// encoded newline, spaces and backticks; the source directory a mention and HTML; the command
// line workflow commands and a raw newline. None of it may act.
const EXE = '::error::pwned%0A `tick` $(id)'
const SOURCE_DIR = 'src/@someone <script>'
const ARGS = [
  '::set-env name=EVIL::1',
  '::add-mask::secret',
  'line1\n::error::injected',
  '@everyone'
]

let before: KernelSnapshot
let github: FakeGitHub
beforeAll(async () => {
  before = readKernel()
  github = await new FakeGitHub('octo', 'app', 'tok').start()
})
afterAll(async () => {
  restoreKernel(before)
  await github.stop()
})

describe('hostile crashes', () => {
  it('are reported as inert text in the log, annotations, summary and comment', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'crash-capture-hostile-'))
    mkdirSync(join(ws, SOURCE_DIR), { recursive: true })
    mkdirSync(join(ws, 'bin'))
    copyFileSync(join(ROOT, '__fixtures__/crashers/nullderef.c'), join(ws, SOURCE_DIR, 'hostile.c'))
    execFileSync('gcc', ['-g', '-O0', '-o', join('bin', EXE), join(SOURCE_DIR, 'hostile.c')], {
      cwd: ws
    })
    const event = join(ws, 'event.json')
    writeFileSync(event, JSON.stringify({ pull_request: { number: 1 } }))

    const job = new FakeJob({
      workspace: ws,
      inputs: { 'github-token': 'tok' },
      env: {
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: event,
        GITHUB_REPOSITORY: 'octo/app',
        GITHUB_API_URL: github.url,
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_SHA: 'abcdef1234567'
      }
    })
    await job.runStep('main')
    try {
      execFileSync(join(ws, 'bin', EXE), ARGS, { cwd: ws, stdio: 'ignore' })
    } catch {
      // it crashes
    }
    const post = await job.runStep('post')
    expect(post.code).toBe(1)

    // Only the commands we intend: groups, our annotations and the verdict.
    const commands = workflowCommands(post.stdout)
    expect(new Set(commands.map((c) => c.command))).toEqual(new Set(['group', 'endgroup', 'error']))
    const errors = commands.filter((c) => c.command === 'error')
    expect(errors).toHaveLength(2)
    expect(errors[0]!.properties.title).toBe(`SIGSEGV in sum_list() — ${EXE}`)
    expect(errors[0]!.properties.file).toBe(`${SOURCE_DIR}/hostile.c`)
    expect(errors[1]!.message).toMatch(/^crash-capture: 1 crash/)
    // The command line with its raw newline is in the log, inside the guard.
    expect(post.stdout).toContain('line1\n::error::injected')

    for (const markdown of [post.summary, github.comments.get(1)![0]!.body]) {
      const text = prose(markdown)
      expect(text).not.toMatch(/<script|@someone|@everyone/)
      expect(markdown).toContain('pwned')
    }
    expect(post.summary).toContain('``::error::pwned%0A `tick` $(id)``')
  })
})
