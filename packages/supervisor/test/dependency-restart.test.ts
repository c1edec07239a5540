import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Supervisor } from '../src/supervisor.js';
import { Harness, waitFor } from './helpers.js';
import { events, readyWhenFile, recorder } from './order-file.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

async function statuses(supervisor: Supervisor): Promise<Record<string, string>> {
  return Object.fromEntries((await supervisor.list()).map((info) => [info.name, info.status]));
}

describe('a restart that starts stopped apps (velos start all, restart all: SUP-12)', () => {
  it('starts each app after its dependencies meet their conditions, as a start does', async () => {
    const { home, supervisor, logLines } = harness.supervisorWithLog();
    const readyFile = join(home, 'db-ready');
    writeFileSync(readyFile, '');
    // api comes first in the table: a restart in table order started it before db
    await supervisor.start([
      recorder(home, 'api', [{ name: 'db', condition: 'healthy' }]),
      readyWhenFile(home, readyFile),
    ]);
    await waitFor(async () => ((await statuses(supervisor)).api === 'online' ? true : null), {
      what: 'api online',
    });
    await supervisor.stop('all');
    rmSync(readyFile);
    const before = events(home).length;

    const answer = await supervisor.restart('all');
    expect(Object.fromEntries(answer.map((info) => [info.name, info.status]))).toEqual({
      api: 'starting',
      db: 'online',
    });
    await waitFor(() => events(home).slice(before).includes('start db'), { what: 'db to start' });
    // db is not ready: api waits (the defect: it started at once, before db)
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await statuses(supervisor)).toEqual({ api: 'starting', db: 'online' });
    writeFileSync(readyFile, '');
    await waitFor(() => events(home).slice(before).includes('start api'), { what: 'api to start' });
    expect(events(home).slice(before)).toEqual(['start db', 'start api']);
    expect(logLines).toContain('api: dependencies met (db (healthy)): starting');
    // a start of a stopped app is not counted as a restart, as before
    expect((await supervisor.list()).map((info) => info.restarts)).toEqual([0, 0]);
  });

  it('starts a stopped app at once when its dependency is stopped and not started with it', async () => {
    const { home, supervisor } = harness.supervisorWithLog();
    await supervisor.start([
      recorder(home, 'db'),
      recorder(home, 'api', [{ name: 'db', condition: 'started' }]),
    ]);
    await waitFor(async () => ((await statuses(supervisor)).api === 'online' ? true : null), {
      what: 'api online',
    });
    await supervisor.stop('all');
    const [api] = await supervisor.restart('api');
    expect(api!.status).toBe('online');
    expect(await statuses(supervisor)).toEqual({ db: 'stopped', api: 'online' });
  });
});
