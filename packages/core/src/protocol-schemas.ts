import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { cpuThresholdProblem } from './alert-condition.js';
import { ALERT_NAME, alertRuleSchema, ESCALATE_NEEDS_REPEAT, MAX_ALERT_RULES } from './alert-rules.js';
import { APP_EVENT_LIMITS } from './app-event-limits.js';
import { TARGET_MAX_CHARS } from './app-name.js';
import { appNameSchema, appNameText } from './app-name-schema.js';
import type { AppSpec } from './app-spec.js';
import { COMPONENT_LIMITS, COMPONENT_NAME } from './component-report.js';
import { envEntryProblem } from './env-entry.js';
import { APP_EVENT_NAME, unknownEventKindReason } from './events.js';
import { isNullPidFile } from './instance-pid-file.js';
import { isoTime } from './iso-time.js';
import { logRulesSchema } from './log-rules-schema.js';
import { PAYLOAD_LIMITS } from './payload-limits.js';
import { describeSchemaIssue } from './schema-issue.js';
import { MAX_DURATION_MS } from './units.js';
import { alertChannelsProblem } from './webhook-checks.js';

// zod/mini keeps the daemon small: these schemas are all it loads (~2 MB instead of ~15 MB for zod classic).
z.config(en());

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGKILL'] as const;

const absolutePath = z.string().check(z.startsWith('/', 'expected an absolute path'));
// a longer duration cannot be written in a config or a flag; on the wire it would be a runaway timer
const durationMs = z.number().check(z.gte(0), z.lte(MAX_DURATION_MS, 'expected at most 365 days in ms'));
const positiveDurationMs = z
  .number()
  .check(z.gte(1), z.lte(MAX_DURATION_MS, 'expected at most 365 days in ms'));
const nonNegativeInt = z.int().check(z.gte(0, 'expected a whole number, 0 or more'));
// Schemas several fields share: one instance each instead of one per field (issue 17: a checked zod/mini
// schema is ~2.5 kB of heap, and the daemon builds these on its first `start`).
const nonEmpty = z.string().check(z.minLength(1));
const optionalNonEmpty = z.optional(nonEmpty);
const optionalBoolean = z.optional(z.boolean());
const strings = z.array(z.string());
const stringRecord = z.record(z.string(), z.string());
// what no process environment can hold is refused here, not at the spawn: a restart with it stopped the app
const envRecord = z.record(z.string(), z.string()).check(
  z.superRefine((env, ctx) => {
    for (const [name, value] of Object.entries(env)) {
      const why = envEntryProblem(name, value);
      if (why !== null) ctx.addIssue({ code: 'custom', message: why, input: value, path: [name] });
    }
  }),
);
const optionalEnvName = z.optional(z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/)));
const atLeastOne = z.int().check(z.gte(1));

