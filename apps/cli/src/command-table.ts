import type { CommandInput, CommandSpec, OptionSpec } from './command-spec.js';

const json: OptionSpec = { type: 'boolean', description: 'print full JSON' };
const ai: OptionSpec = { type: 'boolean', description: 'print compact JSON with short keys, for AI agents' };
const TARGETS = 'A target is a process name, an id, a namespace, or "all".';
const showSecrets: OptionSpec = {
  type: 'boolean',
  description: 'print secret-looking env values as they are',
};
const SECRETS =
  'Values of env variables named like secrets (TOKEN, SECRET, PASSWORD, KEY, AUTH…) and URL passwords\nprint as **** unless --show-secrets is given.';
/** Commands that take several targets also take PM2's /regex/ of names (run in the CLI, never in the daemon). */
const MANY_TARGETS =
  "Each target is a process name, an id, a namespace, \"all\", or a /regex/ of names\n(PM2's form: velos restart '/^api-/').";

/** PM2's `start` flags that Velos spells otherwise or that only PM2 users type (issue #14). */
const PM2_START_OPTIONS: Record<string, OptionSpec> = {
  force: {
    type: 'boolean',
    short: 'f',
    description: 'an app of this name runs already: add these instances to it',
  },
  'no-daemon': {
    type: 'boolean',
    description: 'run the daemon in this process, in the foreground, app lines on stdout (containers)',
  },
  'update-env': {
    type: 'boolean',
    short: 'a',
    description: "start <name>: give its processes this shell's environment (new apps always get it)",
  },
  log: {
    type: 'string',
    short: 'l',
    value: 'file',
    takesNextWord: true,
    description: 'also write stdout and stderr to this file (PM2 log_file; alone: logs/<name>.log)',
  },
  pid: { type: 'string', short: 'p', value: 'file', description: 'write the pid of the app to this file' },
  'max-memory-restart': { type: 'string', value: 'size', description: 'PM2 name of --max-memory' },
  cron: { type: 'string', short: 'c', value: 'expr', description: 'PM2 name of --cron-restart' },
  'node-args': { type: 'string', value: 'args', description: 'PM2 name of --interpreter-args' },
  'execute-command': { type: 'boolean', short: 'x', description: 'fork mode, even with -i (PM2 -x)' },
  only: {
    type: 'string',
    value: 'names',
    description: 'with a config file: only these apps, e.g. api,worker',
  },
};

/** PM2's process file as a target of stop/restart/reload/delete (`pm2 reload ecosystem.config.js --env production`). */
const FILE_TARGET_OPTIONS: Record<string, OptionSpec> = {
  env: {
    type: 'string',
    value: 'profile',
    description: "a process file target: merge each app's env_<profile> table over its env",
  },
  only: { type: 'string', value: 'names', description: 'a process file target: only these apps of it' },
};
/** A target may also be a process file (PM2's form), standing for its apps. */
const FILE_TARGETS =
  'A process file (ecosystem.config.js, .json, .yaml, .toml) stands for its apps: restart and reload\nstart those that do not run, as startOrRestart and startOrReload do (--env, --only).';

/** PM2's startOrRestart, startOrReload and startOrGracefulReload: one spec each, a different verb. */
function startOrCommand(name: string, verb: 'restart' | 'reload'): CommandSpec {
  return {
    name,
    aliases: [name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)],
    argsUsage: '<config file>',
    minArgs: 1,
    maxArgs: 1,
    summary: `start the apps of a config file that do not run; ${verb} those that do`,
    details:
      verb === 'restart'
        ? 'Running apps are stopped and started again with the spec in the file (PM2 process files included).'
        : 'Running apps are reloaded one instance at a time (cluster mode; fork mode restarts), with their spec\nas started; --update-env gives them the environment of this command.',
    options: {
      env: {
        type: 'string',
        value: 'profile',
        description: "merge each app's env_<profile> table over its env",
      },
      only: { type: 'string', value: 'names', description: 'only these apps of the file, e.g. api,worker' },
      'update-env': {
        type: 'boolean',
        short: 'a',
        description: 'reload: give the apps the environment of this command',
      },
      json,
      ai,
    },
    run: async (ctx, input) => (await import('./commands/start.js')).runStartOr(ctx, input, verb),
  };
}

