import { EVENT_KINDS } from '@velos/core';
import { requestSchemas } from '@velos/core/schemas';
import fc from 'fast-check';

/** A request whose payload passes its command's schema, so that the handler behind it runs. */
export interface ValidRequest {
  cmd: string;
  payload: Record<string, unknown>;
}

/**
 * Targets of the table states `ipc-messages.test.ts` sets up (`fz`, `st`, `er`), ids, a namespace, and
 * names that match nothing: `all` on an empty table selects no process (the case the wrong-payload
 * cases almost never reach, and where two `INTERNAL`s hid, in `logs.analyze` and `velos env`).
 */
export const TARGETS = ['all', 'all', 'fz', 'st', 'er', '0', '1', '2', 'default', 'nosuch'] as const;

const target = fc.constantFrom(...TARGETS);

/** The last time a Date holds (ms since the epoch), the largest `since` / `until` the schemas take. */
const MAX_EPOCH_MS = 8.64e15;

/** Time bounds: absent, the edges (0, the last Date), now, and windows empty or reversed (refused). */
const time = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(0, 1, MAX_EPOCH_MS),
  fc.integer({ min: -86_400_000, max: 86_400_000 }).map((offset) => Date.now() + offset),
);

const level = fc.constantFrom(undefined, 'fatal', 'error', 'warn', 'info', 'debug');
const stream = fc.constantFrom(undefined, 'out', 'err', 'all');
const grep = fc.constantFrom(undefined, 'tick', '.', '^$', '(', '[a-', 'x'.repeat(1000), '\\d+');
const limit = (max: number) => fc.constantFrom(undefined, 1, 2, 100, max);

/** Leaves out the keys whose value is undefined (an absent field, as a client sends it). */
function defined(payload: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(payload).filter(([, value]) => value !== undefined));
}

const logsQuery = fc.record({
  target,
  since: time,
  until: time,
  level,
  grep,
  ignoreCase: fc.constantFrom(undefined, true, false),
  stream,
  limit: limit(100_000),
});

const request = (cmd: string, payload: fc.Arbitrary<Record<string, unknown>>) =>
  payload.map((p) => ({ cmd, payload: defined(p) }));

const requests: fc.Arbitrary<ValidRequest>[] = [
  request(
    'logs',
    fc.record({ target: fc.option(target, { nil: undefined }), lines: limit(1_000_000), stream }),
  ),
  request('logs', fc.record({ target, lines: fc.constantFrom(0, 1_000_000), withBytes: fc.constant(true) })),
  request(
    'logs.search',
    fc.tuple(logsQuery, fc.boolean()).map(([q, withBytes]) => ({ ...q, withBytes })),
  ),
  request(
    'logs.analyze',
    fc
      .tuple(
        logsQuery,
        fc.constantFrom('summary', 'patterns', 'dedupe', 'anomalies'),
        fc.constantFrom(undefined, 1, 60_000, 31_536_000_000),
      )
      .map(([q, view, periodMs]) => ({ ...q, view, periodMs })),
  ),
  request(
    'events',
    fc.record({
      target: fc.option(target, { nil: undefined }),
      kinds: fc.option(fc.subarray([...EVENT_KINDS, 'process', 'exited', 'restarted', 'app', 'app.x']), {
        nil: undefined,
      }),
      since: time,
      until: time,
      afterSeq: fc.constantFrom(undefined, 0, 1, 2 ** 40),
      beforeSeq: fc.constantFrom(undefined, 1, 2, 2 ** 40),
      limit: limit(10_000),
    }),
  ),
  request('describe', fc.record({ target })),
  request('config.get', fc.record({ target })),
  request('runs', fc.record({ target, limit: limit(100_000) })),
  request(
    'metrics.history',
    fc.record({
      target,
      sinceMs: fc.constantFrom(undefined, 1, 31_536_000_000),
      points: limit(100_000),
    }),
  ),
  request('flush', fc.record({ target: fc.option(target, { nil: undefined }) })),
  request('reloadLogs', fc.record({ target: fc.option(target, { nil: undefined }) })),
  request(
    'scale',
    fc.record({
      name: target,
      // no count that starts a process: the fuzz's CPU goes to the daemon, not to node starting apps
      instances: fc.constantFrom('0', '1', '+0', '-0', '-1', '-9999', '+1024', '1025'),
    }),
  ),
  request(
    'signal',
    fc.record({ target, signal: fc.constantFrom('SIGUSR2', 'SIGCONT', 'SIGWINCH', 'SIGZZ', 'SIG00') }),
  ),
  request(
    'config.set',
    fc.record({
      target,
      changes: fc.constantFrom<Record<string, unknown>>(
        { max_restarts: 0 },
        { max_restarts: 2 ** 53 },
        { instances: 0 },
        { log_rules: [] },
        { unknown_key: null },
        { autorestart: 'maybe' },
      ),
    }),
  ),
  request('reset', fc.record({ target })),
  request('trigger', fc.record({ target })),
  request('stop', fc.record({ target })),
  request(
    'events.emit',
    fc.record({
      name: fc.constantFrom('fuzz', 'a.b:c-d'),
      app: fc.option(target, { nil: undefined }),
      severity: fc.constantFrom(undefined, 'info', 'critical'),
      fields: fc.constantFrom(undefined, {}, { n: null, b: true, s: '' }),
    }),
  ),
  request(
    'components.report',
    fc.record({
      name: fc.constantFrom('fuzz-c', 'fuzz-d'),
      intervalMs: fc.constantFrom(1000, 86_400_000),
      status: fc.constantFrom('healthy', 'degraded', 'unhealthy'),
      app: fc.option(target, { nil: undefined }),
    }),
  ),
  request(
    'metrics.report',
    fc.record({
      target,
      velos_metric: fc.constantFrom('fuzz_total', 'bad name'),
      type: fc.constantFrom('counter', 'gauge', 'summary'),
      value: fc.option(fc.constantFrom(-1, 2.5), { nil: undefined }),
      labels: fc.constantFrom(undefined, { k: 'v' }),
    }),
  ),
  request('components.remove', fc.record({ name: fc.constantFrom('fuzz-c', 'nope') })),
  request('alerts.test', fc.record({ name: fc.constantFrom('nope', 'x') })),
  request('alerts.remove', fc.record({ name: fc.constantFrom('nope', 'x') })),
  ...['ping', 'list', 'components', 'health', 'metrics', 'alerts'].map((cmd) =>
    request(cmd, fc.constant({})),
  ),
];

