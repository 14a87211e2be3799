// npm run demo: the action end to end on a real crash. It compiles a small C program that
// dereferences NULL, runs the bundled main step, runs the program with `ulimit -c 0` (capture
// does not depend on it), runs the bundled post step with the runner's environment files, and
// prints where the summary, the report and the outputs are.
import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FakeJob, ROOT } from './runner.mjs'

const workspace = mkdtempSync(join(tmpdir(), 'crash-capture-demo-'))
mkdirSync(join(workspace, 'src'))
mkdirSync(join(workspace, 'bin'))
copyFileSync(join(ROOT, '__fixtures__/crashers/nullderef.c'), join(workspace, 'src/nullderef.c'))
execFileSync('gcc', ['-g', '-O0', '-o', 'bin/nullderef', 'src/nullderef.c'], {
  cwd: workspace,
  stdio: 'inherit'
})
console.log(`Workspace: ${workspace}`)

const job = await new FakeJob({ workspace }).init()
const step = (title) => console.log(`\n===== ${title} =====`)

step('main step (dist/main.js)')
const main = await job.runStep('main')
process.stdout.write(main.stdout + main.stderr)
console.log(`[main exited ${main.code} in ${main.ms.toFixed(0)} ms]`)

step("the job's test step: ulimit -c 0; ./bin/nullderef")
const crash = spawnSync('sh', ['-c', 'ulimit -c 0; exec ./bin/nullderef'], {
  cwd: workspace,
  encoding: 'utf8'
})
console.log(`[the program was killed by ${crash.signal}]`)

step('post step (dist/post.js)')
const post = await job.runStep('post')
process.stdout.write(post.stdout + post.stderr)
console.log(`[post exited ${post.code} in ${post.ms.toFixed(0)} ms]`)

step('results')
console.log(`Job summary (markdown): ${post.summaryPath}`)
console.log(`JSON report:            ${post.outputs.report ?? '(none)'}`)
console.log(`Outputs: crashes=${post.outputs.crashes} groups=${post.outputs.groups}`)
const bundle = /the bundle is at (\S+)/.exec(post.stdout)?.[1]
if (bundle) {
  console.log(`Crash bundle (uploaded as an artifact on GitHub): ${bundle}`)
  console.log(`  open the crash in gdb from it: sh ${bundle}/<crash>/debug.sh`)
}
console.log(
  `core_pattern now:       ${readFileSync('/proc/sys/kernel/core_pattern', 'utf8').trim()}`
)
const ok = post.code === 1 && Number(post.outputs.crashes) === 1
console.log(
  ok
    ? '\nDemo OK: the crash was captured, backtraced and reported, and the step failed as it should.'
    : '\nDemo FAILED: see above.'
)
process.exit(ok ? 0 : 1)
