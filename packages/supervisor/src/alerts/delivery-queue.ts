/** Notifications of one rule that wait behind the one being sent; past it, the oldest waiting is dropped. */
export const MAX_WAITING_NOTIFICATIONS = 100;

/**
 * One rule's deliveries, run one after another (a resolved notification never overtakes its firing
 * one) with at most `maxWaiting` waiting: while a receiver is down every delivery takes its retries,
 * so without a bound a rule that repeats (or fires for many apps) would pile notifications up for as
 * long as the outage lasts, and send stale ones for hours once the receiver is back.
 */
export interface DeliveryQueue {
  /** Runs `job` after the jobs before it; when it is dropped unrun, resolves `dropped()` instead. */
  push<T>(job: () => Promise<T>, dropped: () => T): Promise<T>;
  /**
   * Drops every job waiting (the one running ends as it will); returns how many were dropped, those
   * dropped earlier in the same backlog included (then no `onDrained` tells them).
   */
  clear(): number;
  /** Jobs waiting (the one running not included). */
  readonly waiting: number;
}

/** What the queue tells its owner about drops, for the daemon's log. */
export interface DropReport {
  /** The first drop of a backlog. */
  onFirstDrop(maxWaiting: number): void;
  /** The backlog is gone (nothing runs or waits): `count` jobs were dropped since the first drop. */
  onDrained(count: number): void;
}

interface Entry {
  run: () => Promise<void>;
  drop: () => void;
}

/** Creates an empty queue. */
export function createDeliveryQueue(
  report: DropReport,
  maxWaiting = MAX_WAITING_NOTIFICATIONS,
): DeliveryQueue {
  const entries: Entry[] = [];
  let isRunning = false;
  let dropped = 0;

  const next = (): void => {
    const entry = entries.shift();
    if (!entry) {
      isRunning = false;
      if (dropped > 0) report.onDrained(dropped);
      dropped = 0;
      return;
    }
    isRunning = true;
    void entry.run().finally(next);
  };

  return {
    get waiting() {
      return entries.length;
    },
    clear() {
      const cleared = entries.splice(0);
      for (const entry of cleared) entry.drop();
      // told here, with the drops of the backlog before: the owner is gone, nothing catches up
      const count = dropped + cleared.length;
      dropped = 0;
      return count;
    },
    push(job, onDropped) {
      return new Promise((resolve, reject) => {
        entries.push({
          run: () => job().then(resolve, reject),
          drop: () => resolve(onDropped()),
        });
        if (entries.length > maxWaiting) {
          if (dropped === 0) report.onFirstDrop(maxWaiting);
          dropped += 1;
          entries.shift()?.drop();
        }
        if (!isRunning) next();
      });
    },
  };
}
