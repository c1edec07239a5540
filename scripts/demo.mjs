// `npm run demo`: installs and builds Velos, starts the demo apps of fixtures/demo/velos.toml under a
// private VELOS_HOME (.velos-demo/ in the repository) and shows them with `velos list`.
import { spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { installAndBuild, root, run } from './lib/bootstrap.mjs';

installAndBuild();

const home = process.env.VELOS_HOME ?? join(root, '.velos-demo');
const bin = join(root, 'apps', 'cli', 'bin', 'velos.js');
const env = { ...process.env, VELOS_HOME: home };
const velos = (...args) =>
  run(process.execPath, [bin, ...args], {
    env,
    stdio: ['ignore', args.includes('--json') ? 'ignore' : 'inherit', 'inherit'],
  });

velos('start', join(root, 'fixtures', 'demo', 'velos.toml'), '--json');
// Wait (at most 10 s) until every app is online and the monitor has sampled its CPU and memory.
const deadline = Date.now() + 10_000;
while (Date.now() < deadline) {
  const list = spawnSync(process.execPath, [bin, 'list', '--json'], { env, encoding: 'utf8' });
  const apps = list.status === 0 ? JSON.parse(list.stdout) : [];
  if (apps.length > 0 && apps.every((app) => app.status === 'online' && app.memory > 0)) break;
  await delay(250);
}
console.log('\nThe demo apps, as `velos list` shows them:\n');
velos('list');
const rel = relative(process.cwd(), bin) || bin;
console.log(`
Try next (the demo runs under VELOS_HOME=${home}):
  export VELOS_HOME=${home}
  node ${rel} logs chatty --lines 5      # recent output of one app
  node ${rel} describe flaky             # restarts, exit codes, log files
  node ${rel} kill                       # stop the demo apps and the daemon
`);
