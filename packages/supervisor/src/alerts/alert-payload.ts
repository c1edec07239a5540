import { hostname } from 'node:os';
import { type AlertRule, describeRuleCondition, type EventSeverity, maskEnv } from '@velos/core';

/** One notification of a rule: it fired (again), resolved, or a test. */
export interface AlertNotification {
  status: 'firing' | 'resolved' | 'test';
  rule: AlertRule;
  /** The app it is about, or `*` for the daemon or a rule over no app in particular. */
  key: string;
  severity: EventSeverity;
  message: string;
  /** Epoch ms the alert began firing (or the test was sent). */
  since: number;
  at: number;
  /** 0 for the first firing notification, then 1, 2… for each repeat. */
  repeat: number;
  isEscalated: boolean;
}

/** The JSON a webhook receives and a command reads on stdin (and, flat, in `VELOS_ALERT_*`). */
export interface AlertPayload {
  /** One line for chat tools (Slack's and Mattermost's incoming webhooks show it as is). */
  text: string;
  status: AlertNotification['status'];
  rule: string;
  severity: EventSeverity;
  app: string | null;
  message: string;
  condition: string;
  since: number;
  at: number;
  duration_ms: number;
  repeat: number;
  escalated: boolean;
  source: string;
  host: string;
}

const MARK = { firing: 'FIRING', resolved: 'RESOLVED', test: 'TEST' } as const;

/** Builds the payload of a notification. */
export function payloadOf(n: AlertNotification): AlertPayload {
  const app = n.key === '*' ? null : n.key;
  const escalated = n.isEscalated && n.status !== 'resolved' ? ' [escalated]' : '';
  return {
    text: `[${MARK[n.status]}] ${n.rule.name} (${n.severity})${escalated}${aboutOf(n)}`,
    status: n.status,
    rule: n.rule.name,
    severity: n.severity,
    app,
    message: maskedText(n.message),
    condition: describeRuleCondition(n.rule),
    since: n.since,
    at: n.at,
    duration_ms: Math.max(0, n.at - n.since),
    repeat: n.repeat,
    escalated: n.isEscalated,
    source: n.rule.source,
    host: hostname(),
  };
}

/**
 * `text` with the secrets `velos show` masks in a value masked (a URL's password, `password=…`, a
 * `--token` flag's value, a token's shape): a message may quote an app's log line or its own event, and a
 * notification leaves the host (a chat service, a pager). `maskEnv` masks a variable not named as a
 * secret that way; `MESSAGE` is such a name.
 */
function maskedText(text: string): string {
  return String(maskEnv({ MESSAGE: text }).MESSAGE);
}

/** ` api: restarted 5 times (repeat 2)`: what a notification's text says after its rule and severity. */
function aboutOf(n: AlertNotification): string {
  const app = n.key === '*' ? null : n.key;
  const repeat = n.status === 'firing' && n.repeat > 0 ? ` (repeat ${n.repeat})` : '';
  const about = app === null ? '' : ` ${app}:`;
  const message = maskedText(n.message);
  // the log engine's events begin with the app (`api: 300 error lines…`): the text names it once
  const said = app !== null && message.startsWith(`${app}: `) ? message.slice(app.length + 2) : message;
  return `${about} ${said}${repeat}`;
}

/** Alerts a grouped notification lists in its text (then `… and N more`). */
export const GROUP_TEXT_LINES = 20;
/** Alerts a grouped notification carries in `alerts` (`count` says how many there were). */
export const GROUP_PAYLOAD_ALERTS = 50;

/** The payload of several alerts of one rule sent as one (`group_interval`): the fields of them all. */
export interface GroupPayload extends AlertPayload {
  /** How many alerts the notification is about. */
  count: number;
  /** Their apps, in order (null for the daemon or no app in particular). */
  apps: (string | null)[];
  /** Each alert's own payload, the first `GROUP_PAYLOAD_ALERTS`. */
  alerts: AlertPayload[];
}

/**
 * The payload of a batch of one rule's notifications of one status (`group_interval`): one alert's own
 * payload, or for several one whose text lists them a line each (chat tools show the lines), whose
 * severity is the worst, `since` the earliest, and whose `alerts` hold each one's payload. An alert
 * told twice in the batch (fired, then repeated) is listed once, as told last.
 */
export function batchPayloadOf(batch: readonly AlertNotification[]): AlertPayload | GroupPayload {
  const latest = new Map<string, AlertNotification>();
  for (const n of batch) {
    latest.delete(n.key);
    latest.set(n.key, n);
  }
  const told = [...latest.values()];
  if (told.length === 1) return payloadOf(told[0]!);
  const first = told[0]!;
  const severity = told.reduce<EventSeverity>(
    (worst, n) => (SEVERITY_RANK[n.severity] > SEVERITY_RANK[worst] ? n.severity : worst),
    first.severity,
  );
  const since = Math.min(...told.map((n) => n.since));
  const at = Math.max(...told.map((n) => n.at));
  const isEscalated = told.some((n) => n.isEscalated);
  const apps = told.map((n) => (n.key === '*' ? null : n.key));
  const names = apps.map((app) => app ?? '(no app)');
  const escalated = isEscalated && first.status !== 'resolved' ? ' [escalated]' : '';
  const lines = told.slice(0, GROUP_TEXT_LINES).map((n) => `\n•${aboutOf(n)}`);
  const more = told.length > GROUP_TEXT_LINES ? `\n… and ${told.length - GROUP_TEXT_LINES} more` : '';
  const shown = names.slice(0, GROUP_TEXT_LINES).join(', ');
  const message = `${told.length} alerts: ${shown}${told.length > GROUP_TEXT_LINES ? ', …' : ''}`;
  return {
    text: `[${MARK[first.status]}] ${first.rule.name} (${severity})${escalated} ${told.length} alerts${lines.join('')}${more}`,
    status: first.status,
    rule: first.rule.name,
    severity,
    app: null,
    message,
    condition: describeRuleCondition(first.rule),
    since,
    at,
    duration_ms: Math.max(0, at - since),
    repeat: Math.max(...told.map((n) => n.repeat)),
    escalated: isEscalated,
    source: first.rule.source,
    host: hostname(),
    count: told.length,
    apps,
    alerts: told.slice(0, GROUP_PAYLOAD_ALERTS).map(payloadOf),
  };
}

const SEVERITY_RANK: Record<EventSeverity, number> = { info: 0, warning: 1, error: 2, critical: 3 };
