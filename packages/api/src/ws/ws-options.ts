import type { ApiWebSocketOptions } from '../options.js';

/** The WebSocket options of the contract plus the finer limits this module also takes (all optional). */
export interface WebSocketTuning extends ApiWebSocketOptions {
  /** A connection without an `Authorization` header must send `{type:"auth"}` within this many ms (default 5000). */
  authTimeoutMs?: number;
  /** Most connections still waiting for their auth message; one more closes the oldest of them (default 10). */
  maxPendingAuth?: number;
  /** Largest client message in bytes; a bigger one closes the connection with 4413 (default 16 KiB). */
  maxMessageBytes?: number;
  /** How often the `processes` topic re-lists for CPU and memory (default 2000). */
  processesPollMs?: number;
  /** Longest wait between two attempts to reopen a daemon subscription that failed (default 10 000). */
  retryMaxDelayMs?: number;
}

/** Every WebSocket limit with its default filled in. */
export type WebSocketSettings = Required<WebSocketTuning>;

/** The default limits (the seeds' numbers). */
export const WEBSOCKET_DEFAULTS: WebSocketSettings = {
  maxConnections: 100,
  pingIntervalMs: 30_000,
  pongTimeoutMs: 10_000,
  maxBufferedBytes: 4 * 1024 * 1024,
  authTimeoutMs: 5000,
  maxPendingAuth: 10,
  maxMessageBytes: 16 * 1024,
  processesPollMs: 2000,
  retryMaxDelayMs: 10_000,
};

/** The URL path of the WebSocket endpoint. */
export const WEBSOCKET_PATH = '/api/v1/ws';

/** Close codes of the protocol (docs/api-websocket.md). */
export const CloseCodes = {
  GOING_AWAY: 1001,
  MALFORMED: 4400,
  UNAUTHORIZED: 4401,
  PONG_TIMEOUT: 4408,
  TOO_LARGE: 4413,
  TOO_MANY_CONNECTIONS: 4429,
  SLOW_CONSUMER: 4508,
} as const;

/** `tuning` over the defaults; a value that is not a positive number keeps its default. */
export function resolveWebSocketSettings(tuning: WebSocketTuning = {}): WebSocketSettings {
  const settings = { ...WEBSOCKET_DEFAULTS };
  for (const key of Object.keys(settings) as (keyof WebSocketSettings)[]) {
    const value = tuning[key];
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) settings[key] = value;
  }
  return settings;
}
