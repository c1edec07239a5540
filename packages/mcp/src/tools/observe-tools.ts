import {
  type DaemonHealth,
  type Dependency,
  describeTriggered,
  ErrorCodes,
  isoTime,
  matchTarget,
  type ProcessDetail,
  type ProcessInfo,
  type ProcessMetrics,
  suggestKey,
  type VelosControl,
  VelosError,
} from '@velos/core';
import {
  AI_HISTORY_POINTS,
  type AiComponent,
  toAiAlerts,
  toAiComponents,
  toAiEvent,
  toAiHistory,
  toAiMetrics,
  toAiProcess,
  toAiRuns,
} from '@velos/core/ai';
import * as z from 'zod';
import { ANSWER_BYTES_MAX, firstThatFit, fitLists, fitRows, newestThatFit } from '../answer-budget.js';
import { scoreHealth } from '../health-score.js';
import { findGrowingMemory } from '../memory-growths.js';
import {
  defineTool,
  detailField,
  spanOf,
  targetField,
  timeField,
  timeOf,
  withoutEmpty,
} from '../tool-kit.js';

/** What health_check in full says of the processes and components it left out. */
const HEALTH_HINT = 'detail brief (the default) names every process with issues and the apps that are ok';

/** What health_check brief says of the processes, components and apps it left out. */
const HEALTH_BRIEF_HINT = 'process_info with a target (an app or a namespace) gives the others';

