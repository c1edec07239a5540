import { type EventFieldValue, type EventSeverity, isoTime, type VelosEvent } from '@velos/core';
import { type AiEvent, toAiEvent as toAiEventOf } from '@velos/core/ai';

export type { AiEvent };

import type { Colors } from './colors.js';
import { escapeControlChars } from './log-line.js';

const KIND_WIDTH = 18;
const SEVERITY_WIDTH = 8;
const SUBJECT_WIDTH = 10;

/**
 * One event as a line of `velos events`: time, severity (coloured when `colors` paint), kind,
 * app/id, message, and for app events their fields as `key=value`. The control characters an app
 * put in its text are shown as `\xHH`, on a terminal or not: one line per event, none driving a terminal.
 */
export function formatEventLine(event: VelosEvent, colors: Colors, now = Date.now()): string {
  const fields = event.kind.startsWith('app.') && event.fields ? formatFields(event.fields) : '';
  const text = `${event.message}${fields}`;
  return [
    colors.dim(eventTime(event.at, now)),
    severityPaint(event.severity, colors)(event.severity.padEnd(SEVERITY_WIDTH)),
    event.kind.padEnd(KIND_WIDTH),
    subjectOf(event).padEnd(SUBJECT_WIDTH),
    escapeControlChars(text),
  ].join('  ');
}

/** The `--ai` form of one event, its time in ISO UTC as the log lines of `logs --ai` (and MCP's events_list). */
export function toAiEvent(event: VelosEvent): AiEvent {
  return toAiEventOf(event, isoTime);
}

/** The paint of a severity: dim info, yellow warning, red error, bold red critical. */
export function severityPaint(severity: EventSeverity, colors: Colors): (text: string) => string {
  if (severity === 'warning') return colors.yellow;
  if (severity === 'error') return colors.red;
  if (severity === 'critical') return (text) => colors.bold(colors.red(text));
  return colors.dim;
}

/** `HH:MM:SS` (local) for an event of today, `YYYY-MM-DD HH:MM:SS` for an older one. */
export function eventTime(epochMs: number, now = Date.now()): string {
  const d = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  if (d.toDateString() === new Date(now).toDateString()) return time;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}

/** `app/id`, `app`, `#id` or `-` (a daemon event). */
function subjectOf(event: VelosEvent): string {
  if (event.app !== undefined) return event.id === undefined ? event.app : `${event.app}/${event.id}`;
  return event.id === undefined ? '-' : `#${event.id}`;
}

function formatFields(fields: Record<string, EventFieldValue>): string {
  let text = '';
  for (const [key, value] of Object.entries(fields)) {
    const shown = typeof value === 'string' && /^[^\s"=]*$/.test(value) ? value : JSON.stringify(value);
    text += ` ${key}=${shown}`;
  }
  return text;
}
