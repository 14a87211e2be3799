// Builds the committed bundles in dist/: one ESM file per entry point and shared chunks, plus the
// two files that run outside node (the kernel's pipe handler and gdb's Python script), copied
// as they are so that they can be read and audited in dist/ too.
import { build } from 'esbuild'
import { copyFile, mkdir, rm } from 'node:fs/promises'
import { bundleOptions } from './bundle-options.mjs'

await rm('dist', { recursive: true, force: true })
await mkdir('dist')
await build({
  ...bundleOptions,
  entryPoints: {
    main: 'src/main.ts',
    post: 'src/post.ts',
    cli: 'src/cli.ts',
    aggregate: 'src/aggregate.ts',
    watch: 'src/watch.ts'
  },
  outdir: 'dist',
  // The artifact client and Octokit are imported when needed: a post step without a crash
  // does not parse them. Chunk names are content hashes, so a rebuild is byte-identical.
  splitting: true,
  // Chunks sit beside the entries so that new URL('./handler.sh', import.meta.url) means dist/.
  chunkNames: '[name]-[hash]'
})
await copyFile('src/capture/handler.sh', 'dist/handler.sh')
await copyFile('src/analyze/backtrace.py', 'dist/backtrace.py')
