// Flat memory on an endless stream: 10M synthetic lines (300 recurring templates with random values, plus
// 2% never-seen-before lines that force the template bound) pushed through LogEngine with advancing time.
// Run with --expose-gc for exact heap figures: node --expose-gc bench/log-engine/memory.mjs [lines]
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DIST } from './loghub.mjs';

if (!existsSync(join(DIST, 'index.js'))) {
  console.error('packages/log-engine/dist is missing: run `pnpm --filter @velos/log-engine build` first');
  process.exit(1);
}
const { LogEngine } = await import(join(DIST, 'index.js'));
const TOTAL = Number(process.argv[2] ?? 10_000_000);
const SAMPLE_EVERY = TOTAL / 10;

let seed = 42;
const random = () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
};
const pick = (list) => list[Math.floor(random() * list.length)];
const WORDS =
  'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu amber basil cedar dahlia ember fern garnet hazel iris jasper kelp lotus maple nectar olive pearl quartz raven sage thistle umber violet willow yarrow zinnia'.split(
    ' ',
  );
const VERBS = [
  'started',
  'stopped',
  'failed',
  'retried',
  'queued',
  'finished',
  'rejected',
  'accepted',
  'expired',
  'synced',
];
const LEVELS = ['INFO', 'INFO', 'INFO', 'WARN', 'ERROR', 'DEBUG'];
// 300 recurring templates: a fixed prefix of words, then values that vary from line to line.
const TEMPLATES = Array.from({ length: 300 }, (_, t) => {
  const prefix = `${LEVELS[t % LEVELS.length]} ${WORDS[t % WORDS.length]} ${WORDS[(t * 7) % WORDS.length]} ${VERBS[t % VERBS.length]}`;
  return () =>
    `${prefix} job ${Math.floor(random() * 1e6)} from 10.${t % 256}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}:${1024 + Math.floor(random() * 60000)} in ${Math.floor(random() * 5000)}ms`;
});
const unique = () => Array.from({ length: 4 + Math.floor(random() * 5) }, () => pick(WORDS)).join(' ');

const engine = new LogEngine();
let ts = Date.parse('2026-11-22T00:00:00Z');
const rows = [];
const start = process.hrtime.bigint();
for (let i = 1; i <= TOTAL; i++) {
  const line = random() < 0.02 ? unique() : TEMPLATES[Math.floor(random() * TEMPLATES.length)]();
  ts += 2;
  engine.push({ ts, stream: 'out', line });
  if (i % SAMPLE_EVERY === 0) {
    globalThis.gc?.();
    const { heapUsed, rss } = process.memoryUsage();
    rows.push({ lines: i, heapMB: heapUsed / 2 ** 20, rssMB: rss / 2 ** 20, templates: engine.miner.size });
  }
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(
  `${TOTAL.toLocaleString('en-US')} lines in ${seconds.toFixed(1)}s (${Math.round(TOTAL / seconds).toLocaleString('en-US')} lines/s incl. generation), gc ${globalThis.gc ? 'exposed' : 'not exposed'}`,
);
console.log('     lines   heap MB    rss MB  templates');
for (const r of rows) {
  console.log(
    `${r.lines.toLocaleString('en-US').padStart(10)} ${r.heapMB.toFixed(1).padStart(9)} ${r.rssMB.toFixed(1).padStart(9)} ${String(r.templates).padStart(10)}`,
  );
}
const later = rows.slice(1);
const growth = Math.max(...later.map((r) => r.heapMB)) - Math.min(...later.map((r) => r.heapMB));
console.log(
  `heap spread after the first sample: ${growth.toFixed(1)} MB; templates bounded at ${Math.max(...rows.map((r) => r.templates))}`,
);
