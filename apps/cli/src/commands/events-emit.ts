import {
  APP_EVENT_LIMITS,
  APP_EVENT_NAME,
  APP_EVENT_SEVERITY_WORDS,
  appEventSeverity,
  cutAppEventText,
  type EmitEventRequest,
  type EventFieldValue,
} from '@velos/core';
import type { CommandInput } from '../command-spec.js';
import type { CommandContext } from '../context.js';
import { formatEventLine, toAiEvent } from '../output/events.js';
import { usageError } from '../parse-argv.js';

/**
 * `velos events emit <name> [key=value…] [--app a] [--severity s] [--message m]`: posts an app event
 * (`app.<name>`) to the bus and prints it; values that read as numbers, booleans or null are typed.
 * Bounded like app events: the severity words of `velos_event` (warn, err, fatal too), texts cut at
 * 2000 characters.
 */
export async function runEventsEmit(ctx: CommandContext, input: CommandInput): Promise<void> {
  const request = emitRequest(input.args.slice(1), input.options);
  const client = await ctx.client();
  const event = await client.emitEvent(request);
  if (ctx.mode === 'json') ctx.printJson(event);
  else if (ctx.mode === 'ai') ctx.printJson(toAiEvent(event));
  else ctx.print(formatEventLine(event, ctx.colors));
}

/** The request of `events emit`'s arguments (the name, then `key=value` fields) and options. */
export function emitRequest(args: string[], options: CommandInput['options']): EmitEventRequest {
  const [name, ...pairs] = args;
  if (name === undefined) throw usageError('velos events emit needs <name>', 'events');
  if (!APP_EVENT_NAME.test(name)) {
    throw usageError(
      `event name ${JSON.stringify(name)}: expected 1-64 letters, digits or _ . : - (the kind is app.<name>)`,
      'events',
    );
  }
  const request: EmitEventRequest = { name };
  if (typeof options.app === 'string') request.app = options.app;
  if (typeof options.message === 'string') request.message = cutAppEventText(options.message);
  if (typeof options.severity === 'string') {
    const severity = appEventSeverity(options.severity);
    if (severity === null) {
      throw usageError(
        `--severity: expected ${APP_EVENT_SEVERITY_WORDS}, got ${JSON.stringify(options.severity)}`,
        'events',
      );
    }
    request.severity = severity;
  }
  for (const option of ['since', 'until', 'kind', 'limit', 'follow'] as const) {
    if (options[option] !== undefined)
      throw usageError(`--${option} is not an option of velos events emit`, 'events');
  }
  if (pairs.length > 0) {
    const fields = new Map<string, EventFieldValue>();
    for (const pair of pairs) {
      const eq = pair.indexOf('=');
      if (eq < 1) throw usageError(`expected a field as key=value, got ${JSON.stringify(pair)}`, 'events');
      const key = pair.slice(0, eq);
      if (key.length > APP_EVENT_LIMITS.maxKeyChars) {
        throw usageError(
          `field ${JSON.stringify(`${key.slice(0, 20)}…`)}: expected a key of at most ${APP_EVENT_LIMITS.maxKeyChars} characters`,
          'events',
        );
      }
      if (fields.has(key)) throw usageError(`field ${JSON.stringify(key)} is given twice`, 'events');
      // an object's __proto__ is its prototype: the field was lost (the wire's msgpack renames it too)
      if (key === '__proto__') throw usageError('field "__proto__": a name no field can have', 'events');
      fields.set(key, typedValue(pair.slice(eq + 1)));
    }
    const count = fields.size;
    if (count > APP_EVENT_LIMITS.maxFields) {
      throw usageError(`expected at most ${APP_EVENT_LIMITS.maxFields} fields, got ${count}`, 'events');
    }
    request.fields = Object.fromEntries(fields);
  }
  return request;
}

function typedValue(text: string): EventFieldValue {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text === 'null') return null;
  if (/^-?\d+(\.\d+)?$/.test(text) && Number.isFinite(Number(text))) return Number(text);
  return cutAppEventText(text);
}
