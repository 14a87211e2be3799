import { describe, expect, it } from '@jest/globals'
import { buf as jsBuf } from 'crc-32'
import { randomBytes } from 'node:crypto'
import { buf } from '../src/upload/crc32.js'

describe("the zip writer's CRC-32 through zlib", () => {
  it('gives what crc-32 gives, chunk after chunk, from every kind of seed its callers pass', () => {
    const chunks = [0, 1, 3, 64, 65536, 1 << 20].map((size) => randomBytes(size))
    // crc32-stream starts from a Buffer of zeros and goes on from `value >>> 0`.
    let ours: unknown = Buffer.alloc(4)
    let theirs: unknown = Buffer.alloc(4)
    for (const chunk of chunks) {
      ours = buf(chunk, ours) >>> 0
      theirs = jsBuf(chunk, theirs as number) >>> 0
      expect(ours).toBe(theirs)
    }
    // compress-commons: no seed; a signed previous value.
    for (const chunk of chunks) expect(buf(chunk)).toBe(jsBuf(chunk))
    const signed = jsBuf(chunks[5]!)
    expect(signed).toBeLessThan(2 ** 31)
    expect(buf(chunks[4]!, signed)).toBe(jsBuf(chunks[4]!, signed))
    expect(buf(Buffer.from('123456789')) >>> 0).toBe(0xcbf43926)
  })
})
