import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { ErrorCodes, VelosError } from '@velos/core';
import {
  answerableId,
  asInvalidParams,
  invalidMessageReason,
  invalidToolCallReason,
} from './message-shape.js';
import { createVelosMcpServer, type VelosMcpServerOptions } from './server.js';
import { errorLine } from './tool-kit.js';

/** Options of `createMcpHttpHandler`. */
export interface McpHttpHandlerOptions extends VelosMcpServerOptions {
  /** The bearer token every request must carry (`Authorization: Bearer <token>`); required. */
  token: string;
}

/** A node:http request handler: `(req, res) => Promise<void>`. */
export type McpHttpHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  parsedBody?: unknown,
) => Promise<void>;

/**
 * The Velos tools over MCP streamable HTTP (stateless: each request gets its own server and
 * transport), behind bearer auth; the API server mounts it on a path of its own.
 * @example
 * const handle = createMcpHttpHandler({ control, token });
 * createServer((req, res) => void handle(req, res)).listen(0, '127.0.0.1');
 */
export function createMcpHttpHandler(options: McpHttpHandlerOptions): McpHttpHandler {
  if (options.token.length < 16)
    throw new VelosError(
      ErrorCodes.INVALID_ARGUMENT,
      'createMcpHttpHandler: expected a token of 16 characters or more',
    );
  const expected = Buffer.from(`Bearer ${options.token}`);
  return async (req, res, parsedBody) => {
    const given = Buffer.from(req.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
      res.end(
        JSON.stringify({
          jsonrpc: '2.0',
          error: { code: -32001, message: 'UNAUTHORIZED: a valid bearer token is required' },
          id: null,
        }),
      );
      return;
    }
    const refusal = refusalOf(parsedBody);
    if (refusal) {
      res.writeHead(refusal.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(refusal.body));
      return;
    }
    const server = createVelosMcpServer(options);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    // the SDK answers params its schemas refuse with -32603 and a raw zod dump: -32602 naming the issue
    const send = transport.send.bind(transport);
    transport.send = (message, sendOptions) => send(asInvalidParams(message) as typeof message, sendOptions);
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res, parsedBody);
    } catch (error) {
      if (res.headersSent) return void res.destroy();
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: errorLine(error) }, id: null }),
      );
    }
  };
}

/**
 * The answer to a parsed single message the SDK would refuse badly: not JSON-RPC 2.0 (-32600, where
 * the SDK says only "Parse error"), or a `tools/call` without a usable name or arguments (-32602);
 * null to let the SDK take it (batches included).
 */
function refusalOf(body: unknown): { status: number; body: unknown } | null {
  if (body === undefined || Array.isArray(body)) return null;
  const reason = invalidMessageReason(body);
  if (reason !== null) {
    return {
      status: 400,
      body: {
        jsonrpc: '2.0',
        id: answerableId(body),
        error: { code: -32600, message: `Invalid Request: ${reason}` },
      },
    };
  }
  const message = body as { id?: string | number; method?: unknown; params?: unknown };
  const paramsReason = invalidToolCallReason(message);
  if (paramsReason === null || message.id === undefined) return null;
  return {
    status: 200,
    body: {
      jsonrpc: '2.0',
      id: message.id,
      error: { code: -32602, message: `Invalid params: ${paramsReason}` },
    },
  };
}
