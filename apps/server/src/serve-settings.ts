import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { ErrorCodes, VelosError } from '@velos/core';

/** The API's default TCP port. */
export const DEFAULT_API_PORT = 9716;
/** The API's default address: loopback only. */
export const DEFAULT_API_HOST = '127.0.0.1';

/** Flag values as a parser hands them over (`--port 0` → `{ port: '0' }`, `--no-auth` → `{ 'no-auth': true }`). */
export type ServeFlags = Record<string, string | boolean | undefined>;

/** How `velos serve`, `velos-server` and the daemon's `[api]` table serve the API, validated. */
export interface ServeSettings {
  host: string;
  port: number;
  /** False only with `--no-auth` (loopback only). */
  isAuthEnabled: boolean;
  /** A token file given with `--token-file` (absolute); null: `$VELOS_HOME/api-tokens`. */
  tokenFile: string | null;
  /** PEM files of `--tls-cert` and `--tls-key` (absolute). */
  tls: { certFile: string; keyFile: string } | null;
  corsOrigins: string[];
  rateLimitPerMinute: number | null;
  isDashboardEnabled: boolean;
  isMcpEnabled: boolean;
}

/** Options of `parseServeSettings`. */
export interface ParseOptions {
  /** Relative paths resolve from here (default: the working directory). */
  cwd?: string;
  /** How messages name a setting (default `--<flag>`). */
  label?: (flag: string) => string;
}

/**
 * Validates the serve flags (`port`, `host`, `token-file`, `no-auth`, `tls-cert`, `tls-key`, `cors`,
 * `rate-limit`, `no-dashboard`, `no-mcp`); a bad value throws `INVALID_ARGUMENT` naming the flag.
 * @example parseServeSettings({ port: '0', host: '127.0.0.1' }).port // 0
 */
export function parseServeSettings(flags: ServeFlags, options: ParseOptions = {}): ServeSettings {
  const cwd = options.cwd ?? process.cwd();
  const label = options.label ?? ((flag: string) => `--${flag}`);
  const stringFlag = (name: string): string | undefined => {
    const value = flags[name];
    if (value === undefined || value === false) return undefined;
    if (value === true) throw invalid(`${label(name)} needs a value`);
    return value;
  };
  const host = stringFlag('host') ?? DEFAULT_API_HOST;
  if (host === '' || (isIP(host) === 0 && !/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(host))) {
    throw invalid(`${label('host')}: expected an IP address or a host name, got ${JSON.stringify(host)}`);
  }
  const isAuthEnabled = flags['no-auth'] !== true;
  const tokenFile = stringFlag('token-file');
  if (!isAuthEnabled && tokenFile !== undefined)
    throw invalid(`${label('no-auth')} and ${label('token-file')} exclude each other`);
  if (!isAuthEnabled && !isLoopbackHost(host)) {
    throw invalid(
      `${label('no-auth')} is allowed on a loopback address only (127.0.0.1, ::1, localhost), not on ${host}`,
    );
  }
  const certFile = stringFlag('tls-cert');
  const keyFile = stringFlag('tls-key');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw invalid(`${label('tls-cert')} and ${label('tls-key')} go together: give both PEM files`);
  }
  const rateLimit = stringFlag('rate-limit');
  return {
    host,
    port: parsePort(flags.port, label('port')),
    isAuthEnabled,
    tokenFile: tokenFile === undefined ? null : resolve(cwd, tokenFile),
    tls:
      certFile === undefined || keyFile === undefined
        ? null
        : { certFile: resolve(cwd, certFile), keyFile: resolve(cwd, keyFile) },
    corsOrigins: parseOrigins(stringFlag('cors'), label('cors')),
    rateLimitPerMinute: rateLimit === undefined ? null : parseRateLimit(rateLimit, label('rate-limit')),
    isDashboardEnabled: flags['no-dashboard'] !== true,
    isMcpEnabled: flags['no-mcp'] !== true,
  };
}

/** True for an address only this machine can reach: 127.0.0.0/8, ::1 and `localhost` (as `isLoopback` of @velos/api, checked before fastify loads). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare) || bare === '::ffff:127.0.0.1'
  );
}

function parsePort(raw: string | boolean | undefined, name: string): number {
  if (raw === undefined || raw === false) return DEFAULT_API_PORT;
  const port = Number(raw);
  if (typeof raw !== 'string' || !/^\d{1,5}$/.test(raw) || port > 65_535) {
    throw invalid(`${name}: expected a TCP port 0-65535, got ${JSON.stringify(raw)}`);
  }
  return port;
}

function parseRateLimit(raw: string, name: string): number {
  const match = /^(\d+)(?:\/min)?$/.exec(raw.trim());
  const perMinute = match ? Number(match[1]) : Number.NaN;
  if (!Number.isSafeInteger(perMinute) || perMinute < 1) {
    throw invalid(`${name}: expected requests per minute such as 600 or 600/min, got ${JSON.stringify(raw)}`);
  }
  return perMinute;
}

function parseOrigins(raw: string | undefined, name: string): string[] {
  if (raw === undefined) return [];
  const origins = raw
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  for (const origin of origins) {
    let parsed: URL | null = null;
    try {
      parsed = new URL(origin);
    } catch {
      // reported below
    }
    if (parsed === null || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin) {
      throw invalid(
        `${name}: expected origins such as https://ops.example.com, got ${JSON.stringify(origin)}`,
      );
    }
  }
  return origins;
}

function invalid(message: string): VelosError {
  return new VelosError(ErrorCodes.INVALID_ARGUMENT, message);
}
