import {
  type AlertRule,
  APP_DEFAULTS,
  commandEntries,
  isVelosError,
  type Subscription,
  type VelosControl,
  type VelosError,
} from '@velos/core';
import { rejectionOf } from '@velos/test-helpers';

/** One call a `RecordingControl` received. */
export interface RecordedCall {
  method: string;
  args: unknown[];
}

/** A `VelosControl` that records its calls and answers each with `{method, args, lines: [method]}`. */
export interface RecordingControl {
  control: VelosControl;
  calls: RecordedCall[];
}

const SAMPLE_RULE: AlertRule = {
  name: 'storm',
  when: { kind: 'restarts', count: 3, windowMs: 60_000 },
  severity: 'warning',
  forMs: 0,
  resolveAfterMs: 60_000,
  channels: [{ type: 'webhook', url: 'http://127.0.0.1:9/hook', timeoutMs: 1000, retries: 0, backoffMs: 0 }],
  source: 'runtime',
};

/** Valid arguments of every `VelosControl` method: a method without a sample does not compile. */
export const METHOD_SAMPLES: { [M in keyof VelosControl]: Parameters<VelosControl[M]>[] } = {
  ping: [[]],
  start: [[[{ ...APP_DEFAULTS, name: 'api', script: 'server.js', cwd: '/srv/api', env: { A: '1' } }]]],
  stop: [['api'], [['api', 'db']]],
  restart: [['api'], ['all', { env: { A: '2' } }], [['db', 'api']]],
  reload: [['api'], ['api', { env: { A: '2' } }], ['api', { env: { A: '2' }, ownEnv: { B: '3' } }]],
  scale: [
    ['api', '+2'],
    ['api', '3'],
  ],
  runs: [['job'], ['job', 5]],
  trigger: [['job']],
  delete: [['3']],
  deleteResult: [['3'], [['api', '/^db/']]],
  list: [[]],
  describe: [['api']],
  logs: [[{ target: 'api', lines: 5 }]],
  logsResult: [[{ stream: 'err' }]],
  followLogs: [[{ target: 'api', lines: 0 }]],
  searchLogs: [[{ target: 'api', grep: 'timeout', level: 'error', limit: 5 }]],
  analyzeLogs: [[{ target: 'api', view: 'patterns', since: 1 }]],
  events: [[{}], [{ target: 'api', kinds: ['exited'], since: 1, limit: 3 }]],
  followEvents: [[{ afterSeq: 2 }]],
  emitEvent: [[{ name: 'sync.done', app: 'api', fields: { n: 1 } }]],
  reportComponent: [
    [{ name: 'backup', intervalMs: 60_000, status: 'degraded', message: 'slow', app: 'api' }],
  ],
  components: [[]],
  removeComponent: [['backup']],
  health: [[]],
  metrics: [[]],
  metricsHistory: [[{ target: 'api' }], [{ target: 'all', sinceMs: 3_600_000, points: 60 }]],
  reportMetric: [[{ target: 'api', velos_metric: 'jobs_total', type: 'counter', value: 2 }]],
  alerts: [[]],
  addAlert: [[SAMPLE_RULE]],
  removeAlert: [['storm']],
  testAlert: [['storm']],
  setAlerts: [
    ['/srv/app.toml', [SAMPLE_RULE]],
    ['/srv/app.toml', []],
  ],
  configReload: [[], ['/srv/app.toml']],
  configGet: [['api']],
  configSet: [['api', { max_memory: '200M', instances: 2 }]],
  configSetResult: [['api', { 'env.MODE': 'x' }]],
  flush: [[], ['api']],
  reloadLogs: [[], ['api']],
  save: [[]],
  resurrect: [[]],
  kill: [[]],
  handOver: [[]],
  signal: [['api', 'SIGUSR2']],
  reset: [['api']],
};

/**
 * What a recording control's `method` answers: a view (`logs` of `logsResult`) projects its `lines`,
 * `processes` or `spec`.
 */
export function recordedAnswer(method: string, args: unknown[]) {
  return { method, args, lines: [method], processes: [method], spec: [method] };
}

/** A recording control with a method for every command of the table (and its views). */
export function createRecordingControl(): RecordingControl {
  const calls: RecordedCall[] = [];
  const methods: Record<string, (...args: unknown[]) => unknown> = {};
  const answer = (method: string, args: unknown[]) => {
    calls.push({ method, args });
    return recordedAnswer(method, args);
  };
  for (const entry of commandEntries()) {
    if (entry.kind === 'stream') {
      methods[entry.method] = (...args) => oneItem(answer(entry.method, args));
      continue;
    }
    for (const method of [entry.method, ...Object.keys(entry.views ?? {})]) {
      methods[method] = async (...args) => answer(method, args);
    }
  }
  return { control: methods as unknown as VelosControl, calls };
}

/** A subscription that yields `item` once, then waits until it is cancelled. */
function oneItem<T>(item: T): Subscription<T> {
  let cancel: () => void = () => undefined;
  const cancelled = new Promise<void>((resolve) => {
    cancel = resolve;
  });
  return {
    cancel: () => cancel(),
    async *[Symbol.asyncIterator]() {
      yield item;
      await cancelled;
    },
  };
}

/** The `VelosError` a promise rejects with (fails the test when it resolves or rejects otherwise). */
export function rejection(promise: Promise<unknown>): Promise<VelosError> {
  return rejectionOf(promise, isVelosError);
}
