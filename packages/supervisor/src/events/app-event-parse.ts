import {
  APP_EVENT_LIMITS,
  APP_EVENT_NAME,
  appEventSeverity,
  cutAppEventText,
  type EmitEventRequest,
  type EventFieldValue,
} from '@velos/core';

/** What an app sent: an event to publish, or why it is not one (the line then stays a log line only). */
export type AppEventParse = { ok: true; request: EmitEventRequest } | { ok: false; reason: string };

/**
 * OBS-2: reads an app event from a JSON line or a `process.send` message: `velos_event` is the name
 * (`APP_EVENT_NAME`), `message` and `severity` (info, warning/warn, error/err, critical/fatal) are
 * optional, every other key is a field; nested values are kept as JSON text when short, and the
 * request stays within the bounds of `events.emit`.
 */
export function parseAppEvent(value: unknown): AppEventParse {
  let object = value;
  if (typeof value === 'string') {
    try {
      object = JSON.parse(value);
    } catch {
      return { ok: false, reason: 'not valid JSON' };
    }
  }
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    return { ok: false, reason: 'not a JSON object' };
  }
  const { velos_event: name, message, severity, ...rest } = object as Record<string, unknown>;
  if (typeof name !== 'string' || !APP_EVENT_NAME.test(name)) {
    return {
      ok: false,
      reason: `velos_event ${JSON.stringify(name)}: expected 1-64 letters, digits or _ . : - (not starting with . : -)`,
    };
  }
  const request: EmitEventRequest = { name };
  if (typeof message === 'string' || typeof message === 'number' || typeof message === 'boolean') {
    request.message = cutAppEventText(String(message));
  }
  if (typeof severity === 'string') request.severity = appEventSeverity(severity) ?? 'info';
  const fields: Record<string, EventFieldValue> = {};
  let count = 0;
  for (const [key, raw] of Object.entries(rest)) {
    if (count >= APP_EVENT_LIMITS.maxFields) break;
    if (key.length === 0 || key.length > APP_EVENT_LIMITS.maxKeyChars) continue;
    const field = fieldValue(raw);
    if (field === undefined) continue;
    fields[key] = field;
    count += 1;
  }
  if (count > 0) request.fields = fields;
  return { ok: true, request };
}

function fieldValue(raw: unknown): EventFieldValue | undefined {
  if (raw === null || typeof raw === 'boolean') return raw;
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : null;
  if (typeof raw === 'string') return cutAppEventText(raw);
  if (typeof raw === 'object') {
    let text: string | undefined;
    try {
      text = JSON.stringify(raw);
    } catch {
      return undefined;
    }
    return text !== undefined && text.length <= APP_EVENT_LIMITS.maxTextChars ? text : undefined;
  }
  return undefined;
}
