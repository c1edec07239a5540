import type { EventSeverity } from './events.js';

/**
 * OBS-2: the bounds of an app event (docs/events.md), the same for a `velos_event` line, an IPC
 * message, `velos events emit` and the protocol's `events.emit`: a message or string field of at most
 * `maxTextChars`, at most `maxFields` fields, field names of 1–`maxKeyChars` characters.
 */
export const APP_EVENT_LIMITS = { maxTextChars: 2000, maxFields: 50, maxKeyChars: 100 } as const;

/** The severity words of an app event (any case): the four severities, and `warn`, `err`, `fatal`. */
const SEVERITY_WORDS: Readonly<Record<string, EventSeverity>> = {
  info: 'info',
  warning: 'warning',
  warn: 'warning',
  error: 'error',
  err: 'error',
  critical: 'critical',
  fatal: 'critical',
};

/** The words `appEventSeverity` takes, for error messages: `info, warning (or warn), …`. */
export const APP_EVENT_SEVERITY_WORDS = 'info, warning (or warn), error (or err), critical (or fatal)';

/**
 * The severity an app event's word stands for (`warn` → `warning`, `FATAL` → `critical`), or null.
 * @example appEventSeverity('warn') // 'warning'
 */
export function appEventSeverity(word: string): EventSeverity | null {
  const lower = word.toLowerCase();
  return Object.hasOwn(SEVERITY_WORDS, lower) ? SEVERITY_WORDS[lower]! : null;
}

/** An app event's text cut to `APP_EVENT_LIMITS.maxTextChars`, an ellipsis ending a cut one. */
export function cutAppEventText(text: string): string {
  const max = APP_EVENT_LIMITS.maxTextChars;
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
