import { join } from 'node:path';
import type { ProcessInfo } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createSupervisor, type Supervisor } from '../src/supervisor.js';
import { appSpec, Harness, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

// the smallest timeout the product accepts (WATCHDOG_LIMITS_MS), checked often so a restart follows it closely
const WATCHDOG = { timeoutMs: 1000, intervalMs: 100 };

async function row(supervisor: Supervisor, name: string): Promise<ProcessInfo> {
  const found = (await supervisor.list()).find((info) => info.name === name);
  if (!found) throw new Error(`no process ${name}`);
  return found;
}

function waitForRestarts(supervisor: Supervisor, name: string, restarts: number): Promise<ProcessInfo> {
  return waitFor(
    async () => {
      const info = await row(supervisor, name);
      return info.restarts >= restarts && info.status === 'online' ? info : null;
    },
    { what: `${restarts} restart(s) of ${name}`, timeoutMs: 20_000 },
  );
}

describe('log-inactivity watchdog (SUP-10)', () => {
  it('restarts a program whose own log file stops growing, and starts the timer over', async () => {
    const home = harness.home();
    const logFile = join(home, 'own', 'nested', 'writer.log');
    const lines: string[] = [];
    const supervisor = harness.track(createSupervisor({ home, log: (line) => lines.push(line) }));
    const [started] = await supervisor.start([
      appSpec(home, {
        name: 'writer',
        script: 'log-writer.js',
        env: { LOG_FILE: logFile, WRITE_FOR_MS: '500' },
        watchdog: { ...WATCHDOG, logFile },
      }),
    ]);
    const first = await waitForRestarts(supervisor, 'writer', 1);
    expect(first.lastExitReason).toBe('inactivity');
    expect(first.pid).not.toBe(started!.pid);
    // The new run writes for 500 ms, goes quiet again, and is restarted again.
    const second = await waitForRestarts(supervisor, 'writer', 2);
    expect(second.lastExitReason).toBe('inactivity');
    const errLines = await supervisor.logs({ target: 'writer', stream: 'err', lines: 10 });
    expect(errLines.map((l) => l.line)).toContain(`velos: restarting: no output to ${logFile} for 1s`);
    expect(lines.some((line) => line.includes(`no output to ${logFile} for 1s (watchdog): restarting`))).toBe(
      true,
    );
  });

  // also 'does not restart a stopped process': idle, stopped, against the same positive control
  it('leaves a program that keeps writing its log file alone, and restarts one whose file is missing; does not restart a stopped process', async () => {
    const home = harness.home();
    const busyLog = join(home, 'busy.log');
    const missingLog = join(home, 'never-written.log');
    const supervisor = harness.track(createSupervisor({ home }));
    await supervisor.start([
      appSpec(home, {
        name: 'busy',
        script: 'log-writer.js',
        env: { LOG_FILE: busyLog, EVERY_MS: '100' },
        watchdog: { ...WATCHDOG, logFile: busyLog },
      }),
      appSpec(home, { name: 'quiet', script: 'silent.js', watchdog: { ...WATCHDOG, logFile: missingLog } }),
      appSpec(home, { name: 'idle', script: 'silent.js', watchdog: WATCHDOG }),
    ]);
    await supervisor.stop('idle');
    // a loaded machine may reach a timeout before the stop (idle restarted twice once, at load 50): what
    // is checked is that none follows it, while two timeouts of the control pass after it
    const idleAtStop = await row(supervisor, 'idle');
    const quietAtStop = await row(supervisor, 'quiet');
    // Positive control: two timeouts pass for the quiet app while the busy one keeps its first run.
    const quiet = await waitForRestarts(supervisor, 'quiet', Math.max(2, quietAtStop.restarts + 2));
    expect(quiet.lastExitReason).toBe('inactivity');
    const busy = await row(supervisor, 'busy');
    expect(busy.restarts).toBe(0);
    expect(busy.status).toBe('online');
    const idle = await row(supervisor, 'idle');
    expect(idle.status).toBe('stopped');
    expect(idle.restarts).toBe(idleAtStop.restarts);
  });

  it('watches the captured output when no log file is named', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    await supervisor.start([
      appSpec(home, {
        name: 'talks-then-stops',
        script: 'chatty.js',
        env: { COUNT: '3', RATE: '10', STAY: '1' },
        watchdog: WATCHDOG,
      }),
      appSpec(home, { name: 'talks', script: 'chatty.js', env: { RATE: '10' }, watchdog: WATCHDOG }),
    ]);
    const quiet = await waitForRestarts(supervisor, 'talks-then-stops', 2);
    expect(quiet.lastExitReason).toBe('inactivity');
    const errLines = await supervisor.logs({ target: 'talks-then-stops', stream: 'err', lines: 10 });
    expect(errLines.map((l) => l.line)).toContain('velos: restarting: no output for 1s');
    const talks = await row(supervisor, 'talks');
    expect(talks.restarts).toBe(0);
  });

  it('stops the silent run of a job (failed) and leaves the next run to the schedule, never a restart loop', async () => {
    const home = harness.home();
    const lines: string[] = [];
    const supervisor = harness.track(createSupervisor({ home, log: (line) => lines.push(line) }));
    await supervisor.start([
      appSpec(home, {
        name: 'hung',
        script: 'job-counter.js',
        type: 'job',
        intervalMs: 3_600_000,
        env: { COUNTER_FILE: join(home, 'hung.count'), JOB_MS: '60000' },
        watchdog: WATCHDOG,
      }),
    ]);
    const info = await waitFor(
      async () => {
        const found = await row(supervisor, 'hung');
        return found.status === 'scheduled' ? found : null;
      },
      { what: 'the silent run of hung stopped', timeoutMs: 20_000 },
    );
    // it used to start run 2 at once (a restart), and so on every second
    expect((await supervisor.runs('hung')).map((run) => [run.seq, run.outcome, run.signal])).toEqual([
      [1, 'failed', 'SIGTERM'],
    ]);
    expect(info.restarts).toBe(0);
    expect(lines.some((line) => line.includes('(watchdog): stopping the run'))).toBe(true);
  });
});
