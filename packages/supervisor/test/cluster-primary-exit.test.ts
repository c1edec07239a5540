import { request } from 'node:http';
import type { AppSpec, MetricsSnapshot, ProcessInfo, VelosEvent } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { isPidAlive, takeSnapshot } from '../src/proc-scan.js';
import { freePort } from './free-port.js';
import { appSpec, Harness, type RawClient, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

/** The pid that answers a GET on 127.0.0.1:`port` (a fresh connection each time). */
function answeringPid(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve((JSON.parse(body) as { pid: number }).pid));
    });
    req.once('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('request timed out')));
    req.end();
  });
}

async function list(client: RawClient): Promise<ProcessInfo[]> {
  return (await client.call<{ processes: ProcessInfo[] }>('list')).processes;
}

async function events(client: RawClient, target: string): Promise<VelosEvent[]> {
  return (await client.call<{ events: VelosEvent[] }>('events', { target, limit: 1000 })).events;
}

describe('a cluster primary that dies (SUP-5)', () => {
  it('is the one failure: its workers end with reason primary-exit, not as crashes, and come back', async () => {
    const home = harness.home();
    const port = await freePort();
    const { client } = await harness.startDaemon(home);
    const spec: AppSpec = appSpec(home, {
      name: 'api',
      script: 'cluster-server.js',
      execMode: 'cluster',
      instances: 3,
      env: { PORT: String(port) },
    });
    await client.call('start', { apps: [spec] });
    const online = await waitFor(
      async () => {
        const rows = await list(client);
        return rows.length === 3 && rows.every((row) => row.status === 'online') ? rows : null;
      },
      { what: 'three instances online' },
    );
    await waitFor(() => answeringPid(port), { what: `port ${port} answering` });
    const daemonPid = (await client.call<{ pid: number }>('ping')).pid;
    const workerPids = online.map((row) => row.pid!);
    const primary = takeSnapshot()
      .children.get(daemonPid)
      ?.find((pid) => !workerPids.includes(pid));
    expect(primary).toBeGreaterThan(0);

    process.kill(primary!, 'SIGKILL');

    // restart behaviour stays: every instance is back with a fresh worker under a new primary
    const after = await waitFor(
      async () => {
        const rows = await list(client);
        return rows.every((row) => row.status === 'online' && !workerPids.includes(row.pid!)) ? rows : null;
      },
      { what: 'fresh workers after the primary died' },
    );
    for (const pid of workerPids) expect(isPidAlive(pid)).toBe(false);
    const fresh = new Set(after.map((row) => row.pid));
    await waitFor(async () => fresh.has(await answeringPid(port)), { what: 'the port served again' });

    // the workers' ends are consequences: reason primary-exit, counted once as a restart each, no crash
    expect(after.map((row) => [row.restarts, row.lastExitReason])).toEqual(
      Array(3).fill([1, 'primary-exit']),
    );
    const metrics = await client.call<MetricsSnapshot>('metrics');
    for (const process of metrics.processes) expect(process.exits).toEqual({ 'primary-exit': 1 });

    // one event tells the primary's failure, before the workers' exits it caused (info, not warnings)
    const seen = await waitFor(
      async () => {
        const all = await events(client, 'api');
        return all.filter((event) => event.kind === 'process.restarting').length >= 3 ? all : null;
      },
      { what: 'the restarts told' },
    );
    const primaryExits = seen.filter((event) => event.kind === 'process.primary_exited');
    expect(primaryExits).toHaveLength(1);
    expect(primaryExits[0]).toMatchObject({
      app: 'api',
      severity: 'warning',
      fields: { pid: primary, code: null, signal: 'SIGKILL', workers: 3 },
    });
    const exits = seen.filter((event) => event.kind === 'process.exited');
    expect(exits.map((event) => [event.severity, event.fields?.reason])).toEqual(
      Array(3).fill(['info', 'primary-exit']),
    );
    for (const exit of exits) expect(exit.seq).toBeGreaterThan(primaryExits[0]!.seq);
    expect(seen.filter((event) => event.fields?.reason === 'crash')).toEqual([]);
    expect(seen.filter((event) => event.severity !== 'info')).toEqual(primaryExits);

    const detail = await client.call<{ processes: ProcessInfo[] }>('describe', { target: 'api' });
    expect(detail.processes.map((p) => p.lastExitReason)).toEqual(Array(3).fill('primary-exit'));
  });
});
