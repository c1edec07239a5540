import type { FastifyInstance } from 'fastify';
import { API_PREFIX } from '../rest/routes.js';
import { buildOpenApiDocument } from './openapi-document.js';

/** Serves `/api/v1/openapi.json` (read token), built on first request. */
export function registerOpenApi(app: FastifyInstance): void {
  let document: Promise<Record<string, unknown>> | undefined;
  app.get(`${API_PREFIX}/openapi.json`, { config: { scope: 'read' } }, async () => {
    document ??= Promise.all([import('@velos/core/schemas'), import('zod/mini')]).then(([schemas, zod]) =>
      buildOpenApiDocument(schemas, zod.toJSONSchema as never),
    );
    return document;
  });
}
