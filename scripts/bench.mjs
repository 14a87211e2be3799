// npm run bench: figures for the analysis speed and the no-crash overhead, measured in one run
// against the plain approaches (benchmarks, not tests: nothing here gates CI).
//
// 1. Builds a multi-threaded C program with enough DWARF that symbol loading matters, captures
//    N cores of it through the action's main step, then times (a) the usual serial loop
//    `gdb -batch -ex 'thread apply all bt full' exe core` over the cores and (b) the action's
//    whole post step on the same crashes, and checks that both saw the same crashing function.
// 2. Times main + post with no crash against `node -e 0`.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FakeJob } from './runner.mjs'

const CORES = Number(process.env.BENCH_CORES ?? 20)
const FUNCTIONS = Number(process.env.BENCH_FUNCTIONS ?? 40000)
const UNITS = 8
const RUNS = 7

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`
const time = (fn) => {
  const started = process.hrtime.bigint()
  fn()
  return Number(process.hrtime.bigint() - started) / 1e6
}
const timeAsync = async (fn) => {
  const started = process.hrtime.bigint()
  const value = await fn()
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, value }
}

/** Writes UNITS translation units of FUNCTIONS functions with their own struct types. */
function generate(dir) {
  const perUnit = Math.ceil(FUNCTIONS / UNITS)
  for (let unit = 0; unit < UNITS; unit++) {
    const lines = []
    for (let i = unit * perUnit; i < (unit + 1) * perUnit; i++) {
      const fields = Array.from(
        { length: 12 },
        (_, j) => `  int f${j}; double d${j}; char name${j}[8];`
      ).join('\n')
      lines.push(`struct s${i} {\n${fields}\n  struct s${i} *next;\n};`)
      lines.push(
        `__attribute__((noinline)) int fn${i}(struct s${i} *p, int depth) {\n` +
          `  struct s${i} local = {0};\n  local.f0 = depth;\n  if (p) local.next = p->next;\n` +
          `  return local.f0 + (p ? p->f1 : 0);\n}`
      )
    }
    lines.push(
      `int (*volatile table${unit}[])(void *, int) = {` +
        Array.from(
          { length: perUnit },
          (_, k) => `(int (*)(void *, int))fn${unit * perUnit + k}`
        ).join(',') +
        '};'
    )
    writeFileSync(join(dir, `unit${unit}.c`), lines.join('\n'))
  }
  writeFileSync(
    join(dir, 'main.c'),
    `#include <pthread.h>
#include <unistd.h>
static void *sleeper(void *arg) { (void)arg; for (;;) sleep(1); return 0; }
__attribute__((noinline)) static void store_result(int *slot, int value) { *slot = value; }
__attribute__((noinline)) static void compute_stage(int depth) { store_result(0, depth); }
static void *crasher(void *arg) { (void)arg; usleep(50000); compute_stage(3); return 0; }
int main(void) {
  pthread_t t[4];
  for (int i = 0; i < 3; i++) pthread_create(&t[i], 0, sleeper, 0);
  pthread_create(&t[3], 0, crasher, 0);
  pthread_join(t[3], 0);
  return 0;
}
`
  )
}

const ws = mkdtempSync(join(tmpdir(), 'crash-capture-bench-'))
mkdirSync(join(ws, 'src'))
console.log(`Workspace: ${ws}`)
generate(join(ws, 'src'))
const build = time(() => {
  const objects = []
  const jobs = []
  for (let unit = 0; unit < UNITS; unit++) objects.push(`src/unit${unit}.o`)
  // Two compilers at a time: the machine has two CPUs.
  for (let unit = 0; unit < UNITS; unit += 2) {
    jobs.push(
      spawnSync(
        'sh',
        [
          '-c',
          [unit, unit + 1]
            .filter((u) => u < UNITS)
            .map((u) => `gcc -g -O0 -c -o src/unit${u}.o src/unit${u}.c &`)
            .join(' ') + ' wait'
        ],
        { cwd: ws }
      )
    )
  }
  execFileSync('gcc', ['-g', '-O0', '-o', 'bigapp', 'src/main.c', ...objects, '-lpthread'], {
    cwd: ws
  })
})
const exeSize = statSync(join(ws, 'bigapp')).size
console.log(
  `Built bigapp: ${(exeSize / 1024 / 1024).toFixed(1)} MiB with ${FUNCTIONS} functions in ${seconds(build)}`
)

// Capture N cores through the action.
const job = await new FakeJob({ workspace: ws, inputs: { 'fail-on-crash': 'false' } }).init()
await job.runStep('main')
for (let i = 0; i < CORES; i++) spawnSync('./bigapp', { cwd: ws })
const post = await timeAsync(() => job.runStep('post'))
const report = JSON.parse(readFileSync(post.value.outputs.report, 'utf8'))
const records = report.groups.flatMap((g) => g.crashes)
console.log(
  `Captured ${records.length} cores; post step (restore, stage, gdb, group, report): ${seconds(post.ms)}`
)
const timings = /crash-capture: timings: (.*)/.exec(post.value.stdout)
if (timings) console.log(`Post step parts: ${timings[1]}`)

// The plain serial loop over the same cores.
const env = { ...process.env }
delete env.DEBUGINFOD_URLS
const outputs = []
const serial = time(() => {
  for (const record of records) {
    const result = spawnSync(
      'gdb',
      [
        '-nx',
        '-batch',
        '-iex',
        'set debuginfod enabled off',
        '-ex',
        'thread apply all bt full',
        join(ws, 'bigapp'),
        record.core
      ],
      { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 }
    )
    outputs.push(result.stdout)
  }
})
const same = records.every(
  (record, i) => record.blame?.function === 'store_result' && /in store_result \(/.test(outputs[i])
)
console.log(`Serial gdb loop over ${records.length} cores: ${seconds(serial)}`)
console.log(
  `Ratio: ${(serial / post.ms).toFixed(2)}x faster (the post step against the loop's gdb time alone)`
)
console.log(`Same crashing function (store_result) in both: ${same ? 'yes' : 'NO'}`)

// No-crash overhead.
const bare = []
const mains = []
const posts = []
const checks = []
for (let i = 0; i < RUNS; i++) {
  bare.push(time(() => spawnSync(process.execPath, ['-e', '0'])))
  const quiet = new FakeJob({ workspace: ws })
  const main = await quiet.runStep('main')
  mains.push(main.ms)
  const check = /Self-check: captured in (\d+) ms/.exec(main.stdout)
  if (check) checks.push(Number(check[1]))
  posts.push((await quiet.runStep('post')).ms)
}
console.log(
  `No crash, medians of ${RUNS}: node -e 0 ${median(bare).toFixed(0)} ms; main ${median(mains).toFixed(0)} ms; post ${median(posts).toFixed(0)} ms` +
    ` (overhead over node -e 0: main +${(median(mains) - median(bare)).toFixed(0)} ms, post +${(median(posts) - median(bare)).toFixed(0)} ms)`
)
// The self-check crash main makes to prove capture: budget 50 ms.
const selfCheck = checks.length === RUNS ? median(checks) : null
console.log(
  selfCheck === null
    ? `Self-check: did not pass in every run (${checks.length} of ${RUNS})`
    : `Self-check: median ${selfCheck} ms of main (max ${Math.max(...checks)} ms), budget 50 ms: ${selfCheck <= 50 ? 'within' : 'OVER'}`
)
process.exit(same && selfCheck !== null && selfCheck <= 50 ? 0 : 1)
