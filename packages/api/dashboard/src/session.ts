import type {
  AlertStatus,
  DaemonHealth,
  LogLine,
  MetricsHistory,
  MetricsSnapshot,
  PingResult,
  ProcessInfo,
  VelosEvent,
} from '@velos/core';
import { API_BASE, ApiError, api, problemSide, query } from './api.js';
import { LiveSocket } from './live-socket.js';
import { addEvents, applyProcesses, getState, noteProblems, update } from './store.js';

const TOKEN_KEY = 'velos.token';
const STATUS_EVERY_MS = 15_000;
const HISTORY_EVERY_MS = 30_000;
const POLL_EVERY_MS = 5000;
/** Pages of events read back, and their size, to find the last problem when the newest hold none. */
const PROBLEM_READ_BACK = 2;
const PROBLEM_PAGE_EVENTS = 1000;
/** The sparklines' span and resolution. */
const SPARK_SPAN_MS = 15 * 60_000;
const SPARK_POINTS = 60;

type LogListener = (lines: LogLine[]) => void;
const logListeners = new Map<string, Set<LogListener>>();
const timers: ReturnType<typeof setInterval>[] = [];
let problemAttempt = 0;
let problemTimer: ReturnType<typeof setTimeout> | undefined;
/** The socket was live once since live data started: a later `ready` is a reconnect. */
let wasLive = false;

/** The page's one WebSocket. */
export const socket = new LiveSocket({
  token: () => getState().token,
  onState: (connection, retryAt) => update({ connection, retryAt }),
  onReady: (scope) => {
    update({ scope });
    // the topics start again from now: what happened while the socket was down (events, alerts,
    // the status) is read over REST, as at the start
    if (wasLive) void refreshAll();
    wasLive = true;
  },
  onUnauthorized: () => refuse(),
  onMessage: (message) => {
    if (message.type === 'processes') {
      applyProcesses(
        (message.processes as ProcessInfo[]) ?? [],
        message.snapshot === true,
        (message.removed as number[]) ?? [],
      );
    } else if (message.type === 'events') {
      const events = (message.events as VelosEvent[]) ?? [];
      addEvents(events);
      if (events.some((e) => e.kind.startsWith('alert.'))) void refreshAlerts();
    } else if (message.type === 'metrics') {
      update({ metrics: message.metrics as MetricsSnapshot });
    } else if (message.type === 'error' && message.code === 'DAEMON_UNAVAILABLE') {
      // the server lost the daemon: say so now, not at the next poll
      noteProblem(
        new ApiError(503, String(message.code), String(message.message ?? 'the daemon is unreachable')),
      );
    } else if (message.type === 'logs') {
      const target = String(message.target ?? '');
      for (const listener of logListeners.get(target) ?? []) listener((message.lines as LogLine[]) ?? []);
    } else if (message.type === 'skipped') {
      // the server's follow fell behind: a marker in the stream, with no text of its own
      const target = String(message.target ?? '');
      const marker: LogLine = {
        ts: Date.now(),
        stream: 'out',
        id: Number(message.id),
        name: String(message.name ?? ''),
        pid: null,
        line: '',
        skipped: Number(message.count),
      };
      for (const listener of logListeners.get(target) ?? []) listener([marker]);
    }
  },
});

/**
 * Starts the session: with the token of this browser session, or, with none, without a token when
 * the server needs none (`--no-auth`: everyone is admin there), else by asking for one.
 */
export function startSession(): void {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) resume(token);
  else void startTokenless();
}

async function startTokenless(): Promise<void> {
  update({ auth: 'checking' });
  const access = await tokenlessAccess();
  if (access === 'none') update({ auth: 'needed' });
  else await open(null);
}

/**
 * Whether the API may take this tab without a token, asked of `/health` (no 401 logged in the
 * console): its components show only to a token, or to everyone when auth is off. A server that
 * cannot tell (its daemon does not answer) is `unknown`: the status call then says.
 */
