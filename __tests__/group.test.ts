import { describe, expect, it } from '@jest/globals'
import { groupCrashes, signatureOf } from '../src/analyze/group.js'
import { analysis, frame } from '../__fixtures__/analysis.js'

const libc = '/lib/x86_64-linux-gnu/libc.so.6'

function bug(pid: number, pcBase: number, withLibcDebug: boolean) {
  const noise = withLibcDebug
    ? [
        frame({ level: 0, function: '__pthread_kill_implementation', objfile: libc }),
        frame({ level: 1, function: '__GI_raise', objfile: libc }),
        frame({ level: 2, function: '__GI_abort', objfile: libc })
      ]
    : [
        frame({ level: 0, function: null, objfile: libc }),
        frame({ level: 1, function: 'raise', objfile: libc }),
        frame({ level: 2, function: 'abort', objfile: libc })
      ]
  const user = ['check', 'process', 'main'].map((name, i) =>
    frame({ level: noise.length + i, function: name, pc: `0x${(pcBase + i).toString(16)}` })
  )
  return analysis([...noise, ...user], {}, { pid })
}

describe('group', () => {
  it('gives the same signature to one bug across pids, addresses and libc debug info', () => {
    expect(signatureOf(bug(1, 0x5000, false), null).hash).toBe(
      signatureOf(bug(2, 0x7000, true), null).hash
    )
    expect(signatureOf(bug(1, 0x5000, false), null).functions).toEqual(['check', 'process', 'main'])
  })

  it('separates different bugs and different executables', () => {
    const other = analysis([
      frame({ level: 0, function: 'parse' }),
      frame({ level: 1, function: 'main' })
    ])
    expect(signatureOf(other, null).hash).not.toBe(signatureOf(bug(1, 0, false), null).hash)
    const elsewhere = bug(3, 0, false)
    elsewhere.crash.executablePath = '/bin/other'
    expect(signatureOf(elsewhere, null).hash).not.toBe(signatureOf(bug(1, 0, false), null).hash)
  })

  it('orders groups by count, most frequent first', () => {
    const rare = analysis([frame({ level: 0, function: 'rare' })])
    const groups = groupCrashes([rare, bug(1, 0, false), bug(2, 8, true), bug(3, 16, false)], null)
    expect(groups.map((g) => g.analyses.length)).toEqual([3, 1])
    expect(groups[0]!.analyses.map((a) => a.crash.pid)).toEqual([1, 2, 3])
  })
})

describe('group: crashes without frames', () => {
  it('join the largest group of the same executable and signal, or stand alone', () => {
    const framed = [bug(1, 0, false), bug(2, 0, false)]
    const dropped = analysis([], {}, { pid: 3 })
    dropped.crashingThread = null
    const elsewhere = analysis([], {}, { pid: 4, executablePath: '/bin/other' })
    elsewhere.crashingThread = null
    const groups = groupCrashes([...framed, dropped, elsewhere], null)
    expect(groups.map((g) => g.analyses.map((a) => a.crash.pid))).toEqual([[1, 2, 3], [4]])
  })
})

describe('group: the crash state', () => {
  const names = (list: string[], inline: number[] = []) =>
    list.map((name, level) => frame({ level, function: name, inline: inline.includes(level) }))

  it('keeps one group when the callers differ below the top 3 frames, and counts the paths', () => {
    const viaLog = analysis(names(['conv', 'apply', 'eval', 'log_format', 'main']), {}, { pid: 1 })
    const viaVar = analysis(names(['conv', 'apply', 'eval', 'set_var', 'main']), {}, { pid: 2 })
    const again = analysis(names(['conv', 'apply', 'eval', 'set_var', 'main']), {}, { pid: 3 })
    const [group, ...rest] = groupCrashes([viaLog, viaVar, again], null)
    expect(rest).toEqual([])
    expect(group!.functions).toEqual(['conv', 'apply', 'eval'])
    expect(group!.callPaths).toBe(2)
  })

  it('splits crashes in one helper reached with another caller at frame 1 or 2', () => {
    const base = analysis(names(['conv', 'apply', 'eval', 'main']))
    const frame1 = analysis(names(['conv', 'other', 'eval', 'main']))
    const frame2 = analysis(names(['conv', 'apply', 'other', 'main']))
    const hashes = [base, frame1, frame2].map((a) => signatureOf(a, null).hash)
    expect(new Set(hashes).size).toBe(3)
    expect(groupCrashes([base, frame1, frame2], null)).toHaveLength(3)
  })

  it('counts an inlined frame followed by its out-of-line copy once, and gcc clones as their function', () => {
    const inlined = analysis(names(['conv', 'conv', 'apply', 'eval', 'main'], [0]))
    const plain = analysis(names(['conv', 'apply', 'eval', 'main']))
    const clone = analysis(names(['conv.isra.0', 'apply.part.1', 'eval', 'main']))
    expect(signatureOf(inlined, null).functions).toEqual(['conv', 'apply', 'eval'])
    expect(signatureOf(inlined, null).hash).toBe(signatureOf(plain, null).hash)
    expect(signatureOf(clone, null).hash).toBe(signatureOf(plain, null).hash)
  })

  it("puts the rule's version in the signature", () => {
    expect(signatureOf(bug(1, 0, false), null).hash).toMatch(/^v2-[0-9a-f]{12}$/)
  })
})