const probeTiming = {
  intervalMs: positiveDurationMs,
  timeoutMs: positiveDurationMs,
  failureThreshold: atLeastOne,
  successThreshold: atLeastOne,
  initialDelayMs: durationMs,
};
const status = z.int().check(z.gte(100), z.lte(599));
const probeSpec = z.union([
  z.object({
    kind: z.literal('http'),
    url: z.string().check(z.regex(/^https?:\/\//)),
    statusMin: status,
    statusMax: status,
    headers: stringRecord,
    ...probeTiming,
  }),
  z.object({
    kind: z.literal('tcp'),
    host: nonEmpty,
    port: z.int().check(z.gte(1), z.lte(65535)),
    ...probeTiming,
  }),
  z.object({ kind: z.literal('exec'), command: nonEmpty, ...probeTiming }),
]);

/**
 * Wire schema of an `AppSpec` (camelCase, resolved); the daemon validates `start` payloads with it. A
 * `pidFile` of /dev/null is dropped (none), as a config file's `pid_file` is.
 */
export const appSpecSchema = z
  .object({
    name: appNameSchema,
    script: nonEmpty,
    args: strings,
    cwd: absolutePath,
    env: envRecord,
    ownEnv: z.optional(envRecord),
    inheritEnv: z.optional(z.literal(false)),
    autostart: z.optional(z.literal(false)),
    filterEnv: z.optional(z.array(nonEmpty)),
    uid: z.optional(z.union([nonEmpty, nonNegativeInt])),
    gid: z.optional(z.union([nonEmpty, nonNegativeInt])),
    interpreter: optionalNonEmpty,
    interpreterArgs: strings,
    instances: z.int().check(z.gte(1), z.lte(1024)),
    namespace: nonEmpty,
    autorestart: z.boolean(),
    maxRestarts: nonNegativeInt,
    minUptimeMs: durationMs,
    restartDelayMs: durationMs,
    expBackoffRestartDelayMs: durationMs,
    maxBackoffDelayMs: durationMs,
    stopExitCodes: z.array(z.int()),
    killTimeoutMs: durationMs,
    stopSignal: z.enum(SIGNALS),
    logFormat: z.enum(['plain', 'json']),
    logDateFormat: optionalNonEmpty,
    mergeLogs: z.boolean(),
    logPerInstance: optionalBoolean,
    outFile: z.optional(absolutePath),
    errFile: z.optional(absolutePath),
    // issue #14: PM2's log_file, pid_file and instance_var
    logFile: z.optional(absolutePath),
    logFileInHome: optionalBoolean,
    pidFile: z.optional(absolutePath),
    umask: z.optional(z.int().check(z.gte(0), z.lte(0o777))),
    instanceVar: optionalEnvName,
    logMaxBytes: z.optional(z.int().check(z.gte(1024, 'expected at least 1024 bytes'))),
    logRotateCron: optionalNonEmpty,
    logRetain: z.int().check(z.gte(0), z.lte(1000)),
    logCompress: z.boolean(),
    logEngine: optionalBoolean,
    logRules: z.optional(logRulesSchema),
    metricsUrl: z.optional(z.string().check(z.regex(/^https?:\/\/[^\s]+$/), z.maxLength(2048))),
    maxMemoryBytes: z.optional(z.int().check(z.gte(1024 * 1024, 'expected at least 1M'))),
    cronRestart: optionalNonEmpty,
    execMode: z.enum(['fork', 'cluster']),
    incrementVar: optionalEnvName,
    waitReady: z.boolean(),
    listenTimeoutMs: durationMs,
    shutdownWithMessage: optionalBoolean,
    watch: z.optional(z.array(absolutePath).check(z.minLength(1))),
    ignoreWatch: strings,
    watchDelayMs: durationMs,
    type: z.enum(['service', 'job']),
    schedule: optionalNonEmpty,
    intervalMs: z.optional(positiveDurationMs),
    jobTimeoutMs: z.optional(positiveDurationMs),
    jobHistory: z.int().check(z.gte(1), z.lte(100_000)),
    watchdog: z.optional(
      z.object({
        timeoutMs: positiveDurationMs,
        intervalMs: positiveDurationMs,
        logFile: z.optional(absolutePath),
      }),
    ),
    livenessProbe: z.optional(probeSpec),
    readinessProbe: z.optional(probeSpec),
    dependsOn: z.array(
      z.object({
        name: appNameText(),
        condition: z.enum(['started', 'healthy', 'completed_successfully']),
      }),
    ),
    source: z.optional(
      z.object({
        file: absolutePath,
        envProfile: optionalNonEmpty,
        appendsEnvToName: z.optional(z.literal(true)),
        isWatched: optionalBoolean,
        overrides: z.optional(z.record(z.string(), z.unknown())),
        only: z.optional(
          z.array(appNameSchema).check(z.minLength(1), z.maxLength(PAYLOAD_LIMITS.maxAppsPerStart)),
        ),
        fileInstances: z.optional(z.int().check(z.gte(1), z.lte(1024))),
      }),
    ),
  })
  .check(z.overwrite(withoutNullPidFile)) satisfies z.ZodMiniType<AppSpec>;

// a spec sent whole (REST's POST /processes, the socket) was refused as a character device
function withoutNullPidFile<T extends { pidFile?: string | undefined }>(spec: T): T {
  if (spec.pidFile === undefined || !isNullPidFile(spec.pidFile)) return spec;
  const { pidFile: _none, ...rest } = spec;
  return rest as T;
}

/** Issues reported for one invalid item of a list; the rest are left out. */
const MAX_ITEM_ISSUES = 10;

/**
 * A list (1 to `maxItems` long) checked item by item that stops at the first invalid item, so a
 * request of a thousand bad items costs one item's issues, not a million.
 */
function itemsUntilInvalid<T>(item: z.ZodMiniType<T>, maxItems: number) {
  return z.pipe(
    z.array(z.unknown()).check(z.minLength(1), z.maxLength(maxItems)),
    z.transform((items: unknown[], ctx) => {
      const parsed: T[] = [];
      for (let i = 0; i < items.length; i += 1) {
        const result = item.safeParse(items[i]);
        if (!result.success) {
          for (const issue of result.error.issues.slice(0, MAX_ITEM_ISSUES)) {
            // worded here, while the item is at hand: the custom issue keeps only the message
            const { path, detail } = describeSchemaIssue([issue], items[i]);
            ctx.issues.push({ code: 'custom', message: detail, input: items[i], path: [i, ...path] });
          }
          return z.NEVER;
        }
        parsed.push(result.data);
      }
      return parsed;
    }),
  );
}

/** `build()` on the first call, the same value after (a schema shared by several commands). */
function once<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= build();
    return value;
  };
}