async function tokenlessAccess(): Promise<'open' | 'none' | 'unknown'> {
  try {
    const response = await fetch(`${API_BASE}/health`, { headers: { accept: 'application/json' } });
    const body = (await response.json()) as { status?: unknown; components?: unknown };
    if (Array.isArray(body.components)) return 'open';
    return body.status === 'unreachable' ? 'unknown' : 'none';
  } catch {
    return 'unknown';
  }
}

/** Uses a token this tab already signed in with: everything loads at once, a 401 shows the form again. */
function resume(token: string): void {
  update({ token, auth: 'ok' });
  startLive();
}

/** Tries a token: on success it is kept for the browser session and live data starts. */
export async function signIn(token: string): Promise<void> {
  await open(token);
}

/** Asks for the status with `token` (none: auth may be off); live data starts once the server accepts. */
async function open(token: string | null): Promise<void> {
  update({ token, auth: 'checking' });
  // without a token only a server with authentication off answers: everything is allowed there
  const scope = token === null ? { scope: 'admin' as const } : {};
  try {
    const status = await api<{ daemon: PingResult; health: DaemonHealth }>('/status');
    if (token !== null) sessionStorage.setItem(TOKEN_KEY, token);
    update({ auth: 'ok', status, problem: null, ...scope });
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) return refuse();
    // a daemon down (503) or a server limiting this address (429) said nothing against the token
    if (!(error instanceof ApiError && (error.status === 503 || error.status === 429))) {
      update({ auth: 'needed', token: null });
      noteProblem(error);
      return;
    }
    if (token !== null) sessionStorage.setItem(TOKEN_KEY, token);
    update({ auth: 'ok', ...scope });
    noteProblem(error);
  }
  startLive();
}

function startLive(): void {
  wasLive = false;
  subscribeCore();
  socket.connect();
  void refreshAll();
  startTimers();
}

/** Forgets the token and shows the form again. */
export function signOut(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  socket.stop();
  stopTimers();
  update({ token: null, auth: 'needed', scope: null });
}

/** Retries everything now (the banner's button). */
export function retryNow(): void {
  problemAttempt = 0;
  clearTimeout(problemTimer);
  problemTimer = undefined;
  if (!socket.isLive) socket.connect();
  void refreshAll();
}

/** Listens to the lines of `target` over the socket (it subscribes, `lines` first); returns the stop. */
export function followLogs(target: string, lines: number, listener: LogListener): () => void {
  const set = logListeners.get(target) ?? new Set<LogListener>();
  logListeners.set(target, set);
  set.add(listener);
  const unsubscribe = socket.subscribe({ topic: 'logs', target, lines });
  return () => {
    set.delete(listener);
    if (set.size === 0) {
      logListeners.delete(target);
      unsubscribe();
    }
  };
}

/** Re-reads the processes, metrics, status, events, alerts and sparklines over REST. */
export async function refreshAll(): Promise<void> {
  await Promise.all([
    refreshStatus(),
    refreshProcesses(),
    refreshEvents(),
    refreshAlerts(),
    refreshHistory(),
  ]);
}

/** Reads the alert rules and their state. */
export async function refreshAlerts(): Promise<void> {
  await guard(async () => {
    const answer = await api<{ alerts: AlertStatus[] } | AlertStatus[]>('/alerts');
    update({ alerts: Array.isArray(answer) ? answer : answer.alerts });
  });
}

function subscribeCore(): void {
  socket.subscribe({ topic: 'processes' });
  socket.subscribe({ topic: 'events' });
  socket.subscribe({ topic: 'metrics', intervalMs: 5000 });
}

/** The server wants a token: the one given was refused, or none was given (the form, without an error). */
function refuse(): void {
  // the calls of a refresh fail together: the first 401 says why, the others change nothing (they
  // found the token already gone and took the tab for a tokenless one: the form lost its reason)
  if (getState().auth === 'refused') return;
  const isTokenless = getState().token === null;
  sessionStorage.removeItem(TOKEN_KEY);
  socket.stop();
  stopTimers();
  update({ token: null, auth: isTokenless ? 'needed' : 'refused', scope: null });
}

