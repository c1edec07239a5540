/** Notifications of one rule that wait behind the one being sent; past it, one waiting is dropped (`push`). */
export const MAX_WAITING_NOTIFICATIONS = 100;
/**
 * The bound of a rule that groups its notifications: a storm of apps waits for one message, not for one
 * each, so dropping past 100 would leave apps out of it (a waiting notification is a few hundred bytes).
 */
export const MAX_WAITING_GROUPED = 1000;

/** What the queue knows of a notification: its alert instance (`key`), its status and its channels. */
export interface QueuedNotification {
  key: string;
  status: 'firing' | 'resolved';
  /** Notifications of one batch key (the same channels) may go out together (`groupIntervalMs`). */
  batch: string;
}

/**
 * One rule's deliveries, run one after another (a resolved notification never overtakes its firing
 * one) with at most `maxWaiting` waiting: while a receiver is down every delivery takes its retries,
 * so without a bound a rule that repeats (or fires for many apps) would pile notifications up for as
 * long as the outage lasts, and send stale ones for hours once the receiver is back.
 */
export interface DeliveryQueue<I extends QueuedNotification, R> {
  /**
   * Sends `item` after the items before it; when it is dropped unsent, resolves `dropped(item)` instead.
   * Past the bound, what tells the receiver least is dropped (a resolve whose firing was dropped, a
   * repeat of a known alert, the oldest firing; a resolve only when nothing else waits), and a resolve
   * whose alert's firing notifications were all dropped is dropped when its turn comes: the receiver is
   * never told of a resolve it never saw fire, nor left with a firing that never resolves.
   */
  push(item: I): Promise<R>;
  /**
   * Drops every item waiting (the batch being sent ends as it will); returns how many were dropped,
   * those dropped earlier in the same backlog included (then no `onDrained` tells them).
   */
  clear(): number;
  /** Items waiting (those being sent not included). */
  readonly waiting: number;
}

/** What the queue tells its owner about drops, for the daemon's log. */
export interface DropReport {
  /** The first drop of a backlog. */
  onFirstDrop(maxWaiting: number): void;
  /** The backlog is gone (nothing runs or waits): `count` items were dropped since the first drop. */
  onDrained(count: number): void;
}

/** How a queue sends, drops and groups. */
export interface DeliveryQueueOptions<I extends QueuedNotification, R> {
  report: DropReport;
  /**
   * Sends one batch: one item, or with `groupIntervalMs` every item that waited of one status and batch
   * key, in order. Each item's `push` resolves with the outcome.
   */
  send(items: I[]): Promise<R>;
  /** The outcome of an item dropped unsent. */
  dropped(item: I): R;
  /** Default `MAX_WAITING_NOTIFICATIONS`, or `MAX_WAITING_GROUPED` with `groupIntervalMs`. */
  maxWaiting?: number;
  /**
   * After a send starts, the next waits this long, and everything that came meanwhile goes out then, one
   * batch per status and batch key (firing ones first). Absent or 0: one item at a time, as soon as the
   * one before is sent.
   */
  groupIntervalMs?: number;
}

interface Entry<I, R> {
  item: I;
  resolve: (outcome: R) => void;
  reject: (error: unknown) => void;
}

