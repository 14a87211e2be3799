// Builds the committed bundles in dist/: one ESM file per entry point and shared chunks, plus the
// two files that run outside node (the kernel's pipe handler and gdb's Python script), copied
// as they are so that they can be read and audited in dist/ too.
import { build } from 'esbuild'
import { copyFile, mkdir, rm } from 'node:fs/promises'
import { resolve } from 'node:path'

await rm('dist', { recursive: true, force: true })
await mkdir('dist')
await build({
  entryPoints: {
    main: 'src/main.ts',
    post: 'src/post.ts',
    cli: 'src/cli.ts',
    aggregate: 'src/aggregate.ts',
    watch: 'src/watch.ts'
  },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // The artifact client and Octokit are imported when needed: a post step without a crash
  // does not parse them. Chunk names are content hashes, so a rebuild is byte-identical.
  splitting: true,
  // Chunks sit beside the entries so that new URL('./handler.sh', import.meta.url) means dist/.
  chunkNames: '[name]-[hash]',
  legalComments: 'none',
  logLevel: 'warning',
  // Some bundled CommonJS dependencies call require() for node built-ins.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"
  },
  plugins: [
    {
      // The artifact client's zip writer computes CRC-32 with zlib instead of a JavaScript
      // loop (src/upload/crc32.ts): the shim itself still gets the real module as its fallback.
      name: 'native-crc32',
      setup(build) {
        build.onResolve({ filter: /^crc-32$/ }, (args) =>
          /[/\\]src[/\\]upload[/\\]crc32\.ts$/.test(args.importer)
            ? undefined
            : { path: resolve('src/upload/crc32.ts') }
        )
      }
    }
  ]
})
await copyFile('src/capture/handler.sh', 'dist/handler.sh')
await copyFile('src/analyze/backtrace.py', 'dist/backtrace.py')
