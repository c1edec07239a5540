import type { ProcessInfo } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { Supervisor } from '../src/supervisor.js';
import { appSpec, Harness, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

const setup = () => harness.supervisorWithLog();

async function first(supervisor: Supervisor): Promise<ProcessInfo> {
  return (await supervisor.list())[0]!;
}

describe('restart policy, live', () => {
  it('restarts a crashing process with a new pid and records the exit', async () => {
    const { home, supervisor } = setup();
    const [started] = await supervisor.start([
      appSpec(home, { name: 'crash', script: 'crash-after.js', args: ['150'], env: { EXIT_CODE: '7' } }),
    ]);
    const restarted = await waitFor(
      async () => {
        const info = await first(supervisor);
        return info.restarts >= 1 && info.status === 'online' && info.pid !== started!.pid ? info : null;
      },
      { what: 'an automatic restart' },
    );
    expect(restarted).toMatchObject({ exitCode: 7, signal: null, lastExitReason: 'crash' });
    expect(restarted.pid).toBeGreaterThan(0);
  });

  it('turns errored after max_restarts unstable restarts (runs shorter than min_uptime)', async () => {
    const { home, supervisor } = setup();
    await supervisor.start([
      appSpec(home, {
        name: 'flaky',
        script: 'crash-after.js',
        args: ['20'],
        minUptimeMs: 5000,
        maxRestarts: 2,
      }),
    ]);
    const errored = await waitFor(
      async () => {
        const info = await first(supervisor);
        return info.status === 'errored' ? info : null;
      },
      { what: 'the errored state' },
    );
    expect(errored).toMatchObject({
      restarts: 2,
      unstableRestarts: 2,
      exitCode: 1,
      pid: null,
      lastExitReason: 'crash',
    });
    const text = (await supervisor.logs({ target: 'flaky', stream: 'err' })).map((l) => l.line).join('\n');
    expect(text).toMatch(/stopped restarting after 2 unstable restarts/);
    // errored is an end state: still errored a little later, until the user restarts it
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await first(supervisor)).status).toBe('errored');
    const [again] = await supervisor.restart('flaky');
    // as in PM2, starting an errored process again is no restart of a running one: not counted
    expect(again).toMatchObject({ status: 'online', unstableRestarts: 0, restarts: 2 });
  });

  it('does not restart on a stop exit code, nor without autorestart', async () => {
    const { home, supervisor } = setup();
    await supervisor.start([
      appSpec(home, {
        name: 'done',
        script: 'crash-after.js',
        args: ['50'],
        env: { EXIT_CODE: '3' },
        stopExitCodes: [3],
      }),
      appSpec(home, {
        name: 'once',
        script: 'crash-after.js',
        args: ['50'],
        env: { EXIT_CODE: '0' },
        autorestart: false,
      }),
    ]);
    const infos = await waitFor(
      async () => {
        const list = await supervisor.list();
        return list.every((p) => p.status === 'stopped') ? list : null;
      },
      { what: 'both stopped' },
    );
    expect(infos.map((p) => [p.name, p.exitCode, p.restarts, p.lastExitReason])).toEqual([
      ['done', 3, 0, 'exit'],
      ['once', 0, 0, 'exit'],
    ]);
  });

  it('waits restart_delay before restarting', async () => {
    const { home, supervisor } = setup();
    const delayMs = 1500;
    await supervisor.start([
      appSpec(home, {
        name: 'slow',
        script: 'crash-after.js',
        args: ['50'],
        restartDelayMs: delayMs,
        minUptimeMs: 0,
      }),
    ]);
    const waiting = await waitFor(
      async () => {
        const info = await first(supervisor);
        return info.status === 'waiting-restart' ? { info, seenAt: Date.now() } : null;
      },
      { what: 'waiting-restart' },
    );
    expect(waiting.info.restartAt! - waiting.seenAt).toBeGreaterThan(delayMs - 300);
    const online = await waitFor(
      async () => {
        const info = await first(supervisor);
        return info.restarts === 1 && info.startedAt !== null ? info : null;
      },
      { what: 'the delayed restart' },
    );
    expect(online.startedAt!).toBeGreaterThanOrEqual(waiting.info.restartAt!);
  });

  it('records a death by signal and restarts it', async () => {
    const { home, supervisor } = setup();
    const [started] = await supervisor.start([appSpec(home, { name: 'victim' })]);
    process.kill(started!.pid!, 'SIGKILL');
    const info = await waitFor(
      async () => {
        const current = await first(supervisor);
        return current.restarts === 1 && current.status === 'online' ? current : null;
      },
      { what: 'the restart after SIGKILL' },
    );
    expect(info).toMatchObject({ signal: 'SIGKILL', exitCode: null, lastExitReason: 'crash' });
    const [detail] = await supervisor.describe('victim');
    expect(detail!.restarts).toBe(1);
    // the last exit is kept until the next one: a stop records the SIGTERM exit
    const [stopped] = await supervisor.stop('victim');
    expect(stopped).toMatchObject({ signal: 'SIGTERM', exitCode: null, lastExitReason: 'user' });
  });

  it('grows the delay with exponential backoff', async () => {
    const { home, supervisor, logLines } = setup();
    await supervisor.start([
      appSpec(home, {
        name: 'backoff',
        script: 'crash-after.js',
        args: ['10'],
        expBackoffRestartDelayMs: 100,
        maxBackoffDelayMs: 250,
        minUptimeMs: 0,
      }),
    ]);
    await waitFor(() => logLines.filter((l) => l.includes('restarting in')).length >= 4, {
      what: '4 restarts',
    });
    await supervisor.stop('backoff');
    const delays = logLines
      .filter((l) => l.includes('restarting in'))
      .map((l) => Number(/in (\d+) ms/.exec(l)![1]));
    expect(delays.slice(0, 4)).toEqual([100, 150, 225, 250]);
  });
});
