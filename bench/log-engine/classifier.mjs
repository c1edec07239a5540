// Cost of the level classifier alone (`createClassifier`) and of the record parser the engine runs on each
// line (`createRecordParser`: colours, JSON, <PRI>, time and klog header, logfmt, classification), one core,
// CPU time of the process per round (other jobs on a shared machine weigh less than with wall time).
//
//   node bench/log-engine/classifier.mjs [--against <checkout>] [--runs 5] [--rounds 15] [--lines 20000]
//
// Alone it measures this checkout's build. With --against it alternates this checkout's build and the other
// checkout's (each run a fresh process, the order swapped run by run) and prints the median of the runs for
// each (a run's figure: its best round), with the ratio. Inputs: `mix`, lines like users' (every kind of the generated corpus, a share of them
// behind an ISO time as `--time` writes it, a syslog date, colour codes, JSON and logfmt lines, a fifth on
// stderr; seeded), and the loghub 2k samples as files hold them when present.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from '../lib/stats.mjs';
import { usersMix } from './corpus/users-mix.mjs';
import { DATASETS, LOGHUB_DIR, REPO_ROOT } from './loghub.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at === -1 ? fallback : args[at + 1];
};
const RUNS = Number(option('--runs', 5));
const ROUNDS = Number(option('--rounds', 15));
const LINES = Number(option('--lines', 20_000));

/** The line as a string of its own, as the daemon decodes it from a buffer (not a slice of a file's text). */
function flat(line) {
  return Buffer.from(line, 'utf8').toString('utf8');
}

/** The inputs: the mix, then each loghub sample's raw lines (stdout) when the samples are present. */
function inputs() {
  const sets = [['mix', usersMix(20_000).map(({ line, stream }) => ({ line: flat(line), stream }))]];
  for (const name of DATASETS) {
    const file = join(LOGHUB_DIR, name, `${name}_2k.log`);
    if (!existsSync(file)) continue;
    const lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.length > 0);
    sets.push([name, lines.map((line) => ({ line: flat(line), stream: 'out' }))]);
  }
  return sets;
}

/**
 * Lines per second of CPU time for `run` over `records`: the best of ROUNDS rounds of about LINES lines. On a
 * shared machine the best round is the least disturbed one; the runs' medians are compared.
 */
function measure(records, run) {
  const reps = Math.max(1, Math.round(LINES / records.length));
  for (let i = 0; i < 5; i++) run(records); // warm-up: the optimising compiler settles
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const before = process.cpuUsage();
    for (let r = 0; r < reps; r++) run(records);
    const used = process.cpuUsage(before);
    best = Math.max(best, (reps * records.length) / ((used.user + used.system) / 1e6));
  }
  return best;
}

async function child(dist) {
  const { createClassifier, createRecordParser } = await import(join(dist, 'index.js'));
  const result = {};
  for (const [name, records] of inputs()) {
    const classify = createClassifier();
    const context = { stream: 'out' };
    let sink = 0;
    result[`${name} classifier`] = measure(records, (batch) => {
      for (const record of batch) {
        context.stream = record.stream;
        if (classify(record.line, context) === 'error') sink++;
      }
    });
    const parse = createRecordParser();
    result[`${name} record parser`] = measure(records, (batch) => {
      for (const record of batch) sink += parse(record).message.length;
    });
    if (sink === 0) throw new Error('nothing classified');
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function runChild(checkout) {
  const dist = join(checkout, 'packages/log-engine/dist');
  const script = fileURLToPath(import.meta.url);
  const rest = ['--rounds', String(ROUNDS), '--lines', String(LINES), '--data', LOGHUB_DIR];
  const run = spawnSync(process.execPath, [script, '--child', dist, ...rest], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${checkout}: ${run.stderr.trim()}`);
  return JSON.parse(run.stdout);
}

const format = (rate) => `${(rate / 1e6).toFixed(2)}M`;

if (args[0] === '--child') await child(args[1]);
else {
  const against = option('--against', undefined);
  const builds = against === undefined ? [REPO_ROOT] : [resolve(against), REPO_ROOT];
  for (const checkout of builds) {
    if (!existsSync(join(checkout, 'packages/log-engine/dist/index.js')))
      throw new Error(`${checkout}: packages/log-engine/dist is missing: build it first`);
  }
  console.log(`node ${process.version}, ${cpus().length} CPU(s), load ${loadavg()[0].toFixed(2)} before`);
  const results = builds.map(() => []);
  for (let run = 0; run < RUNS; run++) {
    const order = run % 2 === 0 ? builds.map((_, i) => i) : builds.map((_, i) => i).reverse();
    for (const i of order) results[i].push(runChild(builds[i]));
  }
  console.log(
    `load ${loadavg()[0].toFixed(2)} after; lines/s of CPU time (best round of a run), median of ${RUNS} runs`,
  );
  const names = Object.keys(results[0][0]);
  const header = builds.length === 1 ? 'this build' : `${against} | this build | ratio (runs' ratios)`;
  console.log(`| input | ${header} |`);
  for (const name of names) {
    const medians = results.map((runs) => median(runs.map((r) => r[name])));
    if (builds.length === 1) console.log(`| ${name} | ${format(medians[0])} |`);
    else {
      const ratios = results[1].map((r, k) => r[name] / results[0][k][name]);
      const spread = `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`;
      console.log(
        `| ${name} | ${format(medians[0])} | ${format(medians[1])} | ${(medians[1] / medians[0]).toFixed(3)} (${spread}) |`,
      );
    }
  }
}
