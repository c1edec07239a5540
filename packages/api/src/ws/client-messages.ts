import { describeSchemaIssue, quoteValue, TARGET_MAX_CHARS, unknownEventKindReason } from '@velos/core';
import { z } from 'zod';
import { MAX_BACKLOG_LINES, METRICS_INTERVAL_MS, TOPICS, type Topic } from './topics.js';

export { MAX_BACKLOG_LINES, METRICS_INTERVAL_MS, TOPICS, type Topic } from './topics.js';

// as long as the protocol takes (REST's too): a longer one was the daemon's `logs.follow: target: …`, no field
const target = z.string().min(1).max(TARGET_MAX_CHARS);
const filters = {
  topic: z.enum(TOPICS),
  target: z.optional(target),
  lines: z.optional(z.int().min(0).max(MAX_BACKLOG_LINES)),
  kinds: z.optional(
    z
      .array(
        z
          .string()
          .min(1)
          .max(128)
          .superRefine((filter, ctx) => {
            const reason = unknownEventKindReason(filter);
            if (reason !== null) ctx.addIssue({ code: 'custom', message: reason });
          }),
      )
      .max(64),
  ),
  intervalMs: z.optional(z.int().min(METRICS_INTERVAL_MS.min).max(METRICS_INTERVAL_MS.max)),
};

const clientMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('auth'), token: z.string().min(1).max(1024) }),
  z.strictObject({ type: z.literal('subscribe'), ...filters }),
  z.strictObject({ type: z.literal('unsubscribe'), ...filters }),
  z.strictObject({ type: z.literal('ping') }),
]);

/** A message a client sends, once validated. */
export type ClientMessage = z.infer<typeof clientMessageSchema>;

/** A `subscribe` or `unsubscribe` message: a topic and its filters. */
export type TopicRequest = Extract<ClientMessage, { type: 'subscribe' | 'unsubscribe' }>;

/** The result of reading one frame: the message, or what is wrong with it (`field` is a dotted path). */
export type ParsedMessage =
  | { ok: true; message: ClientMessage }
  | { ok: false; message: string; field?: string; topic?: Topic };

/** Reads one text frame as a client message, naming the first field that is wrong. */
export function parseClientMessage(text: string): ParsedMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, message: 'expected one JSON object per message' };
  }
  const type = typeProblem(value);
  if (type !== null) return { ok: false, message: `type: ${type}`, field: 'type' };
  const result = clientMessageSchema.safeParse(value);
  if (result.success) return topicFieldProblem(result.data) ?? { ok: true, message: result.data };
  const { path, detail } = describeSchemaIssue(result.error.issues, value);
  const field = path.map(String).join('.');
  const topic = topicOf(value);
  const message = field ? `${field}: ${detail}` : detail;
  return { ok: false, message, ...(field ? { field } : {}), ...(topic ? { topic } : {}) };
}

/** The message types a client sends, as the schema's branches take them. */
const MESSAGE_TYPES = ['auth', 'subscribe', 'unsubscribe', 'ping'] as const;

/**
 * What is wrong with an object's `type`, or null: a type no branch takes is named with those it
 * could be (the schema's own issue for it lists none).
 */
function typeProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const type = (value as { type?: unknown }).type;
  if ((MESSAGE_TYPES as readonly unknown[]).includes(type)) return null;
  const expected = `expected one of ${MESSAGE_TYPES.map((t) => `"${t}"`).join(', ')}`;
  return type === undefined ? `required, ${expected}` : `${expected}, got ${quoteValue(type)}`;
}

/** The filters each topic takes: another topic's filter is refused, not ignored (it would not filter). */
const TOPIC_FILTERS: Readonly<Record<Topic, readonly string[]>> = {
  processes: [],
  logs: ['target', 'lines'],
  events: ['target', 'kinds'],
  metrics: ['intervalMs'],
};

function topicFieldProblem(message: ClientMessage): ParsedMessage | null {
  if (message.type !== 'subscribe' && message.type !== 'unsubscribe') return null;
  const allowed = TOPIC_FILTERS[message.topic];
  const field = Object.keys(message).find(
    (key) => key !== 'type' && key !== 'topic' && !allowed.includes(key),
  );
  if (field === undefined) return null;
  const takes = allowed.length === 0 ? 'it takes none' : `it takes ${allowed.join(', ')}`;
  return {
    ok: false,
    message: `${field}: not a filter of the ${message.topic} topic (${takes})`,
    field,
    topic: message.topic,
  };
}

function topicOf(value: unknown): Topic | undefined {
  const topic = (value as { topic?: unknown } | null)?.topic;
  return TOPICS.find((each) => each === topic);
}
