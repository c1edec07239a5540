import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PingResult, ProcessInfo } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { isPidAlive } from '../src/proc-scan.js';
import { appSpec, Harness, markedPids, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

async function deadPid(): Promise<number> {
  const child = spawn('true');
  await exitOf(child);
  return child.pid!;
}

describe('runDaemon', () => {
  it('answers ping, locks down its home (0700) and socket (0600), writes its pid and log', async () => {
    const home = harness.home();
    chmodSync(home, 0o755);
    const { child, client } = await harness.startDaemon(home);
    const ping = await client.call<PingResult & { warnings: string[] }>('ping');
    expect(ping).toMatchObject({ version: '0.1.0', pid: child.pid, home, processes: 0, warnings: [] });
    expect(ping.uptimeMs).toBeGreaterThanOrEqual(0);
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(statSync(join(home, 'velos.sock')).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, 'logs')).isDirectory()).toBe(true);
    expect(readFileSync(join(home, 'velos.pid'), 'utf8').trim()).toBe(String(child.pid));
    expect(readFileSync(join(home, 'daemon.log'), 'utf8')).toMatch(/listening on .*velos\.sock/);
  });

  it('kill saves, stops every child, removes its files and exits 0; the next daemon restores', async () => {
    const home = harness.home();
    const { child, client } = await harness.startDaemon(home);
    const started = await client.call<{ processes: ProcessInfo[] }>('start', {
      apps: [appSpec(home, { name: 'web', instances: 2 }), appSpec(home, { name: 'idle' })],
    });
    expect(started.processes.map((p) => p.id)).toEqual([0, 1, 2]);
    await client.call('stop', { target: 'idle' });
    const pids = started.processes.map((p) => p.pid!);

    // a kill that cannot save (here a directory in the way of the temp file) stops nothing
    mkdirSync(join(home, 'state.json.tmp'));
    const refused = await client.call('kill').catch((error: unknown) => error);
    expect(String(refused)).toMatch(
      /"code":"IO_ERROR".*cannot save the state to .*state\.json: .*; nothing was stopped"/,
    );
    expect(pids.filter(isPidAlive)).toHaveLength(2);
    rmdirSync(join(home, 'state.json.tmp'));

    const killed = await client.call<{ stopped: number }>('kill');
    expect(killed).toEqual({ stopped: 2 });
    expect(await exitOf(child)).toEqual({ code: 0, signal: null });
    expect(pids.filter(isPidAlive)).toEqual([]);
    expect(markedPids(home)).toEqual([]);
    for (const file of ['velos.sock', 'velos.pid', 'velos.lock'])
      expect(existsSync(join(home, file))).toBe(false);
    expect(existsSync(join(home, 'state.json'))).toBe(true);

    const next = await harness.startDaemon(home);
    const list = await waitFor(
      async () => {
        const { processes } = await next.client.call<{ processes: ProcessInfo[] }>('list');
        return processes.length === 3 ? processes : null;
      },
      { what: 'the restored list' },
    );
    expect(list.map((p) => [p.id, p.name, p.status])).toEqual([
      [0, 'web', 'online'],
      [1, 'web', 'online'],
      [2, 'idle', 'stopped'],
    ]);
    const [again] = (
      await next.client.call<{ processes: ProcessInfo[] }>('start', {
        apps: [appSpec(home, { name: 'new' })],
      })
    ).processes;
    expect(again!.id).toBe(3);
  });

  it('SIGTERM saves and stops like kill', async () => {
    const home = harness.home();
    const { child, client } = await harness.startDaemon(home);
    const { processes } = await client.call<{ processes: ProcessInfo[] }>('start', {
      apps: [appSpec(home, { name: 'a' })],
    });
    child.kill('SIGTERM');
    expect(await exitOf(child)).toEqual({ code: 0, signal: null });
    expect(isPidAlive(processes[0]!.pid!)).toBe(false);
    const saved = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8'));
    expect(
      saved.apps.map((a: { spec: { name: string }; running: boolean }) => [a.spec.name, a.running]),
    ).toEqual([['a', true]]);
    expect(statSync(join(home, 'state.json')).mode & 0o777).toBe(0o600);
  });

  it('resurrect starts every saved app that is not in the table (saved stopped or not)', async () => {
    const home = harness.home();
    const { client } = await harness.startDaemon(home);
    // nothing saved yet: said, rather than an empty answer that reads as "all running already"
    const unsaved = await client.call<{ processes: ProcessInfo[]; warnings: string[] }>('resurrect');
    expect(unsaved).toEqual({
      processes: [],
      warnings: [`nothing to resurrect: there is no ${join(home, 'state.json')} (velos save writes it)`],
    });
    await client.call('start', { apps: [appSpec(home, { name: 'keep' }), appSpec(home, { name: 'gone' })] });
    await client.call('stop', { target: 'gone' });
    expect(await client.call('save')).toEqual({ path: join(home, 'state.json'), count: 2 });
    await client.call('delete', { target: 'gone' });
    const result = await client.call<{ processes: ProcessInfo[]; warnings: string[] }>('resurrect');
    expect(result.warnings).toEqual([]);
    expect(result.processes.map((p) => [p.id, p.name, p.status])).toEqual([[1, 'gone', 'online']]);
    const { processes } = await client.call<{ processes: ProcessInfo[] }>('list');
    expect(processes.map((p) => p.name)).toEqual(['keep', 'gone']);
  });

  it('restores from state.json.bak with a warning in ping, resurrect and daemon.log', async () => {
    const home = harness.home();
    const first = await harness.startDaemon(home);
    await first.client.call('start', { apps: [appSpec(home, { name: 'one' })] });
    await first.client.call('save');
    await first.client.call('save');
    await first.client.call('kill');
    await exitOf(first.child);
    writeFileSync(join(home, 'state.json'), '{ not json');
    const next = await harness.startDaemon(home);
    const ping = await next.client.call<{ warnings: string[] }>('ping');
    expect(ping.warnings).toHaveLength(1);
    expect(ping.warnings[0]).toMatch(/state\.json is unusable .*state\.json\.bak/);
    expect(readFileSync(join(home, 'daemon.log'), 'utf8')).toMatch(/warning: .*state\.json is unusable/);
    const { processes } = await next.client.call<{ processes: ProcessInfo[] }>('list');
    expect(processes.map((p) => [p.name, p.status])).toEqual([['one', 'online']]);
    const resurrected = await next.client.call<{ warnings: string[] }>('resurrect');
    expect(resurrected.warnings).toHaveLength(1);
  });

  it('a second daemon exits 0 with DAEMON_RUNNING and leaves the socket alone', async () => {
    const home = harness.home();
    const { child, client } = await harness.startDaemon(home);
    const socketIno = statSync(join(home, 'velos.sock')).ino;
    const second = harness.spawnDaemon(home);
    expect(await exitOf(second)).toEqual({ code: 0, signal: null });
    expect(readFileSync(join(home, 'daemon-1.out'), 'utf8')).toMatch(/DAEMON_RUNNING: .*pid \d+/);
    expect(statSync(join(home, 'velos.sock')).ino).toBe(socketIno);
    expect((await client.call<PingResult>('ping')).pid).toBe(child.pid);
  });

  it('replaces a stale lock, pid file and socket file left by a dead daemon', async () => {
    const home = harness.home();
    mkdirSync(home, { recursive: true });
    const dead = await deadPid();
    writeFileSync(join(home, 'velos.lock'), `${dead}\n`);
    writeFileSync(join(home, 'velos.pid'), `${dead}\n`);
    writeFileSync(join(home, 'velos.sock'), '');
    const { child, client } = await harness.startDaemon(home);
    expect((await client.call<PingResult>('ping')).pid).toBe(child.pid);
    expect(readFileSync(join(home, 'velos.lock'), 'utf8').trim()).toBe(String(child.pid));
  });

  it('of daemons racing to start on one home exactly one stays and serves every client', async () => {
    const home = harness.home();
    for (let round = 0; round < 3; round += 1) {
      // the last round races over a stale lock left by a dead daemon
      if (round === 2) writeFileSync(join(home, 'velos.lock'), `${await deadPid()}\n`);
      const racers = Array.from({ length: 4 }, () => harness.spawnDaemon(home));
      const survivors = await waitFor(
        () => {
          const alive = racers.filter((child) => child.exitCode === null && child.signalCode === null);
          return alive.length === 1 && existsSync(join(home, 'velos.sock')) ? alive : null;
        },
        { what: 'a single surviving daemon' },
      );
      const winner = survivors[0]!;
      for (const loser of racers.filter((child) => child !== winner)) {
        expect(await exitOf(loser)).toEqual({ code: 0, signal: null });
      }
      const clients = await Promise.all([1, 2, 3].map(() => harness.waitForDaemon(home)));
      const pings = await Promise.all(clients.map((client) => client.call<PingResult>('ping')));
      expect(pings.map((p) => p.pid)).toEqual([winner.pid, winner.pid, winner.pid]);
      await clients[0]!.call('kill');
      expect(await exitOf(winner)).toEqual({ code: 0, signal: null });
    }
  });
});
