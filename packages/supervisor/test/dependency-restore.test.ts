import { afterEach, describe, expect, it } from 'vitest';
import { createSupervisor, type Supervisor } from '../src/supervisor.js';
import { Harness, waitFor } from './helpers.js';
import { events, recorder } from './order-file.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

/** How many times `name` started (its "start <name>" lines in the order file). */
function starts(home: string, name: string): number {
  return events(home).filter((event) => event === `start ${name}`).length;
}

async function statusOf(supervisor: Supervisor, name: string): Promise<string | undefined> {
  return (await supervisor.list()).find((info) => info.name === name)?.status;
}

/** Starts db and api (depending on db), lets `change` act on the running pair, saves and closes. */
async function savedAfter(home: string, change: (supervisor: Supervisor) => Promise<unknown>): Promise<void> {
  const first = harness.track(createSupervisor({ home }));
  await first.start([recorder(home, 'db'), recorder(home, 'api', [{ name: 'db', condition: 'started' }])]);
  await waitFor(() => starts(home, 'api') === 1, { what: 'api to start' });
  await change(first);
  expect(await statusOf(first, 'api')).toBe('online');
  await first.save();
  await first.close();
}

describe('depends_on when saved state is restored (SUP-12)', () => {
  it('starts an app that ran while its dependency was stopped, without it (it used to end errored)', async () => {
    const home = harness.home();
    await savedAfter(home, (supervisor) => supervisor.stop('db'));
    const lines: string[] = [];
    const second = harness.track(createSupervisor({ home, log: (line) => lines.push(line) }));
    await second.restore();
    await waitFor(async () => (await statusOf(second, 'api')) === 'online', { what: 'api online again' });
    expect(await statusOf(second, 'db')).toBe('stopped');
    expect(lines).toContain("api: dependency 'db' is stopped, as restored: not waited for");
  });

  it('starts an app whose dependency was deleted while it ran', async () => {
    const home = harness.home();
    await savedAfter(home, (supervisor) => supervisor.delete('db'));
    const second = harness.track(createSupervisor({ home }));
    await second.restore();
    await waitFor(async () => (await statusOf(second, 'api')) === 'online', { what: 'api online again' });
  });

  it('still waits for a dependency the restore starts', async () => {
    const home = harness.home();
    await savedAfter(home, async () => undefined);
    const lines: string[] = [];
    const second = harness.track(createSupervisor({ home, log: (line) => lines.push(line) }));
    await second.restore();
    await waitFor(async () => (await statusOf(second, 'api')) === 'online', { what: 'api online again' });
    expect(lines).toContain('api: waiting for db (started)');
    expect(lines.filter((line) => line.includes('not waited for'))).toEqual([]);
  });
});
