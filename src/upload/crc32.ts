// The CRC-32 of the zip writer (archiver, through crc32-stream and compress-commons), bundled in
// place of the JavaScript `crc-32` package (scripts/bundle-options.mjs): zlib's, in C. Every
// byte of every core in the artifact goes through it. Same results: signed 32-bit, as `crc-32`
// returns them.
import * as zlib from 'node:zlib'

let table: Int32Array | null = null

/** The plain table-driven CRC-32, for a node without zlib.crc32 (before 20.15). */
function slow(data: Uint8Array, seed: number): number {
  if (!table) {
    table = new Int32Array(256)
    for (let n = 0; n < 256; n++) {
      let c = n
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
      table[n] = c
    }
  }
  let crc = ~seed
  for (const byte of data) crc = table[(crc ^ byte) & 0xff]! ^ (crc >>> 8)
  return ~crc
}

const native = (zlib as { crc32?: (data: Uint8Array | string, value?: number) => number }).crc32

/** CRC-32 of a buffer, continuing from `seed` (an earlier result). */
export function buf(data: Uint8Array, seed = 0): number {
  return native ? native(data, seed >>> 0) | 0 : slow(data, seed)
}

/** The JavaScript one, for the tests. */
export const table32 = slow
