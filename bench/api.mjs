#!/usr/bin/env node
// API-1 costs, side by side with the CLI over IPC: listing 100 idle apps as
//   GET /api/v1/processes of `velos serve` (the daemon over IPC) and of `velos-server` (the supervisor in
//   process), on keep-alive connections, sequential and 10 concurrent (p50/p99 over --requests requests);
//   the raw IPC client call `client.list()`; and `velos list --json` (one process per call).
// Each figure is the median over --runs runs. Also the RSS of the serve process and of velos-server:
// after start, and after 100 requests. Target: p99 <= 10 ms over HTTP.
// Usage: pnpm run build && node bench/api.mjs [--runs 5] [--apps 100] [--requests 1000] [--cli-calls 50]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { readPidFile, readSettledRss, stopPids } from './lib/proc.mjs';
import { median, percentile } from './lib/stats.mjs';
import { waitFor } from './lib/wait.mjs';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    apps: { type: 'string', default: '100' },
    requests: { type: 'string', default: '1000' },
    'cli-calls': { type: 'string', default: '50' },
  },
});
const runs = Number(values.runs);
const appCount = Number(values.apps);
const requestCount = Number(values.requests);
const cliCalls = Number(values['cli-calls']);
const CONCURRENCY = 10;
const repo = fileURLToPath(new URL('..', import.meta.url));
const VELOS_BIN = join(repo, 'apps/cli/bin/velos.js');
const SERVER_BIN = join(repo, 'apps/server/bin/velos-server.js');
const SILENT = join(repo, 'fixtures/silent.js');
const HOOK = join(repo, 'bench/fixtures/module-log-register.mjs');
const { createClient } = await import(pathToFileURL(join(repo, 'packages/client/dist/index.js')).href);
const MB = 1e6;
const round = (n, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const line = (text) => process.stdout.write(`${text}\n`);
const homes = [];
const children = [];
const results = { apps: appCount, requests: requestCount, runs };

function newHome() {
  const home = mkdtempSync(join(tmpdir(), 'velos-api-bench-'));
  homes.push(home);
  return home;
}
const velos = (home, args) =>
  execFileSync(process.execPath, [VELOS_BIN, ...args], {
    env: { ...process.env, VELOS_HOME: home },
    encoding: 'utf8',
  });
const appsConfig = (dir) => {
  const file = join(dir, 'apps.json');
  const apps = Array.from({ length: appCount }, (_, i) => ({ name: `idle-${i}`, script: SILENT }));
  writeFileSync(file, JSON.stringify({ apps }));
  return file;
};
const allOnline = (home) =>
  waitFor(
    () =>
      JSON.parse(velos(home, ['list', '--json'])).filter((p) => p.status === 'online').length === appCount,
    {
      timeoutMs: 300_000,
      intervalMs: 500,
      what: `${appCount} apps online`,
    },
  );

/** Spawns a host that prints `{url, tokenFile}` on stdout (`--json`); resolves with it, its pid and the admin token. */
async function startHost(args, env) {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk) => (err += chunk));
  const json = await waitFor(() => out.split('\n').find((l) => l.startsWith('{')), {
    timeoutMs: 300_000,
    what: `${args.join(' ')} to serve (stderr: ${err.slice(-500)})`,
  });
  const { url, tokenFile } = JSON.parse(json);
  const token = / *admin +(\S+)/m.exec(readFileSync(tokenFile, 'utf8'))[1];
  return { child, url, token };
}