/**
 * An object whose property `key` is `builders[key]()`, built on its first read and kept (issue 17): a
 * daemon builds the schemas of the commands it is sent, not all of them on its first `start`.
 */
function lazyEntries<T extends Record<string, () => unknown>>(
  builders: T,
): { readonly [K in keyof T]: ReturnType<T[K]> } {
  const entries = {} as { [K in keyof T]: ReturnType<T[K]> };
  for (const key of Object.keys(builders) as (keyof T & string)[]) {
    Object.defineProperty(entries, key, {
      enumerable: true,
      configurable: true,
      get() {
        const value = builders[key]!();
        Object.defineProperty(entries, key, { value, enumerable: true });
        return value;
      },
    });
  }
  return entries;
}

// a name is found however it was spelled (NFC, as names are)
const target = appNameText(TARGET_MAX_CHARS);
/** `stop` and `delete`: one target, or several acted on as one selection. */
const targets = z.union([
  target,
  z.array(target).check(z.minLength(1, 'expected at least one target'), z.maxLength(1000)),
]);
const logsRequest = once(() =>
  z.object({
    target: z.optional(target),
    lines: z.optional(z.int().check(z.gte(0), z.lte(1_000_000))),
    stream: z.optional(z.enum(['out', 'err', 'all'])),
    withBytes: z.optional(z.boolean()),
    withLevels: z.optional(z.boolean()),
  }),
);
const logsQuery = once(() => ({
  target,
  since: z.optional(epochMs),
  until: z.optional(epochMs),
  level: z.optional(z.enum(['fatal', 'error', 'warn', 'info', 'debug'])),
  grep: z.optional(z.string().check(z.minLength(1), z.maxLength(1000, 'expected at most 1000 characters'))),
  ignoreCase: z.optional(z.boolean()),
  stream: z.optional(z.enum(['out', 'err', 'all'])),
  limit: z.optional(z.int().check(z.gte(1), z.lte(100_000))),
}));
const empty = once(() => z.optional(z.object({})));
// a window that ends before it starts holds nothing: say so rather than answer an empty list
const sinceNotAfterUntil = once(() =>
  z.superRefine((window: { since?: number | undefined; until?: number | undefined }, ctx) => {
    const { since, until } = window;
    // a bound outside the range of a Date is refused by its own check: it cannot be shown as a time
    if (!isEpochMs(since) || !isEpochMs(until) || since <= until) return;
    ctx.issues.push({
      code: 'custom',
      path: ['since'],
      input: since,
      message: `expected a time at or before until; since ${isoTime(since)} is later than until ${isoTime(until)}`,
    });
  }),
);
/** The latest time a Date holds, in ms since the epoch. */
const MAX_EPOCH_MS = 8.64e15;
const epochMs = z.number().check(z.gte(0), z.lte(MAX_EPOCH_MS));

function isEpochMs(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= MAX_EPOCH_MS;
}
const eventKindFilter = once(() =>
  z.string().check(
    z.minLength(1),
    z.maxLength(100),
    z.superRefine((filter, ctx) => {
      const reason = unknownEventKindReason(filter);
      if (reason !== null) ctx.issues.push({ code: 'custom', message: reason, input: filter });
    }),
  ),
);
/**
 * A rule that `alerts.add`/`alerts.set` take: an event condition's kinds are refused as the `events`
 * filter refuses them, a CPU threshold above 100 × this machine's CPUs (neither could ever fire) and
 * an escalation after repeats of a rule that does not repeat (it could never escalate) and a webhook
 * Node could never send (`webhookProblem`: a URL it cannot parse, a header it refuses);
 * `alerts.json` keeps older rules as they were.
 */
