// Jest global teardown: puts back the kernel core settings the global setup saw.
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { KERNEL_SNAPSHOT } from './kernel-files.js'

export default function teardown() {
  const snapshot = JSON.parse(readFileSync(KERNEL_SNAPSHOT, 'utf8'))
  for (const [file, value] of Object.entries(snapshot)) {
    if (readFileSync(file, 'utf8').replace(/\n$/, '') !== value) writeFileSync(file, value)
  }
  rmSync(KERNEL_SNAPSHOT, { force: true })
}