/** One GET on a keep-alive agent; resolves with the milliseconds it took (the body read whole). */
function timedGet(agent, url, token) {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode === 200
          ? resolve(performance.now() - started)
          : reject(new Error(`HTTP ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/** `count` timed calls by `workers` sequential loops at once; the samples in ms. */
async function load(call, count, workers) {
  const samples = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < count) {
        next += 1;
        samples.push(await call());
      }
    }),
  );
  return samples;
}

/** Median over the runs of each run's p50 and p99, as `{p50Ms, p99Ms}`; prints a line. */
async function measure(name, call, count, workers) {
  const p50 = [];
  const p99 = [];
  for (let run = 0; run < runs; run++) {
    const samples = await load(call, count, workers);
    p50.push(percentile(samples, 50));
    p99.push(percentile(samples, 99));
  }
  const figure = { p50Ms: round(median(p50)), p99Ms: round(median(p99)) };
  line(
    `${name}: p50 ${figure.p50Ms} ms, p99 ${figure.p99Ms} ms (${count} calls x ${runs} runs, ${workers} at once)`,
  );
  return figure;
}

/** HTTP latency of GET /api/v1/processes (sequential and concurrent) and the RSS of the host around 100 requests. */
async function benchHost(label, host) {
  const url = `${host.url}/api/v1/processes`;
  const figures = { rssStartMb: round((await readSettledRss(host.child.pid)) / MB, 1) };
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const get = () => timedGet(agent, url, host.token);
  await load(get, 100, 1);
  figures.rss100Mb = round((await readSettledRss(host.child.pid)) / MB, 1);
  line(`${label} RSS: ${figures.rssStartMb} MB after start, ${figures.rss100Mb} MB after 100 requests`);
  figures.sequential = await measure(`${label} GET /api/v1/processes sequential`, get, requestCount, 1);
  figures.concurrent = await measure(
    `${label} GET /api/v1/processes ${CONCURRENCY} concurrent`,
    get,
    requestCount,
    CONCURRENCY,
  );
  agent.destroy();
  results[label] = figures;
}

try {
  // the daemon without an [api] table loads no chunk of the API's host (nor @velos/api itself)
  {
    const home = newHome();
    const moduleLog = join(home, 'modules.log');
    execFileSync(process.execPath, ['--import', HOOK, VELOS_BIN, 'ping'], {
      env: { ...process.env, VELOS_HOME: home, VELOS_MODULE_LOG: moduleLog },
    });
    const daemonPid = readPidFile(join(home, 'velos.pid'));
    const loaded = readFileSync(moduleLog, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith(`${daemonPid} `));
    const apiModules = loaded.filter((l) => /\/host-[^/]*\.c?js$|packages\/api\/|fastify/.test(l));
    results.daemonModules = loaded.length;
    results.daemonApiModulesWithoutTable = apiModules.length;
    line(`daemon without [api]: ${loaded.length} modules loaded, ${apiModules.length} of the API`);
    velos(home, ['kill']);
  }

  // velos serve in front of a daemon with 100 idle apps
  const home = newHome();
  velos(home, ['start', appsConfig(home)]);
  await allOnline(home);
  const serve = await startHost([VELOS_BIN, 'serve', '--port', '0', '--json', '--rate-limit', '1000000'], {
    VELOS_HOME: home,
  });
  await benchHost('velos serve', serve);

  const client = createClient({ home, autoStart: false });
  await load(() => client.list(), 100, 1);
  results['IPC client.list()'] = await measure(
    'IPC client.list()',
    async () => {
      const started = performance.now();
      await client.list();
      return performance.now() - started;
    },
    requestCount,
    1,
  );
  await client.close();

  const cli = [];
  for (let i = 0; i < cliCalls * runs; i++) {
    const started = performance.now();
    velos(home, ['list', '--json']);
    cli.push(performance.now() - started);
  }
  results['velos list --json'] = {
    p50Ms: round(percentile(cli, 50), 1),
    p99Ms: round(percentile(cli, 99), 1),
  };
  line(
    `velos list --json: p50 ${results['velos list --json'].p50Ms} ms, p99 ${results['velos list --json'].p99Ms} ms (${cli.length} calls)`,
  );
  serve.child.kill('SIGTERM');
  velos(home, ['kill']);

  // velos-server: the supervisor and the API in one process
  const serverHome = newHome();
  const server = await startHost(
    [
      SERVER_BIN,
      appsConfig(serverHome),
      '--home',
      serverHome,
      '--port',
      '0',
      '--json',
      '--rate-limit',
      '1000000',
    ],
    {},
  );
  await allOnline(serverHome);
  await benchHost('velos-server', server);
  server.child.kill('SIGTERM');
  await waitFor(() => server.child.exitCode !== null || server.child.signalCode !== null, {
    timeoutMs: 60_000,
    what: 'velos-server to stop',
  });
} finally {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) await stopPids([child.pid]);
  for (const home of homes) {
    try {
      execFileSync(process.execPath, [VELOS_BIN, 'kill'], {
        env: { ...process.env, VELOS_HOME: home },
        stdio: 'ignore',
      });
    } catch {
      // no daemon
    }
    const pid = readPidFile(join(home, 'velos.pid'));
    if (pid !== null) await stopPids([pid]);
    rmSync(home, { recursive: true, force: true });
  }
}
results.loadAverage = loadavg().map((n) => round(n, 1));
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
