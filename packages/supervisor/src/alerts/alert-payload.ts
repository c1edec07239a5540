import { hostname } from 'node:os';
import { type AlertRule, describeRuleCondition, type EventSeverity } from '@velos/core';

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
  const repeat = n.status === 'firing' && n.repeat > 0 ? ` (repeat ${n.repeat})` : '';
  const escalated = n.isEscalated && n.status !== 'resolved' ? ' [escalated]' : '';
  const about = app === null ? '' : ` ${app}:`;
  // the log engine's events begin with the app (`api: 300 error lines…`): the text names it once
  const said = app !== null && n.message.startsWith(`${app}: `) ? n.message.slice(app.length + 2) : n.message;
  return {
    text: `[${MARK[n.status]}] ${n.rule.name} (${n.severity})${escalated}${about} ${said}${repeat}`,
    status: n.status,
    rule: n.rule.name,
    severity: n.severity,
    app,
    message: n.message,
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
