import type {
  AlertStatus,
  DaemonHealth,
  MetricsHistory,
  MetricsSnapshot,
  PingResult,
  ProcessInfo,
  VelosEvent,
} from '@velos/core';
import { useEffect, useReducer, useRef } from 'preact/hooks';

/** Where the page stands with the server: the token, the socket and the daemon behind it. */
export type AuthState = 'checking' | 'needed' | 'refused' | 'ok';
export type ConnectionState = 'connecting' | 'live' | 'retrying';

/** The outcome of an action, shown inline beside the app it was taken on. */
export interface ActionOutcome {
  action: string;
  isOk: boolean;
  text: string;
  at: number;
}

/** Everything the views draw, held once and changed through `update`. */
export interface DashState {
  token: string | null;
  auth: AuthState;
  scope: 'read' | 'admin' | null;
  connection: ConnectionState;
  /** Epoch ms of the next connection attempt while retrying. */
  retryAt: number | null;
  /**
   * Set when the server answers but cannot reach the daemon (503), cannot be reached itself, or
   * refuses this address's requests for a while (429, `limited`: over its rate limit).
   */
  problem: { kind: 'server' | 'daemon' | 'limited'; message: string } | null;
  processes: Map<number, ProcessInfo>;
  hasProcesses: boolean;
  metrics: MetricsSnapshot | null;
  status: { daemon: PingResult; health: DaemonHealth } | null;
  /** Newest last, at most EVENTS_KEPT. */
  events: VelosEvent[];
  /**
   * The newest event of severity warning or worse the page has seen, kept apart from `events`: a busy
   * home fills those with info events (100 apps restarted) and would push it out.
   */
  lastProblem: VelosEvent | null;
  /** How many of the newest events were read looking for a problem, and whether they were all there are. */
  problemSearch: { count: number; isAll: boolean } | null;
  alerts: AlertStatus[] | null;
  /** The last 15 minutes of each process, by id. */
  history: Map<number, MetricsHistory>;
  outcomes: Map<string, ActionOutcome>;
}

/** How many events the page keeps in memory. */
export const EVENTS_KEPT = 500;

let state: DashState = {
  token: null,
  auth: 'checking',
  scope: null,
  connection: 'connecting',
  retryAt: null,
  problem: null,
  processes: new Map(),
  hasProcesses: false,
  metrics: null,
  status: null,
  events: [],
  lastProblem: null,
  problemSearch: null,
  alerts: null,
  history: new Map(),
  outcomes: new Map(),
};
const listeners = new Set<() => void>();

/** True when the server or its daemon cannot be reached (not when the server only limits the requests). */
export function isUnreachable(s: DashState): boolean {
  return s.problem !== null && s.problem.kind !== 'limited';
}

/** The current state (read it, never change it in place). */
export function getState(): DashState {
  return state;
}

/** Replaces the given fields and tells every subscribed view. */
export function update(patch: Partial<DashState>): void {
  state = { ...state, ...patch };
  for (const listener of listeners) listener();
}

/**
 * A hook that re-renders the component when the selected part of the state changes. The selector of
 * the latest render is the one used (`(s) => s.outcomes.get(app)` follows `app` when it changes), and
 * what it returns is read from the current state at every render, never a copy kept from before.
 */
export function useDash<T>(select: (s: DashState) => T): T {
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const value = select(state);
  const latest = useRef({ select, value });
  latest.current = { select, value };
  useEffect(() => {
    const listener = () => {
      if (!Object.is(latest.current.select(state), latest.current.value)) rerender(undefined);
    };
    listeners.add(listener);
    // a change between the render and this subscription
    listener();
    return () => {
      listeners.delete(listener);
    };
  }, []);
  return value;
}

/** Adds events (from REST or the socket) by sequence number, keeping the newest EVENTS_KEPT. */
export function addEvents(events: VelosEvent[]): void {
  if (events.length === 0) return;
  const bySeq = new Map(state.events.map((e) => [e.seq, e]));
  for (const event of events) bySeq.set(event.seq, event);
  const merged = [...bySeq.values()].sort((a, b) => a.seq - b.seq).slice(-EVENTS_KEPT);
  update({ events: merged, lastProblem: newerProblem(getState().lastProblem, events) });
}

/** Takes the newest problem of `events` (read back, not kept in `events`) when it is newer than the one known. */
export function noteProblems(events: VelosEvent[]): void {
  const lastProblem = newerProblem(state.lastProblem, events);
  if (lastProblem !== state.lastProblem) update({ lastProblem });
}

/** The newest event of severity warning or worse among `known` and `events`. */
export function newerProblem(known: VelosEvent | null, events: readonly VelosEvent[]): VelosEvent | null {
  let newest = known;
  for (const event of events)
    if (event.severity !== 'info' && (newest === null || event.seq > newest.seq)) newest = event;
  return newest;
}

/** Applies a processes message: a whole snapshot, or changed rows and removed ids. */
export function applyProcesses(processes: ProcessInfo[], isSnapshot: boolean, removed: number[] = []): void {
  const next = isSnapshot ? new Map<number, ProcessInfo>() : new Map(state.processes);
  for (const p of processes) next.set(p.id, p);
  for (const id of removed) next.delete(id);
  update({ processes: next, hasProcesses: true });
}

/** Records the outcome of an action on an app. */
export function setOutcome(app: string, outcome: Omit<ActionOutcome, 'at'>): void {
  const outcomes = new Map(state.outcomes);
  outcomes.set(app, { ...outcome, at: Date.now() });
  update({ outcomes });
}
