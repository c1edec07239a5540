// Throughput of findErrorHints (the sampler's error hints) over 1M synthetic lines — plain, JSON and
// coloured — without rules and with an app's error rule (unanchored, and anchored with ^/$, which is
// tried on every JSON line's message), in 1 MiB chunks as the sampler reads them, best of 3 rounds.
// `--dist <dir>` measures another build of @velos/log-engine (a copy of an older dist/, to compare).
// Usage: pnpm run build && node bench/log-engine/error-hints.mjs [--dist packages/log-engine/dist]
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DIST } from './loghub.mjs';

const { values } = parseArgs({ options: { dist: { type: 'string', default: DIST } } });
const engine = await import(pathToFileURL(join(resolve(values.dist), 'index.js')).href);
const { compileErrorRuleHints, compileUserRules, findErrorHints } = engine;
const LINES = 1_000_000;
const ROUNDS = 3;
const CHUNK_BYTES = 1 << 20;

/** 1M lines of `shape`; one in 997 is `payment declined for order <n>`, which only the rule makes an error. */
function corpus(shape) {
  const out = [];
  for (let i = 0; i < LINES; i++) {
    const msg =
      i % 997 === 0
        ? `payment declined for order ${i}`
        : `GET /api/items/${i % 500} 200 ${i % 90}ms user=${i % 77}`;
    if (shape === 'plain') out.push(`2026-12-03T10:00:00.${String(i % 1000).padStart(3, '0')}Z INFO ${msg}`);
    else if (shape === 'json')
      out.push(JSON.stringify({ time: 1764000000000 + i, msg, pid: 7, hostname: 'h' }));
    // colour codes between the rule's words: only the line without them matches
    else out.push(`\x1b[2m${msg.replace('declined', '\x1b[1mdeclined\x1b[22m')}\x1b[22m`);
  }
  return Buffer.from(`${out.join('\n')}\n`);
}

const RULES = {
  none: undefined,
  unanchored: compileErrorRuleHints(compileUserRules([{ match: 'payment declined', level: 'error' }])),
  anchored: compileErrorRuleHints(
    compileUserRules([{ match: '^payment declined for order \\d+$', level: 'error' }]),
  ),
};

console.log(`findErrorHints over ${LINES.toLocaleString('en-US')} lines, best of ${ROUNDS} (${values.dist})`);
for (const shape of ['plain', 'json', 'ansi']) {
  const data = corpus(shape);
  for (const [name, rules] of Object.entries(RULES)) {
    let bestMs = Number.POSITIVE_INFINITY;
    let hits = 0;
    for (let round = 0; round < ROUNDS; round++) {
      hits = 0;
      const started = performance.now();
      for (let at = 0; at < data.length; ) {
        let end = Math.min(data.length, at + CHUNK_BYTES);
        if (end < data.length) end = data.indexOf(10, end) + 1;
        hits += findErrorHints(data.subarray(at, end), 'out', rules ? { rules } : {}).length;
        at = end;
      }
      bestMs = Math.min(bestMs, performance.now() - started);
    }
    const mb = data.length / 1e6;
    console.log(
      `${shape.padEnd(5)} ${name.padEnd(10)} ${mb.toFixed(0)} MB  ${bestMs.toFixed(0)} ms  ${(mb / (bestMs / 1000)).toFixed(0)} MB/s  ${hits} hints`,
    );
  }
}
