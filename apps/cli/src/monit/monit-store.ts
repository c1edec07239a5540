import type {
  DaemonHealth,
  LogLine,
  MetricsSnapshot,
  PingResult,
  ProcessInfo,
  VelosControl,
  VelosEvent,
} from '@velos/core';
import { createLogResume } from '../follow/log-resume.js';
import { type FollowHandle, followResumably } from '../follow/resumable-follow.js';
import { historySignature, metricsSignature, processesSignature, SPARKLINE_WIDTHS } from './format.js';
import { linesBefore } from './older-logs.js';

/** The figures `velos monit` shows, as last read from the daemon; replaced (never mutated) on change. */
export interface MonitData {
  /** The process table; null until the first answer. */
  processes: ProcessInfo[] | null;
  ping: PingResult | null;
  health: DaemonHealth | null;
  metrics: MetricsSnapshot | null;
  /** Why the last `list` failed (the daemon went away…); null when it answered. */
  error: string | null;
  /** The newest events, oldest first. */
  events: VelosEvent[];
  /**
   * The log lines of the selected process (the newest 500, up to 5,000 once older ones were asked for);
   * `received`: how many came live since it was selected; `older`: whether older lines may be read
   * (`more`), are being read, are not there (`none`), or are past the most monit holds (`held`: the
   * newest `MAX_HELD_LOG_LINES`; `velos logs` reads further).
   */
  logs: {
    target: string | null;
    lines: LogLine[];
    error: string | null;
    received: number;
    older: 'more' | 'loading' | 'none' | 'held';
  };
  /** CPU and memory over the last minutes of the selected process, or why there is none. */
  history: { target: string; cpu: number[]; memory: number[]; error: string | null } | null;
  /** The log engine's summary of the selected app, asked for with a key. */
  summary: { target: string; text: string | null; error: string | null } | null;
}

/** The process actions of monit's keys. */
export type MonitAction = 'restart' | 'reload' | 'stop' | 'delete';

/** Timings of a store (tests shorten them). */
export interface MonitStoreOptions {
  /** The most log lines held once older ones were read (default `MAX_HELD_LOG_LINES`). */
  maxHeldLogLines?: number;
  /** Refresh of the list (default 2 s, the daemon's sampling period; at once on a process event; metrics every 2nd refresh, ping and health every 3rd). */
  intervalMs?: number;
  /**
   * Refresh of the selected process's history (default 6 s: the daemon keeps a point per 10 s), made
   * in the list's tick (every n-th) so that its change and the list's draw one frame.
   */
  historyIntervalMs?: number;
  /** Shortest time between two change notifications, i.e. frames (default 100 ms: ≤ 10 frames/s). */
  throttleMs?: number;
  /** A list already read (the splash's), shown until the first poll answers. */
  initialProcesses?: ProcessInfo[] | null;
  /** Longest pause between two attempts to follow logs and events again while the daemon is away (default 1 s). */
  retryMs?: number;
}

/** A store of monit's data fed by a VelosControl: polls, follows logs and events, throttles changes. */
export interface MonitStore {
  getData(): MonitData;
  /** Calls `listener` after changes, at most once per `throttleMs`; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
  start(): void;
  /** Resolves once the first poll has answered (or failed). */
  ready(): Promise<void>;
  stop(): void;
  /** Follows the logs and history of `target` (a process id), or of nothing. */
  select(target: string | null): void;
  /** Runs an action on `target` and refreshes; rejects with the daemon's error. */
  act(action: MonitAction, target: string): Promise<ProcessInfo[]>;
  /** Reads older lines of the selection's log, before the oldest held one (`logs.older` says how it went). */
  loadOlderLogs(): void;
  /** Asks the log engine for the summary of the app `target` names. */
  loadSummary(target: string): Promise<void>;
  clearSummary(): void;
}