const VIEWS = ['summary', 'patterns', 'dedupe', 'anomalies'] as const;
const LEVELS = [undefined, 'fatal', 'error', 'warn', 'info', 'debug'] as const;

/**
 * The same requests for each table state, whatever the seed: every view at every level, and every
 * command that takes a target, on `target` (`all`, or an app stopped or errored). With `isShort`, the
 * views at no level only. A random draw of `validRequest` meets `logs.analyze` of `all` on an empty
 * table about once in 700 cases: the CI fuzz missed it (0f65e9e) where this sweep does not.
 */
export function edgeRequests(target: string, isShort = false): ValidRequest[] {
  const requests: ValidRequest[] = [];
  const add = (cmd: string, payload: Record<string, unknown>) => requests.push({ cmd, payload });
  for (const view of VIEWS)
    for (const level of isShort ? [undefined] : LEVELS)
      add('logs.analyze', defined({ target, view, level, limit: level === 'debug' ? 100_000 : 1 }));
  for (const level of isShort ? [undefined] : LEVELS) add('logs.search', defined({ target, level }));
  add('logs.search', { target, since: MAX_EPOCH_MS, until: MAX_EPOCH_MS, grep: '.', withBytes: true });
  add('logs', { target, lines: 0 });
  add('logs', { target, lines: 1_000_000, stream: 'err', withBytes: true });
  add('events', { target });
  add('events', { target, limit: 1, beforeSeq: 1, kinds: ['process', 'app'] });
  add('metrics.history', { target, points: 1 });
  for (const cmd of ['describe', 'config.get', 'runs', 'flush', 'reloadLogs', 'reset', 'trigger'])
    add(cmd, { target });
  add('scale', { name: target, instances: '+0' });
  add('signal', { target, signal: 'SIGCONT' });
  return requests;
}

/**
 * Requests of every read command (and the mutations that start no process: stop, scale to the count
 * it has or to a refused one, signal, reset, config.set…) with well-typed payloads drawn from the edges a handler must take: empty selections,
 * limits 1 and max, every view and level, `since` after `until` (which the schema refuses; the rest
 * pass it, see `passesSchema`, and reach their handler).
 */
export const validRequest: fc.Arbitrary<ValidRequest> = fc.oneof(
  ...requests.map((arbitrary, i) => ({ arbitrary, weight: i < 5 ? 3 : 1 })),
);

/** True when the payload passes its command's schema (all but the reversed windows). */
export function passesSchema({ cmd, payload }: ValidRequest): boolean {
  return requestSchemas[cmd as keyof typeof requestSchemas].safeParse(payload).success;
}
