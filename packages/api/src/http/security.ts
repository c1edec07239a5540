import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { ErrorCodes, VelosError } from '@velos/core';
import type { FastifyInstance } from 'fastify';

/** Requests per client address per minute before 429, by default. */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 600;

/**
 * The answer headers a page of an allowed origin may read (a browser hides the others): when to retry
 * a 429 or a 503, the rate limit's count, how to authenticate after a 401, the methods of a 405.
 */
export const CORS_EXPOSED_HEADERS = [
  'Retry-After',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
  'WWW-Authenticate',
  'Allow',
] as const;

/** What `registerSecurity` needs of the server's options. */
export interface SecurityOptions {
  corsOrigins: readonly string[];
  rateLimitPerMinute: number;
  isTls: boolean;
}

/**
 * The API-3 layers every request passes first: a rate limit per client address (429 with
 * Retry-After), CORS for the allowed origins only (none by default), and helmet's headers with a
 * CSP that lets the dashboard run its own bundled scripts and nothing inline.
 */
export async function registerSecurity(app: FastifyInstance, options: SecurityOptions): Promise<void> {
  await app.register(rateLimit, {
    // not per route: a route's own hooks run after every app-wide one, so the 401s of the token
    // check and the 403s of the Origin guard were never counted (a token guesser was never limited)
    global: false,
    max: options.rateLimitPerMinute,
    timeWindow: 60_000,
    errorResponseBuilder: (_request, context) =>
      Object.assign(
        new VelosError(
          ErrorCodes.RATE_LIMITED,
          `more than ${context.max} requests a minute from this address; retry in ${Math.ceil(context.ttl / 1000)} s`,
        ),
        { statusCode: 429 },
      ),
  });
  await app.register(cors, {
    // false answers no CORS headers at all: a browser page of another origin cannot read anything
    origin: options.corsOrigins.length === 0 ? false : [...options.corsOrigins],
    methods: ['GET', 'POST', 'PUT', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type'],
    exposedHeaders: [...CORS_EXPOSED_HEADERS],
    maxAge: 600,
  });
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // the dashboard's bundled CSS, and style attributes its charts set
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(options.isTls ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // HSTS over plain HTTP would tell a browser to never reach this address without TLS
    strictTransportSecurity: options.isTls,
  });
  // after CORS and helmet (a 429 carries their headers: a page of an allowed origin can read it), before
  // the Origin guard and the token check: their 403s and 401s are counted too
  app.addHook('onRequest', app.rateLimit());
}
