import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { parseCondition } from './alert-condition.js';
import type { AlertChannel, AlertRule } from './alert-rule.js';
import { appNameText } from './app-name-schema.js';
import { CONFIG_PARSE } from './config-issues.js';
import { ErrorCodes, VelosError } from './errors.js';
import { durationValue, failValue } from './schema-values.js';
import { MAX_DURATION_MS } from './units.js';
import { webhookProblem } from './webhook-checks.js';

z.config(en());

/** Defaults of the optional keys of a rule (documented in docs/alerts.md). */
export const ALERT_DEFAULTS = {
  severity: 'warning',
  forMs: 0,
  resolveAfterMs: 60_000,
  webhookTimeoutMs: 5000,
  webhookRetries: 3,
  webhookBackoffMs: 1000,
  commandTimeoutMs: 10_000,
} as const;

/** Rules one source (a file, the run-time list) may hold. */
export const MAX_ALERT_RULES = 200;

const SEVERITIES = ['info', 'warning', 'error', 'critical'] as const;
/** Rule names: letters, digits and `_ . : -`, 1–64 characters. */
export const ALERT_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,63}$/;

/**
 * The rule schemas are built on their first parse (`z.lazy`), not when this module loads (issue 17): the
 * daemon loads it with the request schemas on its first `start`, where building both cost ~0.38 MB of heap
 * that only `alerts.*` requests and config files with `[[alerts]]` use.
 */
const ruleParts = once(() => {
  const name = z.string().check(z.regex(ALERT_NAME, 'expected 1-64 letters, digits or _ . : -'));
  const url = z
    .string()
    .check(z.regex(/^https?:\/\/\S+$/, 'expected an http:// or https:// URL'), z.maxLength(2000));
  const ms = z.number().check(z.gte(0), z.lte(MAX_DURATION_MS));
  // the app a rule watches, in the spelling app names have (NFC)
  const appName = appNameText(200);
  return { name, url, ms, appName };
});

/** A rule as written in a config file (`[[alerts]]`), snake_case, durations as `"5m"` or ms. */
export const alertConfigSchema = z.lazy(buildConfigSchema);

/** Wire schema of an `AlertRule` (the daemon validates `alerts.add`/`alerts.set` and `alerts.json` with it). */
export const alertRuleSchema = z.lazy(buildRuleSchema);

function buildConfigSchema() {
  const { name, url, appName } = ruleParts();
  const program = z.pipe(
    z.union([z.string(), z.array(z.string())]),
    z.transform((value, ctx) => {
      const argv = Array.isArray(value) ? value : value.trim().split(/\s+/);
      if (argv.length === 0 || argv[0] === '')
        return failValue(ctx, value, 'expected a program and its arguments');
      return argv;
    }),
  );
  const commandTable = z.strictObject({ run: program, timeout: z.optional(durationValue(1)) });
  const webhookInput = stringOr(
    url,
    z.strictObject({
      url,
      timeout: z.optional(durationValue(1)),
      retries: z.optional(z.int().check(z.gte(0), z.lte(10))),
      backoff: z.optional(durationValue(0)),
      headers: z.optional(z.record(z.string(), z.string())),
    }),
  );
  const commandInput = z.pipe(
    z.unknown(),
    z.transform((value, ctx) => {
      const schema =
        value !== null && typeof value === 'object' && !Array.isArray(value) ? commandTable : program;
      const result = (schema as z.ZodMiniType<string[] | { run: string[]; timeout?: number }>).safeParse(
        value,
        CONFIG_PARSE,
      );
      if (result.success) return result.data;
      for (const issue of result.error.issues) ctx.issues.push({ ...issue, input: value } as never);
      return z.NEVER;
    }),
  );
  const channelKeys = { webhook: z.optional(webhookInput), command: z.optional(commandInput) };
  return z.strictObject({
    name,
    when: z.string().check(z.minLength(1)),
    app: z.optional(appName),
    severity: z.optional(z.enum(SEVERITIES)),
    for: z.optional(durationValue(0)),
    // a notification and an event each time: "1ms" (or a bare `30`, milliseconds) would flood both
    repeat: z.optional(durationValue(1000)),
    resolve_after: z.optional(durationValue(1)),
    // a window of 1 ms groups nothing a storm sends: at least a second, as `repeat`
    group_interval: z.optional(durationValue(1000)),
    ...channelKeys,
    escalate: z.optional(
      z
        .strictObject({
          after_repeats: z.optional(z.int().check(z.gte(1))),
          after: z.optional(durationValue(1)),
          severity: z.optional(z.enum(SEVERITIES)),
          ...channelKeys,
        })
        .check(
          z.refine(
            (e) => e.after_repeats !== undefined || e.after !== undefined,
            'expected after_repeats or after',
          ),
        ),
    ),
  });
}

