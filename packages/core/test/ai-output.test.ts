import { describe, expect, it } from 'vitest';
import { toAiDetail, toAiLogLine, toAiLogSummary, toAiMetrics, toAiProcess, toAiRuns } from '../src/ai.js';
import { APP_DEFAULTS } from '../src/index.js';
import type { MetricsSnapshot, ProcessMetrics } from '../src/metrics.js';
import type { ProcessDetail, ProcessInfo, ProcessStatus } from '../src/process-info.js';

const MB = 1024 * 1024;

/** A process row of `status`, with a pid and figures only when it runs. */
function processInfo(status: ProcessStatus, isRunning: boolean): ProcessInfo {
  return {
    id: 3,
    name: 'api',
    namespace: 'default',
    instance: 0,
    pid: isRunning ? 4321 : null,
    status,
    restarts: 1,
    unstableRestarts: 0,
    cpu: isRunning ? 2.14 : 0,
    memory: isRunning ? 45 * MB : 0,
    uptime: isRunning ? 90_000 : 0,
    startedAt: isRunning ? 1_700_000_000_000 : null,
    createdAt: 1_700_000_000_000,
    exitCode: null,
    signal: null,
    lastExitReason: null,
    restartAt: null,
    execMode: 'fork',
    type: 'service',
  };
}

function processDetail(info: ProcessInfo): ProcessDetail {
  return {
    ...info,
    spec: { ...APP_DEFAULTS, name: 'api', script: '/srv/api.js', cwd: '/srv', envKeys: [] },
    command: { file: '/usr/bin/node', args: ['/srv/api.js'], shell: false },
    outLogPath: '/logs/api-out.log',
    errLogPath: '/logs/api-err.log',
    lastStartedAt: 1_700_000_000_000,
    cpuPeak: 12.5,
    memoryPeak: 60 * MB,
    logLines: { out: 0, err: 0 },
    logDropped: 0,
  };
}

function processMetrics(info: ProcessInfo): ProcessMetrics {
  return {
    id: info.id,
    name: info.name,
    instance: 0,
    namespace: 'default',
    status: info.status,
    pid: info.pid,
    cpuPercent: info.cpu,
    memoryBytes: info.memory,
    memoryPeakBytes: 60 * MB,
    uptimeSeconds: info.uptime / 1000,
    restarts: info.restarts,
    exits: {},
    logLines: { out: 0, err: 0 },
    logErrors: 0,
    logBytes: 0,
    logDropped: 0,
    health: null,
  };
}

const NOT_RUNNING: ProcessStatus[] = ['stopped', 'errored', 'waiting-restart', 'scheduled'];

describe('--ai forms of a process that does not run', () => {
  it('list: no cpu, memory or uptime (a stopped app has none; 0 would read as measured)', () => {
    for (const status of NOT_RUNNING) {
      const ai = toAiProcess(processInfo(status, false));
      expect(ai, status).not.toHaveProperty('c');
      expect(ai, status).not.toHaveProperty('m');
      expect(ai, status).not.toHaveProperty('u');
    }
    expect(JSON.stringify(toAiProcess(processInfo('stopped', false)))).toBe(
      '{"i":3,"n":"api","s":"stopped","r":1}',
    );
    expect(JSON.stringify(toAiProcess(processInfo('online', true)))).toBe(
      '{"i":3,"n":"api","s":"on","p":4321,"c":2.1,"m":"45M","u":"1m","r":1}',
    );
  });

  it('describe: no cpu or memory, the peaks of earlier runs kept', () => {
    const stopped = toAiDetail(processDetail(processInfo('stopped', false)));
    expect(stopped).not.toHaveProperty('c');
    expect(stopped).not.toHaveProperty('m');
    expect(stopped).toMatchObject({ s: 'stopped', cpk: 12.5, mpk: '60M' });
    expect(toAiDetail(processDetail(processInfo('online', true)))).toMatchObject({ c: 2.1, m: '45M' });
  });

  it('metrics: no cpu or memory', () => {
    const snapshot = {
      daemon: { memoryBytes: 50 * MB, uptimeSeconds: 60, processes: { online: 1, stopped: 1 } },
      host: {
        cpuPercent: 10,
        memoryAvailableBytes: MB,
        memoryTotalBytes: 2 * MB,
        load: [0, 0, 0],
        disk: { totalBytes: 0, availableBytes: 0 },
      },
      processes: [processMetrics(processInfo('online', true)), processMetrics(processInfo('stopped', false))],
    } as unknown as MetricsSnapshot;
    const [online, stopped] = toAiMetrics(snapshot).ps;
    expect(online).toMatchObject({ s: 'on', c: 2.1, m: '45M' });
    expect(stopped).not.toHaveProperty('c');
    expect(stopped).not.toHaveProperty('m');
    expect(stopped).toMatchObject({ s: 'stopped', mpk: '60M' });
  });

  it('metrics: a process of a namespace gives ns, as list does (default: left out)', () => {
    const snapshot = {
      daemon: { memoryBytes: MB, uptimeSeconds: 60, processes: { online: 2 } },
      host: { cpuPercent: 0, memoryAvailableBytes: MB, memoryTotalBytes: MB, load: [0, 0, 0], disk: {} },
      processes: [
        processMetrics(processInfo('online', true)),
        { ...processMetrics(processInfo('online', true)), id: 4, namespace: 'shop' },
      ],
    } as unknown as MetricsSnapshot;
    const [plain, shop] = toAiMetrics(snapshot).ps;
    expect(plain).not.toHaveProperty('ns');
    expect(Object.keys(shop!).slice(0, 4)).toEqual(['i', 'n', 'ns', 's']);
    expect(shop).toMatchObject({ i: 4, ns: 'shop' });
    const listed = toAiProcess({ ...processInfo('online', true), namespace: 'shop' });
    expect(listed.ns).toBe(shop!.ns);
  });
});

