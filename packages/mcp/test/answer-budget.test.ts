import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import {
  APP_DEFAULTS,
  type DaemonHealth,
  type LogLine,
  type LogsAnalyzeResult,
  type LogsResult,
  type LogsSearchResult,
  type MetricsHistory,
  type MetricsSnapshot,
  type ProcessDetail,
  type VelosControl,
  type VelosEvent,
} from '@velos/core';
import { describe, expect, it } from 'vitest';
import { ANSWER_BYTES_MAX, firstThatFit, fitLists, newestThatFit } from '../src/answer-budget.js';
import { createVelosMcpServer } from '../src/server.js';
import { fakeProcess } from './fake-process.js';

const LINES = 5000;
const AT = 1_800_000_000_000;

/** `count` lines of app `api`, oldest first, each about 200 characters. */
function manyLines(count: number): LogLine[] {
  return Array.from({ length: count }, (_, n) => ({
    ts: AT + n,
    stream: 'out' as const,
    id: 0,
    name: 'api',
    pid: null,
    line: `line ${n} ${'x'.repeat(190)}`,
  }));
}

/** Calls `tool` with `args` on a server over `control`; gives the text of the answer. */
async function call(control: Partial<VelosControl>, tool: string, args: Record<string, unknown>) {
  const server = createVelosMcpServer({ control: control as VelosControl });
  const client = new Client({ name: 't', version: '1' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  await client.connect(clientSide);
  try {
    const result = (await client.callTool({ name: tool, arguments: args })) as {
      content: { text: string }[];
      isError?: boolean;
    };
    expect(result.isError).toBeFalsy();
    return result.content[0]!.text;
  } finally {
    await client.close();
    await server.close();
  }
}

describe('newestThatFit', () => {
  it('keeps the newest items that fit and counts the older ones it left out', () => {
    const items = ['aaaa', 'bbbb', 'cccc'];
    // each is 6 bytes of JSON and a comma
    expect(newestThatFit(items, 14)).toEqual({ kept: ['bbbb', 'cccc'], dropped: 1 });
    expect(newestThatFit(items, 100)).toEqual({ kept: items, dropped: 0 });
  });

  it('keeps the newest item even when it alone is over the budget', () => {
    expect(newestThatFit(['a', 'b'.repeat(50)], 10)).toEqual({ kept: ['b'.repeat(50)], dropped: 1 });
  });
});

describe('answers of many lines or events', () => {
  it('log_search keeps the newest matches that fit and says how many older ones it left out', async () => {
    const lines = manyLines(LINES);
    const searchLogs = async (): Promise<LogsSearchResult> => ({
      lines,
      scanned: { lines: 20_000, files: [] },
      cut: { maxBytes: 1 << 20, omittedLines: 7, files: [] },
    });
    const text = await call({ searchLogs }, 'log_search', { target: 'api', limit: 10_000 });
    expect(Buffer.byteLength(text)).toBeLessThan(ANSWER_BYTES_MAX + 200);
    const answer = JSON.parse(text) as { lines: { m: string }[]; omitted: number; scanned: number };
    expect(answer.lines.at(-1)!.m).toMatch(`line ${LINES - 1} `);
    expect(answer.omitted).toBe(LINES - answer.lines.length + 7);
    expect(answer.scanned).toBe(20_000);
  });

  it('log_read keeps the newest lines that fit and says how many it left out', async () => {
    const logsResult = async (): Promise<LogsResult> => ({ lines: manyLines(LINES) });
    const text = await call({ logsResult }, 'log_read', { target: 'api', lines: 1000 });
    expect(Buffer.byteLength(text)).toBeLessThan(ANSWER_BYTES_MAX + 200);
    const answer = JSON.parse(text) as { lines: { m: string }[]; omitted: number };
    expect(answer.lines.at(-1)!.m).toMatch(`line ${LINES - 1} `);
    expect(answer.omitted).toBe(LINES - answer.lines.length);
  });

  it('events_list keeps the newest events that fit and says more', async () => {
    const events: VelosEvent[] = Array.from({ length: 1000 }, (_, n) => ({
      seq: n,
      at: AT + n * 1000,
      kind: 'app.deploy',
      severity: 'info',
      app: 'api',
      message: `event ${n} ${'y'.repeat(190)}`,
    }));
    const text = await call({ events: async () => ({ events, hasMore: false }) }, 'events_list', {
      limit: 1000,
    });
    expect(Buffer.byteLength(text)).toBeLessThan(ANSWER_BYTES_MAX + 200);
    const answer = JSON.parse(text) as { ev: { m: string }[]; more?: boolean };
    expect(answer.ev.at(-1)!.m).toMatch('event 999 ');
    expect(answer.more).toBe(true);
  });

  it("log_read of one instance sharing its app's files says where its older lines are", async () => {
    const logsResult = async (): Promise<LogsResult> => ({
      lines: manyLines(3),
      unattributed: ['/home/u/.velos/logs/api-out.log'],
    });
    const answer = JSON.parse(await call({ logsResult }, 'log_read', { target: '2', lines: 50 }));
    expect(answer).toMatchObject({ olderIn: ['/home/u/.velos/logs/api-out.log'] });
    expect(answer.lines).toHaveLength(3);
  });

  it('log_read of a target whose log file was removed under the daemon names it (missing)', async () => {
    const logsResult = async (): Promise<LogsResult> => ({
      lines: manyLines(3),
      missingFiles: ['/home/u/.velos/logs/api-out.log'],
      missingHeldLines: [3],
    });
    const answer = JSON.parse(await call({ logsResult }, 'log_read', { target: 'api', lines: 500 }));
    expect(answer).toMatchObject({ missing: ['/home/u/.velos/logs/api-out.log'] });
    expect(answer.lines).toHaveLength(3);
  });

  it('a small answer is left whole', async () => {
    const logsResult = async (): Promise<LogsResult> => ({ lines: manyLines(3) });
    const answer = JSON.parse(await call({ logsResult }, 'log_read', { target: 'api' })) as unknown[];
    expect(answer).toHaveLength(3);
  });
});

/** `count` processes `svc-<n>` (ids 0…), each described with an env of 20 variables, as `describe` answers. */
function manyDetails(count: number): ProcessDetail[] {
  return Array.from({ length: count }, (_, id) => {
    const name = `svc-${id}`;
    const env = Object.fromEntries(Array.from({ length: 20 }, (_, k) => [`VARIABLE_${k}`, `value ${k}`]));
    return {
      ...fakeProcess({ id, name, memory: 40_000_000 }),
      spec: { ...APP_DEFAULTS, name, script: `/srv/${name}/server.js`, cwd: `/srv/${name}`, env },
      command: { file: '/usr/bin/node', args: [`/srv/${name}/server.js`], shell: false },
      outLogPath: `/srv/logs/${name}-out.log`,
      errLogPath: `/srv/logs/${name}-err.log`,
      lastStartedAt: 0,
      cpuPeak: 2,
      memoryPeak: 40_000_000,
      logLines: { out: 1, err: 0 },
      logDropped: 0,
    } as unknown as ProcessDetail;
  });
}

/** A cut answer of processes: the first that fit, how many more, and what to ask instead. */
interface CutRows {
  ps: { i?: number; id?: number }[];
  omitted: number;
  hint: string;
}

describe('firstThatFit', () => {
  it('keeps the first items that fit and counts the ones after them', () => {
    expect(firstThatFit(['aaaa', 'bbbb', 'cccc'], 14)).toEqual({ kept: ['aaaa', 'bbbb'], dropped: 1 });
    expect(firstThatFit(['a'.repeat(50), 'b'], 10)).toEqual({ kept: ['a'.repeat(50)], dropped: 1 });
  });
});

describe('answers of many processes', () => {
  const details = manyDetails(200);
  const processes = details.map((d) => fakeProcess({ id: d.id, name: d.name, memory: 40_000_000 }));

  it('process_info all in full keeps the first processes that fit and says how to ask for the others', async () => {
    const control = { describe: async () => details, metricsHistory: async () => [] };
    const text = await call(control, 'process_info', { target: 'all', detail: 'full' });
    expect(Buffer.byteLength(text)).toBeLessThan(ANSWER_BYTES_MAX + 200);
    const answer = JSON.parse(text) as CutRows;
    expect(answer.ps[0]!.id).toBe(0);
    expect(answer.ps.at(-1)!.id).toBe(answer.ps.length - 1);
    expect(answer.omitted).toBe(200 - answer.ps.length);
    expect(answer.hint).toBe(
      'the answer holds 48 KB: give a target of one app or namespace for the others, or detail brief',
    );
  });

  it('process_list in full and process_stop of them all are cut alike', async () => {
    const many = [...processes, ...processes, ...processes, ...processes, ...processes].map((p, id) => ({
      ...p,
      id,
    }));
    const control = { list: async () => many, stop: async () => many };
    const listed = JSON.parse(await call(control, 'process_list', { detail: 'full' })) as CutRows;
    expect(listed.omitted).toBe(1000 - listed.ps.length);
    expect(listed.hint).toMatch(/process_info with a target/);
    const stopped = JSON.parse(await call(control, 'process_stop', { target: 'all' })) as CutRows;
    expect(stopped.ps.length + stopped.omitted).toBe(1000);
    expect(stopped.hint).toBe(
      'the answer holds 48 KB: every process was acted on; process_list gives the rows left out',
    );
  });

  it('metrics_history and metrics_snapshot in full keep the first processes that fit', async () => {
    const t = Array.from({ length: 120 }, (_, n) => AT + n * 30_000);
    const series = t.map((_, n) => 40_000_000 + n * 12_345);
    const histories: MetricsHistory[] = processes.map((p) => ({
      id: p.id,
      name: p.name,
      namespace: 'default',
      instance: 0,
      t,
      cpu: t.map((_, n) => (n % 7) * 1.3),
      memory: series,
      restarts: t.map(() => 0),
      logRate: t.map(() => 0),
    }));
    const snapshot = {
      at: AT,
      daemon: { version: '1', pid: 1, uptimeSeconds: 1, memoryBytes: 1, processes: { online: 200 } },
      host: { cpuPercent: 1, memoryAvailableBytes: 1, memoryTotalBytes: 2, load: [0, 0, 0], disk: {} },
      processes: processes.map((p) => ({ id: p.id, name: p.name, fields: 'x'.repeat(300) })),
    } as unknown as MetricsSnapshot;
    const control = { metricsHistory: async () => histories, metrics: async () => snapshot };
    const history = await call(control, 'metrics_history', { target: 'all', points: 120 });
    expect(Buffer.byteLength(history)).toBeLessThan(ANSWER_BYTES_MAX + 200);
    expect((JSON.parse(history) as CutRows).omitted).toBeGreaterThan(0);
    const full = await call(control, 'metrics_snapshot', { detail: 'full' });
    expect(Buffer.byteLength(full)).toBeLessThan(ANSWER_BYTES_MAX + 200);
    const answer = JSON.parse(full) as { processes: unknown[]; omitted: number; at: number };
    expect(answer.omitted).toBe(200 - answer.processes.length);
    expect(answer.at).toBe(AT);
  });

  it('a fleet whose answer fits is answered as a list, as before', async () => {
    const control = { describe: async () => details.slice(0, 3), metricsHistory: async () => [] };
    const answer = JSON.parse(await call(control, 'process_info', { target: 'all', detail: 'full' }));
    expect(answer).toHaveLength(3);
  });
});

describe('fitLists', () => {
  it('fills the lists in order with what fits, adding what it left out to the omitted it had', () => {
    const answer = {
      a: ['x'.repeat(40), 'y'.repeat(40)],
      t: { b: ['z'.repeat(40), 'w'.repeat(40)] },
      omitted: 2,
    };
    expect(fitLists(answer, [['a'], ['t', 'b']], 'ask less', 1000)).toBe(answer);
    // 203 bytes whole: t.b comes first and fits, a does not beside it
    expect(fitLists(answer, [['t', 'b'], ['a']], 'ask less', 200)).toEqual({
      a: [],
      t: answer.t,
      omitted: 4,
      hint: 'the answer holds 0.1953125 KB: ask less',
    });
  });
});

/**
 * A log summary of all apps as `analyzeLogs` answers it: 90,000 info lines in 10 templates (`template(id)`),
 * shared by 1,500 apps of 60 lines each named `appName(n)`, with `extra` keys.
 */
function summaryOfManyApps(
  template: (id: number) => string,
  appName: (n: number) => string,
  extra: Record<string, unknown> = {},
): LogsAnalyzeResult {
  return {
    app: 'all',
    view: 'summary',
    scanned: { lines: 90_000, files: ['/logs/a.log'] },
    analyzedLines: 90_000,
    sampleRate: 1,
    summary: {
      lines: 90_000,
      levels: { info: 90_000 },
      health: 100,
      templates: 10,
      top: Array.from({ length: 10 }, (_, id) => ({ id, template: template(id), count: 10, level: 'info' })),
      anomalies: [],
    },
    apps: Array.from({ length: 1500 }, (_, n) => ({
      name: appName(n),
      lines: 60,
      levels: { info: 60 },
      health: 100,
    })),
    ...extra,
  } as unknown as LogsAnalyzeResult;
}

describe('answers in full of a large fleet', () => {
  it('health_check in full keeps the daemon components, then the first processes and reported components that fit', async () => {
    const processes = Array.from({ length: 2000 }, (_, id) =>
      fakeProcess({ id, name: `app-${id}`, status: id % 10 === 0 ? 'errored' : 'online', restarts: id % 7 }),
    );
    const reported = Array.from({ length: 400 }, (_, n) => ({
      name: `queue-${n}`,
      status: 'healthy' as const,
      intervalMs: 30_000,
      lastReportAt: AT,
      isStale: false,
      since: AT,
      reports: 1,
    }));
    const daemon = {
      status: 'healthy',
      components: [{ name: 'ipc', status: 'healthy' }],
      at: AT,
      reported,
    } as unknown as DaemonHealth;
    const control = {
      health: async () => daemon,
      list: async () => processes,
      metricsHistory: async () => [],
    };
    const text = await call(control, 'health_check', { detail: 'full' });
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(ANSWER_BYTES_MAX);
    const answer = JSON.parse(text) as {
      score: number;
      processes: { id: number }[];
      daemon: { reported?: unknown[]; components: unknown[] };
      omitted: number;
      hint: string;
    };
    expect(answer.processes[0]!.id).toBe(0);
    // the processes alone are past the budget: the reported components are left out too
    expect(answer.omitted).toBe(2000 - answer.processes.length + 400);
    expect(answer.daemon.reported).toEqual([]);
    expect(answer.daemon.components).toEqual([{ name: 'ipc', status: 'healthy' }]);
    expect(answer.hint).toBe(
      'the answer holds 48 KB: detail brief (the default) names every process with issues and the apps that are ok',
    );
    const few = {
      health: async () => ({ ...daemon, reported: reported.slice(0, 10) }),
      list: async () => processes.slice(0, 3),
      metricsHistory: async () => [],
    };
    const whole = JSON.parse(await call(few, 'health_check', { detail: 'full' }));
    expect(whole.processes).toHaveLength(3);
    expect(whole.daemon.reported).toHaveLength(10);
    expect(whole.omitted).toBe(undefined);
  });

  it('log_summary in full over many apps keeps the first apps that fit and its summary whole', async () => {
    const result = summaryOfManyApps(
      (id) => `GET /items/<*> took <*>ms ${id}`,
      (n) => `app-${n}`,
      { text: 'a summary for people' },
    );
    const control = { analyzeLogs: async () => result };
    const text = await call(control, 'log_summary', { target: 'all', detail: 'full' });
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(ANSWER_BYTES_MAX);
    const answer = JSON.parse(text) as {
      apps: { name: string }[];
      summary: { top: unknown[] };
      omitted: number;
      hint: string;
    };
    expect(answer.apps[0]!.name).toBe('app-0');
    expect(answer.omitted).toBe(1500 - answer.apps.length);
    expect(answer.summary.top).toHaveLength(10);
    expect(answer.hint).toBe(
      'the answer holds 48 KB: detail brief (the default), or a target of one app for the others',
    );
  });

  it('health_check brief keeps the first bad processes and ok apps that fit, and says how many it left out', async () => {
    // every process has an issue (errored or restarted): 2,000 entries of bad, then 1,000 ok apps
    const processes = [
      ...Array.from({ length: 2000 }, (_, id) =>
        fakeProcess({ id, name: `app-${id}`, status: 'errored', restarts: 3 }),
      ),
      ...Array.from({ length: 1000 }, (_, n) => fakeProcess({ id: 2000 + n, name: `ok-${n}` })),
    ];
    const daemon = {
      status: 'healthy',
      components: [{ name: 'ipc', status: 'healthy' }],
      at: AT,
    } as unknown as DaemonHealth;
    const control = {
      health: async () => daemon,
      list: async () => processes,
      metricsHistory: async () => [],
    };
    const text = await call(control, 'health_check', {});
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(ANSWER_BYTES_MAX);
    const answer = JSON.parse(text) as { bad: { n: string }[]; ok: string[]; omitted: number; hint: string };
    expect(answer.bad[0]!.n).toBe('app-0');
    // the bad processes alone are past the budget: at most a few ok apps fit in what they leave
    expect(answer.bad.length).toBeLessThan(2000);
    expect(answer.ok.length).toBeLessThan(10);
    expect(answer.omitted).toBe(2000 - answer.bad.length + 1000 - answer.ok.length);
    expect(answer.hint).toBe(
      'the answer holds 48 KB: process_info with a target (an app or a namespace) gives the others',
    );
    const few = { ...control, list: async () => [...processes.slice(0, 2), ...processes.slice(2000, 2003)] };
    const whole = JSON.parse(await call(few, 'health_check', {}));
    expect(whole.bad.map((p: { n: string }) => p.n)).toEqual(['app-0', 'app-1']);
    expect(whole.ok).toEqual(['ok-0', 'ok-1', 'ok-2']);
    expect(whole.omitted).toBe(undefined);
  });

  it('log_summary brief over many apps keeps its templates and the first apps that fit', async () => {
    const result = summaryOfManyApps(
      (id) => `GET /items/<*> ${id}`,
      (n) => `app-with-a-long-name-${n}`,
    );
    const text = await call({ analyzeLogs: async () => result }, 'log_summary', { target: 'all' });
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(ANSWER_BYTES_MAX);
    const answer = JSON.parse(text) as {
      apps: { a: string }[];
      top: unknown[];
      omitted: number;
      hint: string;
    };
    expect(answer.top).toHaveLength(10);
    expect(answer.apps[0]!.a).toBe('app-with-a-long-name-0');
    expect(answer.omitted).toBe(1500 - answer.apps.length);
    expect(answer.hint).toBe('the answer holds 48 KB: a target of one app or namespace for the others');
    const few = { analyzeLogs: async () => ({ ...result, apps: result.apps!.slice(0, 3) }) };
    const whole = JSON.parse(await call(few, 'log_summary', { target: 'all' }));
    expect(whole.apps).toHaveLength(3);
    expect(whole.omitted).toBe(undefined);
  });
});
