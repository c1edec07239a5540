import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessDetail, ProcessInfo } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { isPidAlive } from '../src/proc-scan.js';
import type { SavedState } from '../src/state-store.js';
import { createSupervisor } from '../src/supervisor.js';
import { appSpec, Harness, markedPids, type RawClient, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

async function listOf(client: RawClient): Promise<ProcessInfo[]> {
  return (await client.call<{ processes: ProcessInfo[] }>('list')).processes;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function savedNames(home: string): string[] {
  const state = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')) as SavedState;
  return state.apps.map((app) => app.spec.name).sort();
}

describe('a start is all or nothing (issue #19 item 2)', () => {
  it('starts no app of a config when one app log file cannot be opened; a retry after the fix works', async () => {
    const home = harness.home();
    const { client } = await harness.startDaemon(home);
    const badOut = join(home, 'no-such-dir', 'b.log');
    const apps = [appSpec(home, { name: 'a' }), appSpec(home, { name: 'b', outFile: badOut })];
    const response = await client.request('start', { apps });
    expect(response.status).toBe('error');
    expect(response.payload).toMatchObject({ code: 'INVALID_ARGUMENT', data: { name: 'b' } });
    expect((response.payload as { message: string }).message).toContain(`b: cannot open log file ${badOut}`);
    expect(await listOf(client)).toEqual([]);
    expect(markedPids(home)).toEqual([]);

    mkdirSync(join(home, 'no-such-dir'));
    const { processes } = await client.call<{ processes: ProcessInfo[] }>('start', { apps });
    expect(processes.map((p) => [p.name, p.status])).toEqual([
      ['a', 'online'],
      ['b', 'online'],
    ]);
  });

  it('leaves a stopped app as it was when the start that would replace it fails', async () => {
    const home = harness.home();
    const { client } = await harness.startDaemon(home);
    await client.call('start', { apps: [appSpec(home, { name: 'a', args: ['v1'] })] });
    await client.call('stop', { target: 'a' });
    const response = await client.request('start', {
      apps: [
        appSpec(home, { name: 'a', args: ['v2'] }),
        appSpec(home, { name: 'b', outFile: join(home, 'gone', 'b.log') }),
      ],
    });
    expect(response.status).toBe('error');
    const { processes } = await client.call<{ processes: ProcessDetail[] }>('describe', { target: 'a' });
    expect(processes.map((p) => [p.status, p.spec.args])).toEqual([['stopped', ['v1']]]);
  });
});

describe('a restore is all or nothing per app and never shrinks the saved state (issue #19 item 2)', () => {
  it('restores the other apps and settles orphans when one app log directory vanished, and keeps it saved', async () => {
    const home = harness.home();
    const logDir = join(home, 'b-logs');
    mkdirSync(logDir);
    const first = await harness.startDaemon(home);
    const { processes } = await first.client.call<{ processes: ProcessInfo[] }>('start', {
      apps: [
        appSpec(home, { name: 'a' }),
        appSpec(home, { name: 'b', outFile: join(logDir, 'b.log') }),
        appSpec(home, { name: 'c' }),
      ],
    });
    const pids = Object.fromEntries(processes.map((p) => [p.name, p.pid!]));
    await first.client.call('save');
    first.child.kill('SIGKILL');
    await exited(first.child);
    rmSync(logDir, { recursive: true });

    const second = await harness.startDaemon(home);
    const restored = await waitFor(
      async () => {
        const list = await listOf(second.client);
        return list.length === 2 && list.every((p) => p.status === 'online') ? list : null;
      },
      { what: 'a and c to be restored' },
    );
    // a and c are re-adopted (same pids); b's run, which nothing restores, is stopped as an orphan.
    expect(restored.map((p) => [p.name, p.pid])).toEqual([
      ['a', pids.a],
      ['c', pids.c],
    ]);
    await waitFor(() => !isPidAlive(pids.b!), { what: "b's orphaned run to be stopped" });
    const { warnings } = await second.client.call<{ warnings: string[] }>('ping');
    expect(warnings.some((w) => w.startsWith('b (id 1) was not restored: cannot open log file'))).toBe(true);

    await second.client.call('kill');
    await exited(second.child);
    expect(savedNames(home)).toEqual(['a', 'b', 'c']);

    mkdirSync(logDir);
    const third = await harness.startDaemon(home);
    const all = await waitFor(
      async () => {
        const list = await listOf(third.client);
        return list.length === 3 && list.every((p) => p.status === 'online') ? list : null;
      },
      { what: 'all three apps to be restored once the directory is back' },
    );
    expect(all.map((p) => [p.id, p.name])).toEqual([
      [0, 'a'],
      [1, 'b'],
      [2, 'c'],
    ]);
  });
});

describe('velos delete of a saved app that was not restored', () => {
  it('drops it from the saved state (it has no process to list); an unknown name is still an error', async () => {
    const home = harness.home();
    const logDir = join(home, 'b-logs');
    mkdirSync(logDir);
    const first = harness.track(createSupervisor({ home, log: () => undefined }));
    await first.start([
      appSpec(home, { name: 'a' }),
      appSpec(home, { name: 'b', outFile: join(logDir, 'b.log') }),
    ]);
    await first.kill();
    await first.close();
    rmSync(logDir, { recursive: true });

    const second = harness.track(createSupervisor({ home, log: () => undefined }));
    await second.restore();
    expect(second.warnings()).toEqual([
      expect.stringMatching(/^b \(id 1\) was not restored: .*; or velos delete b to drop it\)$/),
    ]);
    // what is saved is counted: b's process too, though the table has none for it
    expect(await second.save()).toMatchObject({ count: 2 });
    await expect(second.delete('nope')).rejects.toMatchObject({ code: 'TARGET_NOT_FOUND' });
    expect(await second.deleteResult('b')).toEqual({ processes: [], forgotten: [{ name: 'b', ids: [1] }] });
    // ping's warnings no longer say it "stays in the saved state"
    expect(second.warnings()).toEqual([]);
    expect(await second.save()).toMatchObject({ count: 1 });
    expect(savedNames(home)).toEqual(['a']);
    await expect(second.delete('b')).rejects.toMatchObject({ code: 'TARGET_NOT_FOUND' });
  });
});

describe("autostart = false (PM2's autostart: false)", () => {
  it('adds the app stopped, a restart starts it, and resurrect of the saved list keeps it stopped', async () => {
    const home = harness.home();
    const { client } = await harness.startDaemon(home);
    const apps = [appSpec(home, { name: 'held', autostart: false }), appSpec(home, { name: 'runs' })];
    const { processes } = await client.call<{ processes: ProcessInfo[] }>('start', { apps });
    expect(processes.map((p) => [p.name, p.status, p.pid])).toEqual([
      ['held', 'stopped', null],
      ['runs', 'online', expect.any(Number)],
    ]);
    expect(markedPids(home)).toHaveLength(1);

    await client.call('save');
    await client.call('delete', { target: 'all' });
    await client.call('resurrect');
    const restored = await listOf(client);
    expect(restored.map((p) => [p.name, p.status])).toEqual([
      ['held', 'stopped'],
      ['runs', 'online'],
    ]);

    await client.call('restart', { target: 'held' });
    const started = await waitFor(async () => {
      const list = await listOf(client);
      return list.every((p) => p.status === 'online') ? list : null;
    });
    expect(started.map((p) => p.name)).toEqual(['held', 'runs']);
  });

  it("keeps filter_env's prefixes out of the environment a restart --update-env gives", async () => {
    const home = harness.home();
    const { client } = await harness.startDaemon(home);
    await client.call('start', { apps: [appSpec(home, { name: 'f', filterEnv: ['SECRET_'] })] });
    await client.call('restart', { target: 'f', env: { SECRET_TOKEN: 't', PLAIN: 'p' } });
    const { processes } = await client.call<{ processes: ProcessDetail[] }>('describe', { target: 'f' });
    expect(processes[0]!.spec.envKeys).toContain('PLAIN');
    expect(processes[0]!.spec.envKeys).not.toContain('SECRET_TOKEN');
  });
});