function buildRuleSchema() {
  const { name, url, ms, appName } = ruleParts();
  // discriminated: a wrong channel or condition is told by its own fields, not as "Invalid input"
  const channelSchema = z.discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('webhook'),
      url,
      timeoutMs: ms,
      retries: z.int().check(z.gte(0), z.lte(10)),
      backoffMs: ms,
      headers: z.optional(z.record(z.string(), z.string())),
    }),
    z.strictObject({
      type: z.literal('command'),
      command: z.array(z.string()).check(z.minLength(1), z.maxLength(100)),
      timeoutMs: ms,
    }),
  ]);
  const kindList = z
    .array(z.string().check(z.minLength(1), z.maxLength(100)))
    .check(z.minLength(1), z.maxLength(50));
  const conditionSchema = z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('event'), kinds: kindList }),
    z.strictObject({ kind: z.literal('restarts'), count: z.int().check(z.gte(1)), windowMs: ms }),
    z.strictObject({ kind: z.literal('errored') }),
    z.strictObject({ kind: z.literal('unhealthy') }),
    z.strictObject({ kind: z.literal('memory'), aboveBytes: z.number().check(z.gte(1)) }),
    z.strictObject({ kind: z.literal('cpu'), abovePercent: z.number().check(z.gte(0)) }),
    z.strictObject({ kind: z.literal('log'), signal: z.enum(['anomaly', 'error_burst', 'any']) }),
    z.strictObject({ kind: z.literal('job_failed'), count: z.int().check(z.gte(1)) }),
    z.strictObject({ kind: z.literal('no_output') }),
    z.strictObject({ kind: z.literal('daemon_degraded') }),
    z.strictObject({ kind: z.literal('component_stale') }),
  ]);
  const channels = z.array(channelSchema).check(z.maxLength(10));
  return z.strictObject({
    name,
    when: conditionSchema,
    app: z.optional(appName),
    severity: z.enum(SEVERITIES),
    forMs: ms,
    repeatMs: z.optional(ms.check(z.gte(1))),
    resolveAfterMs: ms,
    groupIntervalMs: z.optional(ms.check(z.gte(1))),
    channels,
    escalation: z.optional(
      z.strictObject({
        afterRepeats: z.optional(z.int().check(z.gte(1))),
        afterMs: z.optional(ms),
        severity: z.optional(z.enum(SEVERITIES)),
        channels,
      }),
    ),
    source: z.string().check(z.minLength(1), z.maxLength(4096)),
  }) satisfies z.ZodMiniType<AlertRule>;
}

/** A string checked by `text`, anything else by `table`: the errors of the form written come through. */
function stringOr<S extends z.ZodMiniType<string, string>, T extends z.ZodMiniType>(text: S, table: T) {
  return z.pipe(
    z.unknown(),
    z.transform((value, ctx): z.output<S> | z.output<T> => {
      const result = (typeof value === 'string' ? text : table).safeParse(value, CONFIG_PARSE);
      if (result.success) return result.data as z.output<S> | z.output<T>;
      for (const issue of result.error.issues) ctx.issues.push({ ...issue, input: value } as never);
      return z.NEVER;
    }),
  );
}

/** `build()` on the first call, the same value after. */
function once<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= build();
    return value;
  };
}

type ConfigRule = z.output<typeof alertConfigSchema>;
type ChannelKeys = Pick<ConfigRule, 'webhook' | 'command'>;

/**
 * Validates the `alerts` list of a config document into rules of `source`; errors name the label
 * (the file), the path (`alerts[1].when`) and what was expected, and the first error stops all.
 */
export function parseAlertRules(raw: unknown, label: string, source: string, key = 'alerts'): AlertRule[] {
  if (!Array.isArray(raw))
    throw invalid(label, key, `expected a list of rules ([[${key}]]), got ${JSON.stringify(raw)}`);
  if (raw.length > MAX_ALERT_RULES)
    throw invalid(label, key, `expected at most ${MAX_ALERT_RULES} rules, got ${raw.length}`);
  const seen = new Set<string>();
  return raw.map((item, i) => {
    const rule = parseAlertRule(item, label, source, `${key}[${i}]`);
    if (seen.has(rule.name))
      throw invalid(label, `${key}[${i}].name`, `expected a unique name, "${rule.name}" is used twice`);
    seen.add(rule.name);
    return rule;
  });
}

/**
 * Validates one rule written as a config file writes it (`[[alerts]]`: `when` as words, durations as
 * `"5m"`, `webhook`/`command` keys) into a rule of `source`; errors name the label and the path
 * (`at.when`) as `parseAlertRules` does.
 */
