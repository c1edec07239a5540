// The topics of /api/v1/ws and their limits, apart from the message schema (client-messages.ts):
// the server needs them at start, zod only once a WebSocket client connects.

/** The topics a client may subscribe to. */
export const TOPICS = ['processes', 'logs', 'events', 'metrics'] as const;

/** One topic of `TOPICS`. */
export type Topic = (typeof TOPICS)[number];

/** Most backlog lines a `logs` subscription may ask for. */
export const MAX_BACKLOG_LINES = 10_000;
/** Default and least interval of the `metrics` topic, in ms. */
export const METRICS_INTERVAL_MS = { default: 5000, min: 1000, max: 3_600_000 } as const;