async function refreshStatus(): Promise<void> {
  await guard(async () => {
    const status = await api<{ daemon: PingResult; health: DaemonHealth }>('/status');
    update({ status });
  });
}

async function refreshProcesses(): Promise<void> {
  await guard(async () => {
    // the table draws as soon as the list arrives; the host figures follow
    const metrics = api<MetricsSnapshot>('/metrics');
    metrics.catch(() => undefined); // its failure is reported below, or made moot by the list's
    applyProcesses((await api<{ processes: ProcessInfo[] }>('/processes')).processes, true);
    update({ metrics: await metrics });
  });
}

async function refreshEvents(): Promise<void> {
  await guard(async () => {
    const answer = await api<{ events: VelosEvent[]; hasMore?: boolean }>(`/events${query({ limit: 200 })}`);
    addEvents(answer.events);
    if (getState().lastProblem === null) await readBackForProblem(answer);
  });
}

/**
 * Reads the events before `first` (the newest ones, read) until one of warning or worse, at most
 * PROBLEM_READ_BACK pages: the summary's last problem may be older than the info events a busy home
 * had since. Those events only say which problem is the last; the page does not keep them.
 */
async function readBackForProblem(first: { events: VelosEvent[]; hasMore?: boolean }): Promise<void> {
  let page = first;
  let count = page.events.length;
  for (let i = 0; i < PROBLEM_READ_BACK && page.hasMore === true && page.events.length > 0; i++) {
    if (getState().lastProblem !== null) break;
    page = await api<{ events: VelosEvent[]; hasMore?: boolean }>(
      `/events${query({ beforeSeq: page.events[0]!.seq, limit: PROBLEM_PAGE_EVENTS })}`,
    );
    count += page.events.length;
    noteProblems(page.events);
  }
  update({ problemSearch: { count, isAll: page.hasMore !== true } });
}

async function refreshHistory(): Promise<void> {
  await guard(async () => {
    const answer = await api<{ history: MetricsHistory[] }>(
      `/metrics/history/all${query({ sinceMs: SPARK_SPAN_MS, points: SPARK_POINTS })}`,
    );
    update({ history: new Map(answer.history.map((h) => [h.id, h])) });
  });
}

/** Runs a read; an unreachable server or daemon becomes the page's banner, cleared by the next success. */
async function guard(read: () => Promise<void>): Promise<void> {
  if (getState().auth !== 'ok') return;
  try {
    await read();
    if (getState().problem) update({ problem: null });
    problemAttempt = 0;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return refuse();
    noteProblem(error);
  }
}

function noteProblem(error: unknown): void {
  const kind = problemSide(error) ?? (error instanceof ApiError && error.status === 429 ? 'limited' : null);
  if (kind === null) return;
  update({ problem: { kind, message: (error as Error).message } });
  // The reads of one refresh fail together: one retry for all of them, the delay doubling per refresh.
  if (problemTimer !== undefined) return;
  const delayMs = Math.min(30_000, 1000 * 2 ** problemAttempt++);
  update({ retryAt: Date.now() + delayMs });
  problemTimer = setTimeout(() => {
    problemTimer = undefined;
    void refreshAll();
  }, delayMs);
}

function startTimers(): void {
  stopTimers();
  timers.push(setInterval(() => void refreshStatus(), STATUS_EVERY_MS));
  timers.push(setInterval(() => void refreshHistory(), HISTORY_EVERY_MS));
  timers.push(
    setInterval(() => {
      if (!socket.isLive && !getState().problem) void refreshProcesses();
    }, POLL_EVERY_MS),
  );
}

function stopTimers(): void {
  for (const timer of timers.splice(0)) clearInterval(timer);
}
