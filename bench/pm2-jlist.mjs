#!/usr/bin/env node
// `velos jlist` (PM2's shape: describe + one configGet per app) next to `velos list --json`, with N apps:
// node bench/pm2-jlist.mjs [--apps 20] [--runs 7]. Prints the median wall time of each, in ms.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'apps/cli/bin/velos.js');
const { values } = parseArgs({
  options: { apps: { type: 'string', default: '20' }, runs: { type: 'string', default: '7' } },
});
const home = mkdtempSync(join(tmpdir(), 'velos-bench-jlist-'));
const env = { ...process.env, VELOS_HOME: home };
const velos = (args) => {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`velos ${args.join(' ')}: ${result.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  for (let i = 0; i < Number(values.apps); i++)
    velos(['start', join(root, 'fixtures/silent.js'), '--name', `app${i}`]);
  const rows = {};
  for (const [label, args] of [
    ['node -e 0', null],
    ['velos list --json', ['list', '--json']],
    ['velos jlist', ['jlist']],
  ]) {
    const times = [];
    for (let r = 0; r < Number(values.runs); r++) {
      if (args) times.push(velos(args));
      else {
        const started = process.hrtime.bigint();
        spawnSync(process.execPath, ['-e', '0']);
        times.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
    }
    rows[label] = median(times).toFixed(1);
  }
  console.log(JSON.stringify({ apps: Number(values.apps), runs: Number(values.runs), medianMs: rows }));
} finally {
  spawnSync(process.execPath, [bin, 'kill'], { env });
  rmSync(home, { recursive: true, force: true });
}
