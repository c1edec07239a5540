/** App events one process may publish per second; the excess is dropped and counted. */
export const APP_EVENTS_PER_SECOND = 100;
/** A burst of dropped events is reported once it ends, or after this long if it goes on. */
export const DROP_REPORT_MAX_DELAY_MS = 60_000;
const WINDOW_MS = 1000;
/** Processes tracked before idle entries are forgotten (ids are never reused). */
const MAX_TRACKED = 1000;

/** One burst of dropped app events of a process, told once it is over. */
export interface DroppedBurst {
  key: number;
  dropped: number;
  /** Epoch ms of the first dropped event of the burst. */
  since: number;
  /** Epoch ms of the last one. */
  until: number;
}

/** The per-process rate limit of app events. */
export interface AppEventLimiter {
  /** True when the process `key` may publish one more event now; false (and counted) when it is over the limit. */
  take(key: number, now?: number): boolean;
  /** Reports the bursts still open and stops the timers. */
  close(): void;
}

interface Slot {
  windowStart: number;
  count: number;
  dropped: number;
  firstDropAt: number;
  lastDropAt: number;
  timer: NodeJS.Timeout | null;
}

/**
 * Creates the limiter: at most `perSecond` events per process in each one-second window. A burst
 * of drops is told once: `onDropStart` at its first drop, `onBurst` with the count when a second
 * passes without drops (or after `DROP_REPORT_MAX_DELAY_MS`).
 */
export function createAppEventLimiter(options: {
  onBurst: (burst: DroppedBurst) => void;
  onDropStart?: (key: number) => void;
  perSecond?: number;
}): AppEventLimiter {
  const perSecond = options.perSecond ?? APP_EVENTS_PER_SECOND;
  const slots = new Map<number, Slot>();

  const report = (key: number, slot: Slot): void => {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    const burst = { key, dropped: slot.dropped, since: slot.firstDropAt, until: slot.lastDropAt };
    slot.dropped = 0;
    options.onBurst(burst);
  };

  const check = (key: number, slot: Slot): void => {
    slot.timer = null;
    const now = Date.now();
    if (now - slot.lastDropAt >= WINDOW_MS || now - slot.firstDropAt >= DROP_REPORT_MAX_DELAY_MS) {
      report(key, slot);
    } else {
      slot.timer = setTimeout(() => check(key, slot), WINDOW_MS).unref();
    }
  };

  const prune = (now: number): void => {
    for (const [key, slot] of slots) {
      if (slot.dropped === 0 && now - slot.windowStart >= WINDOW_MS) slots.delete(key);
    }
  };

  return {
    take(key, now = Date.now()) {
      let slot = slots.get(key);
      if (!slot) {
        if (slots.size >= MAX_TRACKED) prune(now);
        slot = { windowStart: now, count: 0, dropped: 0, firstDropAt: 0, lastDropAt: 0, timer: null };
        slots.set(key, slot);
      }
      if (now - slot.windowStart >= WINDOW_MS) {
        slot.windowStart = now;
        slot.count = 0;
      }
      if (slot.count < perSecond) {
        slot.count += 1;
        return true;
      }
      slot.dropped += 1;
      slot.lastDropAt = now;
      if (slot.dropped === 1) {
        slot.firstDropAt = now;
        options.onDropStart?.(key);
        const target = slot;
        slot.timer = setTimeout(() => check(key, target), WINDOW_MS).unref();
      }
      return false;
    },
    close() {
      for (const [key, slot] of slots) if (slot.dropped > 0) report(key, slot);
      slots.clear();
    },
  };
}
