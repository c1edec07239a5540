import { join } from 'node:path';
import { NESTED_DEFAULTS, type ProbeSpec, type ProcessInfo } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createSupervisor, type Supervisor } from '../src/supervisor.js';
import { freePort } from './free-port.js';
import { appSpec, Harness, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

/** 30 days: past the 2^31 − 1 ms (~24.8 days) a bare setTimeout keeps. */
const THIRTY_DAYS_MS = 30 * 86_400_000;

async function rowOf(supervisor: Supervisor, name: string): Promise<ProcessInfo> {
  const row = (await supervisor.list()).find((info) => info.name === name);
  if (!row) throw new Error(`no process named ${name}`);
  return row;
}

/**
 * Lets the supervisor's timers run for a while, measured by a short interval job (`clock`) that
 * finishes `count` more runs: a clamped timer (1 ms) has fired many times over by then.
 */
async function letTimersRun(supervisor: Supervisor, count = 4): Promise<void> {
  const done = async () => (await supervisor.runs('clock')).filter((run) => run.outcome !== 'running').length;
  const target = (await done()) + count;
  await waitFor(async () => (await done()) >= target, { what: `${count} more runs of the clock job` });
}

function clockJob(home: string) {
  return appSpec(home, {
    name: 'clock',
    script: 'job-counter.js',
    type: 'job',
    intervalMs: 150,
    env: { COUNTER_FILE: join(home, 'clock.count') },
  });
}

describe('durations past 2^31 ms (issue #19 item 3)', () => {
  it('runs a job with --every 30d and --timeout 30d once, to its end, and schedules the next run in 30 days', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    await supervisor.start([
      clockJob(home),
      appSpec(home, {
        name: 'monthly',
        script: 'job-counter.js',
        type: 'job',
        intervalMs: THIRTY_DAYS_MS,
        jobTimeoutMs: THIRTY_DAYS_MS,
        env: { COUNTER_FILE: join(home, 'monthly.count'), JOB_MS: '800' },
      }),
    ]);
    const [first] = await waitFor(async () => {
      const runs = await supervisor.runs('monthly');
      return runs.length > 0 && runs.every((run) => run.outcome !== 'running') ? runs : null;
    });
    await letTimersRun(supervisor);

    const runs = await supervisor.runs('monthly');
    expect(runs).toHaveLength(1);
    expect(first).toMatchObject({ seq: 1, outcome: 'ok', exitCode: 0, trigger: 'start' });
    expect(first!.endedAt! - first!.startedAt).toBeGreaterThanOrEqual(700);
    const row = await rowOf(supervisor, 'monthly');
    expect(row.status).toBe('scheduled');
    expect(row.job!.skipped).toBe(0);
    expect(row.job!.nextRunAt! - first!.startedAt).toBeGreaterThan(THIRTY_DAYS_MS - 60_000);
  });

  it('waits a 30-day restart delay and a 30-day probe interval instead of firing at once', async () => {
    const home = harness.home();
    const closedPort = await freePort();
    const liveness: ProbeSpec = {
      kind: 'tcp',
      host: '127.0.0.1',
      port: closedPort,
      intervalMs: THIRTY_DAYS_MS,
      timeoutMs: 1000,
      failureThreshold: 2,
      successThreshold: NESTED_DEFAULTS.probeSuccessThreshold,
      initialDelayMs: 0,
    };
    const supervisor = harness.track(createSupervisor({ home }));
    await supervisor.start([
      clockJob(home),
      appSpec(home, {
        name: 'crasher',
        script: 'crash-after.js',
        restartDelayMs: THIRTY_DAYS_MS,
        env: { CRASH_AFTER_MS: '100' },
      }),
      appSpec(home, { name: 'probed', script: 'silent.js', livenessProbe: liveness }),
    ]);
    await waitFor(async () => (await rowOf(supervisor, 'crasher')).status === 'waiting-restart', {
      what: 'crasher to wait for its restart',
    });
    await waitFor(async () => (await rowOf(supervisor, 'probed')).health?.lastFailure, {
      what: 'the first failed check of the probed process',
    });
    await letTimersRun(supervisor);

    const crasher = await rowOf(supervisor, 'crasher');
    expect(crasher).toMatchObject({ status: 'waiting-restart', restarts: 0 });
    expect(crasher.restartAt! - Date.now()).toBeGreaterThan(THIRTY_DAYS_MS - 60_000);
    // one failed check of two needed: a clamped interval would have checked again and restarted it
    const probed = await rowOf(supervisor, 'probed');
    expect(probed).toMatchObject({ status: 'online', restarts: 0 });
    expect(probed.health).toMatchObject({ state: 'unknown', lastFailure: { probe: 'liveness' } });
  });
});