/** Every command of the `velos` binary; implementations are imported only when their command runs. */
export const COMMANDS: CommandSpec[] = [
  {
    name: 'start',
    argsUsage: '<script|"command line"|config file>',
    shortArgsUsage: '<script|config>',
    minArgs: 1,
    maxArgs: 1,
    acceptsRest: true,
    summary: 'start a script, a program, a shell command line, or the apps of a config file',
    details: [
      'A .toml, .yaml, .yml or .json file is a config file: every app in it is started and the app',
      'options below are refused (set them in the file). PM2 process files work as they are:',
      'ecosystem.config.{js,cjs,mjs} (run by this command, never by the daemon), ecosystem.json, process.yml',
      '(PM2 option names, camelCase too; unknown options warn); their apps that run already are restarted.',
      'Anything else is one app: an existing file (interpreter by extension), a quoted command line (run',
      'with sh -c), or a program on PATH. PM2 flags: -f, --no-daemon, -l, -p, -x, --only, --cron, --node-args,',
      '--max-memory-restart (see docs/migrating-from-pm2.md).',
      'A name or id of a known process restarts it (starts it when stopped), as pm2 start does.',
      'Apps inherit the environment of this command. Arguments after -- are passed to the app.',
      'Durations take milliseconds or a unit: 500ms, 5s, 2m, 1h, 30d (at most 365d).',
      '--schedule, --every or --timeout make the app a job: each run is a new process, recorded (see',
      'velos runs); without a schedule or interval it runs once. In a config file, depends_on orders starts.',
    ].join('\n'),
    options: {
      name: { type: 'string', short: 'n', value: 'name', description: 'app name (default: the script name)' },
      instances: {
        type: 'string',
        short: 'i',
        value: 'n|max',
        description:
          'run n instances in cluster mode (max or 0 = one per CPU, -1 = CPUs - 1); non-Node programs fork',
      },
      'exec-mode': {
        type: 'string',
        value: 'fork|cluster',
        description: 'cluster: Node instances share their ports (default with -i); fork: separate processes',
      },
      'increment-var': {
        type: 'string',
        value: 'VAR',
        description: 'add the instance index to this env variable, e.g. PORT (3000, 3001…)',
      },
      'wait-ready': {
        type: 'boolean',
        description:
          "an instance is online when it calls process.send('ready') (fork mode: start waits for it; cluster reload: not on listen)",
      },
      'listen-timeout': {
        type: 'string',
        value: 'ms',
        description:
          'time an instance has to be ready: then online anyway (fork), or the reload fails (cluster); default 8s',
      },
      'shutdown-with-message': {
        type: 'boolean',
        description:
          "Node apps (fork or cluster): stop by sending process message 'shutdown', not the stop signal",
      },
      'restart-delay': {
        type: 'string',
        value: 'ms',
        description: 'wait this long before a restart (default 0)',
      },
      'max-restarts': {
        type: 'string',
        value: 'n',
        description: 'unstable restarts in a row before "errored" (default 16)',
      },
      'min-uptime': {
        type: 'string',
        value: 'ms',
        description: 'a run shorter than this is unstable (default 1s)',
      },
      'exp-backoff-restart-delay': {
        type: 'string',
        value: 'ms',
        description: 'first delay of exponential restart backoff (default off)',
      },
      'kill-timeout': {
        type: 'string',
        short: 'k',
        value: 'ms',
        description: 'SIGKILL this long after the stop signal (default 5s)',
      },
      'stop-exit-codes': {
        type: 'string',
        value: 'codes',
        moreValues: /^\d+$/,
        description: 'exit codes that do not restart, e.g. 0,3 or 0 3',
      },
      'no-autorestart': { type: 'boolean', description: 'do not restart the app when it exits' },
      'no-inherit-env': {
        type: 'boolean',
        description:
          'inherit only PATH, HOME, USER, SHELL, LANG, LC_*, TZ, TMPDIR from this shell (inherit_env = false)',
      },
      cwd: { type: 'string', value: 'dir', description: 'working directory of the app (default: here)' },
      interpreter: {
        type: 'string',
        value: 'cmd',
        description: 'run the script with this (none = execute it directly)',
      },
      'interpreter-args': {
        type: 'string',
        value: 'args',
        description: 'arguments for the interpreter, e.g. "--inspect"',
      },
      namespace: {
        type: 'string',
        value: 'ns',
        description: 'namespace, to act on a group of apps (default "default")',
      },
      'log-format': {
        type: 'string',
        value: 'plain|json',
        description: 'format of the log files (default plain); json parses JSON lines into level and fields',
      },
      time: { type: 'boolean', description: 'prefix log lines with an ISO timestamp' },
      'log-date-format': {
        type: 'string',
        value: 'format',
        description: 'prefix log lines with a timestamp in this format',
      },
      'merge-logs': {
        type: 'boolean',
        description: 'PM2: all instances write the same log files, no -<id> suffix (the default)',
      },
      'merge-streams': {
        type: 'boolean',
        description: 'write stdout and stderr into one log file, logs/<name>.log (merge_logs in velos.toml)',
      },
      'cron-restart': {
        type: 'string',
        value: 'expr',
        description: 'restart a service on this cron schedule, e.g. "0 3 * * *" (a job: use --schedule)',
      },
      'max-memory': {
        type: 'string',
        value: 'size',
        description: 'restart the app when its process tree uses more memory, e.g. 200M',
      },
      'liveness-http': {
        type: 'string',
        value: 'url',
        description: 'restart the app when GET url fails 3 times in a row (every 10s; more in a config file)',
      },
      'readiness-http': {
        type: 'string',
        value: 'url',
        description: 'the app is ready (for reload and depends_on) while GET url answers 2xx/3xx',
      },
      watch: {
        type: 'string',
        value: 'paths',
        takesNextWord: true,
        description: 'restart on file changes in the app dir, or in these paths (app.js --watch src,lib)',
      },
      'ignore-watch': {
        type: 'string',
        value: 'globs',
        description:
          'ignore changes matching these globs, e.g. "dist,*.tmp" or "dist *.tmp" (no slash: at any depth; replaces the defaults)',
      },
      'watch-delay': {
        type: 'string',
        value: 'duration',
        description:
          'gather file changes this long before one restart (default 500ms); a bare number is seconds, as in PM2 (4 = 4s)',
      },
      type: {
        type: 'string',
        value: 'service|job',
        description: 'job = run to completion, once or on --schedule/--every (default service)',
      },
      schedule: {
        type: 'string',
        value: 'expr',
        description: 'job: run on this cron schedule, e.g. "*/30 * * * *" (never overlapping)',
      },
      every: {
        type: 'string',
        value: 'duration',
        description: 'job: run now and then every duration, e.g. 30m (never overlapping)',
      },
      timeout: {
        type: 'string',
        value: 'duration',
        description: 'job: stop a run still going after this long (outcome timeout)',
      },
      history: { type: 'string', value: 'n', description: 'job: runs kept in the history (default 50)' },
      'depends-on': {
        type: 'string',
        value: 'names',
        description: 'start only once these apps are online, e.g. db,cache',
      },
      'log-max-size': {
        type: 'string',
        value: 'size',
        description: 'rotate a log file before it grows past this size, e.g. 10M (default: never)',
      },
      'log-rotate-cron': {
        type: 'string',
        value: 'expr',
        description: 'also rotate the log files on this cron schedule, e.g. "0 0 * * *"',
      },
      'log-retain': {
        type: 'string',
        value: 'n',
        description: 'rotated files kept per log file (default 10)',
      },
      'no-log-compress': {
        type: 'boolean',
        description: 'keep rotated log files as they are (default: gzip)',
      },
      'no-log-engine': {
        type: 'boolean',
        description: "opt out of the daemon's live log engine (error counters, log.anomaly events)",
      },
      output: {
        type: 'string',
        short: 'o',
        value: 'file',
        description: 'stdout log file (default logs/<name>-out.log)',
      },
      error: {
        type: 'string',
        short: 'e',
        value: 'file',
        description: 'stderr log file (default logs/<name>-err.log)',
      },
      env: {
        type: 'string',
        value: 'profile',
        description: "with a config file: merge each app's env_<profile> table over its env",
      },
      'dry-run': {
        type: 'boolean',
        description: 'validate and print the resolved apps as JSON; start nothing',
      },
      ...PM2_START_OPTIONS,
      'watch-config': {
        type: 'boolean',
        description: 'with a config file: the daemon re-reads it when it changes (see velos config reload)',
      },
      json,
      ai,
    },
    run: async (ctx, input) => (await import('./commands/start.js')).runStart(ctx, input),
  },
  startOrCommand('startOrRestart', 'restart'),
  startOrCommand('startOrReload', 'reload'),
  startOrCommand('startOrGracefulReload', 'reload'),
  {
    name: 'import',
    argsUsage: 'pm2 [dump file]',
    minArgs: 1,
    maxArgs: 2,
    summary: 'start the apps of a PM2 dump (pm2 save) in Velos',
    details: [
      'Reads $PM2_HOME/dump.pm2 (default ~/.pm2/dump.pm2) or the given file, starts its apps (the instances',
      'of a cluster app become one app; apps PM2 had stopped stay stopped; names Velos has are skipped) and',
      'prints what each PM2 field became and which PM2 options have no Velos equivalent.',
    ].join('\n'),
    options: {
      'dry-run': { type: 'boolean', description: 'print the mapping as JSON; start nothing' },
      json,
      ai,
    },
    run: async (ctx, input) => (await import('./commands/import-pm2.js')).runImport(ctx, input),
  },
  {
    name: 'watchdog',
    argsUsage: '"<command>" <log file> [timeout] [interval]',
    shortArgsUsage: '<command> <log file>',
    minArgs: 2,
    maxArgs: 4,
    summary: 'start a command and restart it when its log file stays quiet for <timeout>',
    details: [
      'Runs the command (a command line with spaces runs with sh -c) and checks every <interval> that',
      '<log file> grew or changed; after <timeout> without any change it restarts the command (reason',
      'inactivity). Bare numbers are seconds (default timeout 60, interval 5); 90s, 2m or 500ms work',
      'too. The directory of the log file is created if missing. Same as one entry of the processes:',
      'form of a YAML config (velos start monitor_config.yaml).',
      'Example: velos watchdog "python3 app.py > /tmp/app.log 2>&1" /tmp/app.log 120 10',
    ].join('\n'),
    options: {
      name: {
        type: 'string',
        short: 'n',
        value: 'name',
        description: 'app name (default: from the command)',
      },
      json,
      ai,
    },
    run: async (ctx, input) => (await import('./commands/watchdog.js')).runWatchdog(ctx, input),
  },
  {
    name: 'stop',
    argsUsage: '<target...>',
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    summary: 'stop processes (SIGTERM, then SIGKILL after the kill timeout)',
    details: `${MANY_TARGETS}\n${FILE_TARGETS}`,
    options: { ...FILE_TARGET_OPTIONS, json, ai },
    run: async (ctx, input) =>
      (await import('./commands/process-action.js')).runProcessAction(ctx, 'stop', input.args, { input }),
  },
  {
    name: 'restart',
    argsUsage: '<target...>',
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    summary: 'restart processes (starts stopped ones)',
    details: `${MANY_TARGETS}\n${FILE_TARGETS}`,
    options: {
      ...FILE_TARGET_OPTIONS,
      'update-env': {
        type: 'boolean',
        short: 'a',
        description: "give the processes the environment of this command (the app's config env kept over it)",
      },
      json,
      ai,
    },
    run: async (ctx, input) =>
      (await import('./commands/process-action.js')).runProcessAction(ctx, 'restart', input.args, {
        updateEnv: input.options['update-env'] === true,
        input,
      }),
  },
  {
    name: 'reload',
    aliases: ['gracefulReload'],
    argsUsage: '<target...>',
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    summary: 'replace processes one at a time without downtime (cluster mode; fork mode restarts)',
    details: [
      'Cluster instances are replaced one by one: a new worker starts beside the old one; once it listens',
      "(or, with --wait-ready, calls process.send('ready')) within listen_timeout, the old worker stops",
      'accepting connections, finishes its requests and is stopped. A new worker that is not ready in time',
      'is stopped, the old one keeps serving and the reload fails. Fork-mode processes are restarted, one',
      `at a time. ${MANY_TARGETS}`,
      FILE_TARGETS,
    ].join('\n'),
    options: {
      ...FILE_TARGET_OPTIONS,
      'update-env': {
        type: 'boolean',
        short: 'a',
        description: "give the processes the environment of this command (the app's config env kept over it)",
      },
      json,
      ai,
    },
    run: async (ctx, input) =>
      (await import('./commands/reload.js')).runReload(ctx, input.args, {
        updateEnv: input.options['update-env'] === true,
        input,
      }),
  },
  {
    name: 'scale',
    argsUsage: '<app> <n|+n|-n>',
    minArgs: 2,
    maxArgs: 2,
    summary: 'set the number of instances of an app, or add (+n) or remove (-n) some',
    details: [
      'New instances get new ids and start if the app runs; removed ones (the highest instances) are',
      'stopped gracefully and deleted while the others keep serving. Works in fork and cluster mode.',
      'velos save keeps the new count.',
    ].join('\n'),
    options: { json, ai },
    run: async (ctx, input) =>
      (await import('./commands/scale.js')).runScale(ctx, input.args[0]!, input.args[1]!),
  },
  {
    name: 'delete',
    aliases: ['del', 'rm'],
    argsUsage: '<target...>',
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    summary: 'stop processes and remove them from the list',
    details: `${MANY_TARGETS}\n${FILE_TARGETS}`,
    options: { ...FILE_TARGET_OPTIONS, json, ai },
    run: async (ctx, input) =>
      (await import('./commands/process-action.js')).runProcessAction(ctx, 'delete', input.args, { input }),
  },
  {
    name: 'list',
    aliases: ['ls', 'l', 'status'],
    minArgs: 0,
    maxArgs: 0,
    summary: 'list processes with status, pid, cpu, memory, uptime and restarts',
    details: [
      'Columns appear when some process needs them: namespace, mode (cluster), health (apps with',
      'liveness/readiness probes: healthy, degraded, unhealthy, unknown), job (runs, last, next) and watch.',
    ].join('\n'),
    options: { json, ai },
    run: async (ctx) => (await import('./commands/list.js')).runList(ctx),
  },
  {
    name: 'monit',
    aliases: ['monitor', 'dash'],
    minArgs: 0,
    maxArgs: 0,
    summary: 'live terminal dashboard: processes, host CPU/RAM, logs and events; keys act on apps',
    details: [
      'Header: daemon version, uptime, RSS, process count, self-health; host CPU and RAM bars; the process',
      'table; CPU and memory sparklines and live logs of the selected process; recent events.',
      'Keys: ↑↓ or j/k select, Enter or l full-screen logs, a log summary, r restart, R reload, s stop,',
      'd delete (asks y/N), / filter, ? help, q quit. Redraws at most 10 times a second.',
      'Needs a terminal: with stdout or stdin not a TTY it exits 2 (use velos list --json instead).',
      'See docs/monit.md.',
    ].join('\n'),
    options: {},
    run: async (ctx) => (await import('./commands/monit.js')).runMonit(ctx),
  },
  {
    name: 'describe',
    aliases: ['show', 'info', 'desc'],
    argsUsage: '<target>',
    minArgs: 1,
    maxArgs: 1,
    summary: 'show everything about a process: spec, command, logs, peaks, last exit',
    details: `${TARGETS}\nWith probes: health, ready, last failure and each probe; a job: its runs.\n--history: CPU, memory and log lines/s of each process as sparklines (min, max, last) and the restarts in\nthe window; the daemon keeps the last hour at its 2 s sampling and 24 h of 1-minute means, across restarts.\n--json gives the raw columns (t, cpu, memory, restarts, logRate; null where the process was not running).\nExample: velos describe api --history --since 24h`,
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
      (await import('./commands/describe.js')).runDescribe(ctx, input.args[0]!, {
        history: input.options.history === true,
        since: input.options.since,
      }),
  },
  {
    name: 'logs',
    argsUsage: '[target]',
    minArgs: 0,
    maxArgs: 1,
    summary: 'show recent log lines, follow new ones with -f, or analyse them (--summary, --grep …)',
    details: `Lines are printed as "<name> | line"; on a colour terminal stderr lines have a red prefix.\nOn a terminal, control characters an app printed (ESC, BEL …) are shown as \\xHH; --raw prints them as they are.\nAn answer holds at most 4M of lines: beyond that older lines are left out, with a notice on stderr naming the log file.\nApps with --log-format json: a JSON line the app printed shows its message and key=value fields; --json adds lvl and fields.\n${TARGETS} Without one, all processes.\n\nThe log engine (one app, its captured files, rotated ones included):\n  --summary [--period 1h]   period, lines by level, top patterns, anomalies, last error, health 0-100\n  --patterns | --dedupe | --anomalies   recurring templates, lines collapsed by template, unusual minutes\n  --level L, --grep RE, --since T, --until T   search: the newest matching lines (--lines N, default 100)\nT is a duration ago (10m, 2h, 1d) or a time (2026-12-01T10:00:00Z); plain log lines get the time the daemon\nread them from the time index beside each file (<file>.tidx). Over 50,000 lines a summary analyses a random\nsample and says so (counts are then estimates). Example: velos logs api --summary --period 1h --ai`,
    options: {
      lines: { type: 'string', value: 'n', description: 'how many recent lines to show (default 15)' },
      follow: { type: 'boolean', short: 'f', description: 'keep printing new lines until Ctrl-C' },
      err: { type: 'boolean', description: 'only stderr' },
      out: { type: 'boolean', description: 'only stdout' },
      raw: {
        type: 'boolean',
        description: 'print the lines as the app wrote them: no name prefix, no escaping',
      },
      json: {
        type: 'boolean',
        description: 'print one JSON object per line (with a view: the whole answer)',
      },
      ai,
      timestamp: {
        type: 'string',
        value: 'format',
        isValueOptional: true,
        description:
          'prefix each line with its time (PM2: default YYYY-MM-DD-HH:mm:ss; tokens YYYY MM DD HH mm ss SSS Z)',
      },
      nostream: {
        type: 'boolean',
        description: 'PM2 compatibility: print and exit (what velos logs does without -f)',
      },
      format: {
        type: 'boolean',
        description: "PM2's key=value lines: timestamp=… app=… id=… type=out|err message=…",
      },
      summary: { type: 'boolean', description: "summarise the app's logs (ENG-6)" },
      period: {
        type: 'string',
        value: 'dur',
        description: 'with a view: the last 1h, 30m, 1d … (same as --since)',
      },
      patterns: { type: 'boolean', description: 'recurring templates with count, rate and trend' },
      dedupe: { type: 'boolean', description: 'the newest lines collapsed by template (x847, first, last)' },
      anomalies: { type: 'boolean', description: 'minutes whose volume or error rate was above mean + 2σ' },
      level: {
        type: 'string',
        value: 'level',
        description: 'lines at least this severe: fatal, error, warn, info, debug',
      },
      grep: { type: 'string', value: 'regex', description: 'lines matching this regular expression' },
      'ignore-case': { type: 'boolean', short: 'i', description: 'with --grep: ignore case' },
      since: { type: 'string', value: 'time', description: 'lines since 10m, 2h, 1d ago or an ISO time' },
      until: { type: 'string', value: 'time', description: 'lines until 10m ago or an ISO time' },
      limit: {
        type: 'string',
        value: 'n',
        description: 'patterns/entries listed (default 10) or matches (default 100)',
      },
    },
    run: async (ctx, input) => (await import('./commands/logs.js')).runLogs(ctx, input),
  },
  {
    name: 'events',
    argsUsage: '[target] | emit <name> [key=value...]',
    shortArgsUsage: '[target]',
    minArgs: 0,
    maxArgs: Number.POSITIVE_INFINITY,
    summary: 'show what happened: starts, exits, restarts, errors, jobs, daemon and app events',
    details: [
      'Prints the newest events (default 100), oldest first: time, severity, kind, app/id and message.',
      '--since and --until take a duration back from now (90s, 10m, 1h, 2d) or an ISO date',
      '(2026-01-02, 2026-01-02T03:04:05Z). --kind takes kinds (process.exited), categories (process, job,',
      'log, config, alert, daemon, app) or names (exited, errored); the start of a name works too (exit).',
      '--json prints the full events, --ai compact ones: t time, k kind, a app, i id, m message,',
      's severity (when not info), f fields (a JSON array; with --follow one object per line).',
      'Apps raise their own events (kind app.<name>) by printing one JSON line with the key velos_event:',
      '{"velos_event":"sync.done","message":"synced 42 rows","rows":42}; see docs/events.md.',
      'velos events emit <name> [key=value...] [--app a] [--severity s] [--message m] posts one by hand.',
      'Events are kept in events.jsonl in the Velos home (10M, then one rotated file).',
      `${TARGETS} Without one, all events.`,
    ].join('\n'),
    options: {
      since: {
        type: 'string',
        value: 'when',
        description: 'only events at or after: 1h (ago) or an ISO date',
      },
      until: {
        type: 'string',
        value: 'when',
        description: 'only events at or before: 10m (ago) or an ISO date',
      },
      kind: {
        type: 'string',
        value: 'kinds',
        description: 'only these kinds, e.g. exited,errored or process',
      },
      limit: { type: 'string', value: 'n', description: 'the newest n events that match (default 100)' },
      follow: { type: 'boolean', short: 'f', description: 'keep printing new events until Ctrl-C' },
      app: { type: 'string', value: 'name', description: 'emit: the app the event is about' },
      severity: {
        type: 'string',
        value: 'level',
        description: 'emit: info (default), warning, error or critical',
      },
      message: { type: 'string', value: 'text', description: 'emit: the message (default: the name)' },
      json,
      ai,
    },
    run: async (ctx, input) => (await import('./commands/events.js')).runEvents(ctx, input),
  },
  {
    name: 'flush',
    argsUsage: '[target]',
    minArgs: 0,
    maxArgs: 1,
    summary: 'empty the log files (of all processes by default)',
    details:
      'Each log file is truncated in place (the app keeps writing to it) and its rotated files are deleted.',
    options: { json, ai },
    run: async (ctx, input) => (await import('./commands/flush.js')).runFlush(ctx, input.args[0]),
  },
  {
    name: 'reloadLogs',
    aliases: ['reload-logs'],
    argsUsage: '[target]',
    minArgs: 0,
    maxArgs: 1,
    summary: 'close and reopen the log files by path (of all processes by default)',
    details: [
      'For external rotators such as logrotate: after they rename a log file away, the daemon keeps',
      'writing to the renamed file until this command; then it opens the path again, creating a new',
      'file. No line is lost. Built-in rotation (--log-max-size, --log-rotate-cron) needs no reload.',
      TARGETS,
    ].join('\n'),
    options: { json, ai },
    run: async (ctx, input) => (await import('./commands/reload-logs.js')).runReloadLogs(ctx, input.args[0]),
  },
  {
    name: 'runs',
    argsUsage: '<job>',
    minArgs: 1,
    maxArgs: 1,
    summary: 'show the run history of a job: start, duration, exit code, outcome, trigger',
    details: [
      'Newest first. Outcomes: ok (exit 0), failed (other exit or a signal), timeout (stopped after',
      'its --timeout), spawn-error, running, interrupted (the daemon died during the run, which was',
      'over when the next daemon started), unknown (the next daemon took the run over and saw it end;',
      'its exit code cannot be known).',
      'Triggers: start, interval, schedule, user (velos trigger).',
      'The history survives daemon restarts (jobs/<name>.jsonl in the home, the last --history runs).',
      TARGETS,
    ].join('\n'),
    options: {
      limit: { type: 'string', value: 'n', description: 'show at most n runs (default 20)' },
      json,
      ai,
    },
    run: async (ctx, input) =>
      (await import('./commands/runs.js')).runRuns(
        ctx,
        input.args[0]!,
        typeof input.options.limit === 'string' ? input.options.limit : undefined,
      ),
  },
  {
    name: 'trigger',
    argsUsage: '<job...>',
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    summary: 'run a job now (a job whose run is still going is left alone)',
    details: [
      'Works on a stopped job too: it runs once and stays stopped. The run is recorded with trigger',
      'user; it does not move the next scheduled or interval run.',
      TARGETS,
    ].join('\n'),
    options: { json, ai },
    run: async (ctx, input) => (await import('./commands/trigger.js')).runTrigger(ctx, input.args),
  },
  {
    name: 'alerts',
    argsUsage: '[list | add <rule> | remove <rule> | test <rule>]',
    shortArgsUsage: '[add|remove|test]',
    minArgs: 0,
    maxArgs: 2,
    summary: 'list alert rules with their state; add, remove or test one (OBS-3)',
    details: [
      'velos alerts                      rules: when, app, severity, state (ok, pending, firing,',
      '                                  resolved), since when, and the last delivery',
      'velos alerts add <name> --when "restarts >= 5 within 1m" [--app api] [--webhook URL] …',
      'velos alerts add --file rules.toml  adds every [[alerts]] rule of a TOML/YAML/JSON file',
      'velos alerts remove <name>        velos alerts test <name>  (a test notification, every channel)',
      'Conditions (--when): event <kind>[,<kind>], restarts >= N within T, errored, unhealthy,',
      'memory > SIZE, cpu > N%, log anomaly, log error_burst, job failed N times in a row,',
      'no output, daemon degraded; any of them may end with "for D". Run-time rules are kept in',
      '$VELOS_HOME/alerts.json; rules of a config file ([[alerts]]) are replaced at each velos start',
      'of that file. --command runs a program (split on spaces, no shell) with the alert as JSON on',
      'stdin and in VELOS_ALERT_* variables. Every firing/resolved also goes to the event log.',
      'See docs/alerts.md.',
    ].join('\n'),
    options: {
      when: { type: 'string', value: 'condition', description: 'add: what fires the rule (see above)' },
      app: {
        type: 'string',
        value: 'target',
        description: 'add: an app name, namespace or id (default: every app)',
      },
      severity: {
        type: 'string',
        value: 'level',
        description: 'add: info, warning (default), error or critical',
      },
      for: {
        type: 'string',
        value: 'duration',
        description: 'add: the condition must hold this long (default 0)',
      },
      repeat: { type: 'string', value: 'duration', description: 'add: notify again this often while firing' },
      'resolve-after': {
        type: 'string',
        value: 'duration',
        description: 'add: event conditions resolve after this long without a new event (default 1m)',
      },
      webhook: {
        type: 'string',
        value: 'url',
        description: 'add: POST the alert as JSON (Slack-compatible text)',
      },
      command: {
        type: 'string',
        value: 'program',
        description: 'add: run this program with the alert on stdin',
      },
      'escalate-after': {
        type: 'string',
        value: 'duration',
        description: 'add: escalate when firing this long',
      },
      'escalate-repeats': { type: 'string', value: 'n', description: 'add: escalate after n repeats' },
      'escalate-severity': { type: 'string', value: 'level', description: 'add: severity once escalated' },
      'escalate-webhook': { type: 'string', value: 'url', description: 'add: also POST here once escalated' },
      'escalate-command': {
        type: 'string',
        value: 'program',
        description: 'add: also run this once escalated',
      },
      file: {
        type: 'string',
        value: 'path',
        description: 'add: the [[alerts]] rules of a TOML/YAML/JSON file',
      },
      json,
      ai,
    },
    run: async (ctx, input) => (await import('./commands/alerts.js')).runAlerts(ctx, input),
  },
  {
    name: 'config',
    argsUsage: '<reload [file] | show <app> | set <app> key=value…>',
    shortArgsUsage: '<reload|show|set>',
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    summary: 're-read config files, show or change the effective config of an app',
    details: [
      'reload [file]  re-read a config file apps were started from (without one: every linked file and',
      '               $VELOS_HOME/config.toml, as SIGHUP does). The whole file is validated first: an invalid',
      '               file changes nothing (the error names file, key and line). Then new apps start, removed',
      '               apps are deleted, changed apps restart (cluster apps reload), the others keep running.',
      '               Changed apps that error, crash or turn unhealthy within max(min_uptime, 5s) (or [reload]',
      '               grace of config.toml) are rolled back to their previous spec; the command then exits 1.',
      'show <app>     print the effective config of an app as TOML (--json: the resolved spec).',
      'set <app> k=v  change options of an app, validated like a config file (values as in TOML: 3, true,',
      '               5s, 200M, [0, 3]; env.KEY=value sets one variable), applied by a restart. The file is',
      '               not rewritten: the change is kept in the daemon state and applied over the file at reloads.',
      'velos start app.toml --watch-config links the file and makes the daemon reload it on each change.',
      SECRETS,
    ].join('\n'),
    options: { json, ai, 'show-secrets': showSecrets },
    run: async (ctx, input) =>
      (await import('./commands/config.js')).runConfig(
        ctx,
        input.args,
        input.options['show-secrets'] === true,
      ),
  },
  {
    name: 'save',
    aliases: ['dump'],
    minArgs: 0,
    maxArgs: 0,
    summary: 'save the process list, for resurrect',
    details:
      'It is written to $VELOS_HOME/state.json, which the daemon also restores when it starts (at boot).',
    options: {
      force: {
        type: 'boolean',
        short: 'f',
        description: 'PM2 compatibility: accepted, saving is never refused',
      },
      json,
      ai,
    },
    run: async (ctx) => (await import('./commands/state.js')).runSave(ctx),
  },
  {
    name: 'resurrect',
    minArgs: 0,
    maxArgs: 0,
    summary: 'start the processes of the last save',
    options: { json, ai },
    run: async (ctx) => (await import('./commands/state.js')).runResurrect(ctx),
  },
  {
    name: 'ping',
    minArgs: 0,
    maxArgs: 0,
    summary: "show the daemon's version, pid and uptime (starting it if needed)",
    options: { json, ai },
    run: async (ctx) => (await import('./commands/ping.js')).runPing(ctx),
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
    run: async (ctx, input) => (await import('./commands/metrics.js')).runMetrics(ctx, input),
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
    run: async (ctx) => (await import('./commands/health.js')).runHealth(ctx),
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
    run: async (ctx) => (await import('./commands/mcp.js')).runMcp(ctx),
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
    run: async (ctx, input) => (await import('./commands/serve.js')).runServe(ctx, input),
  },
  {
    name: 'kill',
    minArgs: 0,
    maxArgs: 0,
    summary: 'stop every process and the daemon',
    options: { json, ai },
    run: async (ctx) => (await import('./commands/kill.js')).runKill(ctx),
  },
  // PM2 drop-in (#14): the commands PM2 users and their scripts call (see docs/migrating-from-pm2.md)
  {
    name: 'jlist',
    minArgs: 0,
    maxArgs: 0,
    summary: "print every process as JSON in PM2's shape (pm_id, name, pid, monit, pm2_env…), on one line",
    details: [
      'For scripts written for pm2 jlist: the fields PM2 documents (pm2_env.status online, stopped,',
      'errored, launching, stopping, waiting restart; pm_uptime, restart_time, unstable_restarts,',
      'exec_mode fork_mode/cluster_mode, instances, pm_out_log_path, pm_err_log_path, pm_pid_path,',
      "pm_exec_path, pm_cwd, namespace, env, version…), pid 0 when not running; pm2_env.velos adds Velos's",
      'own status, type and last exit reason. velos list --json is the Velos form.',
    ].join('\n'),
    options: { 'show-secrets': showSecrets },
    run: async (ctx, input) =>
      (await import('./commands/jlist.js')).runJlist(ctx, {
        isPretty: false,
        showSecrets: input.options['show-secrets'] === true,
      }),
  },
  {
    name: 'prettylist',
    minArgs: 0,
    maxArgs: 0,
    summary: "print every process as indented JSON in PM2's shape (see velos jlist --help)",
    options: { 'show-secrets': showSecrets },
    run: async (ctx, input) =>
      (await import('./commands/jlist.js')).runJlist(ctx, {
        isPretty: true,
        showSecrets: input.options['show-secrets'] === true,
      }),
  },
  {
    name: 'id',
    argsUsage: '<name>',
    minArgs: 1,
    maxArgs: 1,
    summary: "print the ids of an app's processes, as PM2 does: [ 0, 1 ] ([] for none)",
    options: { json },
    run: async (ctx, input) => (await import('./commands/id.js')).runId(ctx, input.args[0]!),
  },
  {
    name: 'pid',
    argsUsage: '[name|id]',
    minArgs: 0,
    maxArgs: 1,
    summary: 'print the pid of each process of an app (or of every process), one per line; 0 when stopped',
    details: 'As PM2: a name that matches nothing prints nothing and exits 0 (with a line on stderr).',
    options: { json },
    run: async (ctx, input) => (await import('./commands/pid.js')).runPid(ctx, input.args[0]),
  },
  {
    name: 'env',
    argsUsage: '<target>',
    minArgs: 1,
    maxArgs: 1,
    summary: 'print the environment a process runs with, one KEY: value line each',
    details: `The app's env (inherited and its own), then what Velos adds: pm_id, name, VELOS_ID, VELOS_NAME,\nVELOS_INSTANCE, NODE_APP_INSTANCE, VELOS_HOME. A name shows its first process. ${TARGETS}\n${SECRETS}`,
    options: { json, 'show-secrets': showSecrets },
    run: async (ctx, input) =>
      (await import('./commands/env.js')).runEnv(ctx, input.args[0]!, input.options['show-secrets'] === true),
  },
  {
    name: 'signal',
    aliases: ['sendSignal'],
    argsUsage: '<signal> <target...>',
    minArgs: 2,
    maxArgs: Number.POSITIVE_INFINITY,
    summary: 'send a signal (SIGUSR2, HUP, 12…) to the running processes of targets',
    details: [
      "The signal goes to the process itself (not its children), as with PM2's sendSignal; a target with",
      `no running process is an error. ${MANY_TARGETS}`,
    ].join('\n'),
    options: { json, ai },
    run: async (ctx, input) =>
      (await import('./commands/signal.js')).runSignal(ctx, input.args[0]!, input.args.slice(1)),
  },
  {
    name: 'reset',
    argsUsage: '<target...>',
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    summary: 'set the restart counters of processes back to 0 (restarts and unstable restarts)',
    details: MANY_TARGETS,
    options: { json, ai },
    run: async (ctx, input) => (await import('./commands/reset.js')).runReset(ctx, input.args),
  },
  {
    name: 'update',
    minArgs: 0,
    maxArgs: 0,
    summary: 'replace the daemon with one of this velos version; the apps keep running',
    details: [
      'Run it after installing a new velos. The old daemon flushes its log files and is ended without',
      'stopping anything; the new one re-adopts what it ran: services (fork and cluster mode) and job',
      'runs in progress keep running with the same pids. A daemon run by',
      'the systemd unit of velos startup is started again by systemd, which update waits for.',
    ].join('\n'),
    options: { json, ai },
    run: async (ctx) => (await import('./commands/update.js')).runUpdate(ctx),
  },
  {
    name: 'daemon',
    minArgs: 0,
    maxArgs: 0,
    hidden: true,
    summary: 'run the daemon in the foreground (the CLI starts it on demand)',
    details: 'Under systemd (NOTIFY_SOCKET set) it reports READY=1 once it listens, and STOPPING=1.',
    options: {
      foreground: {
        type: 'boolean',
        description: 'also write the daemon log to stderr (for systemd, launchd, containers)',
      },
    },
    run: async (ctx, input) =>
      (await import('./commands/daemon.js')).runDaemon(ctx, {
        foreground: input.options.foreground === true,
      }),
  },
  {
    name: 'export',
    argsUsage: '<systemd|compose|kubernetes> <config>',
    shortArgsUsage: '<target> <config>',
    minArgs: 2,
    maxArgs: 2,
    summary: 'translate a config file into systemd units, a Compose file or Kubernetes manifests',
    details: [
      'No daemon is needed: the config (.toml, .yaml, .json) is read and translated. Without --out the',
      'files are printed (several behind `### <file>` lines); with --out they are written to that dir.',
      'systemd: <app>.service (<app>-<i>.service per instance, grouped by <app>.target), a .timer for a',
      '  job and for cron_restart. compose: compose.yaml. kubernetes: kubernetes.yaml with a Deployment',
      '  per app (a Service when a probe or a whole PORT in its env gives a port), a CronJob per job',
      '  (a Job for a one-shot job).',
      'What the target cannot carry over (watch, the log engine, the inactivity watchdog, log rotation…)',
      "is listed on stderr and in each file's header with what to use instead. An option that changes",
      'what the app does and has no equivalent is an error naming the app and option, unless --lossy.',
      'See docs/beyond-one-machine.md.',
    ].join('\n'),
    options: {
      out: { type: 'string', value: 'dir', description: 'write the files into dir instead of printing them' },
      lossy: {
        type: 'boolean',
        description: 'export what the target cannot express as warnings, not errors',
      },
      image: {
        type: 'string',
        value: 'ref',
        description: 'compose/kubernetes: the image every app runs in; {name} stands for the app name',
      },
      build: {
        type: 'string',
        value: 'dir',
        description: "compose: build every image from dir (default: each app's directory)",
      },
      namespace: { type: 'string', value: 'ns', description: 'kubernetes: the namespace of every object' },
      env: { type: 'string', value: 'profile', description: "merge each app's env_<profile> over its env" },
    },
    run: async (ctx, input) => (await import('./commands/export.js')).runExport(ctx, input),
  },
  {
    name: 'startup',
    argsUsage: '[systemd|launchd]',
    minArgs: 0,
    maxArgs: 1,
    summary: 'install a service that starts the daemon at boot (or print it with --print)',
    details: [
      'The service runs `velos daemon --foreground`, which restores the saved processes (velos save).',
      'systemd: a system unit /etc/systemd/system/<name>.service needs root; without it the command',
      'prints the one line to run as root. --user installs ~/.config/systemd/user/<name>.service.',
      'launchd: ~/Library/LaunchAgents/dev.velos.daemon.plist (macOS). Default: by operating system.',
    ].join('\n'),
    options: {
      print: { type: 'boolean', description: 'write the unit or plist to stdout and change nothing' },
      user: { type: 'boolean', description: 'systemd: a unit of your user manager (systemctl --user)' },
      'service-name': { type: 'string', value: 'name', description: 'systemd: unit name (default velos)' },
      'user-name': {
        type: 'string',
        short: 'u',
        value: 'user',
        description: 'systemd: User= of the system unit (default: you)',
      },
      home: { type: 'string', value: 'dir', description: 'VELOS_HOME of the daemon (default: this one)' },
      hp: {
        type: 'string',
        value: 'dir',
        description: "PM2's --hp: the user's home; the daemon's home is <dir>/.velos",
      },
    },
    run: async (ctx, input) =>
      (await import('./commands/startup.js')).runStartup(ctx, pm2StartupInput(input)),
  },
  {
    name: 'unstartup',
    argsUsage: '[systemd|launchd]',
    minArgs: 0,
    maxArgs: 1,
    summary: 'disable and remove the service velos startup installed',
    options: {
      user: { type: 'boolean', description: 'systemd: the unit of your user manager' },
      'service-name': { type: 'string', value: 'name', description: 'systemd: unit name (default velos)' },
    },
    run: async (ctx, input) => (await import('./commands/startup.js')).runUnstartup(ctx, input),
  },
];

/** PM2's `startup -u <user> --hp <home>`: --hp names the user's home, the daemon's is <home>/.velos. */
function pm2StartupInput(input: CommandInput): CommandInput {
  const hp = input.options.hp;
  if (typeof hp !== 'string' || input.options.home !== undefined) return input;
  const { hp: _hp, ...options } = input.options;
  return { ...input, options: { ...options, home: `${hp.replace(/\/+$/, '')}/.velos` } };
}

/** The command called `name` or one of its aliases. */
export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name || c.aliases?.includes(name));
}
