import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { analysis, frame } from '../__fixtures__/analysis.js'
import {
  crashLine,
  FakeJob,
  makeWorkspace,
  waitForCrashes,
  workflowCommands
} from '../__fixtures__/e2e.js'
import { guardKernel, readKernel } from '../__fixtures__/kernel.js'
import { matchesRule, parseExpectedRules, sortCrashes } from '../src/analyze/expected.js'
import { signatureOf } from '../src/analyze/group.js'

const snapshot = guardKernel()

describe('expected crashes: rules', () => {
  const panic = analysis(
    [
      frame({ level: 0, function: 'abort', objfile: '/lib/x86_64-linux-gnu/libc.so.6' }),
      frame({ level: 1, function: 'ha_panic' }),
      frame({ level: 2, function: 'debug_parse_cli_panic' }),
      frame({ level: 3, function: 'main' })
    ],
    { signal: { number: 6, name: 'SIGABRT', code: -6, codeName: 'SI_TKILL', address: null } },
    { executablePath: '/work/haproxy/haproxy' }
  )

  it('match on executable, signal, function anywhere in the frames, and signature, all at once', () => {
    const rules = parseExpectedRules([
      'executable=haproxy function=debug_parse_cli_panic',
      'executable=hap* signal=ABRT',
      'signal=6 function=*_panic',
      `signature=${signatureOf(panic, null).hash}`,
      'executable=haproxy signal=SIGSEGV',
      'function=other'
    ])
    expect(rules.map((rule) => matchesRule(rule, panic, null))).toEqual([
      true,
      true,
      true,
      true,
      false,
      false
    ])
    const sorted = sortCrashes([panic], rules.slice(4), null)
    expect(sorted.groups).toHaveLength(1)
    expect(sorted.expected).toEqual([])
  })

  it("match a function of a sanitizer report's stack, also with no gdb stack (a report from the system log)", () => {
    const access = frame({ level: 0, function: 'add_weights', projectPath: 'src/u.c', line: 9 })
    const logged = analysis([], {
      crashingThread: null,
      sanitizer: {
        tool: 'UndefinedBehaviorSanitizer',
        kind: 'signed-integer-overflow',
        headline: 'signed integer overflow at src/u.c:9:5',
        summary: null,
        location: 'src/u.c:9:5',
        stacks: [{ title: 'signed integer overflow', frames: [access, frame({ level: 1 })] }],
        text: ''
      }
    })
    const rules = parseExpectedRules(['function=add_weights', 'function=other'])
    expect(rules.map((rule) => matchesRule(rule, logged, null))).toEqual([true, false])
  })

  it('refuse rules that cannot match, naming them', () => {
    for (const [rule, why] of [
      ['func=x', "rule 1 'func=x': 'func=x' is not key=value"],
      ['signal=SIGNOPE', "'SIGNOPE' is not a signal"],
      ['signature=v1-0123456789ab', 'made by another version of the signature rule'],
      ['signature=abc', 'is not a signature'],
      ['executable=', 'executable has no value'],
      ['function=a function=b', 'function is given twice']
    ])
      expect(() => parseExpectedRules([rule!])).toThrow(why!)
  })
})

describe('expected crashes: a job', () => {
  interface Report {
    crashes: number
    expectedCrashes: number
    groups: { functions: string[] }[]
    expected: { functions: string[] }[]
  }

  it('fails for the real crash only and reports the expected one as expected, with its frames', async () => {
    const ws = makeWorkspace(['panic', 'nullderef'])
    const job = new FakeJob({
      workspace: ws.dir,
      inputs: {
        upload: 'none',
        'expected-crashes': 'function=ha_panic\nexecutable=never-runs\n'
      }
    })
    expect((await job.runStep('main')).code).toBe(0)
    for (const program of ['panic', 'nullderef'])
      spawnSync(ws.bin(program), { cwd: ws.dir, env: job.processEnv() })
    await waitForCrashes(job, 2)
    const post = await job.runStep('post')
    expect(post.code).toBe(1)
    expect(post.outputs.crashes).toBe('1')
    expect(post.outputs['expected-crashes']).toBe('1')
    const report = JSON.parse(readFileSync(post.outputs.report!, 'utf8')) as Report
    expect(report.crashes).toBe(1)
    expect(report.groups[0]!.functions[0]).toBe('sum_list')
    expect(report.expected[0]!.functions).toContain('process_stream')
    const commands = workflowCommands(post.stdout)
    expect(commands.filter((c) => c.command === 'error').map((c) => c.properties.file)).toEqual([
      'src/nullderef.c'
    ])
    const notice = commands.find((c) => c.command === 'notice')
    expect(notice?.properties).toMatchObject({
      file: 'src/panic.c',
      line: String(crashLine('panic', 'panic-here'))
    })
    expect(notice?.properties.title).toMatch(/^Expected crash \(expected-crashes\): SIGABRT/)
    expect(post.summary).toContain('## Expected crashes: 1')
    expect(post.summary).toMatch(/`ha_panic`/)
    expect(post.stdout).toContain('rule 1 (function=ha_panic): 1 crash')
    expect(post.stdout).toContain('rule 2 (executable=never-runs): matched no crash')
    expect(readKernel()).toEqual(snapshot())
  })

  it('stays green with only the expected crash, with a notice', async () => {
    const ws = makeWorkspace(['panic'])
    const job = new FakeJob({
      workspace: ws.dir,
      inputs: { upload: 'none', 'expected-crashes': 'executable=panic signal=SIGABRT' }
    })
    await job.runStep('main')
    spawnSync(ws.bin('panic'), { cwd: ws.dir, env: job.processEnv() })
    await waitForCrashes(job, 1)
    const post = await job.runStep('post')
    expect(post.code).toBe(0)
    expect(post.outputs.crashes).toBe('0')
    expect(workflowCommands(post.stdout).map((c) => c.command)).toContain('notice')
    expect(workflowCommands(post.stdout).map((c) => c.command)).not.toContain('error')
    expect(post.summary).toContain('No unexpected crash in this job.')
  })

  it('fails main with the malformed rule named, changing nothing', async () => {
    const ws = makeWorkspace([])
    const job = new FakeJob({
      workspace: ws.dir,
      inputs: { 'expected-crashes': 'function=ha_panic\nsignal=SIGWHAT' }
    })
    const main = await job.runStep('main')
    expect(main.code).toBe(1)
    const error = workflowCommands(main.stdout).find((c) => c.command === 'error')
    expect(error?.message).toContain("Input 'expected-crashes'")
    expect(error?.message).toContain("rule 2 'signal=SIGWHAT': 'SIGWHAT' is not a signal")
    expect(readKernel()).toEqual(snapshot())
  })
})
