import { spellOptions } from '@velos/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { grantedScope, requestScope } from '../auth/request-scope.js';
import { runCommand } from './command-runner.js';
import { restOptionSpelling } from './option-spelling.js';
import { readParts } from './request-parts.js';
import type { ApiRoute, RouteContext } from './route-types.js';
import { API_PREFIX, API_ROUTES } from './routes.js';

/** Fastify path of a route of the table (`:param`s kept). */
export function fastifyPath(route: ApiRoute): string {
  return `${API_PREFIX}${route.path}`;
}

/**
 * Registers every route of `API_ROUTES` (and `/health` outside the prefix) on `app`; the scope each
 * needs travels in the route's config, for the auth hook.
 */
export function registerRestRoutes(app: FastifyInstance, ctx: RouteContext): void {
  for (const route of API_ROUTES) {
    const handler = async (
      request: Pick<FastifyRequest, 'params' | 'query' | 'body' | 'raw'>,
      reply: { code(status: number): unknown; type(contentType: string): unknown },
    ) => {
      try {
        const parts = readParts(route, request);
        if (route.kind === 'custom') {
          const answer = await route.handle(parts, ctx, grantedScope(request));
          if (answer.status !== undefined) reply.code(answer.status);
          if (answer.contentType !== undefined) reply.type(answer.contentType);
          return answer.body;
        }
        const payload = await route.payload(parts, ctx);
        const result = await runCommand(ctx.control, route.command, payload, route.fields);
        return route.present ? route.present(result, requestScope(request)) : result;
      } catch (error) {
        // the daemon words the options its messages name as the CLI's flags: said as this route takes them
        throw spellOptions(error, restOptionSpelling(route));
      }
    };
    const config = { scope: route.scope };
    app.route({ method: route.method, url: fastifyPath(route), config, handler });
    if (route.path === '/health') app.route({ method: 'GET', url: '/health', config, handler });
  }
}
