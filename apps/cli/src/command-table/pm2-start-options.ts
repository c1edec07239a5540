import type { OptionSpec } from '../command-spec.js';

/** PM2's `start` flags that Velos spells otherwise or that only PM2 users type (issue #14). */
export const PM2_START_OPTIONS: Record<string, OptionSpec> = {
  force: {
    type: 'boolean',
    short: 'f',
    description:
      'an app of this name runs already: add these instances to it (same script, args and interpreter)',
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
  'disable-logs': {
    type: 'boolean',
    description: "write the app's output to no file (PM2 disable_logs; velos logs still shows recent lines)",
  },
  pid: { type: 'string', short: 'p', value: 'file', description: 'write the pid of the app to this file' },
  'max-memory-restart': { type: 'string', value: 'size', description: 'PM2 name of --max-memory' },
  user: { type: 'string', short: 'u', value: 'user', description: 'PM2 name of --uid' },
  cron: { type: 'string', short: 'c', value: 'expr', description: 'PM2 name of --cron-restart' },
  'node-args': { type: 'string', value: 'args', description: 'PM2 name of --interpreter-args' },
  'execute-command': { type: 'boolean', short: 'x', description: 'fork mode, even with -i (PM2 -x)' },
  only: {
    type: 'string',
    value: 'names',
    description:
      'with a config file: only these apps, e.g. api,worker, and the apps they depend on (its config reloads keep to them)',
  },
};
