// Throughput of template mining + classification, in process on one core, over the loghub 2k samples
// (each repeated to 1M lines, best of 3 rounds) and of the full streaming engine (LogEngine.push).
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { DATASETS, DIST, loadDataset, requireInputs } from './loghub.mjs';

requireInputs();
const { TemplateMiner, LogEngine, createClassifier } = await import(join(DIST, 'index.js'));
const TARGET_LINES = 1_000_000;

const ROUNDS = 3;

/** Best of ROUNDS rounds of TARGET_LINES lines: the machine is shared, the best round is the least disturbed. */
function measure(lines, run) {
  const reps = Math.ceil(TARGET_LINES / lines.length);
  run(lines.slice(0, 200)); // warm-up
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let r = 0; r < reps; r++) run(lines);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    best = Math.max(best, Math.round((reps * lines.length) / seconds));
  }
  return best;
}

console.log(`node ${process.version}, ${cpus().length} CPU(s): ${cpus()[0]?.model ?? 'unknown'}`);
console.log(
  `load average before: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
let totalLines = 0;
let totalSeconds = 0;
for (const name of DATASETS) {
  const lines = loadDataset(name).map((row) => row.content);
  // A fresh miner and classifier per dataset, kept across repetitions: what a long-running process sees.
  const miner = new TemplateMiner();
  const classify = createClassifier();
  let sink = 0;
  const mining = measure(lines, (batch) => {
    for (const line of batch) {
      sink += miner.add(line);
      if (classify(line) === 'error') sink++;
    }
  });
  const engine = new LogEngine();
  let ts = Date.parse('2026-11-22T10:00:00Z');
  const pushing = measure(lines, (batch) => {
    for (const line of batch) {
      ts += 5;
      engine.push({ ts, stream: 'out', line });
    }
  });
  totalLines += TARGET_LINES;
  totalSeconds += TARGET_LINES / mining;
  console.log(
    `${name.padEnd(10)} mining+classification ${mining.toLocaleString('en-US').padStart(9)} lines/s` +
      `   LogEngine.push ${pushing.toLocaleString('en-US').padStart(9)} lines/s   (${miner.size} templates, ${sink > 0 ? 'ok' : ''})`,
  );
}
console.log(
  `overall mining+classification ${Math.round(totalLines / totalSeconds).toLocaleString('en-US')} lines/s`,
);
