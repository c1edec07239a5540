#!/usr/bin/env node
// API-1 latency and footprint. With APPS apps (default 100, fixtures/silent.js) under one daemon: the
// latency of `GET /api/v1/processes` over HTTP (node:http keep-alive, a server in its own process over the IPC
// client) against `client.list()` over IPC, ROUNDS rounds (default 5) of N sequential requests
// (default 500) each, p50/p99 per round, medians over the rounds; then the server process's RSS idle
// (right after it started) and after the load.
// Usage: pnpm run build && node bench/api-rest.mjs [--apps 100] [--rounds 5] [--requests 500]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readSettledRss, stopPids } from './lib/proc.mjs';
import { median, percentile } from './lib/stats.mjs';
import { createVelosDriver } from './lib/velos-driver.mjs';

const { values } = parseArgs({
  options: {
    apps: { type: 'string', default: '100' },
    rounds: { type: 'string', default: '5' },
    requests: { type: 'string', default: '500' },
  },
});
const APPS = Number(values.apps);
const ROUNDS = Number(values.rounds);
const REQUESTS = Number(values.requests);
const repo = fileURLToPath(new URL('..', import.meta.url));
const API_DIST = join(repo, 'packages/api/dist/index.js');
const CLIENT_DIST = join(repo, 'packages/client/dist/index.js');
const runId = `api-${process.pid}`;
const tmp = mkdtempSync(join(tmpdir(), 'velos-bench-api-'));
const home = join(tmp, 'velos');
const velos = createVelosDriver({ home, runId });
const apps = Array.from({ length: APPS }, (_, i) => ({
  name: `app-${i}`,
  script: join(repo, 'fixtures/silent.js'),
  env: { VELOS_BENCH_RUN: runId },
}));
// the server runs in a process of its own, so its RSS is its own
const SERVER = `
const [{ createApiServer }, { createClient }] = await Promise.all([import(${JSON.stringify(API_DIST)}), import(${JSON.stringify(CLIENT_DIST)})]);
const server = await createApiServer({ control: createClient({ home: process.env.VELOS_HOME }), port: 0,
  auth: { tokens: { admin: process.env.BENCH_TOKEN } }, rateLimitPerMinute: 1e9, dashboard: false });
console.log(server.url);`;
let server = null;

try {
  await velos.ensureDaemon();
  await velos.startConfig(velos.writeConfig(tmp, apps));
  await velos.waitOnline(apps.map((app) => app.name));
  const token = 'bench-token-0123456789abcdef';
  server = spawn(process.execPath, ['--input-type=module', '-e', SERVER], {
    env: { ...process.env, VELOS_HOME: home, BENCH_TOKEN: token },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    createInterface({ input: server.stdout }).once('line', resolve);
    server.once('exit', (code) => reject(new Error(`the API server exited (${code})`)));
  });
  const idleRss = await readSettledRss(server.pid);
  const { createClient } = await import(CLIENT_DIST);
  const client = createClient({ home });
  // node:http with keep-alive, as curl or a browser would hold the connection (fetch adds ~4 ms a call)
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const http = async () => {
    const text = await new Promise((resolve, reject) => {
      get(`${url}/api/v1/processes`, { agent, headers: { authorization: `Bearer ${token}` } }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve(body));
      }).on('error', reject);
    });
    const { processes } = JSON.parse(text);
    if (processes.length !== APPS) throw new Error(`listed ${processes.length} apps`);
  };
  const ipc = async () => {
    if ((await client.list()).length !== APPS) throw new Error('wrong count');
  };
  const results = { http: { p50: [], p99: [] }, ipc: { p50: [], p99: [] } };
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [key, once] of round % 2 === 0
      ? [
          ['http', http],
          ['ipc', ipc],
        ]
      : [
          ['ipc', ipc],
          ['http', http],
        ]) {
      for (let i = 0; i < 20; i += 1) await once();
      const samples = [];
      for (let i = 0; i < REQUESTS; i += 1) {
        const start = performance.now();
        await once();
        samples.push(performance.now() - start);
      }
      results[key].p50.push(percentile(samples, 50));
      results[key].p99.push(percentile(samples, 99));
    }
  }
  const loadedRss = await readSettledRss(server.pid);
  await client.close();
  agent.destroy();
  const ms = (value) => `${value.toFixed(2)} ms`;
  console.log(`list with ${APPS} apps, ${ROUNDS} rounds of ${REQUESTS} requests (medians over rounds)`);
  console.log(
    `  HTTP GET /api/v1/processes  p50 ${ms(median(results.http.p50))}  p99 ${ms(median(results.http.p99))}`,
  );
  console.log(
    `  IPC  client.list()          p50 ${ms(median(results.ipc.p50))}  p99 ${ms(median(results.ipc.p99))}`,
  );
  console.log(
    `API server RSS: idle ${(idleRss / 2 ** 20).toFixed(1)} MB, after the load ${(loadedRss / 2 ** 20).toFixed(1)} MB`,
  );
} finally {
  if (server?.pid) await stopPids([server.pid]);
  await velos.shutdown();
  rmSync(tmp, { recursive: true, force: true });
}
