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