const alertRuleRequest = once(() =>
  alertRuleSchema.check(
    z.superRefine((rule, ctx) => {
      if (rule.escalation?.afterRepeats !== undefined && rule.repeatMs === undefined)
        ctx.issues.push({
          code: 'custom',
          message: ESCALATE_NEEDS_REPEAT,
          input: rule.escalation.afterRepeats,
          path: ['escalation', 'afterRepeats'],
        });
      const badChannel = alertChannelsProblem(rule);
      if (badChannel !== null)
        ctx.issues.push({ code: 'custom', message: badChannel.message, input: rule, path: badChannel.path });
      if (rule.when?.kind === 'cpu') {
        const problem = cpuThresholdProblem(rule.when.abovePercent);
        if (problem !== null)
          ctx.issues.push({
            code: 'custom',
            message: `${problem}, got ${rule.when.abovePercent}`,
            input: rule.when.abovePercent,
            path: ['when', 'abovePercent'],
          });
      }
      if (rule.when?.kind !== 'event') return;
      rule.when.kinds.forEach((kind, i) => {
        const reason = unknownEventKindReason(kind);
        if (reason !== null)
          ctx.issues.push({ code: 'custom', message: reason, input: kind, path: ['when', 'kinds', i] });
      });
    }),
  ),
);
const eventsFilter = () => ({
  target: z.optional(target),
  kinds: z.optional(z.array(eventKindFilter()).check(z.maxLength(50))),
  since: z.optional(epochMs),
  until: z.optional(epochMs),
  afterSeq: z.optional(z.int().check(z.gte(0))),
  limit: z.optional(z.int().check(z.gte(1), z.lte(10_000))),
});
// beforeSeq pages back through what happened: a follow goes forward, so it has none
const eventsRequest = once(() =>
  z.object({ ...eventsFilter(), beforeSeq: z.optional(z.int().check(z.gte(1))) }).check(sinceNotAfterUntil()),
);
const followEventsRequest = once(() => z.object(eventsFilter()).check(sinceNotAfterUntil()));
const emitEventRequest = once(() => {
  const { maxTextChars, maxFields, maxKeyChars } = APP_EVENT_LIMITS;
  const text = z.string().check(z.maxLength(maxTextChars));
  const eventField = z.union([text, z.number(), z.boolean(), z.null()]);
  return z.object({
    name: z.string().check(z.regex(APP_EVENT_NAME, 'expected 1-64 letters, digits or _ . : -')),
    app: z.optional(target),
    message: z.optional(text),
    severity: z.optional(z.enum(['info', 'warning', 'error', 'critical'])),
    fields: z.optional(
      z
        .record(z.string().check(z.minLength(1), z.maxLength(maxKeyChars)), eventField)
        .check(
          z.refine(
            (fields) => Object.keys(fields).length <= maxFields,
            `expected at most ${maxFields} fields`,
          ),
        ),
    ),
  });
});

// lengths before the pattern: a long name is refused without running the regex on it
const componentName = once(() =>
  z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(64, 'expected at most 64 characters'),
      z.regex(COMPONENT_NAME, 'expected 1-64 letters, digits or _ . : -'),
    ),
);
const componentReport = once(() =>
  z.object({
    name: componentName(),
    // whole ms, as every other duration of the protocol: no timer waits a fraction of one
    intervalMs: z
      .int()
      .check(
        z.gte(COMPONENT_LIMITS.minIntervalMs, 'expected at least 1 s (1000 ms)'),
        z.lte(COMPONENT_LIMITS.maxIntervalMs, 'expected at most 24 h (86400000 ms)'),
      ),
    status: z.enum(['healthy', 'degraded', 'unhealthy']),
    message: z.optional(
      z.string().check(z.maxLength(COMPONENT_LIMITS.maxMessageChars, 'expected at most 500 characters')),
    ),
    app: z.optional(target),
  }),
);

const alertName = once(() =>
  z.string().check(z.regex(ALERT_NAME, 'expected 1-64 letters, digits or _ . : -')),
);

