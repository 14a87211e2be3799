import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ExecutableCandidates, identify } from '../src/collect/identify.js'
import { collectStrayCores } from '../src/collect/stray.js'
import { ElfError, readCore } from '../src/elf/core-file.js'
import { dumpCores } from '../__fixtures__/cores.js'
import { makeWorkspace } from '../__fixtures__/e2e.js'
import { readKernel, restoreKernel, type KernelSnapshot } from '../__fixtures__/kernel.js'

// Mutated and truncated real cores through the ELF reader and the collection stage: every case
// must end in a result or an ElfError, quickly and without growing memory.
const CASES = 1200
const PER_CASE_MS = 2000

let before: KernelSnapshot
let seeds: Buffer[]
let work: string

/** mulberry32: a small seeded PRNG, so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Mutants are cut to this: every note and header is far below it, and it keeps writing cheap. */
const MAX_MUTANT = 1024 * 1024

/** One mutant of a real core: cut short, bytes flipped, or 32-bit fields overwritten. */
function mutate(core: Buffer, next: () => number): Buffer {
  const kind = Math.floor(next() * 3)
  const length = Math.min(core.length, MAX_MUTANT)
  if (kind === 0) return core.subarray(0, Math.floor(next() * length))
  const copy = Buffer.from(core.subarray(0, length))
  const region = Math.min(copy.length, 16 * 1024) // headers and notes live at the start
  const edits = 1 + Math.floor(next() * 8)
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(next() * region)
    if (kind === 1) copy[at] = Math.floor(next() * 256)
    else if (at + 4 <= copy.length) {
      const values = [0, 0xffffffff, 0x7fffffff, 0x80000000, Math.floor(next() * 2 ** 32)]
      copy.writeUInt32LE(values[Math.floor(next() * values.length)]!, at & ~3)
    }
  }
  return copy
}

beforeAll(() => {
  before = readKernel()
  const ws = makeWorkspace(['nullderef', 'threads'])
  const cores = dumpCores(ws.dir, { nullderef: './bin/nullderef', threads: './bin/threads' })
  seeds = [...cores.values()].map((path) => readFileSync(path))
  work = mkdtempSync(join(tmpdir(), 'crash-capture-fuzz-'))
}, 60_000)
afterAll(() => restoreKernel(before))

describe('fuzz: the ELF reader', () => {
  it(`survives ${CASES} mutated and truncated real cores`, async () => {
    const next = random(20261126)
    const rssBefore = process.memoryUsage().rss
    let slowest = { ms: 0, case: -1 }
    let errors = 0
    const file = join(work, 'mutant')
    for (let i = 0; i < CASES; i++) {
      writeFileSync(file, mutate(seeds[i % seeds.length]!, next))
      const started = performance.now()
      try {
        await readCore(file)
      } catch (error) {
        if (!(error instanceof ElfError))
          throw new Error(`case ${i}: ${String(error)}`, { cause: error })
        errors++
      }
      const ms = performance.now() - started
      if (ms > slowest.ms) slowest = { ms, case: i }
    }
    const rssGrowth = process.memoryUsage().rss - rssBefore
    expect(slowest.ms).toBeLessThan(PER_CASE_MS)
    expect(rssGrowth).toBeLessThan(256 * 1024 * 1024)
    process.stdout.write(
      `figure: fuzz: ${CASES} cases, ${errors} typed errors, ${CASES - errors} read; slowest case #${slowest.case} ${slowest.ms.toFixed(1)} ms; rss growth ${(rssGrowth / 1048576).toFixed(1)} MiB\n`
    )
  }, 120_000)

  it('keeps the collection stage whole on a folder of broken cores', async () => {
    const next = random(7)
    const dir = join(work, 'cores')
    mkdirSync(dir)
    for (let i = 0; i < 60; i++)
      writeFileSync(join(dir, `core.${i}`), mutate(seeds[i % seeds.length]!, next))
    const stage = join(work, 'stage')
    const { crashes } = await collectStrayCores([`${dir}/*`], 0, stage, new Set())
    const candidates = new ExecutableCandidates([], stage)
    for (const crash of crashes) {
      const started = performance.now()
      await identify(crash, candidates)
      expect(performance.now() - started).toBeLessThan(PER_CASE_MS)
    }
    // Cuts below the ELF header are not cores at all; the rest are collected and identified.
    expect(crashes.length).toBeGreaterThan(10)
  })
})
