import type { CommandSpec } from '../command-spec.js';
import { ai, json, SECRETS, showSecrets } from './common-options.js';

/** Config and saved state: config (reload, show, set, unset), save, resurrect. */
export const CONFIG_COMMANDS: CommandSpec[] = [
  {
    name: 'config',
    argsUsage: '<validate [file] | reload [file] | show <app> | set <app> key=value… | unset <app> key…>',
    completes: {
      validate: ['file'],
      reload: ['file'],
      show: ['app'],
      set: ['app', 'config-key'],
      unset: ['app', 'config-key-name'],
    },
    shortArgsUsage: '<validate|reload|show|set|unset>',
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    summary:
      'validate a config file, re-read config files, show, change or unset the effective config of an app',
    details: [
      'validate [file] check a config file as start and reload would (schema, env files, alerts, depends_on',
      "               cycles, each app's cwd, script, program and interpreter) without a daemon and",
      '               without starting anything; without a file, check $VELOS_HOME/config.toml.',
      '               Prints the apps in start order (past 20, the first 10 and',
      '               a count; --json lists them all); an invalid file exits 1 and prints each problem (up',
      '               to 10) on a line naming the file, key and line. --env <profile> merges env_<profile>',
      '               tables.',
      'reload [file]  re-read a config file apps were started from (without one: every linked file and',
      '               $VELOS_HOME/config.toml, as SIGHUP does; with neither, it says there is nothing to',
      '               reload). The whole file is validated first, with its depends_on against the apps the',
      '               daemon would then hold: an invalid file changes nothing (the error names file, key',
      '               and line). Then removed apps are deleted, new apps start, policy and log keys apply',
      '               in place, a new instances count scales (the instances that stay keep running; a count',
      '               set by velos scale stays until the file changes its own), other changed apps restart',
      '               (cluster apps reload), dependencies first; the others keep running. Apps that',
      '               velos start --only left out stay out. A step that fails undoes the steps before it',
      '               (exit 1). Restarted apps that error, crash or turn unhealthy within max(min_uptime,',
      '               5s) (or [reload] grace of config.toml) are rolled back to their previous spec; the',
      '               command then exits 1.',
      'show <app>     print the effective config of an app as TOML (--json: the resolved spec).',
      'set <app> k=v  change options of an app, validated like a config file (values as in TOML: 3, true,',
      '               5s, 200M, [0, 3]; env.KEY=value sets one variable), applied as a reload applies it (in',
      '               place, by a scale for instances, else by a restart). The file is not rewritten: the',
      '               change is kept in the daemon state and applied over the file at reloads.',
      '               A value the daemon refuses exits 2 (nothing changed); a target of no app or of several, 1.',
      '               cron_restart=0 is no cron restart, as in PM2 (the same as unset). An env value',
      '               holding the **** that show prints for a secret is refused (exit 2): set only',
      '               the variables that change, or the real value (show --show-secrets prints it).',
      'unset <app> k  remove options of an app: each key takes its default again (cron_restart: no cron',
      '               restart; env.KEY removes one variable), applied and kept as set is. name and script',
      '               are required: unsetting one is refused (exit 2).',
      'velos start app.toml --watch-config links the file and makes the daemon reload it on each change;',
      'velos start app.toml --only a,b links those apps only: reloads of the file leave its other apps out.',
      SECRETS,
    ].join('\n'),
    options: {
      env: {
        type: 'string',
        value: 'profile',
        description: "validate: merge each app's env_<profile> table",
      },
      json,
      ai,
      'show-secrets': showSecrets,
    },
    run: async (ctx, input) =>
      (await import('../commands/config.js')).runConfig(
        ctx,
        input.args,
        input.options['show-secrets'] === true,
        typeof input.options.env === 'string' ? input.options.env : undefined,
      ),
  },
  {
    name: 'save',
    aliases: ['dump'],
    minArgs: 0,
    maxArgs: 0,
    summary: 'save the process list, for resurrect',
    details:
      'It is written to $VELOS_HOME/state.json, which the daemon also restores when it starts (at boot).\nWith no process listed it is refused (exit 1, the file kept), as in PM2: a save before\nvelos resurrect would lose the saved list. --force writes the empty list.',
    options: {
      force: {
        type: 'boolean',
        short: 'f',
        description: 'save even with no process listed (writes an empty list)',
      },
      json,
      ai,
    },
    run: async (ctx, input) =>
      (await import('../commands/state.js')).runSave(ctx, input.options.force === true),
  },
  {
    name: 'resurrect',
    minArgs: 0,
    maxArgs: 0,
    summary: 'start the processes of the last save',
    details:
      'Adds the saved apps that are not listed; an app of the same name already listed is left as it is\n(one line names them).',
    options: { json, ai },
    run: async (ctx) => (await import('../commands/state.js')).runResurrect(ctx),
  },
];
