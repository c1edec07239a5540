import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { AppSpec, LogLine, MetricsSnapshot, ProcessInfo, VelosEvent } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { isPidAlive, takeSnapshot, treePids } from '../src/proc-scan.js';
import { freePort } from './free-port.js';
import { appSpec, Harness, markedPids, type RawClient, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

/** GET on 127.0.0.1 without keep-alive; the parsed JSON body. */
function get(port: number, path = '/'): Promise<{ pid: number; instance: string | null }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => {
        try {
          resolve(JSON.parse(body));
        } catch (error) {
          reject(error);
        }
      });
    });
    req.once('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('request timed out')));
    req.end();
  });
}

async function list(client: RawClient): Promise<ProcessInfo[]> {
  return (await client.call<{ processes: ProcessInfo[] }>('list')).processes;
}

async function startCluster(home: string, overrides: Partial<AppSpec> & { name: string }, port: number) {
  const { client } = await harness.startDaemon(home);
  const spec = appSpec(home, {
    script: 'cluster-server.js',
    execMode: 'cluster',
    instances: 2,
    ...overrides,
    env: { PORT: String(port), ...overrides.env },
  });
  await client.call('start', { apps: [spec] });
  const online = await waitFor(
    async () => {
      const rows = await list(client);
      return rows.length === spec.instances && rows.every((row) => row.status === 'online') ? rows : null;
    },
    { what: 'every instance online' },
  );
  await waitFor(() => get(port), { what: `port ${port} answering` });
  return { client, online, spec };
}

/** Distinct pids answering on `port` over `tries` fresh connections. */
async function answeringPids(port: number, tries: number): Promise<Set<number>> {
  const pids = new Set<number>();
  for (let i = 0; i < tries; i++) pids.add((await get(port)).pid);
  return pids;
}

