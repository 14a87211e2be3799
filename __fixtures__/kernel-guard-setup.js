// Jest global setup: remembers the kernel's core settings before any test runs, so that the
// global teardown can put them back even when a test failed between a main and a post step,
// and when the run started, so that the teardown removes only this run's temporary folders.
import { readFileSync, writeFileSync } from 'node:fs'
import { KERNEL_SNAPSHOT, KERNEL_FILES } from './kernel-files.js'

export default function setup() {
  const snapshot = Object.fromEntries(
    KERNEL_FILES.map((file) => [file, readFileSync(file, 'utf8').replace(/\n$/, '')])
  )
  writeFileSync(KERNEL_SNAPSHOT, JSON.stringify(snapshot))
  globalThis.crashCaptureTestStart = Date.now()
}
