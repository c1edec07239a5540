import { KEPT_ENV_KEYS } from '@velos/core';
import type { OptionSpec } from '../command-spec.js';
import { ai, json } from './common-options.js';
import { APPEND_ENV_TO_NAME_OPTION, PM2_IGNORED_START_OPTIONS } from './pm2-ignored-options.js';
import { PM2_START_OPTIONS } from './pm2-start-options.js';

/** The options of `velos start`: the app's spec, its logs, jobs and watch, then PM2's start flags (those it ignores too). */
export const START_OPTIONS: Record<string, OptionSpec> = {
  name: {
    type: 'string',
    short: 'n',
    value: 'name',
    description: 'app name: letters and digits of any script, spaces, _ . @ - (default: the script name)',
  },
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
  'instance-var': {
    type: 'string',
    value: 'VAR',
    description:
      'the env variable holding the instance index (default NODE_APP_INSTANCE; VELOS_INSTANCE too)',
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
      'time an instance has to be ready before it is taken as ready anyway (as PM2 does; a reload goes on, unless a readiness probe fails on its new worker); default 8s',
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
    description: 'first delay of exponential restart backoff, used instead of --restart-delay (default off)',
  },
  'kill-timeout': {
    type: 'string',
    short: 'k',
    value: 'ms',
    description: 'SIGKILL this long after the stop signal (default 5s)',
  },
  'kill-signal': {
    type: 'string',
    value: 'SIG',
    description: 'signal that stops the app, e.g. SIGINT for an app that handles only it (default SIGTERM)',
  },
  'stop-exit-codes': {
    type: 'string',
    value: 'codes',
    moreValues: /^\d+$/,
    description: 'exit codes that do not restart, e.g. 0,3 or 0 3',
  },
  'no-autorestart': { type: 'boolean', description: 'do not restart the app when it exits' },
  'filter-env': {
    type: 'string',
    value: 'prefixes',
    takesNextWord: true,
    description:
      "leave out this shell's variables starting with these, e.g. AWS_,SECRET (filter_env); alone: the basics only",
  },
  'no-autostart': {
    type: 'boolean',
    description: 'add the app stopped: velos start <name> starts it (autostart = false)',
  },
  'no-inherit-env': {
    type: 'boolean',
    description: `inherit only ${KEPT_ENV_KEYS.join(', ')}, LC_* from this shell (inherit_env = false)`,
  },
  cwd: { type: 'string', value: 'dir', description: 'working directory of the app (default: here)' },
  uid: {
    type: 'string',
    value: 'user',
    description: 'run the app as this user (name or uid; the daemon must be root)',
  },
  gid: {
    type: 'string',
    value: 'group',
    description: "run the app with this group (name or gid; default the user's group)",
  },
  umask: {
    type: 'string',
    value: 'mask',
    description: "the app's umask, e.g. 022 or 027 (default: the daemon's; fork mode)",
  },
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
    description:
      'restart a service on this cron schedule, e.g. "0 3 * * *"; with --no-autorestart it runs again on each\ntick after it exited (a job: use --schedule)',
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
      'restart once file changes have paused this long (default 500ms; 10 times as long at most); a bare number is seconds, as in PM2 (4 = 4s)',
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
    description: 'job: run now and then every duration with its unit, e.g. 30m (never overlapping)',
  },
  timeout: {
    type: 'string',
    value: 'duration',
    description: 'job: stop a run still going after this long, e.g. 5m (outcome timeout)',
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
  'env-file': {
    type: 'string',
    value: 'file',
    description:
      "a script's variables from a file of KEY=VALUE lines (they win over the shell's; Node reads it too: a missing file stops node)",
  },
  env: {
    type: 'string',
    value: 'profile',
    description: "with a config file: merge each app's env_<profile> table over its env",
  },
  'dry-run': {
    type: 'boolean',
    description:
      'check as a start would (scripts, interpreters, cwds), print the apps as JSON; start nothing',
  },
  wait: {
    type: 'boolean',
    description:
      'wait until every app is up (online, ready if probed, its depends_on met; a job launched); exit 1 if one ended errored',
  },
  'wait-timeout': {
    type: 'string',
    value: 'duration',
    description:
      'with --wait: give up after this long, exit 1 naming what is not up (default 5m; implies --wait)',
  },
  ...PM2_START_OPTIONS,
  ...APPEND_ENV_TO_NAME_OPTION,
  ...PM2_IGNORED_START_OPTIONS,
  'watch-config': {
    type: 'boolean',
    description: 'with a config file: the daemon re-reads it when it changes (see velos config reload)',
  },
  json,
  ai,
};
