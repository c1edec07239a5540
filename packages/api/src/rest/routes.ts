import type { CommandName, StreamCommandName } from '@velos/core';
import { type AlertStatus, ErrorCodes, fieldError, maskAlerts, maskSecrets } from '@velos/core';
import { alertBody } from './alert-body.js';
import { answerHealth, answerPrometheus, answerStatus } from './custom-answers.js';
import { encodeLineBytes } from './line-bytes.js';
import { restartPayload } from './restart-env.js';
import type {
  ApiRoute,
  CommandRoute,
  CustomRoute,
  HttpMethod,
  QueryType,
  RequestParts,
} from './route-types.js';
import { checkCwdChange } from './script-files.js';
import { startPayload } from './start-body.js';

/** Where the REST routes live. */
export const API_PREFIX = '/api/v1';

type Options<R> = Omit<
  R,
  'kind' | 'method' | 'path' | 'tag' | 'scope' | 'command' | 'payload' | 'commands' | 'handle'
> & {
  scope?: CommandRoute['scope'];
};

function command(
  method: HttpMethod,
  path: string,
  tag: string,
  name: CommandName,
  payload: CommandRoute['payload'],
  options: Options<CommandRoute> = {},
): CommandRoute {
  const scope = options.scope ?? (method === 'GET' ? 'read' : 'admin');
  return { kind: 'command', method, path, tag, command: name, payload, ...options, scope };
}

function custom(
  path: string,
  tag: string,
  commands: readonly CommandName[],
  handle: CustomRoute['handle'],
  options: Options<CustomRoute> & { summary: string },
): CustomRoute {
  return {
    kind: 'custom',
    method: 'GET',
    path,
    tag,
    commands,
    handle,
    ...options,
    scope: options.scope ?? 'read',
  };
}

const none = () => ({});
const target = ({ params }: RequestParts) => ({ target: params.target });
const LOG_QUERY = {
  level: 'string',
  pattern: 'string',
  since: 'time',
  until: 'time',
  stream: 'string',
} as const;
const ANALYZE_QUERY: Record<string, QueryType> = {
  ...LOG_QUERY,
  periodMs: 'number',
  ignoreCase: 'boolean',
  limit: 'int',
};

/** The payload of a log query: its query parameters, `pattern` sent as the protocol's `grep`. */
function logQuery({ params, query }: RequestParts): Record<string, unknown> {
  const { pattern, level, ...rest } = query;
  return {
    target: params.target,
    ...rest,
    ...(pattern === undefined ? {} : { grep: pattern }),
    // a line's `lvl` may be trace, which the log engine folds into debug: `level=trace` asks for as much
    ...(level === undefined ? {} : { level: level === 'trace' ? 'debug' : level }),
  };
}

function analyze(view: 'summary' | 'patterns' | 'dedupe' | 'anomalies'): CommandRoute {
  return command(
    'GET',
    `/logs/:target/${view}`,
    'logs',
    'logs.analyze',
    (parts) => ({ ...logQuery(parts), view }),
    {
      summary: `The log engine's ${view} of the target's logs over a time range.`,
      query: ANALYZE_QUERY,
      fields: { grep: 'pattern' },
    },
  );
}

/** What the `env` of a restart or reload does, for the OpenAPI summary. */
const RESTART_ENV =
  "With env, the API server's environment with those variables over it becomes what the apps inherit (velos restart --update-env); a variable of the app's own env is changed with PUT /config/{target}.";

/** The payload of a trigger: the target, and `force` (a job whose dependency is down runs all the same). */
const triggerPayload = ({ params, body }: RequestParts) => ({
  target: params.target,
  ...pick(body, ['force']),
});
const TRIGGER: Options<CommandRoute> = {
  summary:
    "Runs the target's jobs now (velos trigger); a job whose depends_on is stopped, errored or gone is refused unless {force: true}, which runs it, the run marked forced.",
  body: ['force'],
};

/** The body of `POST /metrics/:target`: a custom metric report as an app writes it, and its instance. */
const METRIC_REPORT_FIELDS = ['velos_metric', 'type', 'value', 'op', 'labels', 'help', 'buckets', 'instance'];

/**
 * Every REST route, mapped from the protocol's command table: method, path under `/api/v1`, the
 * command it runs and how path, query and body become that command's payload.
 */
