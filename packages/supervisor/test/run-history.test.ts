import { appendFileSync, readFileSync } from 'node:fs';
import type { JobRun } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { RunHistory } from '../src/jobs/run-history.js';
import { Harness } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

function started(seq: number, pid: number | null = null): JobRun {
  return {
    seq,
    pid,
    startedAt: 1_000 * seq,
    endedAt: null,
    exitCode: null,
    signal: null,
    outcome: 'running',
    trigger: 'interval',
  };
}

function ended(seq: number, exitCode = 0): JobRun {
  return {
    ...started(seq, 100 + seq),
    endedAt: 1_000 * seq + 500,
    exitCode,
    outcome: exitCode ? 'failed' : 'ok',
  };
}

function noErrors(message: string): void {
  throw new Error(`unexpected error: ${message}`);
}

describe('RunHistory', () => {
  it('keeps a run that started and never ended as interrupted, with its start and pid, and its seq taken', () => {
    const home = harness.home();
    const first = new RunHistory(home, 'job', 10, noErrors);
    first.begin(started(1));
    first.begin(started(1, 101));
    first.add(ended(1));
    first.begin(started(2));
    first.begin(started(2, 102));
    // the daemon dies here: no add(2)

    const second = new RunHistory(home, 'job', 10, noErrors);
    expect(second.runs.map((run) => [run.seq, run.outcome, run.pid, run.startedAt, run.endedAt])).toEqual([
      [1, 'ok', 101, 1_000, 1_500],
      [2, 'interrupted', 102, 2_000, null],
    ]);
    expect(second.nextSeq()).toBe(3);
  });

  it('counts the run in progress in the next seq and keeps it through a compaction', () => {
    const home = harness.home();
    const history = new RunHistory(home, 'job', 2, noErrors);
    for (let seq = 1; seq <= 3; seq += 1) {
      history.begin(started(seq));
      expect(history.nextSeq()).toBe(seq + 1);
      history.add(ended(seq));
    }
    history.begin(started(4, 104));
    // more lines than twice `keep`: the next write rewrites the file, the pending run included
    history.begin(started(4, 104));
    const lines = readFileSync(history.path, 'utf8').trim().split('\n');
    expect(lines.length).toBeLessThanOrEqual(4);
    const reloaded = new RunHistory(home, 'job', 2, noErrors);
    expect(reloaded.runs.map((run) => [run.seq, run.outcome])).toEqual([
      [3, 'ok'],
      [4, 'interrupted'],
    ]);
  });

  it('rewrites a file torn mid-line by a crash before appending, so the next run is not lost', () => {
    const home = harness.home();
    const first = new RunHistory(home, 'job', 10, noErrors);
    first.add(ended(1));
    appendFileSync(first.path, '{"seq":2,"pid":nu');

    const second = new RunHistory(home, 'job', 10, noErrors);
    expect(second.nextSeq()).toBe(2);
    second.begin(started(2, 102));
    // the daemon dies again during run 2
    const third = new RunHistory(home, 'job', 10, noErrors);
    expect(third.runs.map((run) => [run.seq, run.outcome])).toEqual([
      [1, 'ok'],
      [2, 'interrupted'],
    ]);
  });

  it('resumes an interrupted run as the run in progress when its daemon took it over (SUP-13)', () => {
    const home = harness.home();
    const first = new RunHistory(home, 'job', 10, noErrors);
    first.begin(started(1, 101));
    first.add(ended(1));
    first.begin(started(2, 102));
    // the daemon dies here; the next one finds pid 102 still running

    const second = new RunHistory(home, 'job', 10, noErrors);
    expect(second.resume(999)).toBeNull();
    expect(second.resume(102)).toMatchObject({ seq: 2, pid: 102, outcome: 'running', startedAt: 2_000 });
    expect(second.runs.map((run) => run.seq)).toEqual([1]);
    expect(second.nextSeq()).toBe(3);
    second.add({ ...started(2, 102), endedAt: 5_000, outcome: 'unknown' });

    const third = new RunHistory(home, 'job', 10, noErrors);
    expect(third.runs.map((run) => [run.seq, run.outcome, run.endedAt])).toEqual([
      [1, 'ok', 1_500],
      [2, 'unknown', 5_000],
    ]);
  });

  it('records skipped runs with their reason, a streak of the same as one entry, kept within `keep`', () => {
    const home = harness.home();
    const history = new RunHistory(home, 'job', 3, noErrors);
    history.add(ended(1));
    history.begin(started(2, 102));
    // an interval of a second beside a long run: 200 due times skipped while run 2 goes on
    for (let at = 2_100; at < 2_100 + 200; at += 1)
      history.skip(at, 'interval', 'previous run 2 still going');
    history.add(ended(2));
    history.skip(4_000, 'schedule', "dependency 'db' is stopped");
    history.skip(5_000, 'schedule', "dependency 'db' is stopped");
    expect(history.nextSeq()).toBe(5);
    expect(history.latestRun()).toMatchObject({ seq: 2, outcome: 'ok' });

    const reloaded = new RunHistory(home, 'job', 3, noErrors);
    const rows = reloaded.runs.map((run) => [run.seq, run.outcome, run.reason ?? null, run.skips ?? null]);
    expect(rows).toEqual([
      [2, 'ok', null, null],
      [3, 'skipped', 'previous run 2 still going', 200],
      [4, 'skipped', "dependency 'db' is stopped", 2],
    ]);
    expect(reloaded.runs[1]).toMatchObject({ startedAt: 2_100, endedAt: 2_299, pid: null, exitCode: null });
    expect(reloaded.nextSeq()).toBe(5);
    // each skip appended a line, and the file was rewritten with the newest `keep` whenever it held twice as many
    expect(readFileSync(history.path, 'utf8').trim().split('\n').length).toBeLessThanOrEqual(6);
  });
});
