import type { FastifyReply } from 'fastify';
import { errorResponse } from './error-response.js';

/** JSON-RPC error codes `/mcp` answers with (the MCP SDK's transport uses the same). */
const PARSE_ERROR = -32700;
const SERVER_ERROR = -32000;
const UNAUTHORIZED = -32001;
const INTERNAL_ERROR = -32603;

/** A JSON-RPC 2.0 error answer with no id: what `/mcp` sends when a request cannot reach the MCP server. */
export interface JsonRpcErrorBody {
  jsonrpc: '2.0';
  error: { code: number; message: string; data: { code: string; field?: string } };
  id: null;
}

/**
 * The error handler of `/mcp`: what the API refuses before the MCP server sees the request (token,
 * content type, malformed or too large body, rate limit) is answered as JSON-RPC, the way an MCP
 * client reads errors, with the HTTP status and the Velos error code (`data.code`) the REST routes give.
 */
export function answerMcpError(error: unknown, reply: FastifyReply): FastifyReply {
  const { status, body } = errorResponse(error);
  const { code, message, field } = body.error;
  const rpcCode =
    status === 401
      ? UNAUTHORIZED
      : status >= 500
        ? INTERNAL_ERROR
        : String((error as { code?: unknown } | null)?.code) === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
            /not valid JSON/i.test(message)
          ? PARSE_ERROR
          : SERVER_ERROR;
  return reply
    .code(status)
    .type('application/json')
    .send(mcpErrorBody(rpcCode, `${code}: ${message}`, code, field));
}

/** The body of a JSON-RPC error answer of `/mcp`. */
export function mcpErrorBody(
  rpcCode: number,
  message: string,
  code: string,
  field?: string,
): JsonRpcErrorBody {
  return {
    jsonrpc: '2.0',
    error: { code: rpcCode, message, data: field === undefined ? { code } : { code, field } },
    id: null,
  };
}

/** `/mcp` takes POST only: it is stateless, so there is no SSE stream to open (GET) and no session to end (DELETE). */
export function answerMethodNotAllowed(method: string, reply: FastifyReply): FastifyReply {
  return reply
    .code(405)
    .header('allow', 'POST')
    .type('application/json')
    .send(
      mcpErrorBody(
        SERVER_ERROR,
        `INVALID_ARGUMENT: ${method} /mcp: this endpoint is stateless and takes POST only (no SSE stream, no session to end)`,
        'INVALID_ARGUMENT',
      ),
    );
}
