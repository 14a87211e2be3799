// npm run bench: figures for the analysis speed at a server's scale and the no-crash overhead,
// measured in one run against the plain approach (benchmarks, not tests: nothing here gates CI).
//
// 1. Builds a server-shaped program: over 20 MiB with full debug info (-O2 -g), multi-threaded,
//    with a large, mostly untouched heap (sparse cores) whose used part is half text records,
//    half random bytes. It crashes 11 times with one bug (a
//    panic: abort() from a helper) and 3 times with others, in two cases:
//    - "handler": through the action's pipe handler (zstd);
//    - "file cores": into /tmp/core under a file core_pattern set by a later step, as many
//      projects' CI does.
//    For each it times the usual serial loop `gdb -batch -ex 'thread apply all bt full' exe
//    core`, and the whole post step with `upload: all` twice: with the artifact staged only
//    (no artifact service, as off GitHub), and staged and uploaded through a loopback artifact
//    service (the real @actions/artifact client), with its parts; and counts the bytes. Each
//    case runs BENCH_ROUNDS times (3 by default): the table gives the medians, each round's
//    figures follow it (a shared 2-CPU VM moves the loop alone by ±15 % from run to run).
// 2. A storm of one bug (BENCH_STORM crashes, 50 by default) against a single crash: what each
//    duplicate adds to post.
// 3. Times main + post with no crash against `node -e 0`, and main's self-check.
import { execFileSync, spawnSync } from 'node:child_process'
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'esbuild'
import { FakeJob } from './runner.mjs'

const FUNCTIONS = Number(process.env.BENCH_FUNCTIONS ?? 40000)
const STORM = Number(process.env.BENCH_STORM ?? 50)
const UNITS = 8
const RUNS = 7
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const CRASHES = [...Array(11).fill('panic'), 'segv', 'fpe', 'abort']

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`
const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
/* A server: worker threads, a large heap of which a part is in use, and a few ways to die. */
static const char *mode = "panic";
static void *sleeper(void *arg) { (void)arg; for (;;) sleep(1); return 0; }
__attribute__((noinline)) static void server_panic(const char *why) {
  fprintf(stderr, "PANIC: %s\\n", why);
  abort();
}
__attribute__((noinline)) static void check_session(int *session) {
  if (session[0] != 0x5e55) server_panic("session corrupted");
}
__attribute__((noinline)) static void store_result(int *slot, int value) { *(volatile int *)slot = value; }
__attribute__((noinline)) static int ratio(int a, int b) { return a / b; }
__attribute__((noinline)) static void handle_request(int *session) {
  if (!strcmp(mode, "panic")) check_session(session);
  else if (!strcmp(mode, "segv")) store_result((int *)(long)session[3], session[1]);
  else if (!strcmp(mode, "fpe")) session[2] = ratio(session[1], session[3]);
  else abort();
}
static void *worker(void *arg) { usleep(20000); handle_request(arg); return 0; }
int main(int argc, char **argv) {
  if (argc > 1) mode = argv[1];
  /* 192 MiB of heap, 16 MiB of it written: cores are large and mostly sparse. */
  size_t size = 192u << 20, used = 16u << 20;
  unsigned char *heap = malloc(size);
  unsigned x = 2463534242u;
  /* Half of it session records (text, compressible), half random bytes (not). */
  for (size_t i = 0; i < used / 2; i += 64)
    snprintf((char *)heap + i, 64, "session=%08zu peer=10.0.%zu.%zu state=ESTABLISHED bytes=%zu", i, (i >> 8) & 255, i & 255, i * 7);
  for (size_t i = used / 2; i < used; i += 4) { x ^= x << 13; x ^= x >> 17; x ^= x << 5; memcpy(heap + i, &x, 4); }
  int *session = (int *)(heap + used);
  session[0] = 0xdead; session[1] = 7; session[3] = 0;
  pthread_t t[4];
  for (int i = 0; i < 3; i++) pthread_create(&t[i], 0, sleeper, 0);
  pthread_create(&t[3], 0, worker, session);
  pthread_join(t[3], 0);
  return 0;
}
`
  )
}

