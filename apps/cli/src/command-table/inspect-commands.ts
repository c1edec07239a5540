import type { CommandSpec } from '../command-spec.js';
import { ai, json, TARGETS_OR_REGEX } from './common-options.js';

/** Commands that show processes: list, monit, describe. */
export const INSPECT_COMMANDS: CommandSpec[] = [
  {
    name: 'list',
    aliases: ['ls', 'l', 'ps', 'status'],
    minArgs: 0,
    maxArgs: 0,
    summary: 'list processes with status, pid, cpu, memory, uptime and restarts',
    details: [
      'Columns appear when some process needs them: namespace, mode (cluster), health (apps with',
      'liveness/readiness probes: healthy, degraded, unhealthy, unknown), job (runs, last, next) and watch',
      '(on for an app with watch mode, whatever its status).',
      'On a terminal the table fits its width: long names and job summaries are cut with …, then the',
      'least important columns go (mode, watch, job, namespace, pid, uptime, restarts, health, memory,',
      'cpu). To a pipe or a file the table is never cut; --json and --ai are for scripts and agents.',
      "--sort takes PM2's form: name, id, pid, status, cpu, memory, uptime or restarts, then :asc or :desc.",
    ].join('\n'),
    options: {
      sort: { type: 'string', value: 'field', description: 'order by a column, e.g. name or memory:desc' },
      json,
      ai,
    },
    // PM2's ls -m (--mini-list): the table is one line a process already; --ai is the short form
    dashHint: (_args, arg) =>
      arg === '-m' || arg === '--mini-list'
        ? "; PM2's mini list is velos list itself (one line a process), or velos list --ai (compact JSON)"
        : '',
    run: async (ctx, input) =>
      (await import('../commands/list.js')).runList(
        ctx,
        typeof input.options.sort === 'string' ? input.options.sort : undefined,
      ),
  },
  {
    name: 'monit',
    aliases: ['monitor', 'dash', 'dashboard', 'imonit'],
    minArgs: 0,
    maxArgs: 0,
    summary: 'live terminal dashboard: processes, host CPU/RAM, logs and events; keys act on apps',
    details: [
      'Header: daemon version, uptime, RSS, process count, self-health; host CPU and RAM bars; the process',
      'table; CPU and memory sparklines and live logs of the selected process; recent events.',
      'Keys: ↑↓ or j/k select (PgUp/PgDn, Home/End or g/G too), Enter or l full-screen logs (PgUp/PgDn',
      'scroll them), a log summary, r restart, R reload, s stop, d delete (asks y/N), / filter, ? help, q quit.',
      'Redraws at most 10 times a second; SIGTERM, SIGHUP or SIGINT give the terminal its screen back.',
      'Needs a terminal: with stdout or stdin not a TTY it exits 2 (use velos list --json instead).',
      'See docs/monit.md.',
    ].join('\n'),
    options: {},
    extraArgHint:
      "; it shows every app (select one with the arrow keys or / to filter). PM2's monitor <app> turns on PM2.io's hosted monitoring: Velos has velos metrics (Prometheus), OpenTelemetry and velos alerts instead",
    run: async (ctx) => (await import('../commands/monit.js')).runMonit(ctx),
  },
  {
    name: 'describe',
    aliases: ['show', 'info', 'desc'],
    argsUsage: '<target>',
    completes: ['target'],
    minArgs: 1,
    maxArgs: 1,
    summary: 'show everything about a process: spec, command, logs, peaks, last exit',
    details: `${TARGETS_OR_REGEX}\nWith probes: health, ready, last failure and each probe; a job: its runs.\nCustom metrics the app reports (docs/custom-metrics.md): the first 10 series by name, a histogram as\ncount, sum, p50 and p95 (estimated from its buckets), then +N more; --json has every series.\nMemory that grew steadily over the last 10 minutes without max_memory gets a line (memory growth;\n--json memoryGrowth, --ai mg), as MCP health_check warns of it.\n--history: CPU, memory and log lines/s of each process as sparklines (min, max, last) and the restarts in\nthe window; the daemon keeps the last hour at its 2 s sampling and 24 h of 1-minute means, across restarts.\n--json gives the raw columns (t, cpu, memory, restarts, logRate; null where the process was not running).\nExample: velos describe api --history --since 24h`,
    options: {
      json,
      ai,
      history: { type: 'boolean', description: 'CPU, memory, log rate and restarts over time (sparklines)' },
      since: {
        type: 'string',
        value: 'dur',
        description: 'with --history: the last 30m, 1h (default) … 24h',
      },
    },
    run: async (ctx, input) =>
      (await import('../commands/describe.js')).runDescribe(ctx, input.args[0]!, {
        history: input.options.history === true,
        since: input.options.since,
      }),
  },
];