const MAX_LOG_LINES = 500;
/** The most log lines held once older ones were read (PgUp past the oldest): memory stays bounded. */
export const MAX_HELD_LOG_LINES = 5000;
/** Older log lines read at a time. */
const OLDER_LOG_LINES = 500;
/** Lines of the selection's log a follow reopened after a lost daemon asks for, to find where it left off. */
const RESUME_LOG_LINES = 200;
const MAX_EVENTS = 50;
/** The log pane's note while the daemon is away (the header says why). */
export const LOGS_PAUSED = 'paused while the daemon is away';
const HISTORY_SPAN_MS = 10 * 60_000;
/**
 * The 10 minutes in as many points as the widest sparkline draws (20 s each): a sparkline shows the
 * last points that fit its width, so more points than that would show only the latest minutes.
 */
const HISTORY_POINTS = SPARKLINE_WIDTHS.max;

/** Creates the store of `velos monit` over `control`; call `start()` to begin polling. */
export function createMonitStore(control: VelosControl, options: MonitStoreOptions = {}): MonitStore {
  const intervalMs = options.intervalMs ?? 2000;
  const historyEvery = Math.max(1, Math.round((options.historyIntervalMs ?? 6000) / intervalMs));
  const throttleMs = options.throttleMs ?? 100;
  const maxHeld = options.maxHeldLogLines ?? MAX_HELD_LOG_LINES;
  let data: MonitData = {
    processes: options.initialProcesses ?? null,
    ping: null,
    health: null,
    metrics: null,
    error: null,
    events: [],
    logs: { target: null, lines: [], error: null, received: 0, older: 'more' },
    history: null,
    summary: null,
  };
  const listeners = new Set<() => void>();
  const timers: NodeJS.Timeout[] = [];
  let notifyTimer: NodeJS.Timeout | null = null;
  let lastNotifyAt = 0;
  let isStopped = false;
  let isPolling = false;
  const retryMs = options.retryMs ?? 1000;
  // a new follow (another selection) makes the answer of an older read of the one before stale
  let logGeneration = 0;
  let logFollow: FollowHandle | null = null;
  let eventFollow: FollowHandle | null = null;
  let selected: string | null = null;

  const notify = () => {
    notifyTimer = null;
    lastNotifyAt = Date.now();
    for (const listener of listeners) listener();
  };
  const update = (patch: Partial<MonitData>) => {
    data = { ...data, ...patch };
    if (notifyTimer !== null || isStopped) return;
    notifyTimer = setTimeout(notify, Math.max(0, lastNotifyAt + throttleMs - Date.now()));
  };

  // list every tick (CPU and memory change once per daemon sample, every 2 s; a process event polls at
  // once); metrics (host bars, daemon RSS) every 2nd tick, ping and health every 3rd: a frame costs ink
  // ~50 ms of CPU, and the host figures change at every sample, so they set the pace of an idle monit.
  let tick = 0;
  const signatures = { processes: '', metrics: '', history: '' };
  let resolveReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });
  const poll = async () => {
    if (isPolling || isStopped) return;
    isPolling = true;
    const n = tick++;
    const skip = Promise.resolve(SKIPPED);
    const target = selected;
    try {
      const [list, metrics, ping, health, history] = await Promise.allSettled([
        control.list(),
        n % 2 === 0 ? control.metrics() : skip,
        n % 3 === 0 ? control.ping() : skip,
        n % 3 === 0 ? control.health() : skip,
        n % historyEvery === 0 && target !== null ? readHistory(target) : skip,
      ]);
      if (isStopped) return;
      // Answers that would draw the same screen change nothing: no frame is rendered for them.
      const patch: Partial<MonitData> = {};
      const error = list.status === 'rejected' ? messageOf(list.reason) : null;
      if (error !== data.error) patch.error = error;
      if (list.status === 'fulfilled') {
        const signature = processesSignature(list.value);
        if (data.processes === null || signature !== signatures.processes) patch.processes = list.value;
        signatures.processes = signature;
      }
      const nextMetrics = settled(metrics, data.metrics);
      const metricsKey = nextMetrics ? metricsSignature(nextMetrics) : '';
      if (metricsKey !== signatures.metrics) patch.metrics = nextMetrics;
      signatures.metrics = metricsKey;
      const nextPing = settled(ping, data.ping);
      if (nextPing?.pid !== data.ping?.pid || nextPing?.version !== data.ping?.version) patch.ping = nextPing;
      const nextHealth = settled(health, data.health);
      if (nextHealth?.status !== data.health?.status) patch.health = nextHealth;
      if (history.status === 'fulfilled' && history.value !== SKIPPED && target === selected) {
        const signature = historySignature(history.value);
        if (signature !== signatures.history) patch.history = history.value;
        signatures.history = signature;
      }
      if (Object.keys(patch).length > 0) update(patch);
    } finally {
      isPolling = false;
      resolveReady();
    }
  };

  /** The history of `target` as the panel shows it, or why there is none (never rejects). */
  const readHistory = async (target: string): Promise<NonNullable<MonitData['history']>> => {
    try {
      const history = await control.metricsHistory({
        target,
        sinceMs: HISTORY_SPAN_MS,
        points: HISTORY_POINTS,
      });
      const first = history[0];
      return {
        target,
        cpu: numbers(first?.cpu ?? []),
        memory: numbers(first?.memory ?? []),
        error: first ? null : 'no history yet',
      };
    } catch (error) {
      return { target, cpu: [], memory: [], error: messageOf(error) };
    }
  };

  /** Reads the history of the selection at once (a new selection). */
  const pollHistory = async () => {
    const target = selected;
    if (target === null || isStopped) return;
    const next = await readHistory(target);
    if (target !== selected || isStopped) return;
    signatures.history = historySignature(next);
    update({ history: next });
  };

  /**
   * Follows the logs of `target` (the selection), across daemon restarts and hand-overs: a follow
   * lost with the daemon is reopened once a daemon answers again, without the lines already shown.
   */
  const followLogs = (target: string | null) => {
    logFollow?.cancel();
    logFollow = null;
    logGeneration += 1;
    update({ logs: { target, lines: [], error: null, received: 0, older: 'more' } });
    if (target === null) return;
    const resume = createLogResume();
    const token = {};
    let current: object | null = token;
    const isCurrent = () => current === token && !isStopped;
    const follow = followResumably<LogLine>({
      open: (isResume) => control.followLogs({ target, lines: isResume ? RESUME_LOG_LINES : 50 }),
      probe: () => control.ping(),
      onItems: (lines, isFirstAfterResume) => {
        if (!isCurrent()) return;
        const fresh = isFirstAfterResume ? resume.unseen(lines) : lines;
        if (!isFirstAfterResume) resume.seen(lines);
        if (fresh.length === 0) return;
        const all = [...data.logs.lines, ...fresh];
        update({
          logs: {
            ...data.logs,
            lines: all.slice(-Math.max(MAX_LOG_LINES, Math.min(maxHeld, data.logs.lines.length))),
            received: data.logs.received + fresh.length,
          },
        });
      },
      onLost: () => {
        resume.lost(Date.now());
        if (isCurrent()) update({ logs: { ...data.logs, error: LOGS_PAUSED } });
      },
      onResumed: () => {
        if (isCurrent()) update({ logs: { ...data.logs, error: null } });
      },
      isEndResumed: true,
      retryMs,
    });
    logFollow = {
      cancel: () => {
        current = null;
        follow.cancel();
      },
      done: follow.done,
    };
    follow.done.catch((error: unknown) => {
      if (isCurrent()) update({ logs: { ...data.logs, error: messageOf(error) } });
    });
  };

  /**
   * Reads the lines before the oldest held one (the newest N of the process again, placed against the
   * held ones), up to `MAX_HELD_LOG_LINES` held in all.
   */
  const loadOlderLogs = () => {
    const { logs } = data;
    if (logs.target === null || logs.older !== 'more') return;
    if (logs.lines.length >= maxHeld) {
      update({ logs: { ...logs, older: 'held' } });
      return;
    }
    const { target } = logs;
    const generation = logGeneration;
    const wanted = Math.min(maxHeld, logs.lines.length + OLDER_LOG_LINES);
    const isCurrent = () => generation === logGeneration && !isStopped;
    update({ logs: { ...logs, older: 'loading' } });
    control.logs({ target, lines: wanted }).then(
      (answer) => {
        if (!isCurrent()) return;
        const now = data.logs;
        const added = (linesBefore(now.lines, answer) ?? []).slice(-(maxHeld - now.lines.length));
        const older =
          added.length === 0 || answer.length < wanted
            ? 'none'
            : now.lines.length + added.length >= maxHeld
              ? 'held'
              : 'more';
        update({ logs: { ...now, lines: [...added, ...now.lines], older } });
      },
      (error: unknown) => {
        if (isCurrent())
          update({ logs: { ...data.logs, older: 'more', error: `older lines: ${messageOf(error)}` } });
      },
    );
  };

  /** Follows the events from the newest 20, across daemon restarts (after the last one shown: none twice). */
  const followEvents = () => {
    let lastSeq: number | undefined;
    const startedAt = Date.now();
    eventFollow = followResumably<VelosEvent>({
      open: (isResume) =>
        control.followEvents(
          !isResume
            ? { limit: 20 }
            : lastSeq === undefined
              ? { since: startedAt, limit: MAX_EVENTS }
              : { afterSeq: lastSeq, limit: MAX_EVENTS },
        ),
      probe: () => control.ping(),
      onItems: (events) => {
        if (isStopped) return;
        lastSeq = events.at(-1)?.seq ?? lastSeq;
        update({ events: [...data.events, ...events].slice(-MAX_EVENTS) });
        // a status change shows in the table at once, not at the next tick
        if (events.some((event) => event.kind.startsWith('process.'))) void poll();
      },
      // back after a loss: the table too, at once
      onResumed: () => void poll(),
      isEndResumed: true,
      retryMs,
    });
    eventFollow.done.catch(() => undefined);
  };

  return {
    getData: () => data,
    ready: () => ready,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start() {
      isStopped = false;
      void poll();
      timers.push(setInterval(() => void poll(), intervalMs));
      followEvents();
    },
    stop() {
      isStopped = true;
      for (const timer of timers.splice(0)) clearInterval(timer);
      if (notifyTimer !== null) clearTimeout(notifyTimer);
      notifyTimer = null;
      logFollow?.cancel();
      eventFollow?.cancel();
      logFollow = null;
      eventFollow = null;
    },
    loadOlderLogs,
    select(target) {
      if (target === selected) return;
      selected = target;
      followLogs(target);
      update({ history: null, summary: null });
      void pollHistory();
    },
    async act(action, target) {
      const result = await control[action](target);
      void poll();
      return result;
    },
    async loadSummary(target) {
      update({ summary: { target, text: null, error: null } });
      try {
        const result = await control.analyzeLogs({ target, view: 'summary' });
        update({ summary: { target, text: result.text, error: null } });
      } catch (error) {
        update({ summary: { target, text: null, error: messageOf(error) } });
      }
    },
    clearSummary: () => update({ summary: null }),
  };
}

const SKIPPED = Symbol('skipped');

/** The value of a poll's answer: the new one, the previous one when not asked this tick, null when it failed. */
function settled<T>(result: PromiseSettledResult<T | typeof SKIPPED>, previous: T | null): T | null {
  if (result.status === 'rejected') return null;
  return result.value === SKIPPED ? previous : (result.value as T);
}

function numbers(values: (number | null)[]): number[] {
  return values.filter((value): value is number => typeof value === 'number');
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ');
}