// OBS-6: the shape and sizes only, loosely: the rules (names, types, labels, limits) are the daemon's
// custom metric parser's, shared with the apps' own reports, so that a refusal reads and counts the same
const metricReport = once(() =>
  z.object({
    target,
    instance: z.optional(nonNegativeInt),
    velos_metric: z.string().check(z.maxLength(1000)),
    type: z.string().check(z.maxLength(100)),
    value: z.optional(z.number()),
    op: z.optional(z.string().check(z.maxLength(100))),
    labels: z.optional(
      z
        .record(
          z.string().check(z.maxLength(1000)),
          z.union([z.string().check(z.maxLength(10_000)), z.number(), z.boolean()]),
        )
        .check(z.refine((labels) => Object.keys(labels).length <= 100, 'expected at most 100 labels')),
    ),
    help: z.optional(z.string().check(z.maxLength(10_000))),
    buckets: z.optional(z.array(z.number()).check(z.maxLength(1000))),
  }),
);

/** Request payload schemas of every daemon command, by name. */
export const requestSchemas = lazyEntries({
  ping: empty,
  start: () =>
    z.object({
      apps: itemsUntilInvalid(appSpecSchema, PAYLOAD_LIMITS.maxAppsPerStart),
      replace: z.optional(z.boolean()),
    }),
  stop: () => z.object({ target: targets }),
  restart: () => z.object({ target: targets, env: z.optional(envRecord), ownEnv: z.optional(envRecord) }),
  reload: () => z.object({ target, env: z.optional(envRecord), ownEnv: z.optional(envRecord) }),
  scale: () =>
    z.object({
      name: target,
      instances: z
        .string()
        .check(z.regex(/^[+-]?\d{1,4}$/, 'expected a whole number N (1 to 1024), +N or -N')),
    }),
  runs: () => z.object({ target, limit: z.optional(z.int().check(z.gte(1), z.lte(100_000))) }),
  trigger: () => z.object({ target, force: z.optional(z.boolean()) }),
  delete: () => z.object({ target: targets }),
  list: empty,
  describe: () => z.object({ target }),
  logs: logsRequest,
  'logs.follow': logsRequest,
  'logs.search': () =>
    z.object({ ...logsQuery(), withBytes: z.optional(z.boolean()) }).check(sinceNotAfterUntil()),
  'logs.analyze': () =>
    z
      .object({
        ...logsQuery(),
        view: z.enum(['summary', 'patterns', 'dedupe', 'anomalies']),
        periodMs: z.optional(
          z.number().check(z.gte(1), z.lte(MAX_DURATION_MS, 'expected at most 365 days in ms')),
        ),
      })
      .check(sinceNotAfterUntil()),
  events: eventsRequest,
  'events.follow': followEventsRequest,
  'events.emit': emitEventRequest,
  components: empty,
  'components.report': componentReport,
  'components.remove': () => z.object({ name: componentName() }),
  health: empty,
  metrics: empty,
  'metrics.report': metricReport,
  'metrics.history': () =>
    z.object({
      target,
      sinceMs: z.optional(
        z.number().check(z.gte(1), z.lte(MAX_DURATION_MS, 'expected at most 365 days in ms')),
      ),
      points: z.optional(z.int().check(z.gte(1), z.lte(100_000))),
    }),
  alerts: empty,
  'alerts.add': () => z.object({ rule: alertRuleRequest() }),
  'alerts.remove': () => z.object({ name: alertName() }),
  'alerts.test': () => z.object({ name: alertName() }),
  'alerts.set': () =>
    z.object({
      source: z.string().check(z.minLength(1), z.maxLength(4096)),
      rules: z.array(alertRuleRequest()).check(z.maxLength(MAX_ALERT_RULES)),
    }),
  'config.reload': () => z.object({ file: z.optional(absolutePath.check(z.maxLength(4096))) }),
  'config.get': () => z.object({ target }),
  'config.set': () =>
    z.object({
      target,
      changes: z
        .record(z.string().check(z.minLength(1), z.maxLength(100)), z.unknown())
        .check(z.refine((changes) => Object.keys(changes).length >= 1, 'expected at least one key=value')),
    }),
  flush: () => z.object({ target: z.optional(target) }),
  reloadLogs: () => z.object({ target: z.optional(target) }),
  save: () => z.object({ force: z.optional(z.boolean()) }),
  resurrect: empty,
  kill: empty,
  handOver: empty,
  // PM2 drop-in (#14): the daemon checks the name against the signals of its platform
  signal: () =>
    z.object({
      target,
      signal: z.string().check(z.regex(/^SIG[A-Z0-9]{2,10}$/, 'expected a signal name such as SIGUSR2')),
    }),
  reset: () => z.object({ target }),
});
