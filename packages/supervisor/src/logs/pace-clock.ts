import { clearTimeout, setTimeout } from 'node:timers';
import { monotonicMs } from '../monotonic-ms.js';

/**
 * A wake-up that fires up to this much before its tick still counts as the tick's: Node's timers run on
 * the event loop's cached clock, which may lag this one by a fraction of a millisecond.
 */
const EARLY_MS = 1;

/**
 * A timer this far past its tick without having fired is taken as lost and armed again: whatever left it
 * so (a clock that jumped, tests that replace the clock), the pipes waiting on the clock must not wait
 * for ever.
 */
const OVERDUE_MS = 1000;

/**
 * The longest a timer is set for: no pause is longer, so a tick further away means the clock moved (or was
 * replaced, in tests) since the tick was taken; the clock is then read again when this much has passed.
 */
const MAX_DELAY_MS = 64;

/** The wake-ups due at each tick (ms on the monotonic clock), in the order they were asked for. */
const due = new Map<number, Set<() => void>>();
let timer: NodeJS.Timeout | null = null;
/** The tick the timer fires for; Infinity while there is no timer. */
let timerTick = Number.POSITIVE_INFINITY;

/**
 * Calls `wake` at the next multiple of `pauseMs` on one clock shared by every captured pipe (issue 17),
 * so at most `pauseMs` from now. Pipes paused alike (1, 2, 4, 8 or 16 ms: the multiples of 16 are multiples
 * of each) wake in the same timer callback and their reads come in the same turn of the event loop,
 * one wake-up of the daemon for all of them instead of one per pipe. Returns the tick, for `cancelWake`.
 */
export function wakeAtNextTick(pauseMs: number, wake: () => void): number {
  const now = monotonicMs();
  const tick = (Math.floor(now / pauseMs) + 1) * pauseMs;
  let waiting = due.get(tick);
  if (waiting === undefined) {
    waiting = new Set();
    due.set(tick, waiting);
  }
  waiting.add(wake);
  if (tick < timerTick) arm(tick, now);
  else if (timerTick < now - OVERDUE_MS) arm(earliestTick(), now);
  return tick;
}

/** Forgets a wake-up `wakeAtNextTick` returned `tick` for, if it has not fired yet. */
export function cancelWake(tick: number, wake: () => void): void {
  const waiting = due.get(tick);
  if (waiting === undefined) return;
  waiting.delete(wake);
  if (waiting.size === 0) due.delete(tick);
  // the timer may stay armed for a tick nobody waits for any more: it then fires once for nothing
}

function earliestTick(): number {
  let earliest = Number.POSITIVE_INFINITY;
  for (const tick of due.keys()) if (tick < earliest) earliest = tick;
  return earliest;
}

function arm(tick: number, now: number): void {
  if (timer !== null) clearTimeout(timer);
  timerTick = tick;
  timer = setTimeout(onTimer, Math.min(MAX_DELAY_MS, Math.max(1, Math.ceil(tick - now))));
}

function onTimer(): void {
  timer = null;
  timerTick = Number.POSITIVE_INFINITY;
  const now = monotonicMs();
  const fired: Array<Set<() => void>> = [];
  let next = Number.POSITIVE_INFINITY;
  for (const [tick, waiting] of due) {
    if (tick <= now + EARLY_MS) {
      fired.push(waiting);
      due.delete(tick);
    } else if (tick < next) {
      next = tick;
    }
  }
  // armed before the callbacks run, which may ask for new wake-ups (an earlier one re-arms)
  if (next !== Number.POSITIVE_INFINITY) arm(next, now);
  for (const waiting of fired) for (const wake of waiting) wake();
}

/** Wake-ups not fired yet (tests). */
export function pendingWakes(): number {
  let count = 0;
  for (const waiting of due.values()) count += waiting.size;
  return count;
}