export const API_ROUTES: readonly ApiRoute[] = [
  custom('/health', 'health', ['health'], answerHealth, {
    summary:
      "The daemon's overall self-health {status} (503 when unhealthy or unreachable); its components too with a token.",
    scope: 'none',
    ignoresQuery: true,
  }),
  custom('/status', 'health', ['ping', 'health'], answerStatus, {
    summary: "The daemon's ping (version, pid, uptime) and its self-health.",
  }),
  command('GET', '/monitoring/health', 'health', 'health', none),
  custom('/monitoring/metrics', 'metrics', ['metrics'], answerPrometheus, {
    summary: 'Prometheus text exposition (alias of /metrics/prometheus).',
  }),

  command('GET', '/processes', 'processes', 'list', none),
  command('GET', '/processes/:target', 'processes', 'describe', target, { present: maskSecrets }),
  command('POST', '/processes', 'processes', 'start', startPayload, {
    summary:
      "Starts apps: {apps} as config file app entries or complete AppSpecs, or a config file's text ({config, format, cwd}).",
    body: ['apps', 'config', 'format', 'cwd', 'envProfile'],
    conflicts: [ErrorCodes.NAME_IN_USE],
  }),
  command('POST', '/processes/:target/stop', 'processes', 'stop', target),
  command('POST', '/processes/:target/restart', 'processes', 'restart', restartPayload, {
    summary: `Restarts the target's processes (a stopped one starts). ${RESTART_ENV}`,
    body: ['env'],
  }),
  command('POST', '/processes/:target/reload', 'processes', 'reload', restartPayload, {
    summary: `Replaces cluster instances one at a time, each ready before the old one stops; fork mode restarts. ${RESTART_ENV}`,
    body: ['env'],
  }),
  command(
    'POST',
    '/processes/:target/scale',
    'processes',
    'scale',
    ({ params, body }) => ({ name: params.target, instances: scaleInstances(body.instances) }),
    { body: ['instances'], fields: { name: 'target' } },
  ),
  command('POST', '/processes/:target/trigger', 'processes', 'trigger', triggerPayload, TRIGGER),
  command(
    'POST',
    '/processes/:target/signal',
    'processes',
    'signal',
    ({ params, body }) => ({ target: params.target, ...pick(body, ['signal']) }),
    { body: ['signal'] },
  ),
  command('POST', '/processes/:target/reset', 'processes', 'reset', target),
  command('DELETE', '/processes/:target', 'processes', 'delete', target),

  command(
    'GET',
    '/logs/:target',
    'logs',
    'logs',
    // each line with its level (`lvl`), judged as the engine's search judges it, when it is read
    ({ params, query }) => ({ target: params.target, ...query, withLevels: true }),
    {
      query: { lines: 'int', stream: 'string', withBytes: 'boolean' },
      present: encodeLineBytes,
    },
  ),
  command('GET', '/logs/:target/search', 'logs', 'logs.search', logQuery, {
    query: { ...LOG_QUERY, limit: 'int', ignoreCase: 'boolean', withBytes: 'boolean' },
    fields: { grep: 'pattern' },
    present: encodeLineBytes,
  }),
  analyze('summary'),
  analyze('patterns'),
  analyze('dedupe'),
  analyze('anomalies'),
  command('POST', '/logs/:target/flush', 'logs', 'flush', target),

  command('GET', '/events', 'events', 'events', ({ query }) => renameKey(query, 'kind', 'kinds'), {
    query: {
      target: 'string',
      kind: 'list',
      since: 'time',
      until: 'time',
      afterSeq: 'int',
      beforeSeq: 'int',
      limit: 'int',
    },
    fields: { kinds: 'kind' },
  }),
  command('POST', '/events', 'events', 'events.emit', ({ body }) => body, {
    body: ['name', 'app', 'message', 'severity', 'fields'],
  }),

  command('GET', '/components', 'components', 'components', none),
  command(
    'POST',
    '/components/:name',
    'components',
    'components.report',
    ({ params, body }) => ({ name: params.name, ...pick(body, ['intervalMs', 'status', 'message', 'app']) }),
    { body: ['intervalMs', 'status', 'message', 'app'] },
  ),
  command('DELETE', '/components/:name', 'components', 'components.remove', ({ params }) => ({
    name: params.name,
  })),

  command('GET', '/config/:target', 'config', 'config.get', target, { present: maskSecrets }),
  command('PUT', '/config/:target', 'config', 'config.set', configSetPayload, {
    body: ['changes'],
    present: maskSecrets,
  }),
  command('POST', '/config/reload', 'config', 'config.reload', ({ body }) => pick(body, ['file']), {
    body: ['file'],
    conflicts: [ErrorCodes.NAME_IN_USE, ErrorCodes.CONFIG_ROLLED_BACK],
  }),

  command('GET', '/metrics', 'metrics', 'metrics', none),
  custom('/metrics/prometheus', 'metrics', ['metrics'], answerPrometheus, {
    summary: "Prometheus text exposition of the daemon's metrics, the apps' metrics_url scrapes included.",
  }),
  command(
    'POST',
    '/metrics/:target',
    'metrics',
    'metrics.report',
    ({ params, body }) => ({ target: params.target, ...pick(body, METRIC_REPORT_FIELDS) }),
    {
      summary:
        "Reports a custom metric (counter, gauge, histogram) of the target's process, as its own JSON line would: {velos_metric, type, value?, op?, labels?, help?, buckets?, instance?}.",
      body: METRIC_REPORT_FIELDS,
    },
  ),
  command(
    'GET',
    '/metrics/history/:target',
    'metrics',
    'metrics.history',
    ({ params, query }) => ({ target: params.target, ...query }),
    {
      query: { sinceMs: 'number', points: 'int' },
    },
  ),

  command(
    'GET',
    '/jobs/:target/runs',
    'jobs',
    'runs',
    ({ params, query }) => ({ target: params.target, ...query }),
    {
      query: { limit: 'int' },
    },
  ),
  command('POST', '/jobs/:target/trigger', 'jobs', 'trigger', triggerPayload, TRIGGER),

  command('GET', '/alerts', 'alerts', 'alerts', none, {
    // admin sees the rules as they are, so that a rule read here can be posted back
    present: (result, scope) =>
      scope === 'admin' ? result : { alerts: maskAlerts((result as { alerts: AlertStatus[] }).alerts) },
  }),
  command('POST', '/alerts', 'alerts', 'alerts.add', ({ body }) => alertBody(body), {
    body: ['rule'],
    conflicts: [ErrorCodes.NAME_IN_USE],
  }),
  command('DELETE', '/alerts/:name', 'alerts', 'alerts.remove', ({ params }) => ({ name: params.name })),
  command('POST', '/alerts/:name/test', 'alerts', 'alerts.test', ({ params }) => ({ name: params.name })),

  // as `velos save`: with no process listed refused (409 NOTHING_TO_SAVE, the file kept) unless {"force": true}
  command('POST', '/daemon/save', 'daemon', 'save', ({ body }) => pick(body, ['force']), {
    body: ['force'],
    conflicts: [ErrorCodes.NOTHING_TO_SAVE],
  }),
  command('POST', '/daemon/resurrect', 'daemon', 'resurrect', none),
  command('POST', '/daemon/reload-logs', 'daemon', 'reloadLogs', ({ body }) => pick(body, ['target']), {
    body: ['target'],
  }),
];

