import { isVelosError, VelosError } from '@velos/core';
import { runDaemon } from '@velos/supervisor';
import { createApiExtension } from './api-extension.js';
import { createAppOutputEcho } from './app-output.js';
import { type ConfigApps, createConfigAppsExtension, loadConfigApps } from './config-apps.js';
import { createMetricsEndpoint } from './metrics-endpoint.js';
import type { ServeSettings } from './serve-settings.js';
import { USAGE_EXIT_CODE } from './server-argv.js';
import { type ApiHost, readApiFiles } from './start-api-host.js';

/** Options of `runServer`. */
export interface RunServerOptions {
  home: string;
  /** The config file whose apps start (null: only the restored state). */
  configFile: string | null;
  settings: ServeSettings;
  /** Print `{url, tokenFile}` as one JSON line on stdout once serving. */
  isJson?: boolean;
  /** Print the admin token on stderr once serving. */
  isTokenShown?: boolean;
  /** Print the apps' output lines on stdout too (`--app-logs`). */
  isAppOutputShown?: boolean;
  /** Also serve a token-free Prometheus `/metrics` on this port (on the API's host). */
  metricsPort?: number | null;
}

/**
 * Runs `velos-server`: the supervisor in this process (its IPC socket open for `velos` commands), the
 * config file's apps, and the API over the supervisor's validated control; resolves with the exit
 * status after SIGTERM/SIGINT stopped everything (1 when the API or the apps could not start).
 * @example process.exitCode = await runServer({ home, configFile: 'velos.toml', settings });
 */
export async function runServer(options: RunServerOptions): Promise<number> {
  // a bad config file is an error before the daemon starts anything
  const apps: ConfigApps | null =
    options.configFile === null ? null : await loadConfigApps(options.configFile, options.home);
  // so is a token file or TLS file that cannot serve: exit status 2, nothing started
  const files = await readApiFiles(options.settings).catch((error: unknown) => {
    throw isVelosError(error)
      ? new VelosError(error.code, error.message, { cause: error, data: { exitCode: USAGE_EXIT_CODE } })
      : error;
  });
  let exitCode = 0;
  let isServing = false;
  let metricsUrl: string | null = null;
  const fail = (error: unknown) => {
    process.stderr.write(`velos-server: ${error instanceof Error ? error.message : String(error)}\n`);
    exitCode = 1;
    // the daemon's own SIGTERM path saves, stops the apps and closes everything
    process.kill(process.pid, 'SIGTERM');
  };
  const announce = (api: ApiHost) => {
    isServing = true;
    if (options.isJson) {
      const line = { url: api.url, tokenFile: api.tokenFile, ...(metricsUrl === null ? {} : { metricsUrl }) };
      process.stdout.write(`${JSON.stringify(line)}\n`);
    }
    const tokens = api.tokenFile === null ? 'no auth' : `tokens in ${api.tokenFile}`;
    const metrics = metricsUrl === null ? '' : `, Prometheus at ${metricsUrl}`;
    process.stderr.write(
      `velos-server: serving ${api.url} (${tokens}${metrics}; SIGTERM or Ctrl-C to stop)\n`,
    );
    if (options.isTokenShown && api.adminToken !== null) {
      process.stderr.write(`velos-server: admin token ${api.adminToken}\n`);
    }
  };
  const extensions = [
    // first: it follows the logs before the config file's apps start
    ...(options.isAppOutputShown ? [createAppOutputEcho(process.stdout)] : []),
    ...(apps === null ? [] : [createConfigAppsExtension(apps, fail)]),
    // before the API, so that the line announcing the API names both
    ...(options.metricsPort == null
      ? []
      : [
          createMetricsEndpoint(
            { host: options.settings.host, port: options.metricsPort },
            (url) => {
              metricsUrl = url;
            },
            fail,
          ),
        ]),
    createApiExtension({
      // nothing to serve once something failed: the server is stopping
      settingsOf: () => (exitCode === 0 ? options.settings : null),
      files,
      onServing: announce,
      onError: (error) => fail(error),
    }),
  ];
  await runDaemon({ home: options.home, foreground: true, extensions });
  // runDaemon returns at once when another daemon holds the home: nothing was served
  if (!isServing && exitCode === 0) exitCode = 1;
  return exitCode;
}
