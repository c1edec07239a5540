#!/usr/bin/env node
// Prints a results file of bench/run.mjs as Markdown (for docs/benchmarks.md): node bench/to-markdown.mjs <results.json>
import { readFileSync } from 'node:fs';
import { formatValue } from './lib/report.mjs';

const path = process.argv[2];
if (!path) {
  console.error('usage: node bench/to-markdown.mjs bench/results/<date>.json');
  process.exit(2);
}
const doc = JSON.parse(readFileSync(path, 'utf8'));
const env = doc.environment;
const out = [
  `Run of ${doc.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${doc.options.runs} runs${doc.options.quick ? ' (--quick)' : ''}: ` +
    `nproc ${env.nproc}, ${env.cpuModel}, ${env.memoryTotalMB} MB RAM, Linux ${env.kernel}, Node ${doc.versions.node}, ` +
    `Velos ${doc.versions.velos ?? 'not measured'}, PM2 ${doc.versions.pm2 ?? 'not measured'}; ` +
    `load average ${env.loadavg.join(' ')} at the start, ${env.loadavgAfter.join(' ')} at the end.`,
  '',
  '| scenario | metric | floor | Velos | PM2 | Velos ratio | PM2 ratio | target | met |',
  '|---|---|---:|---:|---:|---:|---:|---|---|',
];
for (const scenario of doc.scenarios) {
  if (scenario.error) out.push(`| ${scenario.name} | error: ${scenario.error} | | | | | | | |`);
  for (const row of scenario.rows ?? []) {
    const ratio = (value, base) => (value === null ? '' : `${value.toFixed(2)}x ${base}`);
    out.push(
      `| ${scenario.name} | ${row.metric} (${row.unit}) | ${cell(row.values.floor, row.unit)} | ${cell(row.values.velos, row.unit)} | ` +
        `${cell(row.values.pm2, row.unit)} | ${ratio(row.ratios.velos, row.base === 'pm2' ? 'PM2' : 'floor')} | ` +
        `${ratio(row.ratios.pm2, 'floor')} | ${row.target?.text ?? ''} | ${row.met === null ? '' : row.met ? 'met' : '**missed**'} |`,
    );
  }
}
console.log(out.join('\n'));

function cell(value, unit) {
  const text = formatValue(value, unit);
  return text === '-' ? '' : text;
}
