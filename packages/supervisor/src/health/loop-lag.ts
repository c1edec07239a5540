/** Time between two ticks of the lag sampler. */
export const LOOP_LAG_TICK_MS = 500;
/** Ticks the worst lag is kept over (10 s at the default tick). */
const WINDOW_TICKS = 20;

/** OBS-4: a cheap event-loop lag sampler (how late an unref'd timer fires), no histogram. */
export interface LoopLagSampler {
  /** The worst lag of the window, in ms (the current stall included). */
  maxLagMs(now?: number): number;
  /** The mean lag of the window's ticks, in ms (OBS-1 `eventLoopLagSeconds`). */
  meanLagMs(): number;
  /** Forgets the window's lags (the daemon's start-up: its restore, loading the API), as if just started. */
  reset(): void;
  stop(): void;
}

/** Starts the sampler: every `tickMs` it notes how much later than asked its timer ran. */
export function startLoopLagSampler(tickMs = LOOP_LAG_TICK_MS): LoopLagSampler {
  const lags = new Array<number>(WINDOW_TICKS).fill(0);
  let next = 0;
  let expectedAt = Date.now() + tickMs;
  const timer = setInterval(() => {
    const now = Date.now();
    lags[next] = Math.max(0, now - expectedAt);
    next = (next + 1) % WINDOW_TICKS;
    expectedAt = now + tickMs;
  }, tickMs);
  timer.unref();
  return {
    maxLagMs(now = Date.now()) {
      // a tick that is overdue right now counts too: a stalled loop must show before it recovers
      return Math.max(Math.max(...lags), now - expectedAt);
    },
    meanLagMs() {
      let sum = 0;
      for (const lag of lags) sum += lag;
      return sum / WINDOW_TICKS;
    },
    reset() {
      lags.fill(0);
      expectedAt = Date.now() + tickMs;
    },
    stop() {
      clearInterval(timer);
    },
  };
}