/** health_check, metrics_snapshot, metrics_history, events_list, alerts_list, job_runs, job_trigger. */
export const OBSERVE_TOOLS = [
  defineTool({
    name: 'health_check',
    title: 'Check health',
    command: 'health',
    answer: `Combined with every process (status, restarts, probe health, readiness, depends_on waits, memory that grows steadily without max_memory, last job run) into score 0-100 and s status (healthy, degraded, unhealthy). Answer: {score, s, daemon (status, or its components that are not healthy), bad [{n, i, ns namespace when not default, score, issues}], ok [names of the apps none of whose processes is bad], rep: outside components (components.report) that are stale or not healthy [{n, s, stale, a app, m message, iv interval, ago last report}], apart from the score}. detail=full lists every process, daemon component and reported component. Past ${ANSWER_BYTES_MAX / 1024} KB of JSON, the first entries that fit, in this order: brief daemon.bad, bad, rep, ok; full daemon's components, processes, reported components; omitted: how many more, and hint.`,
    input: { detail: detailField },
    run: async ({ detail }, { control }) => {
      const [daemon, processes] = await Promise.all([control.health(), control.list()]);
      const [waits, growths] = await Promise.all([
        dependencyWaits(control, processes),
        findGrowingMemory(control, processes),
      ]);
      const report = scoreHealth(daemon, processes, waits, growths);
      if (detail === 'full') {
        const full = withoutEmpty({ ...report, daemon: { ...daemon, at: undefined } }) as object;
        // the daemon's few components, then the processes by id, then the reported components, as many as fit
        return fitLists(full, [['daemon', 'components'], ['processes'], ['daemon', 'reported']], HEALTH_HINT);
      }
      const unhealthy = daemon.components.filter((c) => c.status !== 'healthy');
      const bad = report.processes.filter((p) => p.issues.length > 0);
      // an app with one bad instance is not ok, also when its other instances are
      const badNames = new Set(bad.map((p) => p.name));
      const ok = report.processes.filter((p) => !badNames.has(p.name));
      const namespaces = new Map(processes.map((p) => [p.id, p.namespace]));
      const nsOf = (id: number) => {
        const ns = namespaces.get(id);
        return ns === undefined || ns === 'default' ? {} : { ns };
      };
      const brief = {
        score: report.score,
        s: report.status,
        daemon:
          unhealthy.length === 0
            ? daemon.status
            : { s: daemon.status, bad: unhealthy.map((c) => ({ n: c.name, s: c.status, r: c.reason })) },
        ...(bad.length === 0
          ? {}
          : {
              bad: bad.map((p) => ({ n: p.name, i: p.id, ...nsOf(p.id), score: p.score, issues: p.issues })),
            }),
        ...(ok.length === 0 ? {} : { ok: [...new Set(ok.map((p) => p.name))] }),
        ...reportedIssues(daemon),
      };
      // the daemon's components at fault, then the bad processes, the bad reported components, the ok apps
      return fitLists(brief, [['daemon', 'bad'], ['bad'], ['rep'], ['ok']], HEALTH_BRIEF_HINT);
    },
  }),
  defineTool({
    name: 'metrics_snapshot',
    title: 'Metrics snapshot',
    command: 'metrics',
    answer: `Answer: d daemon {m memory, u uptime, ps processes by status}, host {c CPU %, mem available/total, load, disk free}, ps per process {i, n, ns namespace when not default, s, c CPU %, m memory, mpk peak, u uptime, r restarts, le log error lines, ll log lines, h probe health}. detail=full gives the whole snapshot. Past ${ANSWER_BYTES_MAX / 1024} KB of JSON, the first processes that fit, omitted: how many more, and hint.`,
    input: {
      target: targetField.optional().describe('Only these processes: a name, an id, a namespace or "all"'),
      detail: detailField,
    },
    run: async ({ target, detail }, { control }) => {
      const snapshot = await control.metrics();
      const processes = pick(snapshot.processes, target);
      if (detail === 'full') return fitProcesses({ ...snapshot, processes }, 'processes');
      return fitProcesses(toAiMetrics(snapshot, processes), 'ps');
    },
  }),
  defineTool({
    name: 'metrics_history',
    title: 'Metrics history',
    command: 'metrics.history',
    // the command's log rate is in REST's answer, not in this one's: no key of it to promise
    description:
      "The target's CPU, memory and restarts over time: the last hour at the sampling resolution, 24 h downsampled.",
    answer: `For a trend (is memory growing?) without calling metrics_snapshot twice. Answer per process: {i, n, ns when not default, from first point, step between points, mem {min, max, last, mb series in MB}, cpu {min, max, last, s series in %}, r restarts in the window}; series oldest first, null where it did not run. Past ${ANSWER_BYTES_MAX / 1024} KB of JSON: {ps: the first processes that fit, omitted: how many more, hint}.`,
    input: {
      target: targetField,
      since: z.string().optional().describe('How far back: 10m, 1h (default), 24h at most'),
      points: z.number().int().min(2).max(120).optional().describe('Points per series (default 12)'),
    },
    run: async ({ target, since = '1h', points = AI_HISTORY_POINTS }, { control }) => {
      const sinceMs = spanOf('since', since, { maxMs: DAY_MS, max: '24h', like: '10m, 1h or 24h' });
      const histories = await control.metricsHistory({ target, sinceMs, points });
      return fitRows(
        histories.map((history) => toAiHistory(history)),
        'fewer points, or a target of one app or namespace for the others',
      );
    },
  }),
  defineTool({
    name: 'events_list',
    title: 'List events',
    command: 'events',
    answer: `Answer: {ev: [{t ISO time, k kind, a app, i id, m message, s severity when not info, f fields}], more: true when older ones were left out (by limit, or by the answer's ${ANSWER_BYTES_MAX / 1024} KB)}.`,
    input: {
      target: targetField
        .optional()
        .describe(
          'A process name, an id, a namespace, "all", or a /regex/ of app names; a deleted app\'s name or id too (TARGET_NOT_FOUND when no process or event has it)',
        ),
      kinds: z
        .array(z.string().min(1))
        .optional()
        .describe(
          'Kinds (process.exited), categories (process, job, log, config, component, alert, daemon, app), names (exited) or restarted, unhealthy, recovered',
        ),
      since: timeField,
      until: timeField,
      limit: z.number().int().min(1).max(1000).optional().describe('The newest N events (default 20)'),
    },
    run: async ({ target, kinds, since, until, limit = 20 }, { control }) => {
      const result = await control.events({
        limit,
        ...(target === undefined ? {} : { target }),
        ...(kinds === undefined ? {} : { kinds }),
        ...(since === undefined ? {} : { since: timeOf('since', since) }),
        ...(until === undefined ? {} : { until: timeOf('until', until) }),
      });
      const { kept, dropped } = newestThatFit(result.events.map((event) => toAiEvent(event, isoTime)));
      return {
        ev: kept,
        ...(result.hasMore || dropped > 0 ? { more: true } : {}),
      };
    },
  }),
  defineTool({
    name: 'alerts_list',
    title: 'List alert rules',
    command: 'alerts',
    answer:
      'Answer: [{n name, w condition, a app, sev severity, st state, t since, f firing keys, d last delivery: "ok (<channel>, <ISO time>)" or "failed: <error> (<channel>, <ISO time>)"}].',
    input: {},
    run: async (_args, { control }) => toAiAlerts(await control.alerts()),
  }),
  defineTool({
    name: 'job_runs',
    title: 'Job run history',
    command: 'runs',
    answer:
      'Answer: newest first [{q run number, n job (unless the target names one job), t start, d duration ms, x exit code or signal, o outcome, tr trigger, forced true for a run triggered although its depends_on was not met}]; a skipped run (o skipped: it fell due and did not start) has no d, and why its reason, k the due times in a row it stands for.',
    input: {
      target: targetField,
      limit: z.number().int().min(1).max(500).optional().describe('At most N runs (default 10)'),
    },
    run: async ({ target, limit = 10 }, { control }) => toAiRuns(await control.runs(target, limit), target),
  }),
  defineTool({
    name: 'job_trigger',
    title: 'Run a job now',
    command: 'trigger',
    answer:
      'Answer: the jobs, compact (see process_list), each with tg what the call did to it ("run 3 started (pid 4242)", "run 2 is still going (pid 4100); not triggered", "run 3 failed to start …"); BUSY when it started no run. Follow the run with job_runs.',
    input: {
      target: targetField,
      force: z
        .boolean()
        .optional()
        .describe(
          'Run a job whose depends_on is stopped, errored or gone all the same, the run marked forced (default: refused)',
        ),
    },
    run: async ({ target, force }, { control }) => {
      const runsBefore = new Map((await control.list()).map((p) => [p.id, p.job?.runs ?? 0]));
      const triggered = await (force === true ? control.trigger(target, { force }) : control.trigger(target));
      // the answer of a job left alone looked like one of a run started: say what was done, as the CLI
      const { jobs, lines, hasStarted } = describeTriggered(triggered, runsBefore);
      if (!hasStarted && jobs.length > 0) throw new VelosError(ErrorCodes.BUSY, lines.join('; '));
      const done = new Map(jobs.map((job) => [job.id, job.what]));
      return triggered.map((p) => ({ ...toAiProcess(p), tg: done.get(p.id) }));
    },
  }),
];