// The loopback artifact service of the tests, built from its TypeScript source.
const fakeModule = join(mkdtempSync(join(tmpdir(), 'crash-capture-bench-fake-')), 'fake.mjs')
await build({
  entryPoints: ['__fixtures__/fake-artifact-service.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: fakeModule,
  logLevel: 'warning'
})
const { FakeArtifactService } = await import(fakeModule)
const service = await new FakeArtifactService().start()

const ws = mkdtempSync(join(tmpdir(), 'crash-capture-bench-'))
mkdirSync(join(ws, 'src'))
console.log(`Workspace: ${ws}`)
generate(join(ws, 'src'))
const built = time(() => {
  const objects = []
  for (let unit = 0; unit < UNITS; unit++) objects.push(`src/unit${unit}.o`)
  // Two compilers at a time: the machine has two CPUs.
  for (let unit = 0; unit < UNITS; unit += 2) {
    spawnSync(
      'sh',
      [
        '-c',
        [unit, unit + 1]
          .filter((u) => u < UNITS)
          .map((u) => `gcc -g -O2 -c -o src/unit${u}.o src/unit${u}.c &`)
          .join(' ') + ' wait'
      ],
      { cwd: ws }
    )
  }
  execFileSync('gcc', ['-g', '-O2', '-o', 'server', 'src/main.c', ...objects, '-lpthread'], {
    cwd: ws
  })
})
const exeSize = statSync(join(ws, 'server')).size
console.log(
  `Built server: ${mib(exeSize)} with ${FUNCTIONS} functions, -O2 -g, in ${seconds(built)}`
)

const gdbEnv = { ...process.env }
delete gdbEnv.DEBUGINFOD_URLS
/** The plain serial loop over core files; returns its time and gdb's outputs. */
function serialLoop(cores) {
  const outputs = []
  const ms = time(() => {
    for (const core of cores) {
      const result = spawnSync(
        'gdb',
        [
          '-nx',
          '-batch',
          '-iex',
          'set debuginfod enabled off',
          '-ex',
          'thread apply all bt full',
          join(ws, 'server'),
          core
        ],
        { encoding: 'utf8', env: gdbEnv, maxBuffer: 64 * 1024 * 1024 }
      )
      outputs.push(result.stdout)
    }
  })
  return { ms, outputs }
}

/** Bytes of files: apparent and allocated on disk. */
function bytesOf(paths) {
  let apparent = 0
  let allocated = 0
  for (const path of paths) {
    const info = statSync(path)
    apparent += info.size
    allocated += info.blocks * 512
  }
  return { apparent, allocated }
}

const kernel = (name) => readFileSync(`/proc/sys/kernel/${name}`, 'utf8').trim()
let attempt = 0
/** A job of the bench; `upload`: with the loopback artifact service (else the bundle is staged only). */
function newJob(inputs = {}, upload = true) {
  attempt += 1
  return new FakeJob({
    workspace: ws,
    inputs: {
      'fail-on-crash': 'false',
      ...(process.env.BENCH_LEVEL ? { 'compression-level': process.env.BENCH_LEVEL } : {}),
      ...inputs
    },
    env: {
      ...(upload ? service.env() : {}),
      GITHUB_REPOSITORY: 'octo/server',
      GITHUB_RUN_ID: '4242',
      GITHUB_JOB: `bench${attempt}`,
      GITHUB_RUN_ATTEMPT: '1'
    }
  })
}

/** Waits until the handler has finished `count` crashes of the job. */
async function handled(job, count) {
  const crashes = join(JSON.parse(job.state.capture).sessionDir, 'crashes')
  for (let waited = 0; waited < 60_000; waited += 50) {
    const done = readdirSync(crashes).filter((name) => {
      try {
        statSync(join(crashes, name, 'result'))
        return true
      } catch {
        return false
      }
    }).length
    if (done >= count) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`the handler finished fewer than ${count} crashes`)
}

/** The whole post step, timed, with its parts and the bytes it staged and uploaded. */
async function timedPost(job) {
  const post = await timeAsync(() => job.runStep('post'))
  const stdout = post.value.stdout
  const parts = Object.fromEntries(
    (/crash-capture: timings: (.*)/.exec(stdout)?.[1] ?? '')
      .split(', ')
      .map((part) => /^(.*) (\d+) ms$/.exec(part))
      .filter(Boolean)
      .map((m) => [m[1], Number(m[2])])
  )
  const upload = /uploaded the artifact '[^']*' \((\d+) bytes from (\d+) staged[;)]/.exec(stdout)
  const report = JSON.parse(readFileSync(post.value.outputs.report, 'utf8'))
  // A round's stage holds its cores and bundle: hundreds of MiB, gone once read.
  await job.remove()
  return {
    ms: post.ms,
    parts,
    uploaded: upload ? Number(upload[1]) : 0,
    staged: upload ? Number(upload[2]) : 0,
    groups: report.groups,
    records: report.groups.flatMap((g) => g.crashes),
    stdout
  }
}

