import type { DaemonHealth } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { scoreHealth, scoreProcess } from '../src/health-score.js';
import { fakeProcess } from './fake-process.js';

const daemon = (status: DaemonHealth['status']): DaemonHealth => ({ status, components: [], at: 0 });

const proc = fakeProcess;

describe('scoreProcess', () => {
  it('does not count restarts asked for from outside (user, reload, watch, cron) against the process', () => {
    expect(scoreProcess(proc({ restarts: 1, requestedRestarts: 1, lastExitReason: 'user' }))).toEqual({
      id: 0,
      name: 'api',
      score: 100,
      issues: [],
    });
    // 3 crashes and 2 velos restarts: the crashes count, the last reason (an operator's) is not named
    expect(scoreProcess(proc({ restarts: 5, requestedRestarts: 2, lastExitReason: 'reload' }))).toMatchObject(
      {
        score: 94,
        issues: ['3 restarts'],
      },
    );
    expect(
      scoreProcess(proc({ restarts: 2, requestedRestarts: 1, lastExitReason: 'memory' })).issues,
    ).toEqual(['1 restart, last memory']);
    expect(scoreProcess(proc({ unstableRestarts: 1, restarts: 1, lastExitReason: 'crash' })).issues).toEqual([
      '1 unstable restart in a row',
    ]);
  });

  it('gives a quiet online process 100 and no issue', () => {
    expect(scoreProcess(proc({}))).toEqual({ id: 0, name: 'api', score: 100, issues: [] });
  });

  it('names each issue and takes its points off', () => {
    const looping = scoreProcess(
      proc({ status: 'waiting-restart', unstableRestarts: 2, restarts: 5, lastExitReason: 'crash' }),
    );
    expect(looping.score).toBe(30);
    expect(looping.issues).toEqual([
      'crash loop: waiting to restart (crash)',
      '2 unstable restarts in a row',
    ]);
    expect(scoreProcess(proc({ status: 'errored' })).score).toBe(0);
    // a clean exit waiting out its restart delay is no crash loop; exits too soon in a row are a restart loop
    expect(
      scoreProcess(proc({ status: 'waiting-restart', restarts: 1, lastExitReason: 'exit' })).issues,
    ).toEqual(['waiting to restart (exit)', '1 restart, last exit']);
    expect(
      scoreProcess(
        proc({ status: 'waiting-restart', unstableRestarts: 1, restarts: 1, lastExitReason: 'exit' }),
      ).issues[0],
    ).toBe('restart loop: waiting to restart (exit)');
    // workers ended by their cluster primary's exits in a row: the primary's loop, not the worker's
    expect(
      scoreProcess(
        proc({
          status: 'waiting-restart',
          unstableRestarts: 2,
          restarts: 2,
          lastExitReason: 'primary-exit',
        }),
      ).issues[0],
    ).toBe('cluster primary exit loop: waiting to restart (primary-exit)');

    // SUP-13: a re-adopted run that ended may have exited cleanly: no crash is claimed
    const adopted = scoreProcess(proc({ status: 'waiting-restart', restarts: 1, lastExitReason: 'unknown' }));
    expect(adopted.issues).toEqual([
      'waiting to restart (exit code unknown: re-adopted)',
      '1 restart, last exit code unknown: re-adopted',
    ]);
    const probe = scoreProcess(
      proc({
        health: {
          state: 'unhealthy',
          ready: false,
          lastFailure: { probe: 'liveness', reason: 'HTTP 500', at: 0 },
        },
      }),
    );
    expect(probe).toMatchObject({ score: 40, issues: ['probe unhealthy: liveness HTTP 500', 'not ready'] });
    const job = scoreProcess(
      proc({
        type: 'job',
        status: 'scheduled',
        job: {
          runs: 1,
          skipped: 0,
          nextRunAt: null,
          lastRun: {
            seq: 1,
            pid: null,
            startedAt: 0,
            endedAt: 1,
            exitCode: 2,
            signal: null,
            outcome: 'failed',
            trigger: 'start',
          },
        },
      }),
    );
    expect(job).toMatchObject({ score: 70, issues: ['last run failed (exit 2)'] });
  });

  it('names what a process held back by its depends_on waits for, and one not online yet', () => {
    const held = proc({ status: 'starting', pid: null });
    expect(
      scoreProcess(held, [
        { name: 'db', condition: 'healthy' },
        { name: 'migrate', condition: 'completed_successfully' },
      ]),
    ).toMatchObject({
      score: 80,
      issues: ['not started: waiting for db (healthy), migrate (completed_successfully)'],
    });
    expect(scoreProcess(proc({ status: 'starting' }))).toMatchObject({
      score: 90,
      issues: ['starting: not online yet'],
    });
    const report = scoreHealth(
      daemon('healthy'),
      [held],
      new Map([[0, [{ name: 'db', condition: 'started' }]]]),
    );
    expect(report.processes[0]!.issues).toEqual(['not started: waiting for db (started)']);
  });
});

describe('scoreHealth', () => {
  it('is the lower of the daemon score and the processes mean; the status the worst of both', () => {
    const report = scoreHealth(daemon('healthy'), [proc({}), proc({ id: 1, name: 'w', status: 'errored' })]);
    expect(report).toMatchObject({ score: 50, status: 'unhealthy' });
    expect(scoreHealth(daemon('degraded'), [proc({})])).toMatchObject({ score: 70, status: 'degraded' });
    expect(scoreHealth(daemon('healthy'), [])).toMatchObject({ score: 100, status: 'healthy' });
  });
});

describe('memory growth', () => {
  const growth = { mbPerMin: 5.1, minutes: 10, fromBytes: 41_000_000, toBytes: 92_000_000 };

  it('is a warning on the app that grows (degraded), not an error', () => {
    const score = scoreProcess(proc({ name: 'leak' }), undefined, growth);
    expect(score.score).toBe(80);
    expect(score.issues).toEqual([
      expect.stringMatching(/^memory grows 5\.1 MB\/min for 10 min \(.+ → .+\), no max_memory$/),
    ]);
    const report = scoreHealth(
      daemon('healthy'),
      [proc({ id: 2, name: 'leak' }), proc({ id: 3 })],
      new Map(),
      new Map([[2, growth]]),
    );
    expect(report.status).toBe('degraded');
    expect(report.score).toBe(90);
  });
});
