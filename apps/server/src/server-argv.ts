import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ErrorCodes, resolveHome, VelosError } from '@velos/core';
import { parseServeSettings, type ServeSettings } from './serve-settings.js';

/** Exit status of a usage error (unknown flag, bad value, unreadable config file). */
export const USAGE_EXIT_CODE = 2;

/** The `--help` text of `velos-server`. */
export const SERVER_HELP = `Usage: velos-server [config file] [options]

Runs the Velos supervisor in the foreground with its REST/WebSocket API, web dashboard, Prometheus
metrics (/api/v1/metrics/prometheus) and MCP over HTTP (/mcp): one process for a container or a
service unit. The IPC socket of the home stays open, so velos commands work against it. Apps of the
config file (.toml, .yaml, .yml, .json) start once the saved state is restored; SIGTERM or SIGINT
saves the state, stops every app and closes the server. Exit status: 0 after a clean stop, 1 when the
API or the apps cannot start (or a daemon already runs for the home), 2 on bad arguments or config.

Options:
  --home <dir>             the Velos home (default $VELOS_HOME, an absolute path, else ~/.velos)
  --port <port>            TCP port of the API (default 9716; 0 picks a free one)
  --host <addr>            address to bind (default 127.0.0.1; 0.0.0.0 in a container)
  --token-file <path>      tokens ("admin <token>" / "read <token>" lines; default <home>/api-tokens)
  --no-auth                no tokens (loopback addresses only)
  --tls-cert <pem>         serve HTTPS with this certificate (with --tls-key)
  --tls-key <pem>          the certificate's private key
  --cors <origins>         allow these browser origins, e.g. https://ops.example.com (default none)
  --rate-limit <n/min>     requests per client address per minute before 429 (default 600)
  --no-dashboard           do not serve the web dashboard at /
  --no-mcp                 do not serve MCP at /mcp
  --metrics-port <port>    also serve Prometheus' GET /metrics on this port, on --host, without a token
  --app-logs               also print the apps' output on stdout, "<name> | line" (docker logs)
  --show-token             print the admin token on stderr at start
  --json                   print {"url","tokenFile"[,"metricsUrl"]} as one JSON line on stdout once serving
  -h, --help               this text
  -v, --version            the version
See docs/serve.md.`;

/** What the command line of `velos-server` asks for. */
export type ServerCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | {
      kind: 'serve';
      home: string;
      configFile: string | null;
      settings: ServeSettings;
      isJson: boolean;
      isTokenShown: boolean;
      /** `--app-logs`: the apps' output lines on stdout too. */
      isAppOutputShown: boolean;
      /** `--metrics-port`: a token-free `/metrics` endpoint (null: none). */
      metricsPort: number | null;
    };

/** Parses and validates the arguments of `velos-server`; a bad one throws a one-line `INVALID_ARGUMENT`. */
export function parseServerArgv(argv: string[], env: NodeJS.ProcessEnv = process.env): ServerCommand {
  let parsed: ReturnType<typeof parseWith>;
  try {
    parsed = parseWith(argv);
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    throw usage(parseArgsMessage(message));
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  if (positionals.length > 1)
    throw usage(`unexpected argument ${JSON.stringify(positionals[1])}: one config file at most`);
  let settings: ServeSettings;
  try {
    settings = parseServeSettings(values);
  } catch (error) {
    throw usage(error instanceof Error ? error.message : String(error));
  }
  // --home is taken from the current folder as any path of a command line; a relative VELOS_HOME is refused
  const home = typeof values.home === 'string' ? resolve(values.home) : resolveHome(env);
  return {
    kind: 'serve',
    home,
    configFile: positionals[0] ?? null,
    settings,
    isJson: values.json === true,
    isTokenShown: values['show-token'] === true,
    isAppOutputShown: values['app-logs'] === true,
    metricsPort: parseMetricsPort(values['metrics-port']),
  };
}

function parseWith(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      home: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'token-file': { type: 'string' },
      'no-auth': { type: 'boolean' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      cors: { type: 'string' },
      'rate-limit': { type: 'string' },
      'no-dashboard': { type: 'boolean' },
      'no-mcp': { type: 'boolean' },
      'show-token': { type: 'boolean' },
      'app-logs': { type: 'boolean' },
      'metrics-port': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
}

/** node:util's parseArgs messages (`Option '--port <value>' argument missing`) in the words of the other errors. */
function parseArgsMessage(message: string): string {
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option ${unknown[1]}`;
  const missing = /^Option '(-\S+)(?: <value>)?' argument missing/.exec(message);
  if (missing) return `${missing[1]} needs a value`;
  // `--port --json`, `--port -1`: the next word starts with "-"
  const ambiguous = /^Option '(-\S+)' argument is ambiguous/.exec(message);
  if (ambiguous) {
    return `${ambiguous[1]} needs a value, got an option (a value that starts with "-" goes as ${ambiguous[1]}=<value>)`;
  }
  const noValue = /^Option '(-\S+)' does not take an argument/.exec(message);
  if (noValue) return `${noValue[1]} takes no value`;
  return message;
}

function parseMetricsPort(raw: string | undefined): number | null {
  if (raw === undefined) return null;
  const port = Number(raw);
  if (!/^\d{1,5}$/.test(raw) || port > 65_535) {
    throw usage(`--metrics-port: expected a TCP port 0-65535, got ${JSON.stringify(raw)}`);
  }
  return port;
}

function usage(message: string): VelosError {
  return new VelosError(ErrorCodes.INVALID_ARGUMENT, `${message} (see velos-server --help)`, {
    data: { exitCode: USAGE_EXIT_CODE },
  });
}
