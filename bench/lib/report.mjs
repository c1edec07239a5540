// Result rows (medians, ratios, targets), the printed table and the JSON results file.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, ratio, summarize } from './stats.mjs';

const SIDES = ['floor', 'velos', 'pm2'];

/**
 * One result line: `samples` per side (floor, velos, pm2; arrays, or absent), reduced by `aggregate`
 * ('median', or 'max' for error counts), the Velos ratio against `base` ('floor' or 'pm2') and the PM2
 * ratio against the floor, and whether Velos meets `target` ({kind: 'floor-ratio'|'max'|'min'|'zero'|'below-pm2',
 * value?, text}).
 */
export function makeRow({ metric, unit, samples, base = null, target = null, aggregate = 'median' }) {
  const reduce = aggregate === 'max' ? (list) => (list.length ? Math.max(...list) : null) : median;
  const values = {};
  const stats = {};
  for (const side of SIDES) {
    const list = samples[side];
    values[side] = Array.isArray(list) ? reduce(list) : null;
    if (Array.isArray(list)) stats[side] = { ...summarize(list), samples: list.map(round) };
  }
  const ratios = {
    velos: base ? ratio(values.velos, values[base]) : null,
    pm2: base === 'floor' ? ratio(values.pm2, values.floor) : null,
  };
  return {
    metric,
    unit,
    aggregate,
    base,
    values,
    ratios,
    target,
    met: evaluate(target, values, ratios),
    stats,
  };
}

/** The results as a fixed-width text table, one line per row. */
export function formatTable(scenarios) {
  const header = ['scenario', 'metric', 'floor', 'velos', 'pm2', 'velos ratio', 'pm2 ratio', 'target', 'met'];
  const lines = [header];
  for (const scenario of scenarios) {
    if (scenario.error) lines.push([scenario.name, `error: ${scenario.error}`, '', '', '', '', '', '', '']);
    for (const row of scenario.rows ?? []) {
      lines.push([
        scenario.name,
        `${row.metric} (${row.unit})`,
        formatValue(row.values.floor, row.unit),
        formatValue(row.values.velos, row.unit),
        formatValue(row.values.pm2, row.unit),
        row.ratios.velos === null
          ? '-'
          : `${row.ratios.velos.toFixed(2)}x ${row.base === 'pm2' ? 'PM2' : 'floor'}`,
        row.ratios.pm2 === null ? '-' : `${row.ratios.pm2.toFixed(2)}x floor`,
        row.target?.text ?? '',
        row.met === null ? (row.target ? 'n/a' : '') : row.met ? 'MET' : 'MISSED',
      ]);
    }
  }
  const widths = header.map((_, i) => Math.max(...lines.map((line) => String(line[i]).length)));
  return lines
    .map((line) =>
      line
        .map((cell, i) => String(cell).padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A value in its unit for the table ('-' when missing). */
export function formatValue(value, unit) {
  if (value === null || value === undefined) return '-';
  if (unit === 'count') return String(Math.round(value));
  if (unit === 's') return value.toFixed(2);
  if (unit === 'lines/s') return `${Math.round(value / 1000)}k`;
  return value.toFixed(1);
}

/** Writes the results document to `<dir>/<YYYY-MM-DD-HHMMSS>.json` and returns the path. */
export function writeResults(dir, document) {
  mkdirSync(dir, { recursive: true });
  const iso = new Date().toISOString();
  const stamp = `${iso.slice(0, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
  const path = join(dir, `${stamp}.json`);
  writeFileSync(path, `${JSON.stringify(document, null, 2)}\n`);
  return path;
}

function evaluate(target, values, ratios) {
  if (!target || values.velos === null) return null;
  switch (target.kind) {
    case 'floor-ratio':
      return ratios.velos === null ? null : ratios.velos <= target.value;
    case 'max':
      return values.velos <= target.value;
    case 'min':
      return values.velos >= target.value;
    case 'zero':
      return values.velos === 0;
    case 'below-pm2':
      return values.pm2 === null ? null : values.velos < values.pm2;
    default:
      return null;
  }
}

function round(value) {
  return Math.round(value * 1000) / 1000;
}
