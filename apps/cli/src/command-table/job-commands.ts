import type { CommandSpec } from '../command-spec.js';
import { ai, json, TARGETS } from './common-options.js';

/** Commands on jobs: runs, trigger. */
export const JOB_COMMANDS: CommandSpec[] = [
  {
    name: 'runs',
    argsUsage: '<job>',
    completes: ['job'],
    minArgs: 1,
    maxArgs: 1,
    summary: 'show the run history of a job: start, duration, exit code, outcome, trigger',
    details: [
      'Newest first. Outcomes: ok (exit 0), failed (other exit or a signal), timeout (stopped after',
      'its --timeout), stopped (ended by velos stop, restart or delete, or velos kill: no failure),',
      'spawn-error, running, interrupted (the daemon died during the run, which was over when the',
      'next daemon started), unknown (the next daemon took the run over and saw it end; its exit code',
      'cannot be known), skipped (it fell due while the previous run was still going or a depends_on',
      'was not met: the note column says why, and how many due times in a row).',
      'Triggers: start, interval, schedule, user (velos trigger).',
      'The history survives daemon restarts (jobs/<name>.jsonl in the home, the last --history runs).',
      TARGETS,
    ].join('\n'),
    options: {
      limit: {
        type: 'string',
        value: 'n',
        description:
          'show at most n runs (default 20); runs of more than 8 MiB are refused, naming the n that fits',
      },
      json,
      ai,
    },
    run: async (ctx, input) =>
      (await import('../commands/runs.js')).runRuns(
        ctx,
        input.args[0]!,
        typeof input.options.limit === 'string' ? input.options.limit : undefined,
      ),
  },
  {
    name: 'trigger',
    argsUsage: '<job...>',
    completes: ['job'],
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    summary: 'run a job now (a job whose run is still going is left alone)',
    details: [
      'Works on a stopped job too: it runs once and stays stopped. The run is recorded with trigger',
      'user; it does not move the next scheduled or interval run. A job still waiting for its',
      'depends_on, or whose dependency is stopped or failed since, is refused, naming it; its wait and',
      'schedule go on (its scheduled runs are skipped while the dependency is down). --force runs a job',
      'whose dependency is down anyway (velos runs shows its trigger as user (forced)); it does not run',
      'one still waiting for its first start, nor beside a run still going. Exits 1 when no job',
      'started a run (each still going, or its spawn failed).',
      TARGETS,
    ].join('\n'),
    options: {
      force: {
        type: 'boolean',
        description: 'run it although a dependency is stopped, errored or gone (the run is marked forced)',
      },
      json,
      ai,
    },
    run: async (ctx, input) =>
      (await import('../commands/trigger.js')).runTrigger(ctx, input.args, input.options.force === true),
  },
];
