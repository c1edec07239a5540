import type { AddressInfo } from 'node:net';
import { ErrorCodes, VelosError } from '@velos/core';
import type { FastifyInstance } from 'fastify';

/** What `registerOriginGuard` needs of the server's options. */
export interface OriginGuardOptions {
  /** Refuse a `Host` header that is not this server's address (with authentication off). */
  isHostChecked: boolean;
  /** The address the server binds, as configured (`127.0.0.1`, `localhost`, `::1`…). */
  host: string;
  /** Browser origins allowed by CORS: they may change state too. */
  corsOrigins: readonly string[];
  isTls: boolean;
}

/** The parts of a request the checks read. */
export interface RequestSource {
  method: string;
  headers: Record<string, string | string[] | undefined>;
}

/** What a request is checked against: the Host values accepted (null: any) and the CORS origins. */
export interface SourcePolicy {
  allowedHosts: ReadonlySet<string> | null;
  corsOrigins: ReadonlySet<string>;
  isTls: boolean;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * Answers 403 `FORBIDDEN` to a request with a foreign `Host` header (DNS rebinding; checked when
 * `isHostChecked`) and to a state-changing request or WebSocket upgrade sent by a page of another
 * origin (its `Origin`, or without one `Sec-Fetch-Site`) that is not an allowed CORS origin.
 */
export function registerOriginGuard(app: FastifyInstance, options: OriginGuardOptions): void {
  let policy: SourcePolicy | undefined;
  app.addHook('onRequest', async (request, reply) => {
    policy ??= {
      allowedHosts: options.isHostChecked ? allowedHostsOf(options, app) : null,
      corsOrigins: new Set(options.corsOrigins.map((origin) => origin.toLowerCase())),
      isTls: options.isTls,
    };
    const problem = checkRequestSource(request, policy);
    if (problem === null) return;
    // a refused WebSocket upgrade runs before @fastify/websocket marks it as one: its socket is ours to end
    if (request.headers.upgrade !== undefined) reply.raw.once('finish', () => request.raw.socket.destroy());
    throw new VelosError(ErrorCodes.FORBIDDEN, problem);
  });
}

/** Why a request is refused for where it comes from, or null when it may go on. */
export function checkRequestSource(request: RequestSource, policy: SourcePolicy): string | null {
  const host = single(request.headers.host)?.toLowerCase() ?? '';
  if (policy.allowedHosts !== null && !policy.allowedHosts.has(host)) {
    return `Host ${JSON.stringify(host.slice(0, 200))} is not this server's address (${[...policy.allowedHosts].join(', ')}): refused, as a DNS rebinding page would send it`;
  }
  const isUpgrade = single(request.headers.upgrade)?.toLowerCase() === 'websocket';
  if (SAFE_METHODS.has(request.method) && !isUpgrade) return null;
  const origin = single(request.headers.origin);
  if (origin === undefined) {
    const site = single(request.headers['sec-fetch-site']);
    if (site !== 'cross-site' && site !== 'same-site') return null;
    return `a ${site} request may not change state here: only this server's own pages and the allowed CORS origins may`;
  }
  if (policy.corsOrigins.has(origin.toLowerCase())) return null;
  const own = authorityOf(`${policy.isTls ? 'https' : 'http'}://${host}`);
  if (own !== null && authorityOf(origin) === own) return null;
  return `a request from origin ${JSON.stringify(origin.slice(0, 200))} may not change state here: only this server's own pages and the allowed CORS origins may`;
}

/** The loopback names and the configured host, each with the port the server listens on. */
function allowedHostsOf(options: OriginGuardOptions, app: FastifyInstance): Set<string> {
  const { port } = app.server.address() as AddressInfo;
  const configured =
    options.host.includes(':') && !options.host.startsWith('[') ? `[${options.host}]` : options.host;
  const isDefaultPort = port === (options.isTls ? 443 : 80);
  const hosts = new Set<string>();
  for (const name of [...LOOPBACK_NAMES, configured.toLowerCase()]) {
    hosts.add(`${name}:${port}`);
    if (isDefaultPort) hosts.add(name);
  }
  return hosts;
}

/** `host[:port]` of an origin or URL, the scheme's default port left out; null when it is not one. */
function authorityOf(url: string): string | null {
  try {
    return new URL(url).host.toLowerCase() || null;
  } catch {
    return null;
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
