import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { load } from 'js-yaml'
import { changelogSection } from '../scripts/changelog.mjs'

// What can be checked of a release here: the workflows parse, the release workflow does its
// steps in order, and the changelog extraction works on the real CHANGELOG.md.
const ROOT = new URL('..', import.meta.url).pathname
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8')

interface Workflow {
  on: { push?: { tags?: string[] } }
  permissions?: Record<string, string>
  jobs: Record<string, { steps: { name?: string; run?: string; uses?: string }[] }>
}

describe('release', () => {
  it('has workflows that parse, and a release workflow that checks, releases and moves the major tag', () => {
    const files = readdirSync(join(ROOT, '.github/workflows')).filter((f) => f.endsWith('.yml'))
    expect(files).toContain('release.yml')
    for (const file of files) expect(() => load(read(`.github/workflows/${file}`))).not.toThrow()
    const release = load(read('.github/workflows/release.yml')) as Workflow
    expect(release.on.push?.tags).toEqual(['v[0-9]+.[0-9]+.[0-9]+'])
    expect(release.permissions).toEqual({ contents: 'write' })
    const runs = release.jobs.release!.steps.map((s) => s.run ?? s.uses ?? '').join('\n')
    const order = [
      'package.json',
      'npm run bundle',
      'npm test',
      'scripts/changelog.mjs',
      'gh release create',
      'git push --force origin'
    ].map((step) => runs.indexOf(step))
    expect(order.every((at) => at >= 0)).toBe(true)
    expect([...order].sort((a, b) => a - b)).toEqual(order)
  })

  it("extracts the package's version section from CHANGELOG.md, and refuses a missing one", () => {
    const { version } = JSON.parse(read('package.json')) as { version: string }
    const changelog = read('CHANGELOG.md')
    const section = changelogSection(changelog, version)
    expect(section).toMatch(/^The first release\./)
    expect(section).not.toContain('## [')
    expect(changelogSection(changelog, '0.0.0')).toBeNull()
    const script = join(ROOT, 'scripts/changelog.mjs')
    const ok = spawnSync(process.execPath, [script, version], { encoding: 'utf8' })
    expect(ok.status).toBe(0)
    expect(ok.stdout.trim()).toBe(section)
    const missing = spawnSync(process.execPath, [script, '0.0.0'], { encoding: 'utf8' })
    expect(missing.status).toBe(1)
    expect(missing.stderr).toContain('has no section for 0.0.0')
  })

  it('describes itself for the Marketplace: a name, an author, a description of at most 125 characters', () => {
    for (const file of ['action.yml', 'aggregate/action.yml']) {
      const action = load(read(file)) as { name: string; author: string; description: string }
      expect(action.name).toBeTruthy()
      expect(action.author).toBeTruthy()
      expect(action.description.length).toBeLessThanOrEqual(125)
    }
  })

  it('has a LICENSE that matches package.json, and a SECURITY.md that says how to report', () => {
    const { license } = JSON.parse(read('package.json')) as { license: string }
    expect(license).toBe('MIT')
    expect(read('LICENSE')).toMatch(/^MIT License/)
    expect(read('SECURITY.md')).toMatch(/## Reporting a vulnerability/)
  })
})