/**
 * The `depends_on` of each process held back by it (`starting` without a pid), by id: the list does
 * not carry specs, so these few are described.
 */
async function dependencyWaits(
  control: VelosControl,
  processes: ProcessInfo[],
): Promise<Map<number, Dependency[]>> {
  const held = processes.filter((p) => p.status === 'starting' && p.pid === null);
  const details = await Promise.all(
    held.map((p) => control.describe(String(p.id)).catch(() => [] as ProcessDetail[])),
  );
  return new Map(details.flat().map((d) => [d.id, d.spec.dependsOn]));
}

/** The reported components that are stale or not healthy, as `velos health --ai` gives them (none: nothing). */
function reportedIssues(daemon: DaemonHealth): { rep?: AiComponent[] } {
  const bad = (daemon.reported ?? []).filter((c) => c.isStale || c.status !== 'healthy');
  return bad.length === 0 ? {} : { rep: toAiComponents(bad, daemon.at) };
}

const DAY_MS = 24 * 3_600_000;
/** The processes a target names, by the daemon's rule (CLI-2: `all`, an id, a name, then a namespace). */
function pick(processes: ProcessMetrics[], target: string | undefined): ProcessMetrics[] {
  if (target === undefined || target === 'all') return processes;
  const found = matchTarget(processes, target, (p) => p);
  if (found.length > 0) return found;
  // worded as the daemon words it for every other tool: with the app or namespace likely meant
  const meant = suggestKey(target, [...new Set(processes.flatMap((p) => [p.name, p.namespace]))]);
  const hint = meant === null ? '' : ` (did you mean '${meant}'?)`;
  throw new VelosError(ErrorCodes.TARGET_NOT_FOUND, `no process matches '${target}'${hint}`, {
    data: meant === null ? { target } : { target, meant },
  });
}

/**
 * A metrics answer whose process list (`key`) is cut to the first processes that fit in the answer's
 * bytes with the rest of it, saying how many it left out and how to ask for them.
 */
function fitProcesses<T extends object>(
  answer: T,
  key: keyof T & string,
): T | (T & { omitted: number; hint: string }) {
  const rows = answer[key] as unknown[];
  const others = Buffer.byteLength(JSON.stringify({ ...answer, [key]: [] }));
  const { kept, dropped } = firstThatFit(rows, ANSWER_BYTES_MAX - others);
  if (dropped === 0) return answer;
  const hint = `the answer holds ${ANSWER_BYTES_MAX / 1024} KB: give a target of one app or namespace for the others`;
  return { ...answer, [key]: kept, omitted: dropped, hint };
}