describe('--ai forms of a process not sampled yet, its exit and its dependencies', () => {
  it('list and metrics: a process just started (memory not measured) has no cpu or memory, not 0B', () => {
    const fresh = { ...processInfo('online', true), cpu: 0, memory: 0, uptime: 0 };
    expect(JSON.stringify(toAiProcess(fresh))).toBe('{"i":3,"n":"api","s":"on","p":4321,"u":"0s","r":1}');
    const detail = toAiDetail(processDetail(fresh));
    expect(detail).not.toHaveProperty('c');
    expect(detail).not.toHaveProperty('m');
  });

  it('describe: a process never sampled (a job of short runs) has no peaks, not cpk 0 and mpk 0B', () => {
    const never = processDetail({ ...processInfo('scheduled', false), cpu: 0, memory: 0, uptime: 0 });
    const detail = toAiDetail({ ...never, cpuPeak: 0, memoryPeak: 0 });
    expect(detail).not.toHaveProperty('cpk');
    expect(detail).not.toHaveProperty('mpk');
  });

  it('describe: the exit without a null signal, and depends_on as {name: condition}', () => {
    const crashed = processDetail({ ...processInfo('errored', false), exitCode: 1, lastExitReason: 'crash' });
    crashed.spec = { ...crashed.spec, dependsOn: [{ name: 'db', condition: 'healthy' }] };
    expect(toAiDetail(crashed)).toMatchObject({ exit: { code: 1, why: 'crash' }, dep: { db: 'healthy' } });
    expect(toAiDetail(crashed).exit).toEqual({ code: 1, why: 'crash' });
    const killed = processDetail({
      ...processInfo('stopped', false),
      signal: 'SIGKILL',
      lastExitReason: 'crash',
    });
    expect(toAiDetail(killed).exit).toEqual({ code: null, sig: 'SIGKILL', why: 'crash' });
  });

  it("describe: the command's secret flags are masked, as the text view masks them", () => {
    const detail = processDetail(processInfo('online', true));
    detail.command = {
      ...detail.command,
      args: ['/srv/api.js', '--token', 't0k', '--password=pw', '--port', '80'],
    };
    expect(toAiDetail(detail).cmd).toBe(
      "/usr/bin/node /srv/api.js --token '****' '--password=****' --port 80",
    );
  });
});

