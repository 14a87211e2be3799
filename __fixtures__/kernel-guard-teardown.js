// Jest global teardown: puts back the kernel core settings the global setup saw, and removes
// the temporary folders this test run created (workspaces, runner temp dirs, cores, bundles).
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KERNEL_SNAPSHOT } from './kernel-files.js'

const OURS = /^(crash-capture-|cc-tmpfs-)/

export default function teardown() {
  const snapshot = JSON.parse(readFileSync(KERNEL_SNAPSHOT, 'utf8'))
  for (const [file, value] of Object.entries(snapshot)) {
    if (readFileSync(file, 'utf8').replace(/\n$/, '') !== value) writeFileSync(file, value)
  }
  rmSync(KERNEL_SNAPSHOT, { force: true })

  const start = globalThis.crashCaptureTestStart ?? Date.now()
  for (const name of readdirSync(tmpdir()).filter((n) => OURS.test(n))) {
    const path = join(tmpdir(), name)
    const info = statSync(path, { throwIfNoEntry: false })
    if (info && info.ctimeMs >= start) rmSync(path, { recursive: true, force: true })
  }
}
