import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, VelosError } from '@velos/core';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { bearerToken, createAuthenticator, isAllowed } from './auth/authenticate.js';
import { setRequestScope } from './auth/request-scope.js';
import { sharedReads } from './control/shared-reads.js';
import { registerDashboard } from './http/dashboard.js';
import { errorResponse } from './http/error-response.js';
import { registerJsonBody } from './http/json-body.js';
import { lazySchemaCompilers } from './http/lazy-schema-compilers.js';
import { registerMcp } from './http/mcp-route.js';
import { trackPathMethods } from './http/method-not-allowed.js';
import { answerClientError, answerConnect, answerExpectations } from './http/protocol-errors.js';
import { drainRefusedBodies } from './http/refused-body.js';
import { registerOriginGuard } from './http/request-origin.js';
import { DEFAULT_RATE_LIMIT_PER_MINUTE, registerSecurity } from './http/security.js';
import { registerOpenApi } from './openapi/openapi-route.js';
import type { ApiScope, ApiServer, ApiServerOptions } from './options.js';
import { runCommand } from './rest/command-runner.js';
import { registerRestRoutes } from './rest/register-routes.js';
import type { RouteContext } from './rest/route-types.js';
import { registerWebSocket } from './ws/register.js';

/** Address the API binds by default: loopback only. */
export const DEFAULT_HOST = '127.0.0.1';
/** Port the API binds by default. */
export const DEFAULT_PORT = 9716;
/** Largest request body by default, in bytes. */
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

/** Longest path parameter the router matches: more than any request line Node's parser takes. */
const MAX_PARAM_LENGTH = 1024 * 1024;

// resolves to packages/api/dist/dashboard both from src/server.ts and from the bundled dist/index.js
const DASHBOARD_DIR = fileURLToPath(new URL('../dist/dashboard/', import.meta.url));

/**
 * Starts the Velos HTTP API (REST under `/api/v1`, the WebSocket, `/mcp`, the dashboard) over a
 * `VelosControl`: loopback and bearer tokens by default, refused with auth off beyond loopback.
 * @example
 * const server = await createApiServer({ control: createClient({ home }), auth: { tokens: loadOrCreateTokens(home) } });
 * console.log(server.url); // http://127.0.0.1:9716
 */
export async function createApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const host = options.host ?? DEFAULT_HOST;
  const log = options.log ?? (() => undefined);
  const isAuthDisabled = 'disabled' in options.auth;
  if (isAuthDisabled && !isLoopback(host)) {
    throw new VelosError(
      ErrorCodes.INVALID_ARGUMENT,
      `authentication can be turned off only on a loopback address, not on ${host}`,
    );
  }
  const app = Fastify({
    bodyLimit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    // a path parameter beyond the router's limit would match no route and get the 405 of its path
    // (`GET is not allowed … it takes GET`); any URL Node accepts fits, and the route's check says
    // how long a name may be
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    clientErrorHandler: answerClientError,
    // a URL the router cannot decode (`%E2%82`, a bare `%`) answers in the JSON error shape too
    frameworkErrors: (error, _request, reply) => {
      const { status, body } = errorResponse(error);
      void (reply as FastifyReply).code(status).type('application/json').send(body);
    },
    // ajv and fast-json-stringify load only for a route with a JSON schema (none of the API's)
    schemaController: lazySchemaCompilers() as never,
    ...(options.tls ? { https: { cert: options.tls.cert, key: options.tls.key } } : {}),
  }) as unknown as FastifyInstance;
  answerExpectations(app.server);
  // every method a route takes, for the `Allow` of the 405 a CONNECT gets
  const methods = new Set<string>();
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) methods.add(method);
  });
  answerConnect(app.server, () => [...methods]);
  try {
    await build(app, options, isAuthDisabled, log);
    await app.listen({ host, port: options.port ?? DEFAULT_PORT });
  } catch (error) {
    await app.close();
    throw error;
  }
  // once it listens: an address it cannot bind gets its error alone, no warning about exposure first
  if (!isLoopback(host) && options.tls === undefined) {
    log(`warning: the API listens on ${host} without TLS: tokens and data cross the network in clear text`);
  }
  const url = baseUrl(app, options.tls !== undefined);
  log(`velos api: listening on ${url}`);
  return { url, close: () => app.close() };
}

