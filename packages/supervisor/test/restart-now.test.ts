import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VelosEvent } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { StatusEvent } from '../src/process-status.js';
import type { Supervisor } from '../src/supervisor.js';
import { appSpec, Harness, markedPids, waitFor } from './helpers.js';

// Issue 17: with restart_delay 0 the next process is spawned while the exit is handled, before the
// status changes, events and log lines that tell the exit. These tests pin what must not change.

const harness = new Harness();
afterEach(() => harness.cleanup());

const setup = () => harness.supervisorWithLog();

async function busEvents(supervisor: Supervisor): Promise<VelosEvent[]> {
  return (await supervisor.events({ limit: 1000 })).events.filter((event) =>
    event.kind.startsWith('process.'),
  );
}

describe('a restart due at once (restart_delay 0)', () => {
  it('tells the exit, then the restart, then the new run, in that order and with the old run figures', async () => {
    const { home, supervisor, logLines } = setup();
    const statuses: StatusEvent[] = [];
    supervisor.statusEvents.subscribe((event) => statuses.push(event));
    const [started] = await supervisor.start([
      appSpec(home, { name: 'now', script: 'crash-after.js', args: ['100'], env: { EXIT_CODE: '5' } }),
    ]);
    const restarted = await waitFor(async () => {
      const info = (await supervisor.list())[0]!;
      return info.restarts >= 1 && info.status === 'online' ? info : null;
    });
    await supervisor.stop('now');
    expect(restarted.pid).not.toBe(started!.pid);
    expect(restarted).toMatchObject({ exitCode: 5, signal: null, lastExitReason: 'crash', restarts: 1 });
    expect(statuses.slice(0, 5).map(({ from, to, reason }) => [from, to, reason])).toEqual([
      ['stopped', 'starting', 'start'],
      ['starting', 'online', null],
      ['online', 'waiting-restart', 'crash'],
      ['waiting-restart', 'starting', null],
      ['starting', 'online', null],
    ]);
    const events = await busEvents(supervisor);
    const kinds = events.map((event) => event.kind);
    expect(kinds.slice(0, 6)).toEqual([
      'process.started',
      'process.online',
      'process.exited',
      'process.restarting',
      'process.started',
      'process.online',
    ]);
    expect(events[2]!.fields).toMatchObject({ code: 5, signal: null, reason: 'crash' });
    // the restart is told with the count before it and no delay
    expect(events[3]!.fields).toMatchObject({ delay_ms: 0, restarts: 0, reason: 'crash' });
    expect(events[1]!.fields).toMatchObject({ pid: started!.pid });
    expect(events[5]!.fields).toMatchObject({ pid: restarted.pid });
    const exitLine = logLines.findIndex((line) => /now\) exited with code 5: restarting in 0 ms/.test(line));
    expect(exitLine).toBeGreaterThanOrEqual(0);
  });

  it('keeps the output each run wrote just before it crashed', async () => {
    const { home, supervisor } = setup();
    await supervisor.start([appSpec(home, { name: 'noisy', script: 'crash-after.js', args: ['30'] })]);
    await waitFor(async () => ((await supervisor.list())[0]!.restarts >= 4 ? true : null));
    await supervisor.stop('noisy');
    const { restarts } = (await supervisor.list())[0]!;
    const err = (await supervisor.logs({ target: 'noisy', stream: 'err' })).map((line) => line.line);
    const out = (await supervisor.logs({ target: 'noisy', stream: 'out' })).map((line) => line.line);
    // each run that crashed (one per restart) wrote both lines, the last one just before it exited
    expect(out.filter((line) => line.startsWith('started pid')).length).toBeGreaterThanOrEqual(restarts);
    expect(err.filter((line) => line === 'crashing with exit code 1').length).toBeGreaterThanOrEqual(
      restarts,
    );
  });

  it('stops a crash loop for good: no process left, no restart after the stop', async () => {
    const { home, supervisor } = setup();
    await supervisor.start([appSpec(home, { name: 'loop', script: 'crash-after.js', args: ['10'] })]);
    await waitFor(async () => ((await supervisor.list())[0]!.restarts >= 5 ? true : null));
    await supervisor.stop('loop');
    const stopped = (await supervisor.list())[0]!;
    expect(stopped).toMatchObject({ status: 'stopped', pid: null });
    const restarts = stopped.restarts;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await supervisor.list())[0]).toMatchObject({ status: 'stopped', restarts });
    await waitFor(() => markedPids(home).length === 0, { what: 'no process of the app left' });
  });

  it('a respawn that cannot start (its directory is gone) leaves it errored with the reason', async () => {
    const { home, supervisor } = setup();
    const dir = join(home, 'app-dir');
    mkdirSync(dir);
    writeFileSync(join(dir, 'crash.cjs'), `setTimeout(() => process.exit(1), 100);\n`);
    const statuses: StatusEvent[] = [];
    supervisor.statusEvents.subscribe((event) => statuses.push(event));
    await supervisor.start([appSpec(home, { name: 'gone', script: join(dir, 'crash.cjs'), cwd: dir })]);
    rmSync(dir, { recursive: true, force: true });
    const errored = await waitFor(async () => {
      const info = (await supervisor.list())[0]!;
      return info.status === 'errored' ? info : null;
    });
    expect(errored).toMatchObject({ lastExitReason: 'spawn-error', pid: null });
    expect(statuses.slice(2).map(({ from, to }) => [from, to])).toEqual([
      ['online', 'waiting-restart'],
      ['waiting-restart', 'starting'],
      ['starting', 'errored'],
    ]);
    const err = (await supervisor.logs({ target: 'gone', stream: 'err' })).map((line) => line.line);
    expect(err.join('\n')).toMatch(/the working directory .*app-dir does not exist/);
  });
});
