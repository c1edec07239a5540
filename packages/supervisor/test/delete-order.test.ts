import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSupervisor } from '../src/supervisor.js';
import { appSpec, Harness, waitFor } from './helpers.js';
import { events, recorder } from './order-file.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

/** A supervisor running c, which depends on b, which depends on a; resolves once all three started. */
async function startChain() {
  const home = harness.home();
  const supervisor = harness.track(createSupervisor({ home }));
  await supervisor.start([
    recorder(home, 'a'),
    recorder(home, 'b', [{ name: 'a', condition: 'started' }]),
    recorder(home, 'c', [{ name: 'b', condition: 'started' }]),
  ]);
  await waitFor(() => ['a', 'b', 'c'].every((name) => events(home).includes(`start ${name}`)), {
    what: 'a, b and c to start',
  });
  return { home, supervisor };
}

describe('velos delete and depends_on (SUP-12)', () => {
  it('deletes dependents before their dependencies, as stop all stops them', async () => {
    const { home, supervisor } = await startChain();
    const deleted = await supervisor.delete('all');
    // the answer keeps the order of the selection
    expect(deleted.map((info) => info.name)).toEqual(['a', 'b', 'c']);
    expect(events(home).filter((event) => event.startsWith('stop'))).toEqual(['stop c', 'stop b', 'stop a']);
    expect(await supervisor.list()).toEqual([]);
  });

  it('stops and deletes several targets as one selection, in waves; one that matches nothing fails them all', async () => {
    const { home, supervisor } = await startChain();
    const stopped = await supervisor.stop(['a', 'b', '2', 'c']);
    expect(stopped.map((info) => info.name)).toEqual(['a', 'b', 'c']);
    expect(events(home).filter((event) => event.startsWith('stop'))).toEqual(['stop c', 'stop b', 'stop a']);
    // a restart of them starts each after what it depends on (the spawn, not the app's first line)
    await supervisor.restart(['c', 'b', 'a']);
    const rows = await waitFor(
      async () => {
        const now = await supervisor.list();
        return now.every((row) => row.status === 'online') ? now : null;
      },
      { what: 'a, b and c to run again' },
    );
    expect(rows.map((row) => row.startedAt)).toEqual([...rows.map((row) => row.startedAt)].sort());
    await supervisor.stop('all');
    await expect(supervisor.delete(['a', 'nope'])).rejects.toMatchObject({
      code: 'TARGET_NOT_FOUND',
      data: { target: 'nope' },
    });
    expect((await supervisor.list()).map((info) => info.name)).toEqual(['a', 'b', 'c']);
    expect((await supervisor.delete(['c', 'a'])).map((info) => info.name)).toEqual(['a', 'c']);
  });

  it('orders a selection by depends_on through the apps it leaves out (c → b → a, b not selected)', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    await supervisor.start([
      recorder(home, 'a'),
      recorder(home, 'b', [{ name: 'a', condition: 'started' }]),
      // c takes its kill timeout: a stopped in the same wave would be gone long before it
      appSpec(home, {
        name: 'c',
        script: 'ignore-sigterm.js',
        killTimeoutMs: 1000,
        dependsOn: [{ name: 'b', condition: 'started' }],
      }),
    ]);
    const out = join(home, 'logs', 'c-out.log');
    await waitFor(() => existsSync(out) && readFileSync(out, 'utf8').includes('stubborn pid'), {
      what: 'c to ignore SIGTERM',
    });
    await waitFor(() => events(home).includes('start a'), { what: 'a to listen for SIGTERM' });
    const stopping = supervisor.stop(['a', 'c']);
    await waitFor(async () => (await supervisor.list()).find((p) => p.name === 'c')?.status === 'stopping', {
      what: 'c to be stopping',
    });
    // a waits for c (its second wave), though c depends on it only through b
    expect((await supervisor.list()).find((p) => p.name === 'a')?.status).toBe('online');
    await stopping;
    const rows = await supervisor.list();
    expect(rows.map((row) => [row.name, row.status])).toEqual([
      ['a', 'stopped'],
      ['b', 'online'],
      ['c', 'stopped'],
    ]);
    expect(events(home).filter((event) => event.startsWith('stop'))).toEqual(['stop a']);
    // a restart of the two starts a (its spawn) before c, b staying stopped as the user left it; a is
    // added again first, so that its id comes after c's (the selection is in id order)
    await supervisor.delete('a');
    await supervisor.start([recorder(home, 'a')]);
    await waitFor(() => events(home).filter((event) => event === 'start a').length === 2, {
      what: 'a to start again',
    });
    await supervisor.stop(['a', 'b']);
    const online: string[] = [];
    supervisor.statusEvents.subscribe((change) => {
      if (change.to === 'online') online.push(change.name);
    });
    await supervisor.restart(['c', 'a']);
    await waitFor(() => online.length === 2, { what: 'a and c to run again' });
    expect(online).toEqual(['a', 'c']);
    expect((await supervisor.list()).map((row) => [row.name, row.status])).toEqual([
      ['b', 'stopped'],
      ['c', 'online'],
      ['a', 'online'],
    ]);
    // and the delete of the two goes in the same waves as their stop
    // both listen for SIGTERM again before the delete
    await waitFor(() => readFileSync(out, 'utf8').split('stubborn pid').length === 3, {
      what: 'c to ignore SIGTERM again',
    });
    await waitFor(() => events(home).filter((event) => event === 'start a').length === 3, {
      what: 'a to listen for SIGTERM again',
    });
    const deleting = supervisor.delete(['a', 'c']);
    await waitFor(async () => (await supervisor.list()).find((p) => p.name === 'c')?.status === 'stopping', {
      what: 'c to be stopping for its delete',
    });
    expect((await supervisor.list()).find((p) => p.name === 'a')?.status).toBe('online');
    expect((await deleting).map((info) => info.name)).toEqual(['c', 'a']);
  });

  it('does not delete again an app another request deleted while the waves before it stopped', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    await supervisor.start([
      recorder(home, 'a'),
      appSpec(home, {
        name: 'slow',
        script: 'ignore-sigterm.js',
        killTimeoutMs: 1500,
        dependsOn: [{ name: 'a', condition: 'started' }],
      }),
    ]);
    const out = join(home, 'logs', 'slow-out.log');
    await waitFor(() => existsSync(out) && readFileSync(out, 'utf8').includes('stubborn pid'), {
      what: 'slow to ignore SIGTERM',
    });
    // a's handler records its stop: on a loaded machine it may come up after slow (online is its spawn)
    await waitFor(() => events(home).includes('start a'), { what: 'a to listen for SIGTERM' });
    // slow (first wave) takes its kill timeout: a is deleted by itself meanwhile
    const all = supervisor.delete('all');
    await waitFor(
      async () => (await supervisor.list()).find((p) => p.name === 'slow')?.status === 'stopping',
      {
        what: 'slow to be stopping',
      },
    );
    expect((await supervisor.delete('a')).map((info) => info.name)).toEqual(['a']);
    expect((await all).map((info) => info.name)).toEqual(['slow']);
    expect(events(home).filter((event) => event === 'stop a')).toEqual(['stop a']);
  });
});
