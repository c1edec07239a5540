import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, getJson } from '../lib/cluster-app.mjs';
import { classify, startLoad } from '../lib/http-load.mjs';
import { signalPid } from '../lib/proc.mjs';
import { waitFor } from '../lib/wait.mjs';

const APP = fileURLToPath(new URL('../fixtures/http-app.cjs', import.meta.url));
const FLOOR = fileURLToPath(new URL('../fixtures/cluster-floor.cjs', import.meta.url));
const pids = [];
const servers = [];
afterEach(async () => {
  for (const pid of pids.splice(0)) signalPid(pid, 'SIGKILL');
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** Spawns fixtures http-app.cjs on a free port; resolves with {pid, port}. */
async function spawnApp() {
  const child = spawn(process.execPath, [APP], {
    env: { ...process.env, PORT: '0', PRINT_PORT: '1', NODE_APP_INSTANCE: '3' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  pids.push(child.pid);
  let out = '';
  child.stdout.on('data', (chunk) => {
    out += chunk;
  });
  const port = await waitFor(() => /listening (\d+)/.exec(out)?.[1], { timeoutMs: 15_000, what: 'the app' });
  return { pid: child.pid, port: Number(port) };
}

/** An HTTP server in this process answering with `handler`; resolves with {port, connections()}. */
async function serve(handler) {
  let connections = 0;
  const server = createServer(handler);
  server.on('connection', () => {
    connections += 1;
  });
  servers.push(server);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: server.address().port, connections: () => connections, server };
}

/** Runs a load until it has sent `count` requests, then stops it and returns the result. */
async function loadUntil(options, count) {
  const load = await startLoad(options);
  pids.push(load.pid);
  try {
    await waitFor(async () => (await load.snapshot()).sent >= count, {
      timeoutMs: 20_000,
      intervalMs: 50,
      what: `${count} requests sent`,
    });
    return await load.stop();
  } finally {
    load.kill();
  }
}

describe('startLoad', () => {
  it('holds a fixed rate with keep-alive and fresh connections, and records PIDs and latencies', async () => {
    const app = await spawnApp();
    const result = await loadUntil(
      { url: `http://127.0.0.1:${app.port}/`, rate: 200, freshShare: 0.25 },
      300,
    );
    expect(result.failed).toBe(0);
    expect(result.ok).toBe(result.sent);
    expect(result.sent).toBeGreaterThanOrEqual(300);
    expect(result.fresh).toBe(Math.floor(result.sent * 0.25));
    expect(result.sentRate).toBeGreaterThan(170);
    expect(result.sentRate).toBeLessThan(230);
    expect(result.pids).toEqual([expect.objectContaining({ pid: app.pid, instance: '3', count: result.ok })]);
    expect(result.latencyMs.p50).toBeGreaterThan(0);
    expect(result.latencyMs.p99).toBeGreaterThanOrEqual(result.latencyMs.p50);
  });

  it('opens a connection for every fresh request and reuses keep-alive ones for the rest', async () => {
    const target = await serve((_req, res) => res.end('{}'));
    const result = await loadUntil(
      { url: `http://127.0.0.1:${target.port}/`, rate: 200, freshShare: 0.1 },
      200,
    );
    expect(result.failed).toBe(0);
    expect(target.connections()).toBeGreaterThanOrEqual(result.fresh);
    expect(target.connections()).toBeLessThan(result.fresh + 20);
  });

  it('counts non-2xx answers, resets, timeouts and refused connections as failures', async () => {
    const status = await serve((_req, res) => {
      res.statusCode = 503;
      res.end();
    });
    const reset = await serve((req) => req.socket.destroy());
    const hang = await serve(() => {});
    const closed = await serve(() => {});
    await new Promise((resolve) => closed.server.close(resolve));

    const url = (port) => `http://127.0.0.1:${port}/`;
    const results = await Promise.all([
      loadUntil({ url: url(status.port), rate: 50 }, 20),
      loadUntil({ url: url(reset.port), rate: 50 }, 20),
      loadUntil({ url: url(hang.port), rate: 50, timeoutMs: 300 }, 20),
      loadUntil({ url: url(closed.port), rate: 50 }, 20),
    ]);
    const [byStatus, byReset, byTimeout, byRefusal] = results;
    for (const result of results) {
      expect(result.ok).toBe(0);
      expect(result.failed).toBe(result.sent);
      expect(result.inFlight).toBe(0);
    }
    expect(byStatus.errors.status).toBe(byStatus.sent);
    expect(byReset.errors.reset).toBe(byReset.sent);
    expect(byTimeout.errors.timeout).toBe(byTimeout.sent);
    expect(byRefusal.errors.refused).toBe(byRefusal.sent);
    expect(byStatus.errorSamples[0]).toMatchObject({ kind: 'status', detail: 'HTTP 503' });
  });
});

describe('the cluster fixtures under load', () => {
  it('answers from 4 instances and a fresh worker of the same instance after GET /crash', async () => {
    const port = await freePort();
    const primary = spawn(process.execPath, [FLOOR], {
      env: { ...process.env, PORT: String(port), INSTANCES: '4' },
      stdio: 'ignore',
    });
    pids.push(primary.pid);
    const load = await startLoad({ url: `http://127.0.0.1:${port}/`, rate: 200, freshShare: 1 });
    pids.push(load.pid);
    const workers = async () => (await load.snapshot()).pids;
    try {
      const first = await waitFor(async () => ((await workers()).length === 4 ? workers() : null), {
        timeoutMs: 20_000,
        intervalMs: 20,
        what: '4 workers to answer',
      });
      pids.push(...first.map((entry) => entry.pid));
      expect(first.map((entry) => entry.instance).sort()).toEqual(['0', '1', '2', '3']);
      const crashed = await getJson(port, '/crash');
      const fresh = await waitFor(
        async () => (await workers()).find((entry) => !first.some((old) => old.pid === entry.pid)),
        { timeoutMs: 20_000, intervalMs: 20, what: 'a fresh worker to answer' },
      );
      pids.push(fresh.pid);
      expect(fresh.instance).toBe(crashed.instance);
      expect(first.map((entry) => entry.pid)).toContain(crashed.pid);
    } finally {
      load.kill();
      signalPid(primary.pid, 'SIGTERM');
    }
  });
});

describe('classify', () => {
  it('names the error kind from the error code', () => {
    expect(classify({ code: 'ECONNREFUSED' })).toBe('refused');
    expect(classify({ code: 'ECONNRESET' })).toBe('reset');
    expect(classify({ code: 'EPIPE' })).toBe('reset');
    expect(classify(new Error('odd'))).toBe('other');
  });
});
