import { hasWatchMode, isSampled, roundCpu, shortStatus } from './ai-output.js';
import { formatSpanMs } from './alert-rule.js';
import { formatMetricNumber, summarizeCustomMetrics } from './custom-metric-view.js';
import { isoTime } from './iso-time.js';
import type { MemoryGrowth } from './memory-growth.js';
import type { ProcessDetail } from './process-info.js';
import { maskSecrets } from './secret-mask.js';
import { formatBytes, formatDuration } from './units.js';

/**
 * The `--ai` form of `velos describe`: short keys, facts only, empty things left out; `growth` (its
 * memory grows steadily without `max_memory`, `findMemoryGrowth`) adds `mg`.
 */
export function toAiDetail(d: ProcessDetail, growth?: MemoryGrowth | null): Record<string, unknown> {
  const isRunning = isSampled(d);
  // no process runs in 0 bytes: a peak of 0 is a process never sampled (a job's short runs), no figure
  const hasPeaks = d.memoryPeak > 0;
  return {
    i: d.id,
    n: d.name,
    ...(d.namespace === 'default' ? {} : { ns: d.namespace }),
    s: shortStatus(d.status),
    ...(d.pid === null ? {} : { p: d.pid }),
    ...(isRunning ? { c: roundCpu(d.cpu) } : {}),
    ...(hasPeaks ? { cpk: roundCpu(d.cpuPeak) } : {}),
    ...(isRunning ? { m: formatBytes(d.memory) } : {}),
    ...(hasPeaks ? { mpk: formatBytes(d.memoryPeak) } : {}),
    ...(d.uptime > 0 ? { u: formatDuration(d.uptime) } : {}),
    r: d.restarts,
    // masked here, so every --ai view of a detail (velos describe, MCP process_describe) hides its args' secrets
    cmd: commandLine({ ...d, command: maskSecrets(d.command) }),
    cwd: d.spec.cwd,
    ...(d.lastExitReason === null
      ? {}
      : {
          exit: { code: d.exitCode, ...(d.signal === null ? {} : { sig: d.signal }), why: d.lastExitReason },
        }),
    out: d.outLogPath,
    ...(d.spec.mergeLogs ? {} : { err: d.errLogPath }),
    lines: { out: d.logLines.out, err: d.logLines.err },
    ...(d.logDropped > 0 ? { dropped: d.logDropped } : {}),
    ...(d.spec.cronRestart === undefined ? {} : { cron: d.spec.cronRestart }),
    ...(d.spec.dependsOn?.length ? { dep: dependencies(d) } : {}),
    // SUP-12: held back by its depends_on: each dependency not met yet, with where it stands
    ...(d.waitingFor?.length ? { wait: Object.fromEntries(d.waitingFor.map((w) => [w.name, w.state])) } : {}),
    ...(d.execMode === 'cluster' ? { x: 'cluster' } : {}),
    ...(d.adopted ? { ad: 1 } : {}),
    ...(hasWatchMode(d) ? { w: 1 } : {}),
    ...(d.watchError === undefined ? {} : { wf: d.watchError }),
    ...(d.health ? { h: aiHealth(d) } : {}),
    ...(d.job ? { j: aiJob(d) } : {}),
    ...(d.custom?.length ? aiCustomMetrics(d) : {}),
    ...(growth ? { mg: aiMemoryGrowth(growth) } : {}),
  };
}

/** The command a process runs, as one shell-like line. */
export function commandLine(d: ProcessDetail): string {
  return [d.command.file, ...d.command.args].map(quote).join(' ');
}

/** `depends_on` as `{name: condition}`. */
function dependencies(d: ProcessDetail): Record<string, string> {
  return Object.fromEntries(d.spec.dependsOn.map((dependency) => [dependency.name, dependency.condition]));
}

function aiHealth(d: ProcessDetail): Record<string, unknown> {
  const health = d.health!;
  const failure = health.lastFailure;
  return {
    s: health.state,
    rdy: health.ready ? 1 : 0,
    ...(failure ? { fail: { p: failure.probe, why: failure.reason, at: isoTime(failure.at) } } : {}),
  };
}

function aiJob(d: ProcessDetail): Record<string, unknown> {
  const job = d.job!;
  const last = job.lastRun;
  const spec = d.spec;
  return {
    ...(spec.schedule === undefined ? {} : { sch: spec.schedule }),
    ...(spec.intervalMs === undefined ? {} : { every: formatSpanMs(spec.intervalMs) }),
    n: job.runs,
    ...(last ? { last: { seq: last.seq, out: last.outcome, code: last.exitCode } } : {}),
    ...(job.nextRunAt === null ? {} : { next: isoTime(job.nextRunAt) }),
  };
}

/** OBS-6: `mx` the first series by name → value (a histogram `{n, sum, p50, p95}`), `mxo` how many more. */
function aiCustomMetrics(d: ProcessDetail): Record<string, unknown> {
  const { shown, more } = summarizeCustomMetrics(d.custom!);
  const round = (n: number) => Number(formatMetricNumber(n));
  const mx = Object.fromEntries(
    shown.map((view) => {
      const h = view.histogram;
      if (!h) return [view.series, round(view.value ?? 0)];
      return [
        view.series,
        {
          n: h.count,
          sum: round(h.sum),
          ...(h.p50 === null ? {} : { p50: round(h.p50) }),
          ...(h.p95 === null ? {} : { p95: round(h.p95) }),
        },
      ];
    }),
  );
  return { mx, ...(more > 0 ? { mxo: more } : {}) };
}

/** `mg`: MB per minute, minutes, and the mean RSS of the first and last spans. */
function aiMemoryGrowth(growth: MemoryGrowth): Record<string, unknown> {
  return {
    mbpm: growth.mbPerMin,
    min: growth.minutes,
    from: formatBytes(growth.fromBytes),
    to: formatBytes(growth.toBytes),
  };
}

function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
