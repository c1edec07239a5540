import type { ProbeSpec } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { createColors } from '../src/output/colors.js';
import { describeProbe, renderProcessDetails, toAiDetail } from '../src/output/process-detail.js';
import { renderProcessTable, toAiProcess } from '../src/output/process-list.js';
import { processDetail, processInfo } from './sample-processes.js';

const plain = createColors(false);
const AT = new Date(2026, 0, 2, 3, 4, 5).getTime();

const liveness: ProbeSpec = {
  kind: 'http',
  url: 'http://127.0.0.1:3000/health',
  statusMin: 200,
  statusMax: 399,
  headers: {},
  intervalMs: 10_000,
  timeoutMs: 2000,
  failureThreshold: 3,
  successThreshold: 1,
  initialDelayMs: 0,
};
const readiness: ProbeSpec = {
  kind: 'tcp',
  host: '127.0.0.1',
  port: 3000,
  intervalMs: 5000,
  timeoutMs: 1000,
  failureThreshold: 1,
  successThreshold: 2,
  initialDelayMs: 1500,
};

const degraded = {
  state: 'degraded' as const,
  ready: false,
  lastFailure: { probe: 'readiness' as const, reason: 'HTTP 503', at: AT },
};

function cells(line: string | undefined): string[] {
  return (line ?? '').split(/\s{2,}/).filter(Boolean);
}

describe('list with probes, jobs, cluster and watch (SUP-5, 7, 8, 11)', () => {
  it('adds a health column only when some process has probes', () => {
    const table = renderProcessTable(
      [
        processInfo({ health: { state: 'healthy', ready: true, lastFailure: null } }),
        processInfo({ id: 1, name: 'worker', health: degraded }),
        processInfo({ id: 2, name: 'plain' }),
      ],
      plain,
    );
    const [header, api, worker, bare] = table.split('\n');
    expect(cells(header)).toEqual([
      'id',
      'name',
      'pid',
      'status',
      'health',
      'cpu',
      'memory',
      'uptime',
      'restarts',
    ]);
    expect(cells(api)[4]).toBe('healthy');
    expect(cells(worker)[4]).toBe('degraded, not ready');
    expect(cells(bare)[4]).toBe('-');
    expect(renderProcessTable([processInfo()], plain).split('\n')[0]).not.toContain('health');
  });

  it('shows mode, job and watch columns when they apply, and marks an adopted process', () => {
    const now = 1_700_000_100_000;
    const table = renderProcessTable(
      [
        processInfo({ execMode: 'cluster', watching: true, adopted: true }),
        processInfo({
          id: 1,
          name: 'backup',
          type: 'job',
          pid: null,
          status: 'scheduled',
          job: {
            runs: 3,
            skipped: 0,
            nextRunAt: now + 240_000,
            lastRun: {
              seq: 3,
              pid: 99,
              startedAt: now - 1000,
              endedAt: now - 500,
              exitCode: 0,
              signal: null,
              outcome: 'ok',
              trigger: 'interval',
            },
          },
        }),
      ],
      plain,
      now,
    );
    const [header, api, backup] = table.split('\n');
    expect(cells(header)).toEqual([
      'id',
      'name',
      'mode',
      'pid',
      'status',
      'cpu',
      'memory',
      'uptime',
      'restarts',
      'job',
      'watch',
    ]);
    expect(cells(api)).toContain('online (adopted)');
    expect(cells(api)).toContain('cluster');
    expect(cells(api).at(-1)).toBe('on');
    expect(cells(backup)).toContain('3 runs, last ok, next in 4m');
  });

  it("gives a job's next run in --ai as the time of it (ISO), as describe --ai does", () => {
    const now = 1_700_000_100_000;
    const job = { runs: 3, skipped: 0, nextRunAt: now + 240_000, lastRun: null };
    const backup = processInfo({ id: 1, name: 'backup', type: 'job', pid: null, status: 'scheduled', job });
    const next = new Date(now + 240_000).toISOString();
    expect(toAiProcess(backup).j).toEqual({ n: 3, next });
    expect(toAiDetail(processDetail({ type: 'job', status: 'scheduled', pid: null, job })).j).toMatchObject({
      next,
    });
  });

  it('shows the watch flag of an app with watch mode whatever its status (its watcher closes when stopped)', () => {
    const stopped = { pid: null, status: 'stopped', uptime: 0 } as const;
    const table = renderProcessTable(
      [
        processInfo({ hasWatch: true, watching: true }),
        processInfo({ id: 1, name: 'web', ...stopped, hasWatch: true }),
        processInfo({ id: 2, name: 'plain', ...stopped }),
      ],
      plain,
    );
    const [header, api, web, bare] = table.split('\n');
    expect(cells(header).at(-1)).toBe('watch');
    expect(cells(api).at(-1)).toBe('on');
    expect(cells(web).at(-1)).toBe('on');
    expect(cells(bare).at(-1)).toBe('-');
    // a stopped watched app alone still brings the column
    expect(
      renderProcessTable([processInfo({ id: 1, name: 'web', ...stopped, hasWatch: true })], plain),
    ).toMatch(/^id .* watch$/m);
    expect(toAiProcess(processInfo({ ...stopped, hasWatch: true }))).toMatchObject({ s: 'stopped', w: 1 });
    expect(toAiProcess(processInfo({ ...stopped }))).not.toHaveProperty('w');
  });

  it('--ai adds the health state and not-ready flag, nothing for a process without probes', () => {
    expect(toAiProcess(processInfo({ health: degraded }))).toMatchObject({ h: 'degraded', rdy: 0 });
    const healthy = toAiProcess(
      processInfo({ health: { state: 'healthy', ready: true, lastFailure: null } }),
    );
    expect(healthy.h).toBe('healthy');
    expect(healthy).not.toHaveProperty('rdy');
    expect(Object.keys(toAiProcess(processInfo()))).toEqual(['i', 'n', 's', 'p', 'c', 'm', 'u', 'r']);
  });
});

