import type { EventFieldValue, EventSeverity, VelosEvent } from './events.js';
import { isoTime } from './iso-time.js';
import type { JobRun, LogLine, ProcessInfo, ProcessStatus } from './process-info.js';
import { formatBytes, formatDuration } from './units.js';

// CLI-3: the compact "ai" form shared by `velos … --ai` and the MCP tools (docs/ai-output.md).

/** One process the `--ai` way: short keys, short values, nothing that is empty. */
export interface AiProcess {
  i: number;
  n: string;
  ns?: string;
  s: string;
  p?: number;
  /** CPU percent, only while a process runs (a stopped one has no figure, not 0). */
  c?: number;
  /** Memory, only while a process runs. */
  m?: string;
  u?: string;
  r: number;
  /** Health state (`healthy`, `degraded`, `unhealthy`, `unknown`), only with probes. */
  h?: string;
  /** 0 when a process with probes is not ready. */
  rdy?: 0;
  /** `cluster` for cluster mode (fork is left out). */
  x?: 'cluster';
  /** A job: runs so far, the latest run's outcome, the time of the next run (ISO, as `describe --ai` has it). */
  j?: { n: number; last?: string; next?: string };
  /** 1 when the app has watch mode, whatever its status. */
  w?: 1;
  /** Watch mode's paths that could not be watched, and why (`watchError`). */
  wf?: string;
  /** 1 for a process re-adopted after a daemon restart. */
  ad?: 1;
  /** Held back by its `depends_on`: each dependency not met yet → where it stands (`waitingFor`, as describe's `wait`). */
  wait?: Record<string, string>;
}

/** `velos env --ai`: the process shown (a name shows its first) and every variable it runs with. */
export interface AiEnv {
  i: number;
  n: string;
  env: Record<string, unknown>;
}

/** One run as `runs` gives it: the run and the job it belongs to. */
export type NamedRun = JobRun & { id: number; name: string };

/**
 * One run the `--ai` way: seq, name (only when several jobs), start, duration ms, exit, outcome,
 * trigger; a skipped run has no duration, and says why (`why`) and how many due times in a row (`k`).
 */
export interface AiRun {
  q: number;
  n?: string;
  t: string;
  d?: number;
  x?: number | string;
  o: JobRun['outcome'];
  tr: JobRun['trigger'];
  why?: string;
  k?: number;
  /** A run of `trigger --force`. */
  forced?: true;
}

/** One event the `--ai` way: time, kind, app, id, message, severity (when not info) and fields. */
export interface AiEvent {
  t: string;
  k: string;
  a?: string;
  i?: number;
  m: string;
  s?: Exclude<EventSeverity, 'info'>;
  f?: Record<string, EventFieldValue>;
}

/** One log line the `--ai` way: ISO time, app (when lines of several apps mix), `err` stream, level, message. */
export interface AiLogLine {
  t: string;
  a?: string;
  /** The process id of the instance that wrote the line, where the app runs several and the daemon knows which. */
  i?: number;
  s?: 'err';
  l?: string;
  m: string;
}

const SHORT_STATUS: Record<ProcessStatus, string> = {
  online: 'on',
  stopped: 'stopped',
  errored: 'err',
  starting: 'start',
  stopping: 'stopping',
  'waiting-restart': 'wait',
  scheduled: 'sched',
};

/** The `--ai` status word: on, stopped, err, start, stopping, wait, sched. */
export function shortStatus(status: ProcessStatus): string {
  return SHORT_STATUS[status] ?? status;
}

/** CPU percent rounded to one decimal, as a number (for `--ai`). */
export function roundCpu(cpu: number): number {
  return Math.round(cpu * 10) / 10;
}

/**
 * Whether a process has a running process whose CPU, memory and uptime were measured: the `--ai`
 * forms leave those keys out otherwise (a stopped process has none, which `0` would misstate).
 */
export function hasRunningProcess(p: Pick<ProcessInfo, 'pid' | 'status'>): boolean {
  return p.pid !== null && (p.status === 'online' || p.status === 'starting' || p.status === 'stopping');
}

/**
 * Whether the monitor has sampled a running process yet: no process runs in 0 bytes, so memory 0 is
 * "not measured" (a process just started), and its CPU and memory are left out rather than `0`, `0B`.
 */
export function isSampled(p: Pick<ProcessInfo, 'pid' | 'status' | 'memory'>): boolean {
  return hasRunningProcess(p) && p.memory > 0;
}

/**
 * Whether a process's app has watch mode, whatever its status (its watcher is closed while it is
 * stopped); `watching` stands in for a daemon older than `hasWatch`.
 */
export function hasWatchMode(p: Pick<ProcessInfo, 'hasWatch' | 'watching'>): boolean {
  return p.hasWatch === true || p.watching === true;
}

