import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ApiAuth, ApiServer, ApiTokens } from '@velos/api';
import { ErrorCodes, isVelosError, type VelosControl, VelosError } from '@velos/core';
import type { ServeSettings } from './serve-settings.js';

/** What `startApiHost` needs: the control the routes call, the Velos home and the validated settings. */
export interface ApiHostOptions {
  control: VelosControl;
  home: string;
  settings: ServeSettings;
  /** One-line notices of the API server (and the exposure warning). */
  log: (line: string) => void;
  /** The files of `settings` read already (`readApiFiles`); read here when absent. */
  files?: ApiFiles;
}

/** What the files a host is given hold: the tokens of `--token-file` and the TLS pair. */
export interface ApiFiles {
  /** The tokens of the token file given (null: none given, the home's own file serves). */
  tokens: ApiTokens | null;
  tls: { cert: Buffer; key: Buffer } | null;
}

/** A running API with what its host prints about it. */
export interface ApiHost {
  server: ApiServer;
  url: string;
  /** Where the tokens are (null with `--no-auth`). */
  tokenFile: string | null;
  /** The admin token, for a host asked to show it (null with `--no-auth`). */
  adminToken: string | null;
}

/**
 * Serves the API over `control` (fastify and its plugins load here, never before): reads or creates
 * the tokens, reads the TLS files and binds (the server warns once on an exposed bind without TLS).
 * @example const api = await startApiHost({ control: client, home, settings, log: console.error });
 */
export async function startApiHost(options: ApiHostOptions): Promise<ApiHost> {
  const { settings } = options;
  const api = await import('@velos/api');
  const files = options.files ?? (await readApiFiles(settings));
  let auth: ApiAuth = { disabled: true };
  let tokenFile: string | null = null;
  let adminToken: string | null = null;
  if (settings.isAuthEnabled) {
    const tokens = files.tokens ?? api.loadOrCreateTokens(options.home);
    tokenFile = settings.tokenFile ?? join(options.home, api.API_TOKENS_FILE);
    auth = { tokens: { admin: tokens.admin, ...(tokens.read === undefined ? {} : { read: tokens.read }) } };
    adminToken = tokens.admin;
  }
  const tls = files.tls ?? undefined;
  // the server's own notices, its warning on an exposed bind without TLS among them; the host says where it listens
  const log = (line: string) => {
    if (!line.startsWith('velos api: listening on ')) options.log(line.replace(/^velos api: /, ''));
  };
  try {
    const server = await api.createApiServer({
      control: options.control,
      host: settings.host,
      port: settings.port,
      auth,
      ...(tls === undefined ? {} : { tls }),
      corsOrigins: settings.corsOrigins,
      ...(settings.rateLimitPerMinute === null ? {} : { rateLimitPerMinute: settings.rateLimitPerMinute }),
      dashboard: settings.isDashboardEnabled,
      mcp: settings.isMcpEnabled,
      log,
    });
    return { server, url: server.url, tokenFile, adminToken };
  } catch (error) {
    if (isVelosError(error)) throw error;
    const why = error instanceof Error ? error.message : String(error);
    throw new VelosError(
      ErrorCodes.IO_ERROR,
      `cannot serve the API on ${settings.host}:${settings.port}: ${why}`,
      { cause: error },
    );
  }
}

/**
 * Reads the token file `settings` name (when auth is on) and the TLS files, with one-line errors:
 * a host calls it before it starts anything, so that a bad file leaves nothing running. The home's
 * own token file is not read here: it is made once the home exists.
 */
export async function readApiFiles(settings: ServeSettings): Promise<ApiFiles> {
  const tokens =
    settings.isAuthEnabled && settings.tokenFile !== null
      ? (await import('@velos/api')).readTokenFile(settings.tokenFile)
      : null;
  return { tokens, tls: settings.tls === null ? null : await readTls(settings.tls) };
}

async function readTls(files: { certFile: string; keyFile: string }): Promise<{ cert: Buffer; key: Buffer }> {
  const read = async (path: string, flag: string) => {
    try {
      return await readFile(path);
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new VelosError(ErrorCodes.INVALID_ARGUMENT, `${flag}: cannot read ${path} (${why})`, {
        cause: error,
      });
    }
  };
  const pair = {
    cert: await read(files.certFile, '--tls-cert'),
    key: await read(files.keyFile, '--tls-key'),
  };
  await checkTls(files, pair);
  return pair;
}

/**
 * Loads the pair as the server will, so that a file that is no PEM, or a key of another certificate,
 * is a one-line error naming the file before anything starts (not OpenSSL's code once the daemon runs).
 */
async function checkTls(
  files: { certFile: string; keyFile: string },
  pair: { cert: Buffer; key: Buffer },
): Promise<void> {
  const { createSecureContext } = await import('node:tls');
  const check = (options: { cert?: Buffer; key?: Buffer }, problem: string) => {
    try {
      createSecureContext(options);
    } catch (error) {
      const why = (error instanceof Error ? error.message : String(error)).replace(/^error:[0-9A-F]+:/, '');
      throw new VelosError(ErrorCodes.INVALID_ARGUMENT, `${problem} (${why})`, { cause: error });
    }
  };
  check({ cert: pair.cert }, `--tls-cert: ${files.certFile} is not a PEM certificate`);
  check({ key: pair.key }, `--tls-key: ${files.keyFile} is not a PEM private key without a passphrase`);
  check(pair, `--tls-key: ${files.keyFile} is not the key of the certificate ${files.certFile}`);
}
