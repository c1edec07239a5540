import { join } from 'node:path';
import type { AppSpec, Dependency } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createSupervisor, type Supervisor } from '../src/supervisor.js';
import { appSpec, Harness, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

function app(
  home: string,
  name: string,
  dependsOn: Dependency[] = [],
  extra: Partial<AppSpec> = {},
): AppSpec {
  return appSpec(home, {
    name,
    script: 'order-recorder.js',
    dependsOn,
    env: { ORDER_FILE: join(home, 'order.txt') },
    ...extra,
  });
}

async function statusOf(supervisor: Supervisor, name: string): Promise<string | undefined> {
  return (await supervisor.list()).find((info) => info.name === name)?.status;
}

describe('depends_on an app of autostart = false (SUP-12)', () => {
  it('waits until the dependency is started by hand, then starts', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    await supervisor.start([
      app(home, 'db', [], { autostart: false }),
      app(home, 'api', [{ name: 'db', condition: 'started' }]),
    ]);
    // the gate judged it at once: without the wait it is errored ("dependency 'db' is stopped") by now
    expect(await statusOf(supervisor, 'db')).toBe('stopped');
    expect(await statusOf(supervisor, 'api')).toBe('starting');
    // `velos start db` of an app the daemon has is a restart of it
    await supervisor.restart('db');
    await waitFor(async () => (await statusOf(supervisor, 'api')) === 'online', { what: 'api to start' });
  });

  it('fails its dependents once the user stops it, as for any stopped dependency', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    await supervisor.start([
      app(home, 'db', [], { autostart: false }),
      app(home, 'api', [{ name: 'db', condition: 'started' }]),
    ]);
    expect(await statusOf(supervisor, 'api')).toBe('starting');
    await supervisor.stop('db');
    await waitFor(async () => (await statusOf(supervisor, 'api')) === 'errored', { what: 'api to fail' });
  });

  it('keeps waiting for it after the daemon restores the state', async () => {
    const home = harness.home();
    const first = harness.track(createSupervisor({ home }));
    await first.start([
      app(home, 'db', [], { autostart: false }),
      app(home, 'api', [{ name: 'db', condition: 'started' }]),
    ]);
    expect(await statusOf(first, 'api')).toBe('starting');
    await first.save();
    await first.close();

    const lines: string[] = [];
    const second = harness.track(createSupervisor({ home, log: (line) => lines.push(line) }));
    await second.restore();
    expect(await statusOf(second, 'db')).toBe('stopped');
    expect(await statusOf(second, 'api')).toBe('starting');
    // held by the gate, not started without it as a dependency the restored state keeps stopped is
    expect(lines).toContain('api: waiting for db (started)');
    expect(lines.filter((line) => line.includes('not waited for'))).toEqual([]);
    await second.restart('db');
    await waitFor(async () => (await statusOf(second, 'api')) === 'online', { what: 'api to start' });
  });
});
