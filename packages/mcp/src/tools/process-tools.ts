import {
  type EnvOptions,
  ErrorCodes,
  findOwnEnvOverride,
  isVelosError,
  type ProcessInfo,
  startWithFileAlerts,
  TARGET_MAX_CHARS,
  type VelosControl,
  VelosError,
} from '@velos/core';
import { toAiDetail, toAiProcess } from '@velos/core/ai';
import * as z from 'zod';
import { ANSWER_BYTES_MAX, fitRows } from '../answer-budget.js';
import { findGrowingMemory } from '../memory-growths.js';
import { type SettleSpec, settleStart } from '../start-outcome.js';
import { definedEnv, planStart } from '../start-request.js';
import {
  defineTool,
  detailField,
  invalidArgument,
  type ToolContext,
  targetField,
  withoutEmpty,
} from '../tool-kit.js';

/** Keys of a compact process (docs/ai-output.md). */
export const PROCESS_KEYS =
  'Keys: i id, n name, ns namespace (when not default), s status (on, stopped, err, start, stopping, wait = waiting to restart, sched = job between runs), p pid, c CPU %, m memory, u uptime (c, m, u only while it runs and once measured), r restarts, h probe health, rdy 0 when not ready, x cluster, j job {n runs, last, next}, w 1 with watch mode, wf its watched paths that could not be watched and why, ad 1 when re-adopted, wait {dependency: where it stands} while held by its depends_on.';

// a name with = or NUL, or a value with NUL, cannot reach the app's environment as given
const envField = z
  .record(z.string(), z.string().regex(/^[^\0]*$/, 'expected a value without NUL characters'))
  .superRefine((env, ctx) => {
    for (const key of Object.keys(env)) {
      if (/^[^=\0]+$/.test(key)) continue;
      const message = `expected a variable name (not empty, without = or NUL), got ${JSON.stringify(key)}`;
      ctx.addIssue({ code: 'custom', path: [key], message });
    }
  })
  .optional()
  .describe('Environment variables for the app, over the environment it inherits');

const compact = (processes: ProcessInfo[]) => processes.map((p) => toAiProcess(p));

/** What an answer of processes past its byte bound is (`fitRows`), as the descriptions say it. */
const CUT = `Past ${ANSWER_BYTES_MAX / 1024} KB of JSON: {ps: the first processes that fit, omitted: how many more, hint}.`;
/** `hint` of an action's answer cut at its bytes: the action was done to all the processes. */
const ACTED_HINT = 'every process was acted on; process_list gives the rows left out';

const updateEnvField = envField.describe(
  "Variables over this server's environment, which the apps then inherit anew (velos restart --update-env from its shell); a variable of the app's own env (process_start's env, a config file's) is changed with config_set env.KEY instead",
);

/**
 * The env options of a restart or reload given `env`: this server's environment with `env` over it
 * replaces what the apps inherited, as `velos restart --update-env` sends its shell's (the variables
 * alone left the apps without PATH or HOME). A variable an app's own env sets would keep its value,
 * so it is refused first, naming config_set.
 */
async function updateEnvOf(
  target: string,
  env: Record<string, string> | undefined,
  ctx: ToolContext,
): Promise<EnvOptions | undefined> {
  if (env === undefined) return undefined;
  const override = await findOwnEnvOverride(ctx.control, target, env);
  if (override !== null) {
    const { name, key } = override;
    throw invalidArgument(
      `env.${key}: ${name} sets it in its own env, which wins over a restart's: change it with config_set {"env.${key}": ${JSON.stringify(env[key])}}`,
    );
  }
  return { env: { ...definedEnv(ctx.env), ...env } };
}

/** The specs of the apps `target` names (their `min_uptime`, `depends_on`, `wait_ready`); none when describe fails. */
async function specsOf(control: VelosControl, target: string): Promise<SettleSpec[]> {
  const details = await control.describe(target).catch(() => []);
  return [...new Map(details.map((d) => [d.spec.name, d.spec])).values()];
}

