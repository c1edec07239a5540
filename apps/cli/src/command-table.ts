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
      'Durations take milliseconds or a unit: 500ms, 5s, 2m.',
    ].join('\n'),
    options: {
      name: { type: 'string', short: 'n', value: 'name', description: 'app name (default: the script name)' },
      instances: {
        type: 'string',
        short: 'i',
        value: 'n|max',
        description: 'number of instances, max = one per CPU',
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
        description: 'format of the log files (default plain)',
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
        description: 'restart the app on this cron schedule, e.g. "0 3 * * *" (6 fields: seconds first)',
      },
      'max-memory': {
        type: 'string',
        value: 'size',
        description: 'restart the app when its process tree uses more memory, e.g. 200M',
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
      'update-env': { type: 'boolean', description: 'give the processes the environment of this command' },
      json,
      ai,
    },
    run: async (ctx, input) =>
      (await import('./commands/process-action.js')).runProcessAction(ctx, 'restart', input.args, {
        updateEnv: input.options['update-env'] === true,
      }),
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
    details: TARGETS,
    options: { json, ai },
    run: async (ctx, input) => (await import('./commands/describe.js')).runDescribe(ctx, input.args[0]!),
  },
  {
    name: 'logs',
    argsUsage: '[target]',
    minArgs: 0,
    maxArgs: 1,
    summary: 'show recent log lines, and follow new ones with -f',
    details: `Lines are printed as "<name> | line"; on a colour terminal stderr lines have a red prefix.\n${TARGETS} Without one, all processes.`,
    options: {
      lines: { type: 'string', value: 'n', description: 'how many recent lines to show (default 15)' },
      follow: { type: 'boolean', short: 'f', description: 'keep printing new lines until Ctrl-C' },
      err: { type: 'boolean', description: 'only stderr' },
      out: { type: 'boolean', description: 'only stdout' },
      raw: { type: 'boolean', description: 'print the lines only, without the name prefix' },
      json: { type: 'boolean', description: 'print one JSON object per line' },
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
