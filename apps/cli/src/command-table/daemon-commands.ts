import type { CommandSpec } from '../command-spec.js';
import { ai, json } from './common-options.js';

/** The daemon and what it serves: ping, metrics, health, mcp, serve, kill. */
export const DAEMON_COMMANDS: CommandSpec[] = [
  {
    name: 'ping',
    minArgs: 0,
    maxArgs: 0,
    summary: "show the daemon's version, pid and uptime (starting it if needed)",
    options: { json, ai },
    run: async (ctx) => (await import('../commands/ping.js')).runPing(ctx),
  },
  {
    name: 'metrics',
    minArgs: 0,
    maxArgs: 0,
    summary: 'print the Prometheus metrics of every process, the daemon and the host, or serve /metrics',
    details: [
      'Prints the Prometheus text exposition (velos_process_*, velos_daemon_*, velos_host_*, custom app',
      "metrics, apps' metrics_url re-exposed with the app's labels); --json the snapshot, --ai a summary.",
      '--port 9615 [--host 127.0.0.1] serves GET /metrics in the foreground until Ctrl-C or SIGTERM.',
      'To keep it served by the daemon across restarts, set port (and host) in the [metrics] table of',
      '$VELOS_HOME/config.toml instead. It binds 127.0.0.1 unless told otherwise. See docs/metrics.md.',
    ].join('\n'),
    options: {
      json,
      ai,
      port: { type: 'string', value: 'port', description: 'serve /metrics on this TCP port until stopped' },
      host: {
        type: 'string',
        value: 'addr',
        description: 'with --port: the address to bind (default 127.0.0.1)',
      },
    },
    run: async (ctx, input) => (await import('../commands/metrics.js')).runMetrics(ctx, input),
  },
  {
    name: 'health',
    minArgs: 0,
    maxArgs: 0,
    summary: "show the daemon's self-health; exit 2 when unhealthy (never starts a daemon)",
    details: [
      'Components: ipc, event-loop, logs, disk, monitor, state, scheduler, alerts; each healthy,',
      'degraded or unhealthy with a reason, the worst is the daemon status (docs/self-health.md).',
      'Exit status: 0 healthy or degraded, 2 unhealthy, 3 no daemon answers: use it as a container',
      'HEALTHCHECK. Disk thresholds: VELOS_HEALTH_DISK_MIN_BYTES, VELOS_HEALTH_DISK_CRITICAL_BYTES.',
    ].join('\n'),
    options: { json, ai },
    run: async (ctx) => (await import('../commands/health.js')).runHealth(ctx),
  },
  {
    name: 'mcp',
    aliases: ['mcp-server'],
    minArgs: 0,
    maxArgs: 0,
    summary: 'serve the MCP tools on stdin/stdout, for Claude Desktop, Claude Code and Cursor (MCP-1)',
    details: [
      'An AI agent starts this command and talks MCP (JSON-RPC) over its stdin and stdout; the daemon of',
      'VELOS_HOME is started on the first tool call when none runs. Tools: process_list, process_start,',
      'process_stop, process_restart, process_reload, process_scale, process_delete, process_info, log_read,',
      'log_search, log_summary, health_check, metrics_snapshot, events_list, alerts_list, job_runs, job_trigger,',
      'config_get, config_set; answers are compact JSON with the --ai keys (docs/ai-output.md).',
      'Claude Code: claude mcp add velos -- npx velos mcp   Others: see docs/mcp.md.',
    ].join('\n'),
    options: {},
    run: async (ctx) => (await import('../commands/mcp.js')).runMcp(ctx),
  },
  {
    name: 'serve',
    minArgs: 0,
    maxArgs: 0,
    summary: 'serve the REST/WebSocket API, the web dashboard and MCP over HTTP until Ctrl-C (API-1…4)',
    details: [
      'Starts the daemon when none runs, then serves http://127.0.0.1:9716: the dashboard at /, REST and',
      'WebSocket under /api/v1 (OpenAPI at /api/v1/openapi.json), MCP at /mcp. Every route but /api/v1/health',
      'needs "Authorization: Bearer <token>": the first start writes an admin and a read token to',
      '$VELOS_HOME/api-tokens (mode 0600; lines "admin <token>", "read <token>"). The token is not printed',
      'unless --show-token. Binding another address than loopback without TLS prints a warning; --no-auth',
      'is refused there. To keep the API served by the daemon, set an [api] table in config.toml instead',
      '(port, host, token_file, cors, rate_limit, tls_cert, tls_key). See docs/serve.md.',
    ].join('\n'),
    options: {
      port: { type: 'string', value: 'port', description: 'TCP port (default 9716; 0 picks a free one)' },
      host: { type: 'string', value: 'addr', description: 'address to bind (default 127.0.0.1)' },
      'token-file': {
        type: 'string',
        value: 'path',
        description: 'read the tokens from this file (same format; a line with only a token is admin)',
      },
      'no-auth': { type: 'boolean', description: 'no tokens at all (loopback addresses only)' },
      'tls-cert': {
        type: 'string',
        value: 'pem',
        description: 'serve HTTPS with this certificate (and --tls-key)',
      },
      'tls-key': { type: 'string', value: 'pem', description: "the certificate's private key" },
      cors: {
        type: 'string',
        value: 'origins',
        description:
          'browser origins allowed, e.g. https://ops.example.com,http://localhost:5173 (default none)',
      },
      'rate-limit': {
        type: 'string',
        value: 'n/min',
        description: 'requests per client address per minute before 429 (default 600)',
      },
      'no-dashboard': { type: 'boolean', description: 'do not serve the web dashboard at /' },
      'no-mcp': { type: 'boolean', description: 'do not serve MCP over HTTP at /mcp' },
      'show-token': { type: 'boolean', description: 'print the admin token on stderr' },
      json: { type: 'boolean', description: 'print {"url","tokenFile"} as JSON on stdout, then serve' },
    },
    run: async (ctx, input) => (await import('../commands/serve.js')).runServe(ctx, input),
  },
  {
    name: 'kill',
    minArgs: 0,
    maxArgs: 0,
    summary: 'stop every process and the daemon',
    options: { json, ai },
    run: async (ctx) => (await import('../commands/kill.js')).runKill(ctx),
  },
];
