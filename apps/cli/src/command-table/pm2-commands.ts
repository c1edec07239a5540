import type { CommandSpec } from '../command-spec.js';
import { ai, json, MANY_TARGETS, SECRETS, showSecrets, TARGETS_OR_REGEX } from './common-options.js';

/** PM2 drop-in (#14): the commands PM2 users and their scripts call (see docs/migrating-from-pm2.md). */
export const PM2_COMMANDS: CommandSpec[] = [
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
      (await import('../commands/jlist.js')).runJlist(ctx, {
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
      (await import('../commands/jlist.js')).runJlist(ctx, {
        isPretty: true,
        showSecrets: input.options['show-secrets'] === true,
      }),
  },
  {
    name: 'id',
    argsUsage: '<name>',
    completes: ['app'],
    minArgs: 1,
    maxArgs: 1,
    summary: "print the ids of an app's processes, as PM2 does: [ 0, 1 ] ([] for none)",
    options: { json },
    run: async (ctx, input) => (await import('../commands/id.js')).runId(ctx, input.args[0]!),
  },
  {
    name: 'pid',
    argsUsage: '[name|id]',
    completes: ['app'],
    minArgs: 0,
    maxArgs: 1,
    summary: 'print the pid of each process of an app (or of every process), one per line; 0 when stopped',
    details: 'As PM2: a name that matches nothing prints nothing and exits 0 (with a line on stderr).',
    options: { json },
    run: async (ctx, input) => (await import('../commands/pid.js')).runPid(ctx, input.args[0]),
  },
  {
    name: 'env',
    argsUsage: '<target>',
    completes: ['target'],
    minArgs: 1,
    maxArgs: 1,
    summary: 'print the environment a process runs with, one KEY: value line each',
    details: [
      "The app's env (inherited and its own), then what Velos adds: pm_id, name, VELOS_ID, VELOS_NAME,",
      'VELOS_INSTANCE, NODE_APP_INSTANCE, VELOS_HOME. A name (or a /regex/) shows its first process.',
      TARGETS_OR_REGEX,
      '--json prints the variables as one object; --ai prints {"i":<id>,"n":<name>,"env":{…}} on one line.',
      SECRETS,
    ].join('\n'),
    options: { json, ai, 'show-secrets': showSecrets },
    run: async (ctx, input) =>
      (await import('../commands/env.js')).runEnv(
        ctx,
        input.args[0]!,
        input.options['show-secrets'] === true,
      ),
  },
  {
    name: 'signal',
    aliases: ['sendSignal'],
    argsUsage: '<signal> <target...>',
    completes: ['signal', 'target'],
    minArgs: 2,
    maxArgs: Number.POSITIVE_INFINITY,
    summary: 'send a signal (SIGUSR2, HUP, 12…) to the running processes of targets',
    details: [
      "The signal goes to the process itself (not its children), as with PM2's sendSignal; a target with",
      `no running process is an error (exit 1), the other targets still get the signal. ${MANY_TARGETS}`,
    ].join('\n'),
    options: { json, ai },
    run: async (ctx, input) =>
      (await import('../commands/signal.js')).runSignal(ctx, input.args[0]!, input.args.slice(1)),
  },
  {
    name: 'reset',
    argsUsage: '<target...>',
    completes: ['target'],
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    summary: "set the counters of processes back to 0 (restarts, unstable restarts, a job's skipped runs)",
    details: MANY_TARGETS,
    options: { json, ai },
    run: async (ctx, input) => (await import('../commands/reset.js')).runReset(ctx, input.args),
  },
];