/** The `--ai` form of one process; keys in the order i, n, ns, s, p, c, m, u, r, then the optional ones. */
export function toAiProcess(p: ProcessInfo): AiProcess {
  return {
    i: p.id,
    n: p.name,
    ...(p.namespace === 'default' ? {} : { ns: p.namespace }),
    s: shortStatus(p.status),
    ...(p.pid === null ? {} : { p: p.pid }),
    ...(isSampled(p) ? { c: roundCpu(p.cpu), m: formatBytes(p.memory) } : {}),
    ...(hasRunningProcess(p) ? { u: formatDuration(p.uptime) } : {}),
    r: p.restarts,
    ...(p.health ? { h: p.health.state } : {}),
    ...(p.health && !p.health.ready ? { rdy: 0 as const } : {}),
    ...(p.execMode === 'cluster' ? { x: 'cluster' as const } : {}),
    ...(p.job ? { j: aiJob(p.job) } : {}),
    ...(hasWatchMode(p) ? { w: 1 as const } : {}),
    ...(p.watchError === undefined ? {} : { wf: p.watchError }),
    ...(p.adopted ? { ad: 1 as const } : {}),
    ...(p.waitingFor?.length ? { wait: Object.fromEntries(p.waitingFor.map((w) => [w.name, w.state])) } : {}),
  };
}

/** The `--ai` form of `velos env`: the process's id and name, and `env` as given (masked by the caller). */
export function toAiEnv(p: Pick<ProcessInfo, 'id' | 'name'>, env: Record<string, unknown>): AiEnv {
  return { i: p.id, n: p.name, env };
}

/** The `--ai` form of job runs (`n` when they are of several jobs, or `target` is not the one job: `all`, a namespace). */
export function toAiRuns(runs: NamedRun[], target?: string): AiRun[] {
  // `all`, a namespace: say whose runs they are, also when one job had them all
  const showName =
    new Set(runs.map((run) => run.name)).size > 1 ||
    (target !== undefined && runs.some((run) => run.name !== target && String(run.id) !== target));
  return runs.map((run) => ({
    q: run.seq,
    ...(showName ? { n: run.name } : {}),
    t: isoTime(run.startedAt),
    ...(run.endedAt === null || run.outcome === 'skipped' ? {} : { d: run.endedAt - run.startedAt }),
    ...(run.exitCode !== null ? { x: run.exitCode } : run.signal !== null ? { x: run.signal } : {}),
    o: run.outcome,
    tr: run.trigger,
    ...(run.reason === undefined ? {} : { why: run.reason }),
    ...(run.outcome === 'skipped' ? { k: run.skips ?? 1 } : {}),
    ...(run.forced ? { forced: true as const } : {}),
  }));
}

/** The `--ai` form of one event, its time written by `formatTime` (the CLI: `isoTime`; MCP: ISO to the second). */
export function toAiEvent(event: VelosEvent, formatTime: (epochMs: number) => string): AiEvent {
  return {
    t: formatTime(event.at),
    k: event.kind,
    ...(event.app === undefined ? {} : { a: event.app }),
    ...(event.id === undefined ? {} : { i: event.id }),
    m: event.message,
    ...(event.severity === 'info' ? {} : { s: event.severity }),
    ...(event.fields && Object.keys(event.fields).length > 0 ? { f: event.fields } : {}),
  };
}

/**
 * Whether compact log lines name their app (`a`): unless the target names one app (its name or a
 * process id), so that the lines of `all`, a namespace or a /regex/ say whose they are, even when one
 * app wrote them all, and every batch of a follow does alike.
 */
export function linesNameApp(target: string | undefined, lines: readonly LogLine[]): boolean {
  if (target === undefined) return true;
  return lines.some((line) => line.name !== target && String(line.id) !== target);
}

/**
 * The `--ai` form of one log line; `withApp` adds the app's name (`a`), and a line whose writer the daemon
 * knows among an app's several processes (`LogLine.isIdKnown`) has its process id (`i`), as `api:3 |` in text.
 */
export function toAiLogLine(line: LogLine, withApp = false): AiLogLine {
  return {
    t: isoTime(line.ts),
    ...(withApp ? { a: line.name } : {}),
    ...(line.isIdKnown ? { i: line.id } : {}),
    ...(line.stream === 'err' ? { s: 'err' as const } : {}),
    ...(line.lvl ? { l: line.lvl } : {}),
    m: line.line,
  };
}

/** The most characters of a log line's message an `--ai` or MCP answer gives (a 100 KB line would cost 25,000 tokens). */
export const AI_MESSAGE_CHARS_MAX = 2000;

/**
 * A message cut at `AI_MESSAGE_CHARS_MAX` characters, never inside a surrogate pair, ending with how
 * many were left out (`… (18009 more characters)`): the cut is said, and `--json` gives the whole line.
 */
export function cutAiMessage(text: string): string {
  if (text.length <= AI_MESSAGE_CHARS_MAX) return text;
  const end = /[\uD800-\uDBFF]/.test(text[AI_MESSAGE_CHARS_MAX - 1]!)
    ? AI_MESSAGE_CHARS_MAX - 1
    : AI_MESSAGE_CHARS_MAX;
  return `${text.slice(0, end)}… (${text.length - end} more characters)`;
}

function aiJob(job: NonNullable<ProcessInfo['job']>): NonNullable<AiProcess['j']> {
  return {
    n: job.runs,
    ...(job.lastRun ? { last: job.lastRun.outcome } : {}),
    ...(job.nextRunAt === null ? {} : { next: isoTime(job.nextRunAt) }),
  };
}
