import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { describe, expect, it } from '@jest/globals'
import { buf, table32 } from '../src/upload/crc32.js'

// The package the bundle replaces (scripts/bundle.mjs aliases it to src/upload/crc32.ts).
const original = createRequire(import.meta.url)('crc-32') as {
  buf: (data: Uint8Array, seed?: number) => number
}

describe('crc32: the zip writer CRC-32 from zlib', () => {
  it('gives what the crc-32 package gives, whole and continued chunk by chunk', () => {
    for (const size of [0, 1, 7, 4096, 1 << 20]) {
      const data = randomBytes(size)
      expect(buf(data)).toBe(original.buf(data))
      expect(table32(data, 0)).toBe(original.buf(data))
      // crc32-stream continues from the unsigned result of the previous chunk.
      let crc = 0
      let reference = 0
      for (let at = 0; at < size; at += 1000) {
        crc = buf(data.subarray(at, at + 1000), crc) >>> 0
        reference = original.buf(data.subarray(at, at + 1000), reference) >>> 0
      }
      expect(crc).toBe(reference)
    }
  })
})