const rows = []
/** True when gdb's text has a frame in `fn` (`#3  0x… in fn (` or, at a line's start, `#0  fn (`). */
const shows = (out, fn) => new RegExp(`^#\\d+ +(?:0x[0-9a-f]+ in )?${fn} \\(`, 'm').test(out)
/** The blamed functions of post are the ones the loop's gdb shows, core for core. */
function sameFunctions(loop, post) {
  const blamed = [...new Set(post.records.map((r) => r.blame?.function))]
  return (
    blamed.every((f) => f && loop.outputs.some((out) => shows(out, f))) &&
    loop.outputs.every((out) => blamed.some((f) => shows(out, f)))
  )
}
/** A case's rounds, each {loop, staged, uploaded, raw}: its row holds the medians. */
function row(name, rounds) {
  const middle = (pick) => median(rounds.map(pick))
  const uploadedMs = middle((r) => r.uploaded.ms)
  rows.push({
    name,
    rounds,
    loop: middle((r) => r.loop.ms),
    staged: middle((r) => r.staged.ms),
    uploaded: uploadedMs,
    // The parts and bytes of the round whose upload took the median time.
    typical: rounds.find((r) => r.uploaded.ms === uploadedMs).uploaded,
    raw: rounds[0].raw,
    same: rounds.every((r) => sameFunctions(r.loop, r.staged) && sameFunctions(r.loop, r.uploaded))
  })
}

/** Case 1, through the handler: the crashes, and the cores (decompressed, not timed) for the loop. */
async function handlerCase(upload) {
  const job = newJob({}, upload)
  await job.runStep('main')
  for (const mode of CRASHES) spawnSync('./server', [mode], { cwd: ws, env: job.processEnv() })
  await handled(job, CRASHES.length)
  const crashes = join(JSON.parse(job.state.capture).sessionDir, 'crashes')
  const plain = mkdtempSync(join(tmpdir(), 'crash-capture-bench-cores-'))
  const cores = readdirSync(crashes).map((name) => {
    const core = join(plain, `core.${name}`)
    execFileSync('zstd', ['-q', '-d', join(crashes, name, 'core.zst'), '-o', core])
    return core
  })
  const post = await timedPost(job)
  return { post, cores, cleanup: () => rmSync(plain, { recursive: true, force: true }) }
}

/** Case 2: file cores in /tmp/core, from a core_pattern a later step set. */
async function fileCase(upload, body) {
  const before = { pattern: kernel('core_pattern') }
  rmSync('/tmp/core', { recursive: true, force: true })
  mkdirSync('/tmp/core', { mode: 0o1777 })
  const job = newJob({}, upload)
  await job.runStep('main')
  writeFileSync('/proc/sys/kernel/core_pattern', '/tmp/core/core.%e.%p')
  try {
    for (const mode of CRASHES)
      spawnSync('sh', ['-c', 'ulimit -c unlimited; exec ./server "$0"', mode], { cwd: ws })
    const cores = readdirSync('/tmp/core').map((name) => join('/tmp/core', name))
    const raw = bytesOf(cores)
    const post = await timedPost(job)
    return await body(post, cores, raw)
  } finally {
    writeFileSync('/proc/sys/kernel/core_pattern', before.pattern)
    rmSync('/tmp/core', { recursive: true, force: true })
  }
}

// Each round of a case: the artifact staged only (no artifact service: not on GitHub), the loop
// on that run's cores, then staged and uploaded.
{
  const rounds = []
  for (let round = 0; round < ROUNDS; round++) {
    const staged = await handlerCase(false)
    const loop = serialLoop(staged.cores)
    const raw = bytesOf(staged.cores)
    staged.cleanup()
    const uploaded = await handlerCase(true)
    uploaded.cleanup()
    rounds.push({ loop, staged: staged.post, uploaded: uploaded.post, raw })
  }
  row('handler (zstd)', rounds)
}
{
  const rounds = []
  for (let round = 0; round < ROUNDS; round++) {
    const first = await fileCase(false, (post, cores, raw) => ({
      post,
      raw,
      loop: serialLoop(cores)
    }))
    const uploaded = await fileCase(true, (post) => post)
    rounds.push({ loop: first.loop, staged: first.post, uploaded, raw: first.raw })
  }
  row('file cores (/tmp/core)', rounds)
}

