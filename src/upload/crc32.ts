import * as zlib from 'node:zlib'
import { buf as jsBuf } from 'crc-32'

/**
 * `crc-32`'s `buf`, as the zip writer of the artifact client calls it, done by zlib where Node
 * has `zlib.crc32` (20.15 and later; the action runs on 24). The bundle puts this module in
 * place of `crc-32` for that writer (scripts/bundle.mjs): the JavaScript loop took 150 ms of
 * every 88 MiB uploaded, zlib's takes a few. Same contract: a signed 32-bit value, and a seed
 * that is a previous value (signed or not) or anything else for none (crc32-stream's first seed
 * is a Buffer).
 */
export function buf(data: Uint8Array, seed?: unknown): number {
  const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32
  if (typeof native !== 'function') return jsBuf(data, seed as number)
  return native(data, (Number(seed) | 0) >>> 0) | 0
}
