// `npm run demo`: installs and builds Velos, starts the demo apps of fixtures/demo/velos.toml under a
// private VELOS_HOME (.velos-demo/ in the repository) and shows them with `velos list`.
import { spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { installAndBuild, root, run } from './lib/bootstrap.mjs';
import { DEMO_CONFIG, deleteDemoApps } from './lib/demo-apps.mjs';

installAndBuild();

const home = process.env.VELOS_HOME ?? join(root, '.velos-demo');
const bin = join(root, 'apps', 'cli', 'bin', 'velos.js');
const env = { ...process.env, VELOS_HOME: home };
const velos = (...args) =>
  run(process.execPath, [bin, ...args], {
    env,
    stdio: ['ignore', args.includes('--json') ? 'ignore' : 'inherit', 'inherit'],
  });

// A second run starts from the config again: the demo apps a previous run (or the state its `kill`
// saved) left are deleted first; other apps of a VELOS_HOME the user set stay.
deleteDemoApps(bin, env);
velos('start', DEMO_CONFIG, '--json');
// Wait (at most 10 s) until every service is online and the monitor has sampled its CPU and memory.
const deadline = Date.now() + 10_000;
while (Date.now() < deadline) {
  const list = spawnSync(process.execPath, [bin, 'list', '--json'], { env, encoding: 'utf8' });
  const apps = list.status === 0 ? JSON.parse(list.stdout) : [];
  const isUp = (app) => app.type === 'job' || (app.status === 'online' && app.memory > 0);
  if (apps.length > 0 && apps.every(isUp)) break;
  await delay(250);
}
console.log('\nThe demo apps, as `velos list` shows them:\n');
velos('list');
const rel = relative(process.cwd(), bin) || bin;
// in a VELOS_HOME the user set, `kill` would stop their own apps too: remove the demo's alone
const stop =
  process.env.VELOS_HOME === undefined
    ? `node ${rel} kill                       # stop the demo apps and the daemon`
    : `node ${rel} delete ${relative(process.cwd(), DEMO_CONFIG)}  # stop and remove the demo apps (yours stay)`;
console.log(`
Try next (the demo runs under VELOS_HOME=${home}):
  export VELOS_HOME=${home}
  node ${rel} logs chatty --lines 5      # recent output of one app
  node ${rel} describe flaky             # restarts, exit codes, log files
  node ${rel} reload api                 # zero-downtime reload of the 2 cluster workers
  node ${rel} runs clock                 # the runs of the job that prints the date every 10 s
  node ${rel} monit                      # the live dashboard (q quits)
  node ${rel} metrics --ai               # every figure of the processes, the daemon and the host
  ${stop}
`);
