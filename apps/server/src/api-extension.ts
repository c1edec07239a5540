import type { DaemonExtension, DaemonExtensionHost } from '@velos/supervisor';
import type { ServeSettings } from './serve-settings.js';
import { type ApiFiles, type ApiHost, startApiHost } from './start-api-host.js';

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

/**
 * A daemon extension that serves the API over the daemon's own validated control: started once the
 * state is restored, rebound when `settingsOf` answers differently after a config reload, closed at
 * shutdown. `@velos/api` (fastify) is imported only when there is something to serve.
 */
export function createApiExtension(options: ApiExtensionOptions): DaemonExtension {
  let api: ApiHost | null = null;
  let boundWith = '';
  const close = async () => {
    const current = api;
    api = null;
    boundWith = '';
    await current?.server.close();
  };
  return {
    name: 'api',
    async apply(host): Promise<undefined> {
      let settings: ServeSettings | null;
      try {
        settings = options.settingsOf(host);
      } catch (error) {
        report(options, error, host);
        return;
      }
      const wanted = settings === null ? '' : JSON.stringify(settings);
      if (wanted === boundWith) return;
      if (api !== null) host.log(`api: stopped serving ${api.url}`);
      await close();
      if (settings === null) return;
      try {
        api = await startApiHost({
          control: host.control,
          home: host.home,
          settings,
          log: (line) => host.log(`api: ${line}`),
          ...(options.files === undefined ? {} : { files: options.files }),
        });
        boundWith = wanted;
        host.log(
          `api: serving ${api.url}${api.tokenFile === null ? ' (no auth)' : ` (tokens in ${api.tokenFile})`}`,
        );
        options.onServing?.(api);
      } catch (error) {
        report(options, error, host);
      }
    },
    close,
  };
}

function report(options: ApiExtensionOptions, error: unknown, host: DaemonExtensionHost): void {
  if (options.onError) options.onError(error, host);
  else host.log(`api: not serving: ${error instanceof Error ? error.message : String(error)}`);
}
