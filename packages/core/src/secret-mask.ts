import type { AlertChannel, AlertRule, AlertStatus } from './alert-rule.js';
import { isSecretKey, MASK, maskArgs, maskCommandLine, maskUrlPassword } from './secret-text.js';

export { isSecretKey, MASK };

/** Any http(s) URL with a path or query past its origin (group 1), for a variable named `*WEBHOOK*`. */
const URL_PAST_ORIGIN = /\b(https?:\/\/[^/\s"',;?#]+)[/?#][^\s"',;]+/gi;
/** Keys whose value is a table of environment variables, or of a probe's HTTP headers. */
const SECRET_TABLES = new Set(['env', 'ownEnv', 'headers']);
/** Keys whose value is a URL: a probe's (`url` in a spec, `http` as a config file writes it). */
const URL_KEYS = new Set(['url', 'http']);
/** Keys whose value is a program's arguments (a spec's, a config file's, the resolved command's). */
const ARGS_KEYS = new Set(['args', 'interpreterArgs', 'interpreter_args', 'node_args']);
/**
 * Keys whose value may be a command line: a script (`script = "node app.js --token …"`), an exec
 * probe's command (`command` in a spec, `exec` as a config file writes it).
 */
const COMMAND_LINE_KEYS = new Set(['script', 'command', 'exec']);
const MAX_DEPTH = 8;

/**
 * A copy of an API answer with the secret-looking values of every `env`/`ownEnv` table and of every
 * probe's `headers` replaced by `"****"` (and the password of a URL with credentials, in those tables
 * and in a probe's URL), wherever they are in it.
 * @example maskSecrets({ spec: { env: { API_TOKEN: 'x', PORT: '80' } } }) // { spec: { env: { API_TOKEN: '****', PORT: '80' } } }
 */
export function maskSecrets<T>(value: T): T {
  return walk(value, 0) as T;
}

/** The values of one environment table, secrets masked. */
export function maskEnv(env: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(env)) {
    if (isSecretKey(key)) out[key] = MASK;
    else if (typeof value !== 'string') out[key] = value;
    // a value may hold flags too: JAVA_OPTS="-Dspring.datasource.password=…", NODE_OPTIONS
    else
      out[key] = isWebhookKey(key)
        ? maskCommandLine(value).replace(URL_PAST_ORIGIN, `$1/${MASK}`)
        : maskCommandLine(value);
  }
  return out;
}

/**
 * A copy of `velos alerts` rows with each webhook's secrets masked (`maskAlertRule`).
 * @example maskAlerts(await control.alerts())[0].rule.channels[0].url // 'https://hooks.slack.com/****'
 */
export function maskAlerts(alerts: readonly AlertStatus[]): AlertStatus[] {
  return alerts.map((alert) => ({ ...alert, rule: maskAlertRule(alert.rule) }));
}

/**
 * A copy of an alert rule whose webhooks (the escalation's too) keep only the origin of their URL
 * (a Slack or Discord URL's path is its secret) and mask secret-looking header values as `maskEnv` does.
 */
export function maskAlertRule(rule: AlertRule): AlertRule {
  const masked: AlertRule = { ...rule, channels: rule.channels.map(maskChannel) };
  if (rule.escalation)
    masked.escalation = { ...rule.escalation, channels: rule.escalation.channels.map(maskChannel) };
  return masked;
}

/**
 * Where `rule` holds a secret as `maskAlertRule` masks it (a webhook URL ending `/****`, a header
 * value `****`): a rule copied from a masked view, whose webhook could never deliver; null when none.
 * @example maskedSecretPlace(maskAlertRule(rule)) // 'channels[0].url'
 */
export function maskedSecretPlace(rule: AlertRule): string | null {
  const lists: [string, readonly AlertChannel[]][] = [['channels', rule.channels]];
  if (rule.escalation) lists.push(['escalation.channels', rule.escalation.channels]);
  for (const [path, channels] of lists) {
    for (const [i, channel] of channels.entries()) {
      if (channel.type !== 'webhook') continue;
      if (channel.url === MASK || channel.url.endsWith(`/${MASK}`)) return `${path}[${i}].url`;
      const header = Object.entries(channel.headers ?? {}).find(([, value]) => value === MASK);
      if (header) return `${path}[${i}].headers.${header[0]}`;
    }
  }
  return null;
}

function maskChannel(channel: AlertChannel): AlertChannel {
  if (channel.type !== 'webhook') return channel;
  const masked = { ...channel, url: maskWebhookUrl(channel.url) };
  if (channel.headers) masked.headers = maskEnv(channel.headers) as Record<string, string>;
  return masked;
}

function maskWebhookUrl(text: string): string {
  try {
    const url = new URL(text);
    const isBare = url.pathname === '/' && url.search === '' && url.username === '' && url.password === '';
    return isBare ? text : `${url.protocol}//${url.host}/${MASK}`;
  } catch {
    return MASK;
  }
}

/** A variable named as a webhook (`SLACK_WEBHOOK_URL`, `alertWebhook`): a webhook URL's path is its secret. */
function isWebhookKey(key: string): boolean {
  return /webhooks?(?![a-z])/i.test(key);
}

function walk(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item) => walk(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (SECRET_TABLES.has(key) && isTable(item)) out[key] = maskEnv(item);
    else if (ARGS_KEYS.has(key) && Array.isArray(item)) out[key] = maskArgs(item);
    else if ((ARGS_KEYS.has(key) || COMMAND_LINE_KEYS.has(key)) && typeof item === 'string')
      out[key] = maskCommandLine(item);
    else if (URL_KEYS.has(key) && typeof item === 'string') out[key] = maskUrlPassword(item);
    else out[key] = walk(item, depth + 1);
  }
  return out;
}

function isTable(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
