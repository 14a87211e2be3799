import { beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chooseBlame, SourceResolver } from '../src/analyze/blame.js'
import { analysis, frame } from '../__fixtures__/analysis.js'

let ws: string
let resolver: SourceResolver
const libc = '/lib/x86_64-linux-gnu/libc.so.6'

beforeAll(() => {
  ws = realpathSync(mkdtempSync(join(tmpdir(), 'crash-capture-blame-')))
  for (const dir of ['src', 'third_party/zlib', 'nptl'])
    mkdirSync(join(ws, dir), { recursive: true })
  for (const file of [
    'src/app.c',
    'src/panic.c',
    'third_party/zlib/inflate.c',
    'nptl/pthread_kill.c'
  ]) {
    writeFileSync(join(ws, file), '')
  }
  symlinkSync(join(ws, 'src'), join(ws, 'linked-src'))
  resolver = new SourceResolver({ workspace: ws, skipFrames: null })
})

function thread(...frames: Parameters<typeof frame>[0][]) {
  return analysis(frames.map(frame)).crashingThread
}

describe('blame', () => {
  it('picks the first frame whose source is in the workspace', () => {
    const t = thread(
      { level: 0, function: null, objfile: libc },
      { level: 1, function: 'boom', fullname: join(ws, 'src/app.c'), line: 7 },
      { level: 2, function: 'main', fullname: join(ws, 'src/app.c'), line: 20 }
    )
    expect(chooseBlame(t, resolver, null)).toMatchObject({
      path: 'src/app.c',
      line: 7,
      kind: 'line',
      frame: { level: 1 }
    })
  })

  it('skips abort, raise, assert and the signal handler frame even with sources', () => {
    const t = thread(
      {
        level: 0,
        function: '__pthread_kill_implementation',
        fullname: './nptl/pthread_kill.c',
        line: 44
      },
      { level: 1, function: 'raise', objfile: libc },
      { level: 2, function: 'abort', objfile: libc },
      { level: 3, signalHandler: true },
      { level: 4, function: '__assert_fail', objfile: libc },
      { level: 5, function: 'check', fullname: join(ws, 'src/app.c'), line: 3 }
    )
    expect(chooseBlame(t, resolver, null)?.frame.level).toBe(5)
  })

  it('never resolves a relative DWARF path against the workspace', () => {
    const t = thread(
      { level: 0, function: 'pthread_kill_internal', fullname: 'nptl/pthread_kill.c', line: 44 },
      { level: 1, function: 'caller', fullname: join(ws, 'src/app.c'), line: 9 }
    )
    expect(chooseBlame(t, resolver, null)?.frame.level).toBe(1)
  })

  it('skips vendored folders and files that do not exist', () => {
    const t = thread(
      { level: 0, function: 'inflate', fullname: join(ws, 'third_party/zlib/inflate.c'), line: 1 },
      { level: 1, function: 'gone', fullname: join(ws, 'src/deleted.c'), line: 2 },
      { level: 2, function: 'mine', fullname: join(ws, 'linked-src/app.c'), line: 3 }
    )
    expect(chooseBlame(t, resolver, null)).toMatchObject({
      path: 'src/app.c',
      line: 3,
      frame: { level: 2 }
    })
  })

  it('falls back to the function declaration when the line is in a library header', () => {
    const t = thread({
      level: 0,
      function: 'Processor<int>::run',
      fullname: '/usr/include/c++/12/bits/new_allocator.h',
      line: 90,
      functionFile: join(ws, 'src/app.c'),
      functionLine: 8
    })
    expect(chooseBlame(t, resolver, null)).toMatchObject({
      path: 'src/app.c',
      line: 8,
      kind: 'function'
    })
  })

  it('looks past the project helpers named in skip-frames', () => {
    const t = thread(
      { level: 0, function: 'abort', objfile: libc },
      { level: 1, function: 'ha_panic', fullname: join(ws, 'src/panic.c'), line: 5 },
      { level: 2, function: 'process_stream', fullname: join(ws, 'src/app.c'), line: 40 }
    )
    expect(chooseBlame(t, resolver, null)?.frame.function).toBe('ha_panic')
    expect(chooseBlame(t, resolver, /^(ha_panic|wdt_handler)$/)?.frame.function).toBe(
      'process_stream'
    )
  })

  it('says so when no frame is in the project: first frame outside runtime libraries', () => {
    const t = thread(
      { level: 0, function: null, objfile: libc },
      { level: 1, function: 'sum_list', objfile: '/opt/app/bin/app' },
      { level: 2, function: 'main', objfile: '/opt/app/bin/app' }
    )
    expect(chooseBlame(t, resolver, null)).toMatchObject({
      path: null,
      kind: 'none',
      frame: { level: 1 }
    })
  })

  it('falls back to frame 0 when every frame is runtime machinery', () => {
    const t = thread(
      { level: 0, function: null, objfile: libc },
      { level: 1, function: 'abort', objfile: libc }
    )
    expect(chooseBlame(t, resolver, null)).toMatchObject({ kind: 'none', frame: { level: 0 } })
  })

  it('has nothing to blame without frames', () => {
    expect(chooseBlame(null, resolver, null)).toBeNull()
  })
})
