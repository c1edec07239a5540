import type { ProcessInfo, VelosEvent } from '@velos/core';

/** The colour family a state is drawn in; the word beside it always says the same in text. */
export type Tone = 'ok' | 'warn' | 'bad' | 'idle' | 'info';

/** What one process is doing, as a word and a tone. */
export interface StatusLabel {
  word: string;
  tone: Tone;
}

const TONE_RANK: Record<Tone, number> = { ok: 0, idle: 1, info: 2, warn: 3, bad: 4 };

/**
 * Restarts within this window that make a loop: of a process's own doing (a crash loop) or its primary's;
 * the row's `recentRestarts` (the daemon's count over the same 5 minutes) or the events the page holds.
 */
const LOOP_RESTARTS = 3;
const LOOP_WINDOW_MS = 5 * 60_000;
/** Unstable restarts in a row (runs shorter than `min_uptime`) that make a loop without the events. */
const LOOP_UNSTABLE_RESTARTS = 2;

/**
 * Restart reasons that were asked for or planned (the supervisor's `RestartReason`s other than its
 * own decisions): a user's restart or reload (`velos restart`/`reload`, the dashboard), a file change
 * under `watch`, a `cron_restart` tick. A crash, an exit, the memory limit, inactivity or a failing
 * liveness probe are the process's own doing and count. `primary-exit` (a cluster worker ended by its
 * primary's exit) is neither: the primary failed, not the process; those restarts make a primary loop.
 * Core's `isRequestedRestart` (not importable in the browser bundle); a test keeps the two in step.
 */
const ASKED_RESTARTS: ReadonlySet<unknown> = new Set(['user', 'reload', 'watch', 'cron']);

/**
 * The processes in a restart loop now: of their own doing (`crash`), or ended again and again with
 * their cluster primary (`primary`: the primary keeps exiting, not the workers crashing).
 */
export interface RestartLoops {
  crash: ReadonlySet<number>;
  primary: ReadonlySet<number>;
}

/**
 * The ids of the processes that restarted LOOP_RESTARTS times or more in the last five minutes: on
 * their own (`crash`), or with their cluster primary's exit (`primary`).
 */
export function restartLoops(events: VelosEvent[], now = Date.now()): RestartLoops {
  const own = new Map<number, number>();
  const primary = new Map<number, number>();
  for (const e of events) {
    if (e.kind !== 'process.restarting' || e.id === undefined || now - e.at > LOOP_WINDOW_MS) continue;
    const reason = e.fields?.reason;
    if (ASKED_RESTARTS.has(reason)) continue;
    const counts = reason === 'primary-exit' ? primary : own;
    counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
  }
  return { crash: atLeastLoop(own), primary: atLeastLoop(primary) };
}

/**
 * The label of one process: its status, sharpened by probe health and restart loops (its row's
 * `recentRestarts`, or `restartLoops` of the page's events for a daemon that does not send them).
 */
export function processLabel(p: ProcessInfo, loops?: RestartLoops): StatusLabel {
  // runs cut short in a row: the last one by the primary's exit says whose loop it is
  const isUnstable = p.unstableRestarts >= LOOP_UNSTABLE_RESTARTS;
  const isPrimaryExit = p.lastExitReason === 'primary-exit';
  // the daemon's count of the row (recentRestarts) holds however many other events the page missed
  const recent = p.recentRestarts;
  const isCrashLoop =
    (isUnstable && !isPrimaryExit) ||
    (recent?.own ?? 0) >= LOOP_RESTARTS ||
    (loops?.crash.has(p.id) ?? false);
  const isPrimaryLoop =
    !isCrashLoop &&
    ((isUnstable && isPrimaryExit) ||
      (recent?.primary ?? 0) >= LOOP_RESTARTS ||
      (loops?.primary.has(p.id) ?? false));
  const loop: StatusLabel | null = isCrashLoop
    ? { word: 'crash loop', tone: 'warn' }
    : isPrimaryLoop
      ? { word: 'primary exiting', tone: 'warn' }
      : null;
  switch (p.status) {
    case 'errored':
      return { word: 'errored', tone: 'bad' };
    case 'stopped':
      return { word: 'stopped', tone: 'idle' };
    case 'stopping':
      return { word: 'stopping', tone: 'idle' };
    case 'scheduled':
      return { word: 'scheduled', tone: 'info' };
    case 'waiting-restart':
      return loop ?? { word: 'restarting', tone: 'warn' };
    case 'starting':
      return loop ?? { word: 'starting', tone: 'info' };
    default:
      if (p.health?.state === 'unhealthy') return { word: 'unhealthy', tone: 'bad' };
      if (loop) return loop;
      if (p.health?.state === 'degraded') return { word: 'degraded', tone: 'warn' };
      return { word: 'online', tone: 'ok' };
  }
}

/** The label of an app from its instances: the worst one, or `2/3 online` when they differ. */
export function appLabel(instances: ProcessInfo[], loops?: RestartLoops): StatusLabel {
  const labels = instances.map((p) => processLabel(p, loops));
  let worst = labels[0] ?? { word: 'unknown', tone: 'idle' as Tone };
  for (const label of labels) if (TONE_RANK[label.tone] > TONE_RANK[worst.tone]) worst = label;
  const online = labels.filter((l) => l.word === 'online').length;
  if (labels.length > 1 && online > 0 && online < labels.length) {
    return { word: `${online}/${labels.length} online`, tone: worst.tone };
  }
  return worst;
}

/** Where the summary counts an app: online, degraded, errored, stopped, or scheduled (a job between runs). */
export type SummaryBucket = 'online' | 'degraded' | 'errored' | 'stopped' | 'scheduled';

/** The bucket of an app's label: its tone, but a job waiting for its next run is not online. */
export function summaryBucket(label: StatusLabel): SummaryBucket {
  if (label.word === 'scheduled') return 'scheduled';
  if (label.tone === 'bad') return 'errored';
  if (label.tone === 'warn') return 'degraded';
  if (label.tone === 'idle') return 'stopped';
  return 'online';
}

/** The health column's text: the probe state, or a dash without probes. */
export function healthLabel(p: ProcessInfo): StatusLabel {
  const state = p.health?.state;
  if (!state) return { word: '–', tone: 'idle' };
  if (state === 'healthy')
    return { word: p.health?.ready ? 'healthy' : 'not ready', tone: p.health?.ready ? 'ok' : 'warn' };
  if (state === 'degraded') return { word: 'degraded', tone: 'warn' };
  if (state === 'unhealthy') return { word: 'unhealthy', tone: 'bad' };
  return { word: 'unknown', tone: 'idle' };
}

/** Processes grouped by app name, apps sorted by name and instances by instance number. */
export function groupByApp(processes: Iterable<ProcessInfo>): Map<string, ProcessInfo[]> {
  const groups = new Map<string, ProcessInfo[]>();
  const sorted = [...processes].sort((a, b) => a.name.localeCompare(b.name) || a.instance - b.instance);
  for (const p of sorted) {
    const list = groups.get(p.name);
    if (list) list.push(p);
    else groups.set(p.name, [p]);
  }
  return groups;
}

function atLeastLoop(counts: Map<number, number>): Set<number> {
  return new Set([...counts].filter(([, n]) => n >= LOOP_RESTARTS).map(([id]) => id));
}
