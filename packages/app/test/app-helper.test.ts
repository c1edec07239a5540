import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const CALLS = `
m.counter('orders_total', { labels: { shop: 'eu' }, help: 'Orders placed' });
m.counter('bytes_total', { value: 512 });
m.gauge('queue_depth', 12);
m.gauge('connections', 1, { op: 'dec' });
m.histogram('checkout_seconds', 0.42, { buckets: [0.1, 0.5, 1] });
m.event('sync.done', { message: 'synced', rows: 42 });
`;

/** Runs the built helper in a real Node process (no IPC channel) and returns its output lines as JSON. */
function run(code: string): unknown[] {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
  return out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

const EXPECTED = [
  { velos_metric: 'orders_total', type: 'counter', value: 1, labels: { shop: 'eu' }, help: 'Orders placed' },
  { velos_metric: 'bytes_total', type: 'counter', value: 512 },
  { velos_metric: 'queue_depth', type: 'gauge', value: 12 },
  { velos_metric: 'connections', type: 'gauge', value: 1, op: 'dec' },
  { velos_metric: 'checkout_seconds', type: 'histogram', value: 0.42, buckets: [0.1, 0.5, 1] },
  { message: 'synced', rows: 42, velos_event: 'sync.done' },
];

describe('@velos/app', () => {
  it('prints one JSON line per report (ESM)', () => {
    expect(run(`const m = await import(${JSON.stringify(`${DIST}index.js`)});${CALLS}`)).toEqual(EXPECTED);
  });

  it('works from CommonJS the same way', () => {
    const code = `import { createRequire } from 'node:module'; const m = createRequire(import.meta.url)(${JSON.stringify(`${DIST}index.cjs`)});${CALLS}`;
    expect(run(code)).toEqual(EXPECTED);
  });
});
