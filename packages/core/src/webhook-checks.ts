import type { AlertChannel } from './alert-rule.js';
import { probeHeaderNameProblem, probeHeaderValueProblem, probeUrlProblem } from './probe-request.js';
import { quoteValue } from './quote-value.js';

/** Where in a webhook channel (`url`, `headers.<name>`) a problem is, and what was expected. */
export interface WebhookProblem {
  path: (string | number)[];
  message: string;
}

/**
 * The first reason a webhook channel could never be sent (a URL Node cannot parse, a port out of
 * range, a header name or value Node refuses), or null: such a channel is refused when a rule is
 * added, not found out at every notification after its retries.
 */
export function webhookProblem(url: string, headers: Record<string, string> = {}): WebhookProblem | null {
  const badUrl = probeUrlProblem(url);
  if (badUrl !== null) return { path: ['url'], message: `${badUrl}, got ${quoteValue(url)}` };
  for (const [name, value] of Object.entries(headers)) {
    const badName = probeHeaderNameProblem(name);
    if (badName !== null) return { path: ['headers', name], message: badName };
    const badValue = probeHeaderValueProblem(value);
    if (badValue !== null) return { path: ['headers', name], message: badValue };
  }
  return null;
}

/** The first problem of a rule's channels (its escalation's included), with its path from the rule. */
export function alertChannelsProblem(rule: {
  channels: readonly AlertChannel[];
  escalation?: { channels: readonly AlertChannel[] };
}): WebhookProblem | null {
  const lists: [(string | number)[], readonly AlertChannel[]][] = [[['channels'], rule.channels]];
  if (rule.escalation) lists.push([['escalation', 'channels'], rule.escalation.channels]);
  for (const [path, channels] of lists) {
    // a refinement may see a rule its schema refused: what is not a list of channels is told elsewhere
    if (!Array.isArray(channels)) continue;
    for (const [i, channel] of channels.entries()) {
      if (channel?.type !== 'webhook' || typeof channel.url !== 'string') continue;
      const problem = webhookProblem(channel.url, channel.headers);
      if (problem) return { path: [...path, i, ...problem.path], message: problem.message };
    }
  }
  return null;
}