describe('describe with probes (SUP-11)', () => {
  const base = processDetail({ health: degraded });
  const detail = { ...base, spec: { ...base.spec, livenessProbe: liveness, readinessProbe: readiness } };

  it('has a health section: state, readiness, last failure and each probe', () => {
    const text = renderProcessDetails([detail], plain);
    expect(text).toMatch(/^ {2}health +degraded, not ready$/m);
    expect(text).toMatch(/^ {2}ready +no$/m);
    expect(text).toMatch(/^ {2}last failure +readiness: HTTP 503 \(2026-01-02 03:04:05\)$/m);
    expect(text).toMatch(
      /^ {2}liveness +http GET http:\/\/127\.0\.0\.1:3000\/health \(200-399\), every 10s, timeout 2s, fails after 3, passes after 1$/m,
    );
    expect(text).toMatch(
      /^ {2}readiness +tcp 127\.0\.0\.1:3000, every 5s, timeout 1s, fails after 1, passes after 2, initial delay 1\.5s$/m,
    );
    expect(renderProcessDetails([processDetail()], plain)).not.toMatch(/health|liveness|readiness/);
  });

  it('describes every probe kind in one line', () => {
    expect(describeProbe({ ...liveness, statusMin: 204, statusMax: 204 })).toMatch(/^http GET \S+ \(204\),/);
    expect(describeProbe({ ...readiness, kind: 'exec', command: 'pg_isready -q' } as ProbeSpec)).toMatch(
      /^exec pg_isready -q, every 5s/,
    );
  });

  it('--ai: a compact health object with the failure', () => {
    expect(toAiDetail(detail).h).toEqual({
      s: 'degraded',
      rdy: 0,
      fail: { p: 'readiness', why: 'HTTP 503', at: new Date(AT).toISOString() },
    });
    expect(toAiDetail(processDetail())).not.toHaveProperty('h');
  });
});

describe('describe a job, a watched app and a cluster instance (SUP-5, 7, 8)', () => {
  it('shows the trigger, the runs and the last run; watch paths; the mode', () => {
    const now = 1_700_000_100_000;
    const base = processDetail({
      type: 'job',
      status: 'scheduled',
      pid: null,
      execMode: 'fork',
      job: {
        runs: 2,
        skipped: 1,
        nextRunAt: now + 60_000,
        lastRun: {
          seq: 2,
          pid: 77,
          startedAt: AT,
          endedAt: AT + 1500,
          exitCode: 1,
          signal: null,
          outcome: 'failed',
          trigger: 'schedule',
        },
      },
    });
    const job = {
      ...base,
      spec: { ...base.spec, type: 'job' as const, schedule: '*/30 * * * *', jobTimeoutMs: 60_000 },
    };
    const text = renderProcessDetails([job], plain, now);
    expect(text).toMatch(/^ {2}job +schedule \*\/30 \* \* \* \*, timeout 1m, keeps 50 runs$/m);
    expect(text).toMatch(/^ {2}runs +2 runs, last failed, 1 skipped, next in 1m$/m);
    expect(text).toMatch(/^ {2}last run +#2 failed \(exit 1, took 1\.5s, started 2026-01-02 03:04:05\)$/m);
    expect(text).toMatch(/^ {2}autorestart +no \(a job runs on its schedule\)$/m);
    expect(toAiDetail(job).j).toEqual({
      sch: '*/30 * * * *',
      n: 2,
      last: { seq: 2, out: 'failed', code: 1 },
      next: new Date(now + 60_000).toISOString(),
    });

    const watchedBase = processDetail({ watching: true, execMode: 'cluster' });
    const watched = { ...watchedBase, spec: { ...watchedBase.spec, watch: ['/srv/api/src'] } };
    const watchedText = renderProcessDetails([watched], plain);
    expect(watchedText).toMatch(/^ {2}watch +on: \/srv\/api\/src \(delay 500ms\)$/m);
    expect(watchedText).toMatch(/^ {2}mode +cluster$/m);
    expect(toAiDetail(watched)).toMatchObject({ x: 'cluster', w: 1 });
  });
});
