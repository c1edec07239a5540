import type { VelosControl } from '@velos/core';
import type { FastifyInstance } from 'fastify';
import type { Authenticate } from '../auth/authenticate.js';
import type { ApiWebSocketOptions } from '../options.js';

/** What the WebSocket endpoint is given by `createApiServer`. */
export interface WebSocketRegistration {
  control: VelosControl;
  /** The scope of a token, or null when it is not valid. */
  authenticate: Authenticate;
  ws: ApiWebSocketOptions;
  log: (line: string) => void;
}

/**
 * Placeholder of the WebSocket endpoint `/api/v1/ws` (API-2), which the WebSocket part of the API
 * provides; this one registers nothing.
 */
export async function registerWebSocket(
  _app: FastifyInstance,
  _options: WebSocketRegistration,
): Promise<void> {}