async function build(
  app: FastifyInstance,
  options: ApiServerOptions,
  isAuthDisabled: boolean,
  log: (line: string) => void,
): Promise<void> {
  // concurrent argument-free reads (every client's `list`, the WebSocket polls) share one daemon call
  const control = sharedReads(options.control);
  const authenticate = createAuthenticator(options.auth);
  // before any route is registered: it records them all
  const pathMethods = trackPathMethods(app);
  app.setErrorHandler((error, _request, reply) => {
    const { status, body } = errorResponse(error);
    if (status === 500) log(`velos api: ${body.error.message}`);
    return reply.code(status).type('application/json').send(body);
  });
  registerJsonBody(app);
  // every body is JSON: text/plain gets the 415 of any other type, not "expected a JSON object"
  app.removeContentTypeParser('text/plain');
  drainRefusedBodies(app);
  await registerSecurity(app, {
    corsOrigins: options.corsOrigins ?? [],
    rateLimitPerMinute: options.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE,
    isTls: options.tls !== undefined,
  });
  // without tokens nothing else tells a DNS-rebinding page from this machine's own clients
  registerOriginGuard(app, {
    isHostChecked: isAuthDisabled,
    host: options.host ?? DEFAULT_HOST,
    corsOrigins: options.corsOrigins ?? [],
    isTls: options.tls !== undefined,
  });
  /** Throws 401 or 403 unless the request's token has scope `needed`; records the token's scope. */
  const authorize = (request: FastifyRequest, reply: FastifyReply, needed: ApiScope | 'none'): void => {
    if (isAuthDisabled) {
      setRequestScope(request, 'admin');
      return;
    }
    const token = bearerToken(request.headers.authorization);
    const scope = token === null ? null : authenticate(token);
    if (needed === 'none') {
      // an open route answers more to a valid token (`/health`'s components); a wrong one is anonymous
      if (scope !== null) setRequestScope(request, scope);
      return;
    }
    if (scope === null) {
      reply.header('www-authenticate', 'Bearer realm="velos"');
      throw new VelosError(
        ErrorCodes.UNAUTHORIZED,
        'a valid bearer token is required (Authorization: Bearer <token>; tokens are in $VELOS_HOME/api-tokens)',
      );
    }
    if (!isAllowed(scope, needed)) {
      throw new VelosError(
        ErrorCodes.FORBIDDEN,
        `${request.method} ${pathOf(request.url)} needs an admin token; this one is read-only`,
      );
    }
    setRequestScope(request, scope);
  };
  app.addHook('onRequest', async (request, reply) => {
    const needed = (request.routeOptions.config as { scope?: ApiScope | 'none' }).scope ?? 'none';
    // a CORS preflight carries no token
    authorize(request, reply, request.method === 'OPTIONS' ? 'none' : needed);
  });
  // a path that exists asked with another method: 405 with the methods it takes, once the request
  // could have used one of them (no token, no list: as a route of the path answers 401); else 404
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const methods = pathMethods(path);
    if (methods === null) {
      return reply.code(404).send({
        error: { code: ErrorCodes.UNKNOWN_COMMAND, message: `no route ${request.method} ${pathOf(path)}` },
      });
    }
    authorize(request, reply, methods.scope === 'none' ? 'none' : 'read');
    const allow = methods.allow.join(', ');
    const { status, body } = errorResponse(
      new VelosError(
        ErrorCodes.METHOD_NOT_ALLOWED,
        `${request.method} is not allowed on ${pathOf(path)}; it takes ${allow}`,
      ),
    );
    return reply.code(status).header('allow', allow).send(body);
  });
  let collector: Promise<() => Promise<string>> | undefined;
  const ctx: RouteContext = {
    control,
    call: (command, payload) => runCommand(control, command, payload),
    prometheus: async () => {
      collector ??= import('@velos/metrics').then((metrics) => metrics.createExpositionCollector(control));
      return (await collector)();
    },
    start: { env: definedEnv(process.env), cpuCount: cpus().length || 1 },
  };
  registerRestRoutes(app, ctx);
  registerOpenApi(app);
  if (options.mcp !== false) {
    if ('tokens' in options.auth) registerMcp(app, control, options.auth.tokens.admin);
    else log('velos api: /mcp is off: the MCP endpoint needs a token and authentication is disabled');
  }
  await registerWebSocket(app, { control, authenticate, isAuthDisabled, ws: options.ws ?? {}, log });
  if (options.dashboard !== false) await registerDashboard(app, options.dashboardDir ?? DASHBOARD_DIR);
}

/** True for an address only this machine can reach (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare) || bare === '::ffff:127.0.0.1'
  );
}

/** The path of a request URL for a message: no query, at most 200 characters. */
function pathOf(url: string): string {
  const path = url.split('?')[0] ?? '';
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}

function baseUrl(app: FastifyInstance, isTls: boolean): string {
  const address = app.server.address();
  if (address === null || typeof address === 'string') return String(address);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${isTls ? 'https' : 'http'}://${host}:${address.port}`;
}

function definedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}