/** Commands of the protocol deliberately without a REST route, and why. */
export const NOT_EXPOSED: Readonly<Partial<Record<CommandName | StreamCommandName, string>>> = {
  'logs.follow': 'a stream: served by the WebSocket /api/v1/ws, topic "logs"',
  'events.follow': 'a stream: served by the WebSocket /api/v1/ws, topic "events"',
  'alerts.set':
    "replaces a config file's rules, which `velos start <file>` and config reload own; use POST/DELETE /alerts",
  kill: 'ends the daemon the API itself talks to, which nothing over HTTP could start again; run `velos kill` on the host',
  handOver:
    "stops the daemon's reads of the apps' output for 30 s, a step of `velos update` on the host, which ends the daemon next",
};

/** The payload of `PUT /config/:target`: a relative `cwd` is refused here, the rest is the daemon's to check. */
function configSetPayload({ params, body }: RequestParts): Record<string, unknown> {
  const { changes } = body;
  if (typeof changes === 'object' && changes !== null) checkCwdChange(changes as Record<string, unknown>);
  return { target: params.target, ...body };
}

function pick(body: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (body[key] !== undefined) out[key] = body[key];
  return out;
}

function renameKey(query: Record<string, unknown>, from: string, to: string): Record<string, unknown> {
  const { [from]: value, ...rest } = query;
  return value === undefined ? rest : { ...rest, [to]: value };
}

/**
 * The `instances` of a scale body: a number is the count to run (1 to 1024), a string also `+N` or
 * `-N` (relative); the protocol takes the string. A number below 1 is refused here rather than read as
 * a relative `-5`.
 */
function scaleInstances(value: unknown): unknown {
  const expected = 'expected a whole number N (1 to 1024), or a string "+N" or "-N"';
  if (value === undefined) throw fieldError('instances', `required, ${expected}`);
  if (typeof value !== 'number') return value;
  if (!Number.isInteger(value) || value < 1 || value > 1024) {
    throw fieldError('instances', `${expected}, got ${value}`);
  }
  return String(value);
}