export function parseAlertRule(item: unknown, label: string, source: string, at: string): AlertRule {
  const result = alertConfigSchema.safeParse(item, CONFIG_PARSE);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.path
      .map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`))
      .join('');
    const message =
      issue.code === 'unrecognized_keys'
        ? `unknown option${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`
        : issue.message;
    const got = valueAt(item, issue.path);
    const tail =
      got !== undefined && issue.code !== 'unrecognized_keys' && !message.includes('got')
        ? `, got ${JSON.stringify(got)}`
        : '';
    throw invalid(label, `${at}${path}`, `${message}${tail}`);
  }
  return toRule(result.data, source, label, at);
}

/** Why `after_repeats` without `repeat` is refused: such a rule would never escalate. */
export const ESCALATE_NEEDS_REPEAT =
  'needs "repeat" on the rule: without it the alert is sent once, never repeats, so it never escalates';

function toRule(input: ConfigRule, source: string, label: string, at: string): AlertRule {
  const parsed = parseCondition(input.when);
  if (typeof parsed === 'string') throw invalid(label, `${at}.when`, parsed);
  if (parsed.forMs !== undefined && input.for !== undefined) {
    throw invalid(label, `${at}.for`, `expected "for" either in "when" or as its own key, not both`);
  }
  checkWebhook(input.webhook, label, `${at}.webhook`);
  checkWebhook(input.escalate?.webhook, label, `${at}.escalate.webhook`);
  const rule: AlertRule = {
    name: input.name,
    when: parsed.when,
    severity: input.severity ?? ALERT_DEFAULTS.severity,
    forMs: parsed.forMs ?? input.for ?? ALERT_DEFAULTS.forMs,
    resolveAfterMs: input.resolve_after ?? ALERT_DEFAULTS.resolveAfterMs,
    channels: channelsOf(input),
    source,
  };
  if (input.app !== undefined) rule.app = input.app;
  if (input.repeat !== undefined) rule.repeatMs = input.repeat;
  if (input.group_interval !== undefined) rule.groupIntervalMs = input.group_interval;
  if (input.escalate) {
    const e = input.escalate;
    if (e.after_repeats !== undefined && input.repeat === undefined)
      throw invalid(label, `${at}.escalate.after_repeats`, ESCALATE_NEEDS_REPEAT);
    rule.escalation = { channels: channelsOf(e) };
    if (e.after_repeats !== undefined) rule.escalation.afterRepeats = e.after_repeats;
    if (e.after !== undefined) rule.escalation.afterMs = e.after;
    if (e.severity !== undefined) rule.escalation.severity = e.severity;
  }
  return rule;
}

/** Refuses a webhook that could never be sent (`webhookProblem`), naming its key. */
function checkWebhook(webhook: ChannelKeys['webhook'], label: string, at: string): void {
  if (webhook === undefined) return;
  const isText = typeof webhook === 'string';
  const problem = isText ? webhookProblem(webhook) : webhookProblem(webhook.url, webhook.headers);
  if (problem === null) return;
  // the string form is the URL itself: its path is the key
  const path = isText ? '' : problem.path.map((part) => `.${part}`).join('');
  throw invalid(label, `${at}${path}`, problem.message);
}

function channelsOf(input: ChannelKeys): AlertChannel[] {
  const out: AlertChannel[] = [];
  if (input.webhook !== undefined) {
    const hook = typeof input.webhook === 'string' ? { url: input.webhook } : input.webhook;
    out.push({
      type: 'webhook',
      url: hook.url,
      timeoutMs: hook.timeout ?? ALERT_DEFAULTS.webhookTimeoutMs,
      retries: hook.retries ?? ALERT_DEFAULTS.webhookRetries,
      backoffMs: hook.backoff ?? ALERT_DEFAULTS.webhookBackoffMs,
      ...(hook.headers ? { headers: hook.headers } : {}),
    });
  }
  if (input.command !== undefined) {
    const command = Array.isArray(input.command) ? { run: input.command } : input.command;
    out.push({
      type: 'command',
      command: command.run,
      timeoutMs: command.timeout ?? ALERT_DEFAULTS.commandTimeoutMs,
    });
  }
  return out;
}

/** The error of a rule; `data.keyPath` (`['alerts', 0, 'when']`) lets a file's loader name the line. */
function invalid(label: string, path: string, message: string): VelosError {
  const keyPath = [...path.matchAll(/\[(\d+)\]|([^.[\]]+)/g)].map(([, index, key]) =>
    index === undefined ? key! : Number(index),
  );
  return new VelosError(ErrorCodes.INVALID_CONFIG, `${label}: ${path}: ${message}`, { data: { keyPath } });
}

function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = doc;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