describe('cluster mode (SUP-5)', () => {
  it('runs Node instances as workers that share one port, with their own pids and instance env', async () => {
    const home = harness.home();
    const port = await freePort();
    const { client, online } = await startCluster(home, { name: 'web', instances: 3 }, port);
    expect(online.map((row) => row.execMode)).toEqual(['cluster', 'cluster', 'cluster']);
    const pids = new Set(online.map((row) => row.pid));
    await waitFor(async () => (await answeringPids(port, 12)).size >= 2, { what: 'two workers answering' });
    const seen = await answeringPids(port, 12);
    for (const pid of seen) expect(pids.has(pid)).toBe(true);
    const instances = new Set<string | null>();
    for (let i = 0; i < 12; i++) instances.add((await get(port)).instance);
    expect([...instances].every((value) => ['0', '1', '2'].includes(String(value)))).toBe(true);
    // each worker's stdout and stderr reach the app's logs under its own pid
    const logged = await waitFor(
      async () => {
        const { lines } = await client.call<{ lines: LogLine[] }>('logs', { target: 'web', lines: 50 });
        const pidsOf = (stream: string, text: string) =>
          new Set(lines.filter((l) => l.stream === stream && l.line.includes(text)).map((l) => l.pid));
        const out = pidsOf('out', 'listening on');
        const err = pidsOf('err', 'starting');
        return out.size === 3 && err.size === 3 ? { out, err } : null;
      },
      { what: 'three workers in the logs' },
    );
    expect([...logged.out].sort()).toEqual([...pids].sort());
    expect([...logged.err].sort()).toEqual([...pids].sort());
  });

  it('restarts the workers with a new primary when the primary dies', async () => {
    const home = harness.home();
    const port = await freePort();
    const { client, online } = await startCluster(home, { name: 'orphaned', instances: 2 }, port);
    const daemonPid = (await client.call<{ pid: number }>('ping')).pid;
    const primary = takeSnapshot().children.get(daemonPid)![0]!;
    expect(online.map((row) => row.pid)).not.toContain(primary);
    process.kill(primary, 'SIGKILL');
    const rows = await waitFor(
      async () => {
        const all = await list(client);
        return all.every((row) => row.status === 'online' && !online.some((o) => o.pid === row.pid))
          ? all
          : null;
      },
      { what: 'fresh workers after the primary died' },
    );
    expect(rows.map((row) => row.restarts)).toEqual([1, 1]);
    for (const row of online) expect(isPidAlive(row.pid!)).toBe(false);
    const fresh = new Set(rows.map((row) => row.pid));
    await waitFor(async () => fresh.has((await get(port)).pid), {
      what: 'the port served again by a fresh worker',
    });
  });

  it('replaces a crashed worker with a fresh one on the same port and counts the restart', async () => {
    const home = harness.home();
    const port = await freePort();
    const { client, online } = await startCluster(home, { name: 'crashy', instances: 1 }, port);
    const before = online[0]!;
    expect((await get(port, '/crash')).pid).toBe(before.pid);
    const after = await waitFor(
      async () => {
        const row = (await list(client))[0]!;
        return row.status === 'online' && row.pid !== before.pid && row.restarts === 1 ? row : null;
      },
      { what: 'a fresh worker online' },
    );
    await waitFor(async () => (await get(port)).pid === after.pid, { what: 'the fresh worker answering' });
    expect(isPidAlive(before.pid!)).toBe(false);
  });

  it('ends a worker that crashes at once errored after max_restarts, as in fork mode (SUP-3)', async () => {
    const home = harness.home();
    const { client } = await harness.startDaemon(home);
    // min_uptime counts from the worker's Node being up: its boot (slow on a loaded machine) is no uptime
    const spec = appSpec(home, {
      name: 'crashloop',
      script: 'crash-after.js',
      args: ['0'],
      execMode: 'cluster',
      instances: 1,
      maxRestarts: 1,
      minUptimeMs: 1000,
      env: { EXIT_CODE: '4' },
    });
    await client.call('start', { apps: [spec] });
    const rows = await waitFor(
      async () => {
        const found = await list(client);
        return found[0]?.status === 'errored' ? found : null;
      },
      { what: 'the instance errored' },
    );
    expect(rows.map((row) => [row.execMode, row.restarts, row.exitCode, row.lastExitReason])).toEqual([
      ['cluster', 1, 4, 'crash'],
    ]);
  });

  it('reloads instances one at a time: new pids, reason reload, the port always answering', async () => {
    const home = harness.home();
    const port = await freePort();
    const { client, online } = await startCluster(home, { name: 'rl', instances: 2 }, port);
    const oldPids = online.map((row) => row.pid!);
    let failures = 0;
    let answered = 0;
    let isLoading = true;
    const load = (async () => {
      while (isLoading) {
        try {
          await get(port);
          answered += 1;
        } catch {
          failures += 1;
        }
      }
    })();
    const { processes } = await client.call<{ processes: ProcessInfo[] }>('reload', { target: 'rl' });
    isLoading = false;
    await load;
    expect(failures).toBe(0);
    expect(answered).toBeGreaterThan(0);
    expect(processes.map((row) => row.lastExitReason)).toEqual(['reload', 'reload']);
    expect(processes.map((row) => row.restarts)).toEqual([1, 1]);
    // a reload is asked for: health_check does not count it against the app
    expect(processes.map((row) => row.requestedRestarts)).toEqual([1, 1]);
    for (const row of processes) expect(oldPids).not.toContain(row.pid);
    for (const pid of oldPids) expect(isPidAlive(pid)).toBe(false);
  });

  it('restarts the workers one by one on a watched change, as a reload: the port always answering', async () => {
    const home = harness.home();
    const src = join(home, 'src');
    mkdirSync(src);
    const port = await freePort();
    const { client, online } = await startCluster(
      home,
      { name: 'wr', instances: 2, watch: [src], watchDelayMs: 100 },
      port,
    );
    const oldPids = online.map((row) => row.pid!);
    await waitFor(async () => (await list(client)).every((row) => row.watching), { what: 'the watcher' });
    let failures = 0;
    let isLoading = true;
    const load = (async () => {
      while (isLoading) await get(port).catch(() => (failures += 1));
    })();
    writeFileSync(join(src, 'main.js'), '// v2\n');
    const rows = await waitFor(
      async () => {
        const now = await list(client);
        const isDone = now.every((row) => row.status === 'online' && !oldPids.includes(row.pid!));
        return isDone && oldPids.every((pid) => !isPidAlive(pid)) ? now : null;
      },
      { what: 'both workers replaced' },
    );
    isLoading = false;
    await load;
    expect(failures).toBe(0);
    expect(rows.map((row) => [row.lastExitReason, row.restarts])).toEqual([
      ['watch', 1],
      ['watch', 1],
    ]);
    const { events } = await client.call<{ events: VelosEvent[] }>('events', { kinds: ['reload_step'] });
    expect(events.map((e) => [e.fields!.step, e.fields!.steps, e.fields!.how])).toEqual([
      [1, 2, 'reload'],
      [2, 2, 'reload'],
    ]);
    const told = await client.call<{ events: VelosEvent[] }>('events', { kinds: ['watch_restart'] });
    expect(told.events.map((e) => e.message.split(': ').at(-1))).toEqual([
      'its worker is replaced (one at a time)',
      'its worker is replaced (one at a time)',
    ]);
  });

  it('takes the new worker as ready past listen_timeout and retires the old one, as PM2', async () => {
    const home = harness.home();
    const port = await freePort();
    const { client, online, spec } = await startCluster(
      home,
      { name: 'slow', instances: 1, waitReady: true, listenTimeoutMs: 1500, env: { WAIT_READY: '1' } },
      port,
    );
    const old = online[0]!;
    // reloaded without WAIT_READY, the new worker listens but never sends 'ready'
    const { WAIT_READY: _, ...env } = spec.env;
    const { processes } = await client.call<{ processes: ProcessInfo[] }>('reload', { target: 'slow', env });
    const row = processes[0]!;
    expect(row.pid).not.toBe(old.pid);
    expect([row.status, row.restarts, row.lastExitReason]).toEqual(['online', 1, 'reload']);
    await waitFor(() => !isPidAlive(old.pid!), { what: 'the old worker stopped' });
    expect((await get(port)).pid).toBe(row.pid);
  });

  it('scales up and down while running; removed workers are gone', async () => {
    const home = harness.home();
    const port = await freePort();
    const { client, online } = await startCluster(home, { name: 'sc', instances: 2 }, port);
    const up = await client.call<{ processes: ProcessInfo[] }>('scale', { name: 'sc', instances: '+2' });
    expect(up.processes.map((row) => row.instance)).toEqual([0, 1, 2, 3]);
    const rows = await waitFor(
      async () => {
        const all = await list(client);
        return all.length === 4 && all.every((row) => row.status === 'online') ? all : null;
      },
      { what: 'four instances online' },
    );
    expect(rows.slice(0, 2).map((row) => row.pid)).toEqual(online.map((row) => row.pid));
    const removedPids = rows.slice(1).map((row) => row.pid!);
    const down = await client.call<{ processes: ProcessInfo[] }>('scale', { name: 'sc', instances: '1' });
    expect(down.processes.map((row) => row.id)).toEqual([rows[0]!.id]);
    for (const pid of removedPids) expect(isPidAlive(pid)).toBe(false);
    // the kept worker answers alone; under load it may not have listened yet when the others went (the
    // port then refuses until it does: the primary closes a listening handle that no worker holds)
    const answer = await waitFor(() => get(port), { what: 'the kept worker answering' });
    expect(answer.pid).toBe(rows[0]!.pid);
    const bad = await client.request('scale', { name: 'sc', instances: '-1' });
    expect(JSON.stringify(bad.payload)).toMatch(/expected 1 to 1024/);
  });

  it('stop and delete leave no worker and no primary behind', async () => {
    const home = harness.home();
    const port = await freePort();
    const { client } = await startCluster(home, { name: 'gone', instances: 2 }, port);
    const daemonPid = (await client.call<{ pid: number }>('ping')).pid;
    const children = () => treePids(takeSnapshot(), daemonPid).filter((pid) => pid !== daemonPid);
    expect(markedPids(home).length).toBe(2);
    expect(children().length).toBe(3); // the primary and its two workers
    await client.call('stop', { target: 'gone' });
    await waitFor(() => markedPids(home).length === 0, { what: 'workers gone after stop' });
    await waitFor(() => children().length === 0, { what: 'the primary gone after stop' });
    await client.call('restart', { target: 'gone' });
    await waitFor(async () => (await list(client)).every((row) => row.status === 'online'), {
      what: 'online again',
    });
    await client.call('delete', { target: 'gone' });
    await waitFor(() => markedPids(home).length === 0, { what: 'workers gone after delete' });
    await waitFor(() => children().length === 0, { what: 'the primary gone after delete' });
    expect(await list(client)).toEqual([]);
  });

  it('runs a non-Node program in cluster mode as fork instances, with increment_var', async () => {
    const home = harness.home();
    const { client } = await harness.startDaemon(home);
    const spec = appSpec(home, {
      name: 'sh',
      script: 'script.sh',
      execMode: 'cluster',
      instances: 3,
      incrementVar: 'PORT',
      env: { PORT: '4100' },
      metricsUrl: 'http://127.0.0.1:{port}/metrics',
    });
    await client.call('start', { apps: [spec] });
    const rows = await waitFor(
      async () => {
        const all = await list(client);
        return all.length === 3 && all.every((row) => row.pid) ? all : null;
      },
      { what: 'three fork instances' },
    );
    expect(rows.map((row) => row.execMode)).toEqual(['fork', 'fork', 'fork']);
    const ports = rows.map((row) => readEnv(row.pid!).PORT);
    expect(ports).toEqual(['4100', '4101', '4102']);
    // metrics_url's {port} is each instance's increment_var port: each is scraped where it serves
    const snapshot = (await client.call('metrics', {})) as MetricsSnapshot;
    expect(snapshot.processes.map((p) => p.metricsUrl)).toEqual(
      ports.map((port) => `http://127.0.0.1:${port}/metrics`),
    );
    // without increment_var, {port} means nothing: the start is refused, nothing added
    const alone = { ...spec, name: 'nop', incrementVar: undefined };
    await expect(client.call('start', { apps: [alone] })).rejects.toThrow(/nop: metrics_url: \{port\}/);
    expect(await list(client)).toHaveLength(3);
  });
});

function readEnv(pid: number): Record<string, string> {
  const env: Record<string, string> = {};
  const text = readFileSync(`/proc/${pid}/environ`, 'utf8');
  for (const pair of text.split('\0')) {
    const eq = pair.indexOf('=');
    if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}
