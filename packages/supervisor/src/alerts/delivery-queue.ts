/** Notifications of one rule that wait behind the one being sent; past it, one waiting is dropped (`push`). */
export const MAX_WAITING_NOTIFICATIONS = 100;

/** What a notification job is about: its alert instance (`key`) and whether it fires or resolves it. */
export interface NotificationTag {
  key: string;
  status: 'firing' | 'resolved';
}

/**
 * One rule's deliveries, run one after another (a resolved notification never overtakes its firing
 * one) with at most `maxWaiting` waiting: while a receiver is down every delivery takes its retries,
 * so without a bound a rule that repeats (or fires for many apps) would pile notifications up for as
 * long as the outage lasts, and send stale ones for hours once the receiver is back.
 */
export interface DeliveryQueue {
  /**
   * Runs `job` after the jobs before it; when it is dropped unrun, resolves `dropped()` instead. Past the
   * bound, what tells the receiver least is dropped (a resolve whose firing was dropped, a repeat of a
   * known alert, the oldest firing; a resolve only when nothing else waits), and a resolve whose alert's
   * firing notifications were all dropped is dropped when its turn comes: the receiver is never told of a
   * resolve it never saw fire, nor left with a firing that never resolves.
   */
  push<T>(job: () => Promise<T>, dropped: () => T, tag?: NotificationTag): Promise<T>;
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
  tag: NotificationTag | undefined;
}

/** Creates an empty queue. */
export function createDeliveryQueue(
  report: DropReport,
  maxWaiting = MAX_WAITING_NOTIFICATIONS,
): DeliveryQueue {
  const entries: Entry[] = [];
  let isRunning = false;
  let dropped = 0;
  /** Alerts whose latest firing notification this queue sent: their resolve must go out. */
  const announced = new Set<string>();
  /** Alerts whose firing notifications were all dropped since the last one sent: their resolve is dropped too. */
  const unannounced = new Set<string>();

  const drop = (entry: Entry): void => {
    dropped += 1;
    const tag = entry.tag;
    if (tag?.status === 'firing' && !announced.has(tag.key)) unannounced.add(tag.key);
    if (tag?.status === 'resolved') unannounced.delete(tag.key);
    entry.drop();
  };

  /**
   * The waiting entry to drop past the bound, least news lost first: a resolve of an alert whose firing
   * was dropped (it would be dropped anyway), a repeat of a firing the receiver has or will have, the
   * oldest firing, the oldest of all. A resolve of an alert the receiver saw fire is kept while any
   * firing waits: dropped, it would leave that alert firing at the receiver.
   */
  const victim = (): number => {
    const moot = entries.findIndex(
      (entry) => entry.tag?.status === 'resolved' && unannounced.has(entry.tag.key),
    );
    if (moot !== -1) return moot;
    const known = new Set(announced);
    let firing = -1;
    for (const [at, entry] of entries.entries()) {
      if (entry.tag?.status !== 'firing') continue;
      if (known.has(entry.tag.key)) return at;
      known.add(entry.tag.key);
      if (firing === -1) firing = at;
    }
    return firing === -1 ? 0 : firing;
  };

  const next = (): void => {
    const entry = entries.shift();
    if (!entry) {
      isRunning = false;
      if (dropped > 0) report.onDrained(dropped);
      dropped = 0;
      return;
    }
    const tag = entry.tag;
    if (tag?.status === 'resolved' && unannounced.has(tag.key)) {
      // its firing never reached the receiver: the resolve would be news of nothing
      drop(entry);
      next();
      return;
    }
    if (tag?.status === 'firing') {
      announced.add(tag.key);
      unannounced.delete(tag.key);
    } else if (tag?.status === 'resolved') announced.delete(tag.key);
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
    push(job, onDropped, tag) {
      return new Promise((resolve, reject) => {
        entries.push({
          run: () => job().then(resolve, reject),
          drop: () => resolve(onDropped()),
          tag,
        });
        if (entries.length > maxWaiting) {
          if (dropped === 0) report.onFirstDrop(maxWaiting);
          drop(entries.splice(victim(), 1)[0]!);
        }
        if (!isRunning) next();
      });
    },
  };
}
