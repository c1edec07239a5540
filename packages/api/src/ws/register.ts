import websocket from '@fastify/websocket';
import { ErrorCodes, type VelosControl, VelosError } from '@velos/core';
import type { FastifyInstance } from 'fastify';
import type { ApiScope } from '../options.js';
import { FeedHub } from './feed-hub.js';
import { WsConnection } from './ws-connection.js';
import { CloseCodes, resolveWebSocketSettings, WEBSOCKET_PATH, type WebSocketTuning } from './ws-options.js';

/** Options of `registerWebSocket`. */
export interface RegisterWebSocketOptions {
  /** The control the topics read (`@velos/client` or the supervisor in-process). */
  control: VelosControl;
  /** The scope of a bearer token, or null when it is not valid. */
  authenticate: (token: string) => ApiScope | null;
  /** No authentication: a connection is admin at once, with no auth message (default false). */
  isAuthDisabled?: boolean;
  ws?: WebSocketTuning;
  /** Where one-line notices go (slow consumers closed, connections refused). */
  log?: (line: string) => void;
}

type ParseMessage = typeof import('./client-messages.js').parseClientMessage;

/** Seconds a client refused for the connection cap is told to wait. */
const RETRY_AFTER_SECONDS = 5;

/**
 * Registers @fastify/websocket and `GET /api/v1/ws` (docs/api-websocket.md): topics `processes`,
 * `logs`, `events` and `metrics` over shared daemon subscriptions, with auth, pings and limits.
 * @example
 * const app = fastify();
 * await registerWebSocket(app, { control: createClient({ home }), authenticate: (t) => (t === token ? 'read' : null) });
 * await app.listen({ host: '127.0.0.1', port: 9716 });
 */
export async function registerWebSocket(
  app: FastifyInstance,
  options: RegisterWebSocketOptions,
): Promise<void> {
  const settings = resolveWebSocketSettings(options.ws);
  const log = options.log ?? (() => undefined);
  const hub = new FeedHub(options.control, settings);
  const connections = new Set<WsConnection>();
  let nextId = 1;
  // zod (the message schema) loads with the first upgrade, which waits for it: ~100 ms less at start
  let parser: Promise<ParseMessage> | undefined;
  let parse: ParseMessage | undefined;

  await app.register(websocket, {
    options: { maxPayload: settings.maxMessageBytes, perMessageDeflate: false },
    // A socket error (a client that vanished) ends that connection only; its close event cleans up.
    errorHandler: (_error, socket) => socket.terminate(),
    preClose(done) {
      for (const connection of connections) connection.closeForShutdown();
      hub.close();
      this.websocketServer.close(() => done());
    },
  });

  // @fastify/websocket accepts an upgrade on any GET route registered after it (the dashboard's) and
  // closes it at once without a code: a client that got the path wrong (`/ws`, `/api/v1/ws/`) saw a
  // bare 1005. It is told where the WebSocket is instead, before any upgrade.
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0] ?? '';
    if (request.headers.upgrade?.toLowerCase() !== 'websocket' || path === WEBSOCKET_PATH) return;
    const shown = path.length > 200 ? `${path.slice(0, 200)}…` : path;
    throw new VelosError(
      ErrorCodes.UNKNOWN_COMMAND,
      `no WebSocket at ${shown}: the WebSocket is ${WEBSOCKET_PATH}`,
    );
  });

  app.route({
    method: 'GET',
    url: WEBSOCKET_PATH,
    // a plain GET (curl, a browser tab) is told what the URL is, in the API's error shape
    handler: async (_request, reply) =>
      reply
        .code(426)
        .header('upgrade', 'websocket')
        .send({
          error: {
            code: ErrorCodes.INVALID_ARGUMENT,
            message: `${WEBSOCKET_PATH} is a WebSocket: connect with a WebSocket client (ws:// or wss://, Upgrade: websocket)`,
          },
        }),
    // The cap is checked before the upgrade (429); the handler checks again for upgrades in flight.
    preValidation: async (request, reply) => {
      if (request.headers.upgrade === undefined) return;
      if (connections.size < settings.maxConnections) {
        parser ??= import('./client-messages.js').then((messages) => messages.parseClientMessage);
        parse = await parser;
        return;
      }
      log(`websocket: refused a connection, ${connections.size} open (max ${settings.maxConnections})`);
      await reply
        .code(429)
        .header('retry-after', String(RETRY_AFTER_SECONDS))
        .send({
          error: {
            code: ErrorCodes.BUSY,
            message: `at most ${settings.maxConnections} WebSocket connections`,
          },
        });
    },
    wsHandler: (socket, request) => {
      if (connections.size >= settings.maxConnections) {
        socket.close(CloseCodes.TOO_MANY_CONNECTIONS, 'too many connections');
        return;
      }
      const connection = new WsConnection(
        socket,
        `#${nextId++} ${request.ip}`,
        request.headers.authorization,
        {
          hub,
          settings,
          authenticate: options.authenticate,
          isAuthDisabled: options.isAuthDisabled === true,
          log,
          onClosed: (closed) => connections.delete(closed),
          // set by preValidation, which every upgrade passes before this handler
          parse: parse!,
        },
      );
      connections.add(connection);
      if (connection.isPending) closeOldestPending(connections, settings.maxPendingAuth);
    },
  });
}

/**
 * Past `max` connections waiting for their auth message, closes the oldest of them: clients without a
 * token cannot hold the slots of those who have one (an honest client authenticates at once).
 */
function closeOldestPending(connections: ReadonlySet<WsConnection>, max: number): void {
  const pending = [...connections].filter((connection) => connection.isPending);
  if (pending.length <= max) return;
  // a Set iterates in insertion order: the first is the oldest
  pending[0]!.close(CloseCodes.TOO_MANY_CONNECTIONS, 'too many connections waiting to authenticate');
}
