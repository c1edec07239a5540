import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { ErrorCodes, VelosError } from '@velos/core';
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
    const server = createVelosMcpServer(options);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
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
