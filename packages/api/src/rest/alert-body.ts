import { ErrorCodes, isVelosError, RUNTIME_ALERT_SOURCE, VelosError } from '@velos/core';

/** What the rule's errors are prefixed with while parsing; the answer leaves it out (`rule.when: …`). */
const LABEL = 'body';

/**
 * The payload of `POST /alerts`: `{rule}` as `GET /alerts` shows a rule, or with the rule written as a
 * config file's `[[alerts]]` table writes it (`when` as words: `"restarts >= 5 within 10m"`, `for`,
 * `webhook`, `command`, `severity` optional), turned into the first with the parser of config files.
 * @example await alertBody({ rule: { name: 'flapping', when: 'restarts >= 5 within 10m' } })
 */
export async function alertBody(body: unknown): Promise<unknown> {
  if (!isRecord(body) || !isRecord(body.rule) || typeof body.rule.when !== 'string') return body;
  // the config parser loads with the routes that need it only (velos serve's start)
  const { parseAlertRule } = await import('@velos/core/config');
  try {
    return { ...body, rule: parseAlertRule(body.rule, LABEL, RUNTIME_ALERT_SOURCE, 'rule') };
  } catch (error) {
    if (!isVelosError(error)) throw error;
    const message = error.message.startsWith(`${LABEL}: `)
      ? error.message.slice(LABEL.length + 2)
      : error.message;
    // the field the message names (`rule.when`, `rule.webhook.url`), as a rule given as JSON is told
    const field = /^(rule(?:\.[^\s:]+)?): /.exec(message)?.[1] ?? 'rule';
    throw new VelosError(ErrorCodes.INVALID_ARGUMENT, message, { data: { field } });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
