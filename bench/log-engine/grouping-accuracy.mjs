// Grouping accuracy (GA) of `velos-log templates` on the labelled loghub 2k samples: the Content column
// of each *_2k.log_structured.csv is fed to the bin on stdin, one id per line comes back.
// Also shows the ids printed online (--stream) and a plain Drain baseline with one default configuration.
// `--data <dir>` (or VELOS_LOGHUB_DIR) scores every <Name>/<Name>_2k.log_structured.csv of another directory.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createDrain } from './drain-baseline.mjs';
import { DATASETS, DIST, groupingAccuracy, loadDataset, requireInputs } from './loghub.mjs';

requireInputs();
const { normalizeLine } = await import(join(DIST, 'index.js'));

function velosLogIds(lines, extra = []) {
  const result = spawnSync(process.execPath, [join(DIST, 'cli.js'), 'templates', '-', ...extra], {
    input: `${lines.join('\n')}\n`,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`velos-log failed: ${result.stderr}`);
  const out = result.stdout.split('\n').slice(0, -1);
  if (out.length !== lines.length)
    throw new Error(`expected ${lines.length} output lines, got ${out.length}`);
  return out.map((line) => line.slice(0, line.indexOf('\t')));
}

function drainIds(lines) {
  const drain = createDrain();
  return lines.map((line) => drain.add(line));
}

const columns = ['velos-log', 'velos-log --stream', 'Drain (default)', 'Drain + velos masks'];
const sums = columns.map(() => 0);
console.log(`${'dataset'.padEnd(12)} ${'lines'.padStart(6)}${columns.map((c) => c.padStart(20)).join('')}`);
for (const name of DATASETS) {
  const rows = loadDataset(name);
  const lines = rows.map((r) => r.content);
  const truth = rows.map((r) => r.eventId);
  const scores = [
    groupingAccuracy(velosLogIds(lines), truth),
    groupingAccuracy(velosLogIds(lines, ['--stream']), truth),
    groupingAccuracy(drainIds(lines), truth),
    groupingAccuracy(drainIds(lines.map(normalizeLine)), truth),
  ];
  scores.forEach((s, i) => {
    sums[i] += s;
  });
  console.log(
    `${name.padEnd(12)} ${String(lines.length).padStart(6)}${scores.map((s) => s.toFixed(4).padStart(20)).join('')}`,
  );
}
console.log(
  `${'mean'.padEnd(12)} ${''.padStart(6)}${sums.map((s) => (s / DATASETS.length).toFixed(4).padStart(20)).join('')}`,
);
