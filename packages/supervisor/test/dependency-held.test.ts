import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessInfo } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { Supervisor } from '../src/supervisor.js';
import { Harness, waitFor } from './helpers.js';
import { events, readyWhenFile, recorder } from './order-file.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

/**
 * db online but never ready (its ready file is missing) and api held by `depends_on: { db: healthy }`:
 * api is `starting` with no pid, waiting. Resolves once the gate judged db at least once.
 */
async function heldStack(): Promise<{
  home: string;
  supervisor: Supervisor;
  logLines: string[];
  readyFile: string;
}> {
  const { home, supervisor, logLines } = harness.supervisorWithLog();
  const readyFile = join(home, 'db-ready');
  await supervisor.start([
    readyWhenFile(home, readyFile),
    recorder(home, 'api', [{ name: 'db', condition: 'healthy' }]),
  ]);
  await waitFor(() => events(home).includes('start db'), { what: 'db to start' });
  expect(logLines).toContain('api: waiting for db (healthy)');
  return { home, supervisor, logLines, readyFile };
}

async function rowsOf(supervisor: Supervisor, name: string): Promise<ProcessInfo[]> {
  return (await supervisor.list()).filter((info) => info.name === name);
}

/** api is still held: no run, `starting`, with what it waits for, and never started. */
async function expectHeld(supervisor: Supervisor, home: string, rows?: ProcessInfo[]): Promise<void> {
  // what a start at once would have done by now (the recorder writes its line as it starts)
  await new Promise((resolve) => setTimeout(resolve, 400));
  expect(events(home).filter((line) => line === 'start api')).toEqual([]);
  for (const row of [...(rows ?? []), ...(await rowsOf(supervisor, 'api'))]) {
    expect(row.status).toBe('starting');
    expect(row.pid).toBeNull();
    expect(row.waitingFor?.map((dependency) => dependency.name)).toEqual(['db']);
    expect(row.restarts).toBe(0);
  }
}

/** Once db is ready, every api process starts (the hold was kept, not dropped). */
async function expectReleased(supervisor: Supervisor, home: string, readyFile: string, count = 1) {
  writeFileSync(readyFile, '');
  await waitFor(
    async () => {
      const rows = await rowsOf(supervisor, 'api');
      return rows.length === count && rows.every((row) => row.status === 'online') ? true : null;
    },
    { what: 'api to start once db is ready' },
  );
  // the recorder writes its line once it runs
  await waitFor(() => events(home).filter((line) => line === 'start api').length >= count, {
    what: 'api to record its start',
  });
  expect(events(home).filter((line) => line === 'start api')).toHaveLength(count);
}

describe('an app held by depends_on stays held through the commands that (re)start apps (SUP-12)', () => {
  it('velos restart <app> leaves it waiting and says so in the answer', async () => {
    const { home, supervisor, readyFile, logLines } = await heldStack();
    const answer = await supervisor.restart('api');
    await expectHeld(supervisor, home, answer);
    expect(logLines).toContain('process 1 (api): not restarted (user): waiting for its dependencies');
    await expectReleased(supervisor, home, readyFile);
  });

  it('velos restart all restarts db and leaves api waiting for it', async () => {
    const { home, supervisor, readyFile } = await heldStack();
    const answer = await supervisor.restart('all');
    await waitFor(() => events(home).filter((line) => line === 'start db').length === 2, {
      what: 'db to restart',
    });
    await expectHeld(
      supervisor,
      home,
      answer.filter((row) => row.name === 'api'),
    );
    await expectReleased(supervisor, home, readyFile);
  });

  it('velos reload <app> leaves it waiting', async () => {
    const { home, supervisor, readyFile } = await heldStack();
    const answer = await supervisor.reload('api');
    await expectHeld(supervisor, home, answer);
    await expectReleased(supervisor, home, readyFile);
  });

  it('velos scale <app> up holds the new instances with the others', async () => {
    const { home, supervisor, readyFile } = await heldStack();
    const answer = await supervisor.scale('api', '3');
    expect(answer).toHaveLength(3);
    await expectHeld(supervisor, home, answer);
    await expectReleased(supervisor, home, readyFile, 3);
  });

  it('velos reset <app> leaves it waiting', async () => {
    const { home, supervisor, readyFile } = await heldStack();
    const answer = await supervisor.reset('api');
    await expectHeld(supervisor, home, answer);
    await expectReleased(supervisor, home, readyFile);
  });

  it('a restart of a held app by the user, then a stop of it, leaves it stopped', async () => {
    const { home, supervisor, readyFile } = await heldStack();
    await supervisor.restart('api');
    await supervisor.stop('api');
    writeFileSync(readyFile, '');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await rowsOf(supervisor, 'api')).map((row) => row.status)).toEqual(['stopped']);
    expect(events(home).filter((line) => line === 'start api')).toEqual([]);
  });
});
