import type { CommandSpec } from '../command-spec.js';
import { ai, json, SECRETS, showSecrets } from './common-options.js';
import {
  APPEND_ENV_TO_NAME_OPTION,
  PM2_IGNORED_START_OPTIONS,
  refusedPm2StartFlagHint,
} from './pm2-ignored-options.js';
import { START_OPTIONS } from './start-options.js';

/** PM2's start flags Velos takes and ignores, for the help text (lines of at most 100 characters). */
const IGNORED_FLAGS = wrapWords(
  `PM2 flags with no Velos equivalent are accepted and ignored, with one warning: ${Object.keys(
    PM2_IGNORED_START_OPTIONS,
  )
    .map((name) => `--${name}`)
    .join(', ')}.`,
  100,
);

/** `velos start`, PM2's startOrRestart, startOrReload and startOrGracefulReload, `import` (a PM2 dump), `watchdog`. */
export const START_COMMANDS: CommandSpec[] = [
  {
    name: 'start',
    argsUsage: '<script|"command line"|config file>',
    completes: ['file-or-target'],
    shortArgsUsage: '<script|config>',
    // none: ./ecosystem.config.js, as `pm2 start` alone, else ./velos.toml (runStart says what is missing when neither is there)
    minArgs: 0,
    maxArgs: 1,
    acceptsRest: true,
    summary: 'start a script, a program, a shell command line, or the apps of a config file',
    details: [
      'A .toml, .yaml, .yml or .json file is a config file: every app in it is started and the app',
      'options below are refused (set them in the file). PM2 process files work as they are:',
      'ecosystem.config.{js,cjs,mjs} (run by this command, never by the daemon), ecosystem.json, process.yml',
      '(PM2 option names, camelCase too; unknown options warn); their apps that run already are restarted.',
      'Without an argument, ./ecosystem.config.js is started, as pm2 start does, else ./velos.toml.',
      'Anything else is one app: an existing file (interpreter by extension), a quoted command line (run',
      'with sh -c), or a program on PATH. PM2 flags: -f, --no-daemon, -l, -p, -x, -u, --only, --cron, --node-args,',
      '--max-memory-restart, --instance-var (see docs/migrating-from-pm2.md).',
      IGNORED_FLAGS,
      'A cwd, script file or interpreter that is not there refuses the start whole (of a file, nothing',
      'starts), naming every such app in one line: 2 apps cannot start: api: script not found: …; worker: ….',
      'all, a name, id, namespace or /regex/ of known processes restarts them (starts stopped ones), as pm2 start does;',
      'one that cannot be spawned (its script or cwd gone) stays errored and the command exits 1 saying why.',
      'Apps inherit the environment of this command. Arguments after -- are passed to the app.',
      'Durations take milliseconds or a unit: 500ms, 5s, 2m, 1h, 30d (at most 365d).',
      '--schedule, --every or --timeout make the app a job: each run is a new process, recorded (see',
      'velos runs); without a schedule or interval it runs once. In a config file, depends_on orders starts;',
      'an app whose dependency failed (stopped, errored, a job run that failed) before the start answered',
      'ends errored, and the command exits 1 naming it, after the table; --wait waits until every app is',
      'up (as docker compose up --wait), so a dependency that fails later fails the command too.',
    ].join('\n'),
    options: START_OPTIONS,
    dashHint: (_args, arg) => refusedPm2StartFlagHint(arg),
    run: async (ctx, input) => (await import('../commands/start.js')).runStart(ctx, input),
  },
  startOrCommand('startOrRestart', 'restart'),
  startOrCommand('startOrReload', 'reload'),
  startOrCommand('startOrGracefulReload', 'reload'),
  {
    name: 'import',
    argsUsage: 'pm2 [dump file]',
    completes: [['pm2'], 'file'],
    minArgs: 1,
    maxArgs: 2,
    summary: 'start the apps of a PM2 dump (pm2 save) in Velos',
    details: [
      'Reads $PM2_HOME/dump.pm2 (default ~/.pm2/dump.pm2) or the given file, starts its apps (the instances',
      'of a cluster app become one app; apps PM2 had stopped stay stopped; names Velos has are skipped) and',
      'prints what each PM2 field became and which PM2 options have no Velos equivalent.',
      'A script, interpreter or working directory that is not there refuses the import whole, naming each',
      'such app; an app that cannot be spawned all the same stays errored: exit 1, naming it.',
      SECRETS,
    ].join('\n'),
    options: {
      'dry-run': { type: 'boolean', description: 'print the mapping as JSON; start nothing' },
      json,
      ai,
      'show-secrets': showSecrets,
    },
    run: async (ctx, input) => (await import('../commands/import-pm2.js')).runImport(ctx, input),
  },
  {
    name: 'watchdog',
    argsUsage: '"<command>" <log file> [timeout] [interval]',
    completes: ['none', 'file', 'none'],
    shortArgsUsage: '<command> <log file> [timeout]',
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
    run: async (ctx, input) => (await import('../commands/watchdog.js')).runWatchdog(ctx, input),
  },
];

/** PM2's startOrRestart, startOrReload and startOrGracefulReload: one spec each, a different verb. */
function startOrCommand(name: string, verb: 'restart' | 'reload'): CommandSpec {
  return {
    name,
    aliases: [name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)],
    argsUsage: '<config file>',
    completes: ['file'],
    minArgs: 1,
    maxArgs: 1,
    summary: `start the apps of a config file that do not run; ${verb} those that do`,
    details:
      verb === 'restart'
        ? 'Running apps are stopped and started again with the spec in the file (PM2 process files included).\nPM2 flags with no Velos equivalent (see velos start --help) are accepted and ignored, with one warning.'
        : "Running apps are reloaded one instance at a time (cluster mode; fork mode restarts) with the file's\nenv (and --env profile) over the environment of this command; their other options stay as started.\nPM2 flags with no Velos equivalent (see velos start --help) are accepted and ignored, with one warning.",
    options: {
      env: {
        type: 'string',
        value: 'profile',
        description: "merge each app's env_<profile> table over its env",
      },
      only: {
        type: 'string',
        value: 'names',
        description: 'only these apps of the file, e.g. api,worker (config reloads of the file keep to them)',
      },
      'update-env': {
        type: 'boolean',
        short: 'a',
        description: "accepted as in PM2: the file's apps always take the environment of this command",
      },
      json,
      ai,
      ...APPEND_ENV_TO_NAME_OPTION,
      // a deploy script's `pm2 startOrRestart file --no-vizion` runs unchanged, as with `start`
      // app flags a deploy script may pass: a PM2 file's apps ignore them (one warning), a Velos file refuses them
      'no-autostart': { ...START_OPTIONS['no-autostart']!, isHidden: true },
      'filter-env': { ...START_OPTIONS['filter-env']!, isHidden: true },
      ...PM2_IGNORED_START_OPTIONS,
    },
    run: async (ctx, input) => (await import('../commands/start.js')).runStartOr(ctx, input, verb),
  };
}

/** `text` in lines of at most `width` characters, broken between words. */
function wrapWords(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return [...lines, line].join('\n');
}
