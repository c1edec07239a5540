import { describe, expect, it } from 'vitest';
import { logQueryTargets, queryFilesOf } from '../../src/log-insights/log-target.js';
import type { ProcessRecord } from '../../src/process-record.js';

const app = {
  spec: { name: 'api', logFormat: 'auto' },
  ids: [0, 1],
  outPath: '/logs/api-out.log',
  errPath: '/logs/api-err.log',
};

function record(fields: Partial<ProcessRecord>): ProcessRecord {
  return {
    id: 0,
    app,
    restarts: 0,
    startedAt: null,
    lastStartedAt: null,
    lastExitReason: null,
    pipeline: { homeLogsDir: undefined },
    ...fields,
  } as unknown as ProcessRecord;
}

/** The one app of `records` (its target). */
function logQueryTarget(records: ProcessRecord[]) {
  const targets = logQueryTargets(records);
  expect(targets).toHaveLength(1);
  return targets[0]!;
}

describe('logQueryTargets of one app', () => {
  it('names the latest restart of a running process', () => {
    const target = logQueryTarget([record({ restarts: 2, startedAt: 5000, lastStartedAt: 5000 })]);
    expect(target.lastRestart).toEqual({ ts: 5000 });
  });

  it('keeps the last restart (ENG-6) once the app is errored or stopped: no current run', () => {
    const errored = record({
      restarts: 15,
      startedAt: null,
      lastStartedAt: 7000,
      lastExitReason: 'crash',
      lastStartReason: 'crash',
    });
    expect(logQueryTarget([errored]).lastRestart).toEqual({ ts: 7000, reason: 'crash' });
    const stopped = record({
      id: 1,
      restarts: 1,
      startedAt: null,
      lastStartedAt: 9000,
      lastExitReason: 'user',
      lastStartReason: 'memory',
    });
    expect(logQueryTarget([errored, stopped]).lastRestart).toEqual({ ts: 9000, reason: 'memory' });
  });

  it('gives the reason the last run started for, not the stop that ended it', () => {
    // a crash loop stopped by the user: its last restart was for a crash ("last restart … (user)" before)
    const stopped = record({
      restarts: 9,
      startedAt: null,
      lastStartedAt: 9000,
      lastExitReason: 'user',
      lastStartReason: 'crash',
    });
    expect(logQueryTarget([stopped]).lastRestart).toEqual({ ts: 9000, reason: 'crash' });
    // not known (its history restored by another daemon): no reason rather than the stop's
    const restored = record({ restarts: 9, startedAt: null, lastStartedAt: 9000, lastExitReason: 'user' });
    expect(logQueryTarget([restored]).lastRestart).toEqual({ ts: 9000 });
    const running = record({ restarts: 2, startedAt: 5000, lastStartedAt: 5000, lastExitReason: 'crash' });
    expect(logQueryTarget([running]).lastRestart).toEqual({ ts: 5000, reason: 'crash' });
  });

  it('has no last restart for an app that never restarted', () => {
    expect(logQueryTarget([record({ startedAt: 5000, lastStartedAt: 5000 })]).lastRestart).toBeUndefined();
  });
});

describe('logQueryTargets', () => {
  const worker = {
    spec: { name: 'worker', logFormat: 'json', logDateFormat: 'YYYY', logEngine: false },
    ids: [1, 4],
    outPath: '/logs/worker-out.log',
    errPath: '/logs/worker-err.log',
  };

  it('gives each app of the records once, in the order of its first process id', () => {
    const records = [
      record({ id: 4, app: worker as unknown as ProcessRecord['app'] }),
      record({ id: 2 }),
      record({ id: 1, app: worker as unknown as ProcessRecord['app'], restarts: 1, lastStartedAt: 300 }),
    ];
    const targets = logQueryTargets(records);
    expect(targets.map((target) => [target.name, target.id, target.outPath])).toEqual([
      ['worker', 1, '/logs/worker-out.log'],
      ['api', 2, '/logs/api-out.log'],
    ]);
    expect(targets[0]).toMatchObject({ format: 'json', dateFormat: 'YYYY', hasLiveEngine: false });
    expect(targets[0]!.lastRestart).toEqual({ ts: 300 });
    expect(targets[1]!.lastRestart).toBeUndefined();
  });
});

describe('logQueryTargets of one instance of an app (velos logs 1, log_summary of an id)', () => {
  const perInstance = {
    spec: { name: 'api', logFormat: 'auto', logPerInstance: true },
    ids: [0, 1],
    outPath: '/logs/api-out.log',
    errPath: '/logs/api-err.log',
  } as unknown as ProcessRecord['app'];

  it('reads its own files with log_per_instance, and only its exits count', async () => {
    const asked: (readonly number[] | undefined)[] = [];
    const readExits = async (_app: string, _range: object, ids?: readonly number[]) => {
      asked.push(ids);
      return [];
    };
    const [one] = logQueryTargets([record({ id: 1, app: perInstance })], readExits);
    expect(queryFilesOf(one!)).toEqual([
      { id: 1, outPath: '/logs/api-out-1.log', errPath: '/logs/api-err-1.log' },
    ]);
    expect(one!.sharedBy).toBeUndefined();
    await one!.exits?.({});
    // the whole app: every instance's files (no process writes api-out.log), all of its exits
    const [whole] = logQueryTargets(
      [record({ id: 0, app: perInstance }), record({ id: 1, app: perInstance })],
      readExits,
    );
    expect(queryFilesOf(whole!).map((files) => [files.id, files.outPath])).toEqual([
      [0, '/logs/api-out-0.log'],
      [1, '/logs/api-out-1.log'],
    ]);
    await whole!.exits?.({});
    expect(asked).toEqual([[1], undefined]);
  });

  it('says the files are shared by every instance otherwise: their lines cannot be told apart', () => {
    const one = logQueryTarget([record({ id: 1 })]);
    expect(one.sharedBy).toEqual([0, 1]);
    expect(queryFilesOf(one)).toEqual([
      { id: 1, outPath: '/logs/api-out.log', errPath: '/logs/api-err.log' },
    ]);
    expect(logQueryTarget([record({ id: 0 }), record({ id: 1 })]).sharedBy).toBeUndefined();
  });

  it("gives the files the home's logs dir its pipelines keep time indexes in (files kept elsewhere)", () => {
    const pipeline = { homeLogsDir: '/home/me/.velos/logs' };
    const target = logQueryTarget([record({ id: 0, pipeline } as Partial<ProcessRecord>)]);
    expect(queryFilesOf(target)).toEqual([
      {
        id: 0,
        outPath: '/logs/api-out.log',
        errPath: '/logs/api-err.log',
        homeLogsDir: pipeline.homeLogsDir,
      },
    ]);
  });
});
