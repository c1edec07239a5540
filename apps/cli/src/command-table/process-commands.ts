import type { CommandSpec, OptionSpec } from '../command-spec.js';
import { ai, json, MANY_TARGETS } from './common-options.js';
import { parallelFlagHint } from './pm2-ignored-options.js';

/** PM2's process file as a target of stop/restart/reload/delete (`pm2 reload ecosystem.config.js --env production`). */
const FILE_TARGET_OPTIONS: Record<string, OptionSpec> = {
  env: {
    type: 'string',
    value: 'profile',
    description: "a process file target: merge each app's env_<profile> table over its env",
  },
  only: { type: 'string', value: 'names', description: 'a process file target: only these apps of it' },
};
/** restart's and reload's `--update-env` (`-a`). */
const updateEnv: OptionSpec = {
  type: 'boolean',
  short: 'a',
  description: "give the processes the environment of this command (the app's config env kept over it)",
};
/** PM2's `stop --watch` (`restart --watch` below): the apps' watch mode, as `velos config set` sets it. */
const stopWatch: OptionSpec = {
  type: 'boolean',
  description: "PM2's stop --watch: also turn the apps' watch mode off (config set <app> watch=false)",
};
const restartWatch: OptionSpec = {
  type: 'boolean',
  description:
    "PM2's restart --watch: toggle the apps' watch mode (on where off, off where on), then restart",
};
/** PM2's global `-f/--force` (`pm2 delete all --force` in deploy scripts): taken, nothing to force in Velos. */
const pm2Force: OptionSpec = {
  type: 'boolean',
  short: 'f',
  description: "PM2's -f/--force: accepted, changes nothing (Velos asks no confirmation)",
};
/** A target may also be a process file (PM2's form), standing for its apps. */
const FILE_TARGETS =
  'A process file (ecosystem.config.js, .json, .yaml, .toml) stands for its apps: restart and reload\nstart those that do not run, as startOrRestart and startOrReload do (--env, --only).';

/** restart and reload: an app that cannot be spawned fails the command, as start does. */
const SPAWN_FAILS =
  'An app that cannot be spawned (its script or cwd gone) stays errored; the command says why, after\nthe list, and exits 1.';

/** How stop and delete order what their targets select (SUP-12). */
const IN_WAVES =
  'The apps the targets select stop together, an app after those that depend on it (depends_on).';

/** How restart orders the stopped apps its targets select (SUP-12). */
const DEPENDENCIES_FIRST =
  'The stopped apps the targets select start as a start does, each after the apps it depends on.';

/** Commands that act on processes: stop, restart, reload, scale, delete. */
export const PROCESS_COMMANDS: CommandSpec[] = [
  {
    name: 'stop',
    argsUsage: '<target...>',
    completes: ['target'],
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    summary: 'stop processes (SIGTERM, then SIGKILL after the kill timeout)',
    details: `${MANY_TARGETS}\n${IN_WAVES}\n${FILE_TARGETS}`,
    options: { ...FILE_TARGET_OPTIONS, watch: stopWatch, force: pm2Force, json, ai },
    run: async (ctx, input) =>
      (await import('../commands/process-action.js')).runProcessAction(ctx, 'stop', input.args, { input }),
  },
  {
    name: 'restart',
    argsUsage: '<target...>',
    completes: ['target'],
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    summary: 'restart processes (starts stopped ones)',
    details: `${MANY_TARGETS}\n${DEPENDENCIES_FIRST}\n${FILE_TARGETS}\n${SPAWN_FAILS}`,
    options: {
      ...FILE_TARGET_OPTIONS,
      'update-env': updateEnv,
      watch: restartWatch,
      force: pm2Force,
      json,
      ai,
    },
    dashHint: (_args, arg) => parallelFlagHint(arg),
    run: async (ctx, input) =>
      (await import('../commands/process-action.js')).runProcessAction(ctx, 'restart', input.args, {
        updateEnv: input.options['update-env'] === true,
        input,
      }),
  },
  {
    name: 'reload',
    aliases: ['gracefulReload'],
    argsUsage: '<target...>',
    completes: ['target'],
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    summary: 'replace processes one at a time without downtime (cluster mode; fork mode restarts)',
    details: [
      'Cluster instances are replaced one by one: a new worker starts beside the old one; once it listens',
      "(or, with --wait-ready, calls process.send('ready')), or listen_timeout passed (as PM2), the old worker",
      'stops accepting connections, finishes its requests and is stopped. A new worker that exits first',
      'is stopped, the old one keeps serving and the reload fails; so is one that the readiness probe,',
      'checked on the new worker alone, does not find ready within listen_timeout. Fork-mode processes',
      `are restarted, one at a time. ${MANY_TARGETS}`,
      FILE_TARGETS,
      SPAWN_FAILS,
    ].join('\n'),
    options: { ...FILE_TARGET_OPTIONS, 'update-env': updateEnv, force: pm2Force, json, ai },
    dashHint: (_args, arg) => parallelFlagHint(arg),
    run: async (ctx, input) =>
      (await import('../commands/reload.js')).runReload(ctx, input.args, {
        updateEnv: input.options['update-env'] === true,
        input,
      }),
  },
  {
    name: 'scale',
    argsUsage: '<app> <n|+n|-n>',
    completes: ['app', 'none'],
    minArgs: 2,
    maxArgs: 2,
    summary: 'set the number of instances of an app, or add (+n) or remove (-n) some',
    details: [
      'New instances get new ids and start if the app runs; removed ones (the highest instances) are',
      'stopped gracefully and deleted while the others keep serving. Works in fork and cluster mode.',
      'velos save keeps the new count, and so do reloads of the config file the app was started from',
      "until the file's own instances value changes (then it applies, by a scale). <app> is one app: a",
      "name, a process id or a /regex/ of one app's name; all, a namespace or a regex that selects several",
      'apps is refused (exit 1). A count that leads outside 1 to 1024 instances (0, or -5 on an app of',
      'one) is a usage error (exit 2).',
    ].join('\n'),
    options: { json, ai },
    run: async (ctx, input) =>
      (await import('../commands/scale.js')).runScale(ctx, input.args[0]!, input.args[1]!),
  },
  {
    name: 'delete',
    aliases: ['del', 'rm'],
    argsUsage: '<target...>',
    completes: ['target'],
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    summary: 'stop processes and remove them from the list',
    details: `${MANY_TARGETS}\n${IN_WAVES}\n${FILE_TARGETS}`,
    options: { ...FILE_TARGET_OPTIONS, force: pm2Force, json, ai },
    run: async (ctx, input) =>
      (await import('../commands/process-action.js')).runProcessAction(ctx, 'delete', input.args, { input }),
  },
];
