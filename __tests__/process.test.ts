import { describe, expect, it } from '@jest/globals'
import { describeFailure, runCommand } from '../src/process.js'

describe('process', () => {
  it('returns output and exit code without a shell', async () => {
    const result = await runCommand('sh', [
      '-c',
      'echo "$1"; echo err >&2; exit 3',
      'sh',
      '$(not run)'
    ])
    expect(result).toMatchObject({
      code: 3,
      stdout: '$(not run)\n',
      stderr: 'err\n',
      timedOut: false
    })
  })

  it('kills a command and its children at the timeout', async () => {
    const started = Date.now()
    const result = await runCommand('sh', ['-c', 'sleep 30 & sleep 30; wait'], { timeoutMs: 300 })
    expect(result.timedOut).toBe(true)
    expect(Date.now() - started).toBeLessThan(5000)
    expect(describeFailure(result)).toBe('timed out and was killed')
  })

  it('bounds what it keeps of a flood of output', async () => {
    const result = await runCommand('head', ['-c', '5000000', '/dev/zero'], { maxOutput: 1000 })
    expect(result.stdout.length).toBe(1000)
    expect(result.truncated).toBe(true)
  })

  it('reports a command that cannot start', async () => {
    const result = await runCommand('/nonexistent/tool', [])
    expect(result.code).toBeNull()
    expect(describeFailure(result)).toMatch(/ENOENT/)
  })
})
