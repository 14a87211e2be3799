import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import {
  crashLine,
  FakeJob,
  makeWorkspace,
  waitForCrashes,
  workflowCommands
} from '../__fixtures__/e2e.js'
import { guardKernel } from '../__fixtures__/kernel.js'

guardKernel()

interface Group {
  signature: string
  functions: string[]
  callPaths: number
  count: number
}

describe('signature: one bug, one group (real crashes)', () => {
  it('groups one bug reached from two callers four frames up, and splits another top-3 state', async () => {
    const ws = makeWorkspace(['paths'])
    const job = new FakeJob({
      workspace: ws.dir,
      inputs: { 'fail-on-crash': 'false', upload: 'none' }
    })
    await job.runStep('main')
    for (const path of ['log', 'setvar', 'other'])
      spawnSync(ws.bin('paths'), [path], { cwd: ws.dir, env: job.processEnv() })
    await waitForCrashes(job, 3)
    const post = await job.runStep('post')
    const report = JSON.parse(readFileSync(post.outputs.report!, 'utf8')) as { groups: Group[] }
    expect(report.groups.map((g) => [g.count, g.callPaths, g.functions])).toEqual([
      [2, 2, ['convert', 'apply', 'evaluate']],
      [1, 1, ['convert', 'other_caller', 'main']]
    ])
    for (const group of report.groups) expect(group.signature).toMatch(/^v2-[0-9a-f]{12}$/)
    expect(post.summary).toContain('| Call paths | 2 distinct paths below the signature led here |')
    const annotations = workflowCommands(post.stdout).filter((c) => c.command === 'error')
    expect(annotations).toHaveLength(2)
    expect(annotations[0]!.properties).toMatchObject({
      file: 'src/paths.c',
      line: String(crashLine('paths'))
    })
    expect(annotations[0]!.properties.title).toContain('2 crashes from 2 call paths')
  })
})
