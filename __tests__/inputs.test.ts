import { afterEach, describe, expect, it } from '@jest/globals'
import { getInputs, Input, parseSize } from '../src/inputs.js'

function setInput(name: string, value: string): void {
  process.env[`INPUT_${name.toUpperCase()}`] = value
}

afterEach(() => {
  for (const name of Object.values(Input)) delete process.env[`INPUT_${name.toUpperCase()}`]
})

describe('inputs', () => {
  it('gives the documented defaults when nothing is set', () => {
    const inputs = getInputs()
    expect(inputs).toEqual({
      failOnCrash: true,
      installGdb: true,
      gdbTimeoutSeconds: 120,
      skipFrames: null,
      crashDir: '/var/lib/crash-capture',
      maxCoreSize: 4 * 1024 ** 3,
      maxTotalSize: 8 * 1024 ** 3,
      minFreeSpace: 2 * 1024 ** 3,
      gdbScripts: [],
      gdbCommands: [],
      comment: 'on-crash',
      githubToken: '',
      commentKey: 'workflow/job',
      searchPaths: [],
      setuidCores: false,
      sanitizers: true,
      leftoverProcesses: 'report',
      hangTimeoutMs: null,
      hangAction: 'report',
      expectedCrashes: [],
      maxCoresPerGroup: 3,
      identity: { job: 'job', label: 'job', key: 'job', index: null, total: null, attempt: 1 },
      executables: [],
      upload: 'all',
      artifactName: '',
      retentionDays: null,
      compressionLevel: null,
      maxArtifactSize: 4 * 1024 ** 3,
      maxCores: 50
    })
  })

  it('parses every input', () => {
    setInput(Input.FailOnCrash, 'false')
    setInput(Input.InstallGdb, 'no')
    setInput(Input.GdbTimeout, '2.5')
    setInput(Input.SkipFrames, 'ha_panic|wdt_handler')
    setInput(Input.CrashDir, '/srv/crashes/')
    setInput(Input.MaxCoreSize, '512M')
    setInput(Input.MaxTotalSize, '1GiB')
    setInput(Input.MinFreeSpace, '1048576')
    setInput(Input.GdbScripts, 'tools/gdb/haproxy.gdb\n\n# comment\n  more.gdb ')
    setInput(Input.GdbCommands, 'info sharedlibrary\np $_siginfo')
    const inputs = getInputs()
    expect(inputs.gdbScripts).toEqual(['tools/gdb/haproxy.gdb', 'more.gdb'])
    expect(inputs.gdbCommands).toEqual(['info sharedlibrary', 'p $_siginfo'])
    expect(inputs.failOnCrash).toBe(false)
    expect(inputs.installGdb).toBe(false)
    expect(inputs.gdbTimeoutSeconds).toBe(2.5)
    expect(inputs.skipFrames?.test('ha_panic')).toBe(true)
    expect(inputs.crashDir).toBe('/srv/crashes')
    expect(inputs.maxCoreSize).toBe(512 * 1024 ** 2)
    expect(inputs.maxTotalSize).toBe(1024 ** 3)
    expect(inputs.minFreeSpace).toBe(1048576)
  })

  it.each([
    [Input.FailOnCrash, 'maybe'],
    [Input.InstallGdb, 'sometimes'],
    [Input.GdbTimeout, '0'],
    [Input.GdbTimeout, 'soon'],
    [Input.SkipFrames, 'ha_panic('],
    [Input.CrashDir, 'relative/dir'],
    [Input.CrashDir, '/dir with space'],
    [Input.CrashDir, '/var/../etc'],
    [Input.CrashDir, '/'],
    [Input.MaxCoreSize, 'big'],
    [Input.MaxTotalSize, '-1G'],
    [Input.MinFreeSpace, '3X'],
    [Input.Comment, 'sometimes'],
    [Input.Upload, 'cores'],
    [Input.RetentionDays, '91'],
    [Input.CompressionLevel, '10'],
    [Input.MaxArtifactSize, 'lots'],
    [Input.MaxCores, '0']
  ])('rejects %s = %j with a message naming the input', (name, value) => {
    setInput(name, value)
    expect(() => getInputs()).toThrow(`Input '${name}' has the invalid value '${value}'`)
  })

  it('reads the comment settings', () => {
    setInput(Input.Comment, 'Always')
    setInput(Input.GithubToken, ' ghs_x ')
    setInput(Input.CommentKey, 'ci/test (gcc, -O2)')
    expect(getInputs()).toMatchObject({
      comment: 'always',
      githubToken: 'ghs_x',
      commentKey: 'ci/test (gcc, -O2)'
    })
  })

  it('reads sizes in binary units', () => {
    expect(parseSize(Input.MaxCoreSize, '1k')).toBe(1024)
    expect(parseSize(Input.MaxCoreSize, '2 MB')).toBe(2 * 1024 ** 2)
    expect(parseSize(Input.MaxCoreSize, '3T')).toBe(3 * 1024 ** 4)
  })
})

describe('inputs and action.yml', () => {
  it('name the same inputs and outputs, all documented in the README', async () => {
    const { readFileSync } = await import('node:fs')
    const yml = readFileSync(new URL('../action.yml', import.meta.url), 'utf8')
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    const section = (name: string) => yml.split(`\n${name}:\n`)[1]!.split(/\n[a-z]+:/)[0]!
    const keys = (text: string) => [...text.matchAll(/^ {2}([a-z-]+):$/gm)].map((m) => m[1])
    expect(keys(section('inputs')).sort()).toEqual(Object.values(Input).sort())
    const { Output } = await import('../src/post-step.js')
    expect(keys(section('outputs')).sort()).toEqual(Object.values(Output).sort())
    for (const name of [...Object.values(Input), ...Object.values(Output)])
      expect(readme).toContain(`| \`${name}\``)
    // The run-wide action: its inputs are the main action's, its outputs its own.
    const aggregate = readFileSync(new URL('../aggregate/action.yml', import.meta.url), 'utf8')
    const part = (name: string) => aggregate.split(`\n${name}:\n`)[1]!.split(/\n[a-z]+:/)[0]!
    for (const input of keys(part('inputs'))) expect(Object.values(Input)).toContain(input)
    const { AggregateOutput } = await import('../src/aggregate-step.js')
    expect(keys(part('outputs')).sort()).toEqual(Object.values(AggregateOutput).sort())
    expect(aggregate).toContain('main: ../dist/aggregate.js')
  })
})