console.log(
  `\n${CRASHES.length} crashes of a ${mib(exeSize)} server (11 of one panic, 3 others), post with upload: all, medians of ${ROUNDS} rounds:\n`
)
console.log(
  '| case | serial loop | post, artifact staged | × | post, artifact staged and uploaded | × | collect | analysis | staging | end of the upload | raw cores (apparent / on disk) | staged | uploaded | same function |'
)
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|')
// The "done when": staged ≥ 4× and the artifact ≤ 1/10 of the raw cores (apparent
// bytes, as `ls -l` shows them); its further goal: ≥ 3× with the upload.
let done = true
let withUpload = true
for (const r of rows) {
  const staged = r.loop / r.staged
  const uploaded = r.loop / r.uploaded
  done &&= staged >= 4 && r.same && r.typical.uploaded * 10 <= r.raw.apparent
  withUpload &&= uploaded >= 3
  const p = r.typical.parts
  console.log(
    `| ${r.name} | ${seconds(r.loop)} | ${seconds(r.staged)} | ${staged.toFixed(2)} | ${seconds(r.uploaded)} | ${uploaded.toFixed(2)} | ${p.collect ?? 0} ms | ${p.analysis ?? 0} ms | ${p.staging ?? 0} ms | ${p['end of the upload'] ?? 0} ms | ${mib(r.raw.apparent)} / ${mib(r.raw.allocated)} | ${mib(r.typical.staged)} | ${mib(r.typical.uploaded)} | ${r.same ? 'yes' : 'NO'} |`
  )
}
console.log(
  '(parts and bytes: of the round whose uploading post took the median time; the zip and its upload run during the analysis, "end of the upload" is what is left after the staging: the last block, the reports, the finalizing)'
)
for (const r of rows)
  console.log(
    `${r.name}, each round (loop; staged ×; uploaded ×): ` +
      r.rounds
        .map(
          (x) =>
            `${seconds(x.loop.ms)}; ${seconds(x.staged.ms)} ${(x.loop.ms / x.staged.ms).toFixed(2)}×; ${seconds(x.uploaded.ms)} ${(x.loop.ms / x.uploaded.ms).toFixed(2)}×`
        )
        .join(' | ')
  )
console.log(
  `Goals: post with the artifact staged ≥ 4× the loop and the artifact ≤ 1/10 of the raw cores (apparent bytes): ${done ? 'met' : 'NOT MET'}; ≥ 3× with its upload: ${withUpload ? 'met' : 'NOT MET'}`
)

// A storm of one bug against a single crash.
const storm = []
for (const count of [1, STORM]) {
  const job = newJob({ upload: 'none' })
  await job.runStep('main')
  for (let i = 0; i < count; i++)
    spawnSync('./server', ['panic'], { cwd: ws, env: job.processEnv() })
  await handled(job, count)
  storm.push(await timedPost(job))
}
const perDuplicate = (storm[1].ms - storm[0].ms) / (STORM - 1)
console.log(
  `\nStorm of one bug (upload: none): 1 crash ${seconds(storm[0].ms)} (${JSON.stringify(storm[0].parts)}); ${STORM} crashes ${seconds(storm[1].ms)} (${JSON.stringify(storm[1].parts)}); each duplicate adds ${perDuplicate.toFixed(0)} ms`
)
await service.stop()

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
  // A job's steps run between main and post: main's background gdb (analyze/warm.ts) is done
  // by then, and is not post's time.
  await new Promise((resolve) => setTimeout(resolve, 1500))
  const check = /Self-check: captured in (\d+) ms/.exec(main.stdout)
  if (check) checks.push(Number(check[1]))
  posts.push((await quiet.runStep('post')).ms)
  await quiet.remove()
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
process.exit(done && withUpload && selfCheck !== null && selfCheck <= 50 ? 0 : 1)