/** Creates an empty queue. */
export function createDeliveryQueue<I extends QueuedNotification, R>(
  options: DeliveryQueueOptions<I, R>,
): DeliveryQueue<I, R> {
  const { report } = options;
  const groupMs = options.groupIntervalMs ?? 0;
  const maxWaiting = options.maxWaiting ?? (groupMs > 0 ? MAX_WAITING_GROUPED : MAX_WAITING_NOTIFICATIONS);
  const entries: Entry<I, R>[] = [];
  let isRunning = false;
  let dropped = 0;
  /** When the latest send started (a grouping queue waits `groupMs` after it). */
  let sentAt = Number.NEGATIVE_INFINITY;
  /** Alerts whose latest firing notification this queue sent: their resolve must go out. */
  const announced = new Set<string>();
  /** Alerts whose firing notifications were all dropped since the last one sent: their resolve is dropped too. */
  const unannounced = new Set<string>();

  const drop = (entry: Entry<I, R>): void => {
    dropped += 1;
    const { key, status } = entry.item;
    if (status === 'firing' && !announced.has(key)) unannounced.add(key);
    if (status === 'resolved') unannounced.delete(key);
    entry.resolve(options.dropped(entry.item));
  };

  /**
   * The waiting entry to drop past the bound, least news lost first: a resolve of an alert whose firing
   * was dropped (it would be dropped anyway), a repeat of a firing the receiver has or will have, the
   * oldest firing, the oldest of all. A resolve of an alert the receiver saw fire is kept while any
   * firing waits: dropped, it would leave that alert firing at the receiver.
   */
  const victim = (): number => {
    const moot = entries.findIndex(({ item }) => item.status === 'resolved' && unannounced.has(item.key));
    if (moot !== -1) return moot;
    const known = new Set(announced);
    let firing = -1;
    for (const [at, { item }] of entries.entries()) {
      if (item.status !== 'firing') continue;
      if (known.has(item.key)) return at;
      known.add(item.key);
      if (firing === -1) firing = at;
    }
    return firing === -1 ? 0 : firing;
  };

  /** The entries to send now: the first, or every one waiting when grouping; a moot resolve is dropped. */
  const take = (): Entry<I, R>[] => {
    const taken: Entry<I, R>[] = [];
    while (entries.length > 0 && (groupMs > 0 || taken.length === 0)) {
      const entry = entries.shift()!;
      const { key, status } = entry.item;
      if (status === 'resolved' && unannounced.has(key)) {
        // its firing never reached the receiver: the resolve would be news of nothing
        drop(entry);
        continue;
      }
      if (status === 'firing') {
        announced.add(key);
        unannounced.delete(key);
      } else announced.delete(key);
      taken.push(entry);
    }
    return taken;
  };

  const sendAll = async (batches: Entry<I, R>[][]): Promise<void> => {
    for (const batch of batches) {
      try {
        const outcome = await options.send(batch.map((entry) => entry.item));
        for (const entry of batch) entry.resolve(outcome);
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
  };

  const next = (): void => {
    if (entries.length === 0) {
      isRunning = false;
      if (dropped > 0) report.onDrained(dropped);
      dropped = 0;
      return;
    }
    isRunning = true;
    const wait = sentAt + groupMs - Date.now();
    if (groupMs > 0 && wait > 0) {
      // what comes meanwhile joins what waits; a daemon that stops does not wait for it
      setTimeout(next, wait).unref();
      return;
    }
    const taken = take();
    if (taken.length === 0) {
      next();
      return;
    }
    sentAt = Date.now();
    void sendAll(batchesOf(taken)).finally(next);
  };

  return {
    get waiting() {
      return entries.length;
    },
    clear() {
      const cleared = entries.splice(0);
      for (const entry of cleared) entry.resolve(options.dropped(entry.item));
      // told here, with the drops of the backlog before: the owner is gone, nothing catches up
      const count = dropped + cleared.length;
      dropped = 0;
      return count;
    },
    push(item) {
      return new Promise((resolve, reject) => {
        entries.push({ item, resolve, reject });
        if (entries.length > maxWaiting) {
          if (dropped === 0) report.onFirstDrop(maxWaiting);
          drop(entries.splice(victim(), 1)[0]!);
        }
        if (!isRunning) next();
      });
    },
  };
}

/**
 * The entries in batches of one status and batch key, each in arrival order. The firing batches go
 * before the resolved ones, except where one alert changed status within the entries: what came after
 * its change goes in a later round (an alert that fired, resolved and fired again is told in that
 * order), so a resolve never goes out before its firing, nor a firing before the resolve it followed.
 */
function batchesOf<I extends QueuedNotification, R>(taken: Entry<I, R>[]): Entry<I, R>[][] {
  if (taken.length === 1) return [taken];
  /** Per alert: its status in the entries so far and how often it changed. */
  const seen = new Map<string, { status: string; round: number }>();
  const batches = new Map<string, { round: number; order: number; entries: Entry<I, R>[] }>();
  for (const entry of taken) {
    const { key, status, batch } = entry.item;
    const last = seen.get(key);
    const round = last === undefined ? 0 : last.status === status ? last.round : last.round + 1;
    seen.set(key, { status, round });
    const id = `${round}\n${status}\n${batch}`;
    const found = batches.get(id);
    if (found) found.entries.push(entry);
    else batches.set(id, { round, order: status === 'firing' ? 0 : 1, entries: [entry] });
  }
  // stable: within a round and status, batches keep the order of their first entry
  return [...batches.values()]
    .sort((a, b) => a.round - b.round || a.order - b.order)
    .map((found) => found.entries);
}
