import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from '@jest/globals'
import { build } from 'esbuild'
import { bundleOptions } from '../scripts/bundle-options.mjs'

const run = promisify(execFile)
const scratch = mkdtempSync(join(tmpdir(), 'crash-capture-bundle-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

/** An entry of dist/ and every chunk it imports statically: what node compiles at start. */
function staticGraph(entry: string): string[] {
  const seen = new Set<string>()
  const visit = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    const text = readFileSync(file, 'utf8')
    for (const match of text.matchAll(/(?:^|\n)(?:import|export)\s[^;]*?from\s*"(\.\/[^"]+)"/g))
      visit(join(dirname(file), match[1]!))
    for (const match of text.matchAll(/(?:^|\n)import\s*"(\.\/[^"]+)"/g))
      visit(join(dirname(file), match[1]!))
  }
  visit(entry)
  return [...seen]
}

/** True when a bundled file holds code of the package (esbuild names each module's source). */
function holds(file: string, pkg: string): boolean {
  return readFileSync(file, 'utf8').includes(`// node_modules/${pkg}/`)
}

describe('bundle: what the committed dist/ loads, and the three dependencies it replaces', () => {
  it('main and post compile neither undici nor the artifact upload at start', () => {
    for (const entry of ['dist/main.js', 'dist/post.js']) {
      const files = staticGraph(entry)
      expect(files.length).toBeGreaterThan(1)
      // @actions/core is there (every step uses it); what it would pull in for OIDC is not.
      expect(files.some((file) => holds(file, '@actions/core'))).toBe(true)
      for (const file of files)
        for (const pkg of ['undici', '@actions/artifact', '@azure/storage-blob', 'archiver'])
          expect([file, pkg, holds(file, pkg)]).toEqual([file, pkg, false])
    }
  })

  it("still gets an ID token through @actions/core's OIDC client, loaded on first use", async () => {
    const out = join(scratch, 'oidc')
    await build({
      ...bundleOptions,
      stdin: {
        contents: "export { getIDToken } from '@actions/core'",
        resolveDir: process.cwd(),
        loader: 'js'
      },
      outdir: out,
      splitting: true,
      entryNames: 'entry',
      chunkNames: '[name]-[hash]'
    })
    const entry = join(out, 'entry.js')
    expect(staticGraph(entry).some((file) => holds(file, 'undici'))).toBe(false)
    // The runner's token service: GET with the request token, answers {"value": token}.
    const seen: { url: string; authorization: string }[] = []
    const server = createServer((req, res) => {
      seen.push({ url: req.url ?? '', authorization: req.headers.authorization ?? '' })
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ value: 'id-token-for-test' }))
    })
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    try {
      const { port } = server.address() as AddressInfo
      const script = `import { getIDToken } from ${JSON.stringify(entry)}; console.log('TOKEN=' + (await getIDToken('crash-capture')))`
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
        env: {
          PATH: process.env.PATH,
          ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${port}/token?api-version=2.0`,
          ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token'
        }
      })
      expect(stdout).toContain('TOKEN=id-token-for-test')
      expect(seen).toEqual([
        {
          url: '/token?api-version=2.0&audience=crash-capture',
          authorization: 'Bearer request-token'
        }
      ])
    } finally {
      await new Promise<void>((done) => server.close(() => done()))
    }
  })

  it('has the zip writer read each file in 1 MiB pieces, every byte in order', async () => {
    const utils = createRequire(import.meta.url)('../src/upload/archiver-utils.cjs') as {
      lazyReadStream: (path: string) => NodeJS.ReadableStream
      READ_CHUNK: number
      normalizeInputSource: unknown
    }
    expect(utils.READ_CHUNK).toBe(1024 * 1024)
    // The rest of archiver-utils is there as it was.
    expect(typeof utils.normalizeInputSource).toBe('function')
    const file = join(scratch, 'three-mib-and-a-bit')
    const data = Buffer.alloc(3 * 1024 * 1024 + 5)
    for (let i = 0; i < data.length; i++) data[i] = (i * 7919) & 0xff
    writeFileSync(file, data)
    // lazystream's Readable (readable-stream 2) is read with events.
    const chunks = await new Promise<Buffer[]>((done, fail) => {
      const read: Buffer[] = []
      utils
        .lazyReadStream(file)
        .on('data', (chunk: Buffer) => read.push(chunk))
        .on('end', () => done(read))
        .on('error', fail)
    })
    expect(chunks.map((chunk) => chunk.length)).toEqual([1 << 20, 1 << 20, 1 << 20, 5])
    expect(Buffer.concat(chunks).equals(data)).toBe(true)
    // dist's zip writer (archiver, in whichever chunk esbuild put it) is built with it.
    const archiver = readdirSync('dist')
      .filter((name) => name.endsWith('.js'))
      .map((name) => readFileSync(join('dist', name), 'utf8'))
      .filter((text) => text.includes('Archiver.prototype.file = '))
    expect(archiver).toHaveLength(1)
    expect(archiver[0]).toContain('createReadStream(filepath, { highWaterMark: READ_CHUNK })')
  })
})
