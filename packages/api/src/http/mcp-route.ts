import type { VelosControl } from '@velos/core';
import { maskSecrets } from '@velos/core';
import type { FastifyInstance } from 'fastify';
import { answerMcpError, answerMethodNotAllowed } from './mcp-errors.js';

/** Where the MCP tools answer over streamable HTTP. */
export const MCP_PATH = '/mcp';

/**
 * Mounts `@velos/mcp`'s streamable HTTP handler at `/mcp` behind the admin token; the MCP SDK loads
 * on the first request only. Without a token (auth disabled) nothing is mounted. Its `config_get`
 * masks secret-looking env values, as the REST routes do. It is stateless: POST only (405 otherwise),
 * and every error, the API's own included, is a JSON-RPC error answer.
 */
export function registerMcp(app: FastifyInstance, control: VelosControl, adminToken: string): void {
  type Handler = import('@velos/mcp').McpHttpHandler;
  let handler: Promise<Handler> | undefined;
  app.route({
    method: ['GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS'],
    url: MCP_PATH,
    config: { scope: 'admin' },
    errorHandler: (error, _request, reply) => answerMcpError(error, reply),
    handler: async (request, reply) => {
      if (request.method !== 'POST') return answerMethodNotAllowed(request.method, reply);
      // a request without a body is not parsed: MCP's streamable HTTP carries JSON only (415 otherwise)
      const mediaType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (mediaType !== 'application/json') throw unsupportedMediaType(mediaType);
      // refused here rather than by the SDK's transport, whose 406 would lack the Velos code
      if (!acceptsMcpAnswers(String(request.headers.accept ?? ''))) throw notAcceptable();
      handler ??= import('@velos/mcp').then((mcp) =>
        mcp.createMcpHttpHandler({ control: withMaskedConfig(control), token: adminToken }),
      );
      const handle = await handler;
      // the MCP transport writes the raw response itself, headers included
      reply.hijack();
      for (const [name, value] of Object.entries(reply.getHeaders())) {
        if (value !== undefined && !reply.raw.headersSent) reply.raw.setHeader(name, value);
      }
      await handle(request.raw, reply.raw, request.body);
    },
  });
}

function unsupportedMediaType(mediaType: string): Error {
  const error = new Error(
    `Unsupported Media Type: ${JSON.stringify(mediaType.slice(0, 100))}; /mcp takes application/json`,
  );
  return Object.assign(error, { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' });
}

/** Whether an `Accept` header takes both answers of streamable HTTP: JSON and an event stream. */
function acceptsMcpAnswers(accept: string): boolean {
  return accept.includes('application/json') && accept.includes('text/event-stream');
}

function notAcceptable(): Error {
  const error = new Error(
    'Not Acceptable: /mcp needs Accept: application/json, text/event-stream (streamable HTTP)',
  );
  return Object.assign(error, { statusCode: 406 });
}

/** The control with `configGet` answering secret-looking env values as `"****"`. */
function withMaskedConfig(control: VelosControl): VelosControl {
  return new Proxy(control, {
    get(target, property) {
      if (property === 'configGet') {
        return async (name: string) => maskSecrets(await target.configGet(name));
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
