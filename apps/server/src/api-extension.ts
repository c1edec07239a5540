import { createHash } from 'node:crypto';
import type { DaemonExtension, DaemonExtensionHost, ExtensionChange } from '@velos/supervisor';
import type { ServeSettings } from './serve-settings.js';
import { type ApiFiles, type ApiHost, readApiFiles, startApiHost } from './start-api-host.js';

/** Options of `createApiExtension`. */
export interface ApiExtensionOptions {
  /** The settings to serve with for this configuration (null: serve nothing); may throw a one-line error. */
  settingsOf(host: DaemonExtensionHost): ServeSettings | null;
  /** Called each time the API starts serving. */
  onServing?(api: ApiHost): void;
  /** Called when it cannot serve (bad settings, port in use); by default a line in daemon.log. */
  onError?(error: unknown, host: DaemonExtensionHost): void;
  /** The token and TLS files of settings that never change, read before the daemon started. */
  files?: ApiFiles;
}

/** What the API serves with: the settings and what their files held. */
interface Binding {
  settings: ServeSettings;
  files: ApiFiles;
  /** A digest of both: a reload that finds the same serves on untouched. */
  stamp: string;
}

/**
 * A daemon extension that serves the API over the daemon's own validated control: started once the
 * state is restored, rebound when a config reload changes `settingsOf`'s answer or what its token and
 * TLS files hold (a rotated token, a renewed certificate), closed at shutdown. A rebind that fails
 * (a port in use) serves on as before and is a failure of the reload. `@velos/api` (fastify) is
 * imported only when there is something to serve.
 */
export function createApiExtension(options: ApiExtensionOptions): DaemonExtension {
  let api: ApiHost | null = null;
  let bound: Binding | null = null;
  const close = async () => {
    const current = api;
    api = null;
    bound = null;
    await current?.server.close();
  };
  const serve = async (host: DaemonExtensionHost, binding: Binding): Promise<ApiHost> => {
    const started = await startApiHost({
      control: host.control,
      home: host.home,
      settings: binding.settings,
      log: (line) => host.log(`api: ${line}`),
      files: binding.files,
    });
    api = started;
    bound = binding;
    host.log(
      `api: serving ${started.url}${started.tokenFile === null ? ' (no auth)' : ` (tokens in ${started.tokenFile})`}`,
    );
    options.onServing?.(started);
    return started;
  };
  return {
    name: 'api',
    async apply(host): Promise<ExtensionChange | undefined> {
      let wanted: Binding | null;
      try {
        const settings = options.settingsOf(host);
        wanted = settings === null ? null : await bindingOf(settings, host.home, options.files);
      } catch (error) {
        // a bad token file or certificate changes nothing: what serves, serves on
        return failure(options, error, host, api);
      }
      if (wanted?.stamp === bound?.stamp) return undefined;
      const previous = bound;
      const stopped = api === null ? '' : `stopped serving ${api.url}`;
      if (stopped) host.log(`api: ${stopped}`);
      await close();
      if (wanted === null) return stopped ? { text: `api: ${stopped}` } : undefined;
      try {
        const started = await serve(host, wanted);
        return { text: `api: ${stopped ? `${stopped}; ` : ''}serving ${started.url}` };
      } catch (error) {
        // the old address again, so that a port in use does not leave the daemon unreachable over HTTP,
        // with the tokens the reload read: a rotated (revoked) token is not kept alive by a failed rebind
        const restored =
          previous === null
            ? null
            : await serve(host, withTokensOf(previous, wanted))
                .catch(() => serve(host, previous))
                .catch(() => null);
        return failure(options, error, host, restored);
      }
    },
    close,
  };
}

/** The files of `settings` read now (or those given), the home's own token file created if need be. */
async function bindingOf(settings: ServeSettings, home: string, given?: ApiFiles): Promise<Binding> {
  const read = given ?? (await readApiFiles(settings));
  const tokens =
    read.tokens === null && settings.isAuthEnabled
      ? (await import('@velos/api')).loadOrCreateTokens(home)
      : read.tokens;
  const files: ApiFiles = {
    tokens:
      tokens === null
        ? null
        : { admin: tokens.admin, ...(tokens.read === undefined ? {} : { read: tokens.read }) },
    tls: read.tls,
  };
  return { settings, files, stamp: stampOf(settings, files) };
}

/** `previous`'s settings and certificate with `wanted`'s tokens (its own when `wanted` turns auth off). */
function withTokensOf(previous: Binding, wanted: Binding): Binding {
  const files: ApiFiles = { tokens: wanted.files.tokens ?? previous.files.tokens, tls: previous.files.tls };
  return { settings: previous.settings, files, stamp: stampOf(previous.settings, files) };
}

function stampOf(settings: ServeSettings, files: ApiFiles): string {
  const digest = createHash('sha256').update(JSON.stringify(settings)).update('\0');
  digest.update(JSON.stringify(files.tokens)).update('\0');
  if (files.tls !== null) digest.update(files.tls.cert).update('\0').update(files.tls.key);
  return digest.digest('hex');
}

function failure(
  options: ApiExtensionOptions,
  error: unknown,
  host: DaemonExtensionHost,
  servingOn: ApiHost | null,
): ExtensionChange {
  const why = error instanceof Error ? error.message : String(error);
  const text =
    servingOn === null ? `not serving: ${why}` : `${why}; serving on as before at ${servingOn.url}`;
  if (options.onError) options.onError(error, host);
  else host.log(`api: ${text}`);
  return { text: `api: ${text}`, isFailure: true };
}