describe('toAiLogSummary', () => {
  it('writes the engine summary in short keys, stable trends left out', () => {
    const now = Date.parse('2026-12-01T10:00:00Z');
    const compact = toAiLogSummary(
      {
        app: 'api',
        view: 'summary',
        scanned: { lines: 10, files: [] },
        analyzedLines: 10,
        sampleRate: 1,
        text: '',
        summary: {
          lines: 10,
          levels: { info: 8, error: 2 },
          health: 87,
          templates: 2,
          top: [
            { id: 1, template: 'GET <path>', count: 8, level: 'info', trend: 'stable', sample: 'GET /' },
            {
              id: 2,
              template: 'timeout <dur>',
              count: 2,
              level: 'error',
              trend: 'rising',
              sample: 'timeout 5s',
            },
          ],
          anomalies: [],
          lastError: { at: now - 120_000, level: 'error', message: 'timeout 5s' },
          exits: { count: 3, crashes: 2, restarts: 3, last: { at: now - 60_000, code: 1, reason: 'crash' } },
        },
      },
      3_600_000,
      now,
    );
    expect(compact).toEqual({
      app: 'api',
      per: '1h',
      h: 87,
      n: 10,
      lv: { info: 8, error: 2 },
      tpl: 2,
      top: [
        { t: 'GET <path>', c: 8, l: 'info' },
        { t: 'timeout <dur>', c: 2, l: 'error', tr: 'rising' },
      ],
      err: { m: 'timeout 5s', ago: '2m' },
      ex: { n: 3, cr: 2, rs: 3, last: { ago: '1m', code: 1, why: 'crash' } },
    });
  });

  it('leaves ex out when the period had no exit', () => {
    const result = {
      app: 'api',
      view: 'summary' as const,
      scanned: { lines: 0, files: [] },
      analyzedLines: 0,
      sampleRate: 1,
      text: '',
      summary: {
        lines: 0,
        levels: {},
        health: 100,
        templates: 0,
        top: [],
        anomalies: [],
        exits: { count: 0, crashes: 0, restarts: 0 },
      },
    };
    expect(toAiLogSummary(result, undefined)).toEqual({ app: 'api', h: 100, n: 0, tpl: 0 });
    // every captured line read (the CLI without --period) says so, as log_summary says its 1h
    expect(toAiLogSummary(result, 'all')).toEqual({ app: 'api', per: 'all', h: 100, n: 0, tpl: 0 });
    expect(toAiLogSummary({ ...result, summary: undefined }, 'all')).toEqual({
      app: 'api',
      per: 'all',
      n: 0,
    });
  });

  it('says from when every line was read when the time budget ran out, for the answer and each app', () => {
    const readFrom = Date.parse('2026-12-01T09:30:00Z');
    const compact = toAiLogSummary(
      {
        app: 'all',
        view: 'summary',
        scanned: { lines: 10, files: [], isPartial: true, readFrom },
        analyzedLines: 10,
        sampleRate: 1,
        text: '',
        summary: { lines: 10, levels: { info: 10 }, health: 100, templates: 1, top: [], anomalies: [] },
        apps: [
          { name: 'api', lines: 8, levels: { info: 8 }, health: 100, isPartial: true, readFrom },
          { name: 'worker', lines: 2, levels: { info: 2 }, health: 100 },
        ],
      },
      undefined,
    );
    expect(compact).toMatchObject({
      partial: true,
      readFrom: '2026-12-01T09:30:00.000Z',
      apps: [
        { a: 'api', partial: true, readFrom: '2026-12-01T09:30:00.000Z' },
        { a: 'worker', h: 100, n: 2, lv: { info: 2 } },
      ],
    });
    expect((compact as { apps: object[] }).apps[1]).not.toHaveProperty('readFrom');
  });

  it('runs: the job is named when several jobs ran or the target is not that job (all, a namespace)', () => {
    const run = (id: number, name: string, seq: number) => ({
      id,
      name,
      seq,
      pid: null,
      startedAt: Date.UTC(2026, 11, 1, 10, 0, seq),
      endedAt: Date.UTC(2026, 11, 1, 10, 0, seq + 1),
      exitCode: 0,
      signal: null,
      outcome: 'ok' as const,
      trigger: 'schedule' as const,
    });
    const one = [run(4, 'backup', 2), run(4, 'backup', 1)];
    expect(toAiRuns(one, 'backup').map((r) => r.n)).toEqual([undefined, undefined]);
    expect(toAiRuns(one, '4').map((r) => r.n)).toEqual([undefined, undefined]);
    expect(toAiRuns(one, 'all').map((r) => r.n)).toEqual(['backup', 'backup']);
    expect(toAiRuns([run(4, 'backup', 1), run(5, 'report', 1)]).map((r) => r.n)).toEqual([
      'backup',
      'report',
    ]);
  });
});

describe('toAiLogLine', () => {
  const line = {
    ts: Date.UTC(2026, 11, 1, 10, 0, 0),
    id: 3,
    name: 'api',
    pid: 4242,
    stream: 'out' as const,
    line: 'hello',
  };

  it("gives the writer's process id where the daemon knows it among an app's several processes", () => {
    expect(toAiLogLine({ ...line, isIdKnown: true })).toEqual({
      t: '2026-12-01T10:00:00.000Z',
      i: 3,
      m: 'hello',
    });
    expect(toAiLogLine({ ...line, isIdKnown: true }, true)).toMatchObject({ a: 'api', i: 3 });
  });

  it('leaves it out where it is not known (one process, or a line read back from a shared file)', () => {
    expect(toAiLogLine(line)).toEqual({ t: '2026-12-01T10:00:00.000Z', m: 'hello' });
  });
});
