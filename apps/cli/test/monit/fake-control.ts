import type {
  DaemonHealth,
  EventsRequest,
  LogLine,
  LogsRequest,
  MetricsSnapshot,
  ProcessInfo,
  Subscription,
  VelosControl,
  VelosEvent,
} from '@velos/core';

/** A subscription the test pushes items into; records whether it was cancelled. */
export interface PushSubscription<T> extends Subscription<T[]> {
  push(items: T[]): void;
  fail(error: Error): void;
  isCancelled: boolean;
}

/** Creates a subscription fed by `push`, ended by `cancel`. */
export function pushSubscription<T>(): PushSubscription<T> {
  const queue: T[][] = [];
  let wake: (() => void) | null = null;
  let failure: Error | null = null;
  const sub: PushSubscription<T> = {
    isCancelled: false,
    push(items) {
      queue.push(items);
      wake?.();
    },
    fail(error) {
      failure = error;
      wake?.();
    },
    cancel() {
      sub.isCancelled = true;
      wake?.();
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        while (queue.length > 0) yield queue.shift()!;
        if (failure) throw failure;
        if (sub.isCancelled) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
      }
    },
  };
  return sub;
}

/** A process row with defaults. */
export function proc(over: Partial<ProcessInfo> & { id: number; name: string }): ProcessInfo {
  return {
    namespace: 'default',
    instance: 0,
    pid: 1000 + over.id,
    status: 'online',
    restarts: 0,
    unstableRestarts: 0,
    cpu: 1.5,
    memory: 30 * 1024 * 1024,
    uptime: 65_000,
    startedAt: Date.now() - 65_000,
    createdAt: Date.now() - 65_000,
    exitCode: null,
    signal: null,
    lastExitReason: null,
    restartAt: null,
    execMode: 'fork',
    type: 'service',
    ...over,
  };
}

/** A VelosControl of canned answers for monit's tests: calls are recorded, subscriptions pushed by hand. */
export function fakeControl(processes: ProcessInfo[]) {
  const calls: string[] = [];
  const logSubs: { request: LogsRequest; sub: PushSubscription<LogLine> }[] = [];
  const eventSubs: { request: EventsRequest; sub: PushSubscription<VelosEvent> }[] = [];
  // isDown: ping and list fail as with no daemon listening (after `velos kill`)
  const state = {
    processes,
    history: null as null | { cpu: number[]; memory: number[] },
    isDown: false,
    /** What `logs` reads of every process: the newest `lines` of these. */
    logLines: [] as LogLine[],
    /** `logs` answers once this resolves. */
    logsGate: Promise.resolve(),
  };
  const unavailable = () =>
    Object.assign(new Error('cannot reach the Velos daemon at /h/velos.sock: ENOENT'), {
      code: 'DAEMON_UNAVAILABLE',
    });
  const health: DaemonHealth = { status: 'healthy', components: [], at: Date.now() };
  const metrics = {
    at: Date.now(),
    daemon: { version: '9.9.9', pid: 42, uptimeSeconds: 3725, memoryBytes: 48 * 1024 * 1024 },
    host: {
      cpuPercent: 25,
      cpuCount: 2,
      memoryTotalBytes: 8 * 1024 ** 3,
      memoryAvailableBytes: 6 * 1024 ** 3,
    },
    processes: [],
  } as unknown as MetricsSnapshot;
  const pingResult = () => ({
    version: '9.9.9',
    pid: 42,
    uptimeMs: 3_725_000,
    home: '/h',
    processes: state.processes.length,
  });
  const control = {
    ping: async () => {
      if (state.isDown) throw unavailable();
      return pingResult();
    },
    list: async () => {
      if (state.isDown) throw unavailable();
      return state.processes;
    },
    health: async () => health,
    metrics: async () => metrics,
    metricsHistory: async () => {
      if (!state.history) throw new Error('metrics history is not built yet');
      return [
        {
          id: 0,
          name: 'api',
          instance: 0,
          namespace: 'default',
          t: [],
          restarts: [],
          logRate: [],
          ...state.history,
        },
      ];
    },
    logs: async (request: LogsRequest) => {
      await state.logsGate;
      return state.logLines.slice(-(request.lines ?? 0));
    },
    followLogs: (request: LogsRequest) => {
      const sub = pushSubscription<LogLine>();
      logSubs.push({ request, sub });
      return sub;
    },
    followEvents: (request: EventsRequest) => {
      const sub = pushSubscription<VelosEvent>();
      eventSubs.push({ request, sub });
      return sub;
    },
    analyzeLogs: async ({ target }: { target: string }) => ({
      text: `summary of ${target}: 12 lines, health 97`,
    }),
    restart: async (target: string) => {
      calls.push(`restart ${target}`);
      state.processes = state.processes.map((p) =>
        String(p.id) === target ? { ...p, pid: (p.pid ?? 0) + 500, restarts: p.restarts + 1 } : p,
      );
      return state.processes.filter((p) => String(p.id) === target);
    },
    reload: async (target: string) => {
      calls.push(`reload ${target}`);
      return [];
    },
    stop: async (target: string) => {
      calls.push(`stop ${target}`);
      throw new Error('stop refused');
    },
    delete: async (target: string) => {
      calls.push(`delete ${target}`);
      state.processes = state.processes.filter((p) => String(p.id) !== target);
      return [];
    },
  } as unknown as VelosControl;
  return { control, calls, logSubs, eventSubs, state };
}

/** The error of a connection the daemon closed (a `velos update` SIGKILLs it): a follow resumes after it. */
export function connectionClosed(cmd: string): Error {
  return Object.assign(new Error(`the connection to the Velos daemon closed while waiting for "${cmd}"`), {
    code: 'CONNECTION_CLOSED',
  });
}

/** A log line of process `id`. */
export function logLine(id: number, line: string, extra: Partial<LogLine> = {}): LogLine {
  return { ts: Date.now(), stream: 'out', id, name: `app${id}`, pid: 1000 + id, line, ...extra };
}
