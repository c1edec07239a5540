import type { CommandSpec, OptionSpec } from './command-spec.js';

const json: OptionSpec = { type: 'boolean', description: 'print full JSON' };
const ai: OptionSpec = { type: 'boolean', description: 'print compact JSON with short keys, for AI agents' };
const TARGETS = 'A target is a process name, an id, a namespace, or "all".';

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
      'options below are refused (set them in the file). Anything else is one app: an existing file',
      '(interpreter by extension), a quoted command line (run with sh -c), or a program on PATH.',
      'A name or id of a known process starts that process again if it is stopped or errored.',
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
        description: 'run n instances in cluster mode (max or -1 = one per CPU); non-Node programs fork',
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
        description: "reload: a new instance is ready when it calls process.send('ready'), not on listen",
      },
      'listen-timeout': {
        type: 'string',
        value: 'ms',
        description: 'reload: time a new instance has to be ready before the reload fails (default 8s)',
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
        value: 'ms',
        description: 'SIGKILL this long after the stop signal (default 5s)',
      },
      'stop-exit-codes': {
        type: 'string',
        value: 'codes',
        description: 'exit codes that do not restart, e.g. 0,3',
      },
      'no-autorestart': { type: 'boolean', description: 'do not restart the app when it exits' },
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
      'merge-logs': { type: 'boolean', description: 'write stdout and stderr into one log file' },
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
        isValueOptional: true,
        description: 'restart on file changes in the app dir, or in these paths (--watch=src,lib)',
      },
      'ignore-watch': {
        type: 'string',
        value: 'globs',
        description:
          'ignore changes matching these globs, e.g. "dist,*.tmp" (no slash: at any depth; replaces the defaults)',
      },
      'watch-delay': {
        type: 'string',
        value: 'ms',
        description: 'gather file changes this long before one restart (default 500ms)',
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
      json,
      ai,
    },
    run: async (ctx, input) => (await import('./commands/start.js')).runStart(ctx, input),
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
    details: TARGETS,
    options: { json, ai },
    run: async (ctx, input) =>
      (await import('./commands/process-action.js')).runProcessAction(ctx, 'stop', input.args),
  },
  {
    name: 'restart',
    argsUsage: '<target...>',
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    summary: 'restart processes (starts stopped ones)',
    details: TARGETS,
    options: {
      'update-env': {
        type: 'boolean',
        description: "give the processes the environment of this command (the app's config env kept over it)",
      },
      json,
      ai,
    },
    run: async (ctx, input) =>
      (await import('./commands/process-action.js')).runProcessAction(ctx, 'restart', input.args, {
        updateEnv: input.options['update-env'] === true,
      }),
  },
  {
    name: 'reload',
    argsUsage: '<target...>',
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    summary: 'replace processes one at a time without downtime (cluster mode; fork mode restarts)',
    details: [
      'Cluster instances are replaced one by one: a new worker starts beside the old one; once it listens',
      "(or, with --wait-ready, calls process.send('ready')) within listen_timeout, the old worker stops",
      'accepting connections, finishes its requests and is stopped. A new worker that is not ready in time',
      'is stopped, the old one keeps serving and the reload fails. Fork-mode processes are restarted, one',
      `at a time. ${TARGETS}`,
    ].join('\n'),
    options: {
      'update-env': {
        type: 'boolean',
        description: "give the processes the environment of this command (the app's config env kept over it)",
      },
      json,
      ai,
    },
    run: async (ctx, input) =>
      (await import('./commands/reload.js')).runReload(ctx, input.args, {
        updateEnv: input.options['update-env'] === true,
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
    details: TARGETS,
    options: { json, ai },
    run: async (ctx, input) =>
      (await import('./commands/process-action.js')).runProcessAction(ctx, 'delete', input.args),
  },
  {
    name: 'list',
    aliases: ['ls'],
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
    name: 'describe',
    aliases: ['show'],
    argsUsage: '<target>',
    minArgs: 1,
    maxArgs: 1,
    summary: 'show everything about a process: spec, command, logs, peaks, last exit',
    details: `${TARGETS}\nWith probes: health, ready, last failure and each probe; a job: its runs.`,
    options: { json, ai },
    run: async (ctx, input) => (await import('./commands/describe.js')).runDescribe(ctx, input.args[0]!),
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
    name: 'flush',
    argsUsage: '[target]',
    minArgs: 0,
    maxArgs: 1,
    summary: 'empty the log files (of all processes by default)',
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
      'its --timeout), spawn-error, running. Triggers: start, interval, schedule, user (velos trigger).',
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
    name: 'save',
    minArgs: 0,
    maxArgs: 0,
    summary: 'save the process list, for resurrect',
    options: { json, ai },
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
    name: 'kill',
    minArgs: 0,
    maxArgs: 0,
    summary: 'stop every process and the daemon',
    options: { json, ai },
    run: async (ctx) => (await import('./commands/kill.js')).runKill(ctx),
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
        value: 'user',
        description: 'systemd: User= of the system unit (default: you)',
      },
      home: { type: 'string', value: 'dir', description: 'VELOS_HOME of the daemon (default: this one)' },
    },
    run: async (ctx, input) => (await import('./commands/startup.js')).runStartup(ctx, input),
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

/** The command called `name` or one of its aliases. */
export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name || c.aliases?.includes(name));
}
