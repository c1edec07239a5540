import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessDetail, ProcessInfo, ResponseMessage } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { appSpec, Harness, markedPids, type RawClient, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

async function listOf(client: RawClient): Promise<ProcessInfo[]> {
  return (await client.call<{ processes: ProcessInfo[] }>('list')).processes;
}

describe('concurrent requests on one app (issue #19 items 7 and 13)', () => {
  it('serialises scale: `scale s 2` then `scale s 3` at once ends with 3 instances, as the spec says', async () => {
    const home = harness.home();
    const { client } = await harness.startDaemon(home);
    const other = await harness.connect(home);
    // Instances that ignore SIGTERM make a scale-down take its whole kill timeout.
    await client.call('start', {
      apps: [appSpec(home, { name: 's', script: 'ignore-sigterm.js', instances: 3, killTimeoutMs: 800 })],
    });
    const out = join(home, 'logs', 's-out.log');
    await waitFor(() => existsSync(out) && readFileSync(out, 'utf8').split('stubborn pid').length - 1 === 3, {
      what: 'three instances ignoring SIGTERM',
    });
    const down = client.call<{ processes: ProcessInfo[] }>('scale', { name: 's', instances: '2' });
    await waitFor(async () => (await listOf(other)).some((p) => p.status === 'stopping'), {
      what: 'the scale-down to be under way',
    });
    const up = other.call<{ processes: ProcessInfo[] }>('scale', { name: 's', instances: '3' });
    await Promise.all([down, up]);
    const list = (await listOf(client)).filter((p) => p.name === 's');
    expect(list.map((p) => p.status)).toEqual(['online', 'online', 'online']);
    const {
      processes: [detail],
    } = await client.call<{ processes: ProcessDetail[] }>('describe', {
      target: 's',
    });
    expect(detail!.spec.instances).toBe(3);
  });

  it('lets only one of two concurrent starts of a name through; the other is NAME_IN_USE', async () => {
    const home = harness.home();
    const { client } = await harness.startDaemon(home);
    const other = await harness.connect(home);
    // cron_restart makes start check the expression (an await) between its name check and the table.
    const spec = (instances: number) =>
      appSpec(home, { name: 'twice', instances, cronRestart: '0 3 * * *', killTimeoutMs: 1000 });
    const first = client.send('start', { apps: [spec(2)] });
    const second = other.send('start', { apps: [spec(1)] });
    const replies: ResponseMessage[] = await Promise.all([
      client.next((m) => m.id === first && m.status !== 'stream'),
      other.next((m) => m.id === second && m.status !== 'stream'),
    ]);
    expect(replies.map((r) => r.status).sort()).toEqual(['error', 'ok']);
    expect(replies.find((r) => r.status === 'error')!.payload).toMatchObject({ code: 'NAME_IN_USE' });
    const list = (await listOf(client)).filter((p) => p.name === 'twice');
    const winner = replies.find((r) => r.status === 'ok')!.payload as { processes: ProcessInfo[] };
    expect(list.map((p) => p.id)).toEqual(winner.processes.map((p) => p.id));
    await waitFor(async () => (await listOf(client)).every((p) => p.pid !== null), {
      what: 'every process to run',
    });
    // Every process of the app that runs is one the daemon knows: nothing was orphaned by the race.
    const known = (await listOf(client)).map((p) => p.pid).sort();
    expect(markedPids(home).sort()).toEqual(known);
  });
});