/** process_list, process_start, process_stop, process_restart, process_reload, process_scale, process_delete, process_info. */
export const PROCESS_TOOLS = [
  defineTool({
    name: 'process_list',
    title: 'List processes',
    command: 'list',
    answer: `Answer: one compact object per process. ${PROCESS_KEYS} detail=full gives every field. ${CUT}`,
    input: { detail: detailField },
    run: async ({ detail }, { control }) => {
      const processes = await control.list();
      const rows = detail === 'full' ? (withoutEmpty(processes) as unknown[]) : compact(processes);
      return fitRows(rows, 'process_info with a target (an app or a namespace) gives the others');
    },
  }),
  defineTool({
    name: 'process_start',
    title: 'Start processes',
    command: 'start',
    answer: `Give a script (a file, a program on PATH or a quoted command line) with name, namespace, instances, env, args and cwd, or a config file (velos.toml, .yaml, .json) whose apps all start; replace=true applies an edited file to its apps that run. Answer: the started processes, compact, once each ran its min_uptime (3 s at most) or exited: one that exited has exit {code, sig, why} and, when it failed, tail (5 lines of its err log: the last, or from its last error message when that is further up, as Node writes one). ${CUT}`,
    input: {
      script: z
        .string()
        .min(1)
        .optional()
        .describe('A script path (relative to cwd), a program on PATH, or a command line run with sh -c'),
      config: z
        .string()
        .min(1)
        .optional()
        .describe('A config file (.toml, .yaml, .yml, .json) whose apps start; instead of script'),
      name: z.string().min(1).optional().describe('App name (default: from the script)'),
      namespace: z
        .string()
        .min(1)
        .optional()
        .describe('Namespace of the app, a target for all its apps (default: default)'),
      instances: z
        .union([z.number().int().min(1).max(1024), z.literal('max')])
        .optional()
        .describe('Instances in cluster mode, or "max" for one per CPU (default 1)'),
      env: envField,
      args: z.array(z.string()).optional().describe('Arguments passed to the script'),
      cwd: z.string().optional().describe('Working directory of the app and base of relative paths'),
      replace: z
        .boolean()
        .optional()
        .describe('An app of the same name that runs is restarted with the new spec (default: refused)'),
    },
    run: async ({ replace, ...request }, ctx) => {
      const plan = await planStart(request, ctx);
      const startThem = () =>
        ctx.control.start(plan.specs, replace ? { replace } : {}).catch((error) => {
          throw isVelosError(error) && error.code === ErrorCodes.NAME_IN_USE
            ? new VelosError(
                error.code,
                `${error.message}; or call again with replace: true to restart it with this spec`,
                { data: error.data },
              )
            : error;
        });
      // OBS-3: a file's rules are in before its apps start (an exit in their first ms is seen); a refused
      // start puts the file's earlier rules back, and a rule name clash starts nothing
      const started =
        plan.configFile === undefined
          ? await startThem()
          : await startWithFileAlerts(ctx.control, plan.configFile, plan.alerts ?? [], startThem);
      return fitRows(await settleStart(ctx.control, plan.specs, started), ACTED_HINT);
    },
  }),
  defineTool({
    name: 'process_stop',
    title: 'Stop processes',
    command: 'stop',
    answer: `Answer: the stopped processes, compact. ${CUT}`,
    input: { target: targetField },
    run: async ({ target }, { control }) => fitRows(compact(await control.stop(target)), ACTED_HINT),
  }),
  defineTool({
    name: 'process_restart',
    title: 'Restart processes',
    command: 'restart',
    answer: `Answer: the restarted processes, compact (new pid, restarts), once each ran its min_uptime (3 s at most) or exited, as process_start: one that exited has exit {code, sig, why} and, when it failed, tail (5 lines of its err log: the last, or from its last error message when that is further up, as Node writes one). ${CUT}`,
    input: { target: targetField, env: updateEnvField },
    run: async ({ target, env }, ctx) => {
      const { control } = ctx;
      const restarted = await control.restart(target, await updateEnvOf(target, env, ctx));
      // an app that crashes at once again (the fix did not take) is told, not answered `on`
      return fitRows(await settleStart(control, await specsOf(control, target), restarted), ACTED_HINT);
    },
  }),
  defineTool({
    name: 'process_reload',
    title: 'Reload processes (zero downtime)',
    command: 'reload',
    answer: `Answer: the reloaded processes, compact, once each ran its min_uptime (3 s at most) or exited, as process_restart: one that exited has exit {code, sig, why} and, when it failed, tail (5 lines of its err log: the last, or from its last error message when that is further up, as Node writes one). ${CUT}`,
    input: { target: targetField, env: updateEnvField },
    run: async ({ target, env }, ctx) => {
      const { control } = ctx;
      const reloaded = await control.reload(target, await updateEnvOf(target, env, ctx));
      return fitRows(await settleStart(control, await specsOf(control, target), reloaded), ACTED_HINT);
    },
  }),
  defineTool({
    name: 'process_scale',
    title: 'Scale an app',
    command: 'scale',
    answer: `Answer: the app's processes after scaling, compact, once each it added ran its min_uptime (3 s at most) or exited, as process_start: one that exited has exit {code, sig, why} and, when it failed, tail (5 lines of its err log: the last, or from its last error message when that is further up, as Node writes one). ${CUT}`,
    input: {
      name: z.string().min(1).max(TARGET_MAX_CHARS).describe('The app name'),
      instances: z
        .union([
          z.int().min(1).max(1024),
          z.string().regex(/^[+-]?\d+$/, 'expected a whole number N (1 to 1024), +N or -N'),
        ])
        .describe('The instance count N (a number or "N"), or "+N" / "-N" to add or remove instances'),
    },
    run: async ({ name, instances }, { control }) => {
      // an added instance that crashes at once (a fork app's fixed port taken by the first) is told, not answered on
      const scaled = await control.scale(name, String(instances));
      return fitRows(await settleStart(control, await specsOf(control, name), scaled), ACTED_HINT);
    },
  }),
  defineTool({
    name: 'process_delete',
    title: 'Delete processes',
    command: 'delete',
    answer: `Answer: the deleted processes, compact; a saved app that was never restored (velos resurrect or the daemon's start skipped it: no process ran) is dropped from the saved state and answered {i, n, s: "dropped"}, one per id it had. ${CUT}`,
    input: { target: targetField },
    run: async ({ target }, { control }) => {
      const { processes, forgotten = [] } = await control.deleteResult(target);
      // a dropped app has no process to answer: without a row the call read as deleting nothing
      const dropped = forgotten.flatMap((app) => app.ids.map((i) => ({ i, n: app.name, s: 'dropped' })));
      return fitRows([...compact(processes), ...dropped], ACTED_HINT);
    },
  }),
  defineTool({
    name: 'process_info',
    title: 'Describe processes',
    command: 'describe',
    answer: `Answer: one compact object per process. ${PROCESS_KEYS} Also cpk/mpk CPU and memory peaks, cmd, cwd, exit {code, sig, why} of the last run, out/err log paths, lines {out, err}, dep depends_on {name: condition}, h {s, rdy, fail}, j job, mx custom metrics, mg {mbpm MB/min, min minutes, from, to} when memory grew steadily for 10 min without max_memory. detail=full gives the whole spec. ${CUT}`,
    input: { target: targetField, detail: detailField },
    run: async ({ target, detail }, { control }) => {
      const details = await control.describe(target);
      const narrower = 'give a target of one app or namespace for the others';
      if (detail === 'full')
        return fitRows(withoutEmpty(details) as unknown[], `${narrower}, or detail brief`);
      // a process with max_memory is restarted at its limit: its growth is no warning
      const unbounded = details.filter((d) => d.spec.maxMemoryBytes === undefined);
      const growths = await findGrowingMemory(control, unbounded, target);
      return fitRows(
        details.map((d) => toAiDetail(d, growths.get(d.id))),
        narrower,
      );
    },
  }),
];
