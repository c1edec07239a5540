import {
  type EventInput,
  type EventsRequest,
  type EventsResult,
  FOLLOW_SKIPPED_KIND,
  matchesEventKind,
  type Subscription,
  type VelosEvent,
} from '@velos/core';
import { createSubscriptionQueue } from '../subscription-queue.js';
import { createEmitter, type EventSource } from '../typed-emitter.js';
import { type EventFile, openEventFile } from './event-file.js';
import { collectFollowPage, type FollowPage } from './follow-page.js';

/** Events kept in memory for queries and new followers; older ones are read from `events.jsonl`. */
export const EVENT_RING_SIZE = 1000;
/** Events a query answers when it names no limit. */
export const DEFAULT_EVENTS_LIMIT = 100;
/**
 * The JSON bytes of events one answer (and a follow's first batch) holds at most: a frame of the protocol
 * holds 16 MiB, and 10,000 events of a few KB each would pass it. Past it the older ones are left out
 * (`hasMore`), as past `limit`.
 */
export const EVENTS_ANSWER_MAX_BYTES = 8 * 1024 * 1024;
/** Batches a follower may fall behind by before the newer events wait in the ring and the file for it. */
const FOLLOW_QUEUE_ITEMS = 256;
/** The JSON bytes of events read back that go in one batch (one frame) to a lagging follower. */
const FOLLOW_REPLAY_BATCH_BYTES = 1024 * 1024;

/** What a follow's read-back left out: matches past its bound, and whether events are no longer kept. */
interface FollowGap {
  leftOut: number;
  isGone: boolean;
  /** The seq of the newest event left out (the marker's). */
  newestSkippedSeq: number;
}

/** The one thing an event source needs of the bus (injected, so sources do not import the bus). */
export type PublishEvent = (input: EventInput) => void;

/** Which events of a request belong to its target (the supervisor resolves names, ids and namespaces). */
export type EventSelector = (event: VelosEvent) => boolean;

/** OBS-2: the daemon's one event bus. */
export interface EventBus {
  /** Records an event (numbered, timestamped, kept in the ring, appended to the file) and tells subscribers. */
  publish(input: EventInput): VelosEvent;
  /** Every event as it is published (in-process: alerts, metrics, health). */
  readonly published: EventSource<VelosEvent>;
  /**
   * The newest `limit` events that match, oldest first; reads the file (from its end, asynchronously,
   * chunk by chunk: the daemon's loop turns meanwhile) when the ring does not reach back far enough.
   */
  query(request: EventsRequest, select?: EventSelector): Promise<EventsResult>;
  /** `query` with blocking reads of the file: only where nothing else runs yet (the daemon's start). */
  querySync(request: EventsRequest, select?: EventSelector): EventsResult;
  /**
   * The events `query` gives, then each new matching one, in batches (those published meanwhile after
   * them); a reader that falls behind, or resumes (`afterSeq` without `limit`), gets every event it missed
   * from the ring and the file, page by page (as long as `events.jsonl` keeps them), not a queue that drops
   * the oldest.
   */
  follow(request: EventsRequest, select?: EventSelector): Subscription<VelosEvent[]>;
  /** Whether an event kept in memory (the newest `ringSize`) matches `select`: no read of the file. */
  holdsRecent(select: EventSelector): boolean;
  /** Writes what is pending and closes the file. */
  close(): void;
}

/** Creates the bus over `$VELOS_HOME/events.jsonl` (`path`); writes are batched per tick. */
export function createEventBus(options: {
  path: string;
  ringSize?: number;
  maxFileBytes?: number;
  onError?: (error: unknown) => void;
  /** Opens the file (`openEventFile`; a test gives one whose reads fail). */
  openFile?: typeof openEventFile;
  /** The JSON bytes of one page a lagging follower is read back (`EVENTS_ANSWER_MAX_BYTES`; a test gives fewer). */
  followPageBytes?: number;
  /** The namespace of a listed app, recorded in each event about it that does not say its own. */
  namespaceOf?: (app: string) => string | undefined;
}): EventBus {
  const ringSize = options.ringSize ?? EVENT_RING_SIZE;
  const followPageBytes = options.followPageBytes ?? EVENTS_ANSWER_MAX_BYTES;
  const onError = options.onError ?? (() => undefined);
  let file: EventFile | null = null;
  const fileOf = (): EventFile => {
    file ??= (options.openFile ?? openEventFile)(options.path, { maxBytes: options.maxFileBytes, onError });
    return file;
  };
  let seq = -1;
  const ring: VelosEvent[] = [];
  let pending: VelosEvent[] = [];
  let isFlushScheduled = false;
  const published = createEmitter<VelosEvent>(onError);

  const flush = (): void => {
    isFlushScheduled = false;
    const batch = pending;
    pending = [];
    fileOf().append(batch);
  };

  const matcher = (request: EventsRequest, select?: EventSelector) => {
    const kinds = request.kinds ?? [];
    return (event: VelosEvent): boolean =>
      (request.afterSeq === undefined || event.seq > request.afterSeq) &&
      (request.beforeSeq === undefined || event.seq < request.beforeSeq) &&
      (request.since === undefined || event.at >= request.since) &&
      (request.until === undefined || event.at <= request.until) &&
      matchesEventKind(event, kinds) &&
      (select === undefined || select(event));
  };

  /**
   * Visits the ring's events newest first (at once) until `visit` returns false, and gives the visitor of
   * the file's older events, or undefined when the ring answered (stopped, or it holds every event).
   */
  const visitRing = (visit: (event: VelosEvent) => boolean): ((event: VelosEvent) => boolean) | undefined => {
    let isStopped = false;
    for (let i = ring.length - 1; i >= 0 && !isStopped; i -= 1) isStopped = !visit(ring[i]!);
    const isRingWhole = ring.length < ringSize && ring[0]?.seq === 1;
    if (isStopped || isRingWhole) return undefined;
    if (pending.length > 0) flush();
    const oldestInRing = ring[0]?.seq ?? Number.POSITIVE_INFINITY;
    return (event) => (event.seq >= oldestInRing ? true : visit(event));
  };

  /**
   * A query over the ring (at once), then `fileVisit` for the file's older events (undefined: the ring
   * answered), then `result`.
   */
  const search = (
    request: EventsRequest,
    select?: EventSelector,
    maxBytes = EVENTS_ANSWER_MAX_BYTES,
    isCountingLeftOut = false,
  ) => {
    const limit = request.limit ?? DEFAULT_EVENTS_LIMIT;
    const matches = matcher(request, select);
    const found: VelosEvent[] = [];
    let bytes = 0;
    let isCut = false;
    // with isCountingLeftOut, the matches past the limit or the bytes are counted instead of ending the
    // scan, and whether the ring and the file still reach back to `afterSeq` is noted (a follow's gap)
    let leftOut = 0;
    let newestLeftOut = 0;
    let oldestSeen = Number.POSITIVE_INFINITY;
    let isBoundReached = false;
    // newest first, so that `limit` keeps the newest and the scan stops as early as it can (the file
    // is in time order: a scan since a time reads the file from its end back to that time only)
    const visit = (event: VelosEvent): boolean => {
      if (
        (request.afterSeq !== undefined && event.seq <= request.afterSeq) ||
        (request.since !== undefined && event.at < request.since)
      ) {
        isBoundReached = true;
        return false;
      }
      oldestSeen = event.seq;
      if (!matches(event)) return true;
      if (isCut || (isCountingLeftOut && found.length === limit)) {
        // reached only when counting: the limit or the bytes left it out
        leftOut += 1;
        newestLeftOut ||= event.seq;
        return true;
      }
      if (maxBytes !== Number.POSITIVE_INFINITY) {
        bytes += JSON.stringify(event).length;
        // the newest event goes in whatever its size: an answer is never empty for want of room
        if (found.length > 0 && bytes > maxBytes) {
          isCut = true;
          if (!isCountingLeftOut) return false;
          leftOut += 1;
          newestLeftOut ||= event.seq;
          return true;
        }
      }
      found.push(event);
      return found.length <= limit;
    };
    const fileVisit = visitRing(visit);
    const result = (): EventsResult => {
      const hasMore = found.length > limit || isCut || leftOut > 0;
      if (found.length > limit) found.length = limit;
      return { events: found.reverse(), hasMore };
    };
    /**
     * What a follow left out of its read-back after `afterSeq`: the matching events past the limit or the
     * bytes, and whether events after `afterSeq` are no longer kept (the file was rotated past them).
     */
    const gap = (): FollowGap => {
      const isGone =
        !isBoundReached &&
        oldestSeen !== Number.POSITIVE_INFINITY &&
        oldestSeen > (request.afterSeq ?? 0) + 1;
      return { leftOut, isGone, newestSkippedSeq: newestLeftOut || (isGone ? oldestSeen - 1 : 0) };
    };
    return { fileVisit, result, gap };
  };

  /**
   * The oldest matching events after `afterSeq` within `followPageBytes`: one page of what a follow
   * missed. A read error gives what was read before it (the daemon's log says why).
   */
  const readPage = async (request: EventsRequest, afterSeq: number, select?: EventSelector) => {
    const collector = collectFollowPage({
      afterSeq,
      since: request.since,
      matches: matcher({ ...request, afterSeq }, select),
      maxBytes: followPageBytes,
    });
    const fileVisit = visitRing(collector.visit);
    if (fileVisit !== undefined) await fileOf().scanBackwards(fileVisit).catch(onError);
    return collector.page();
  };

  const query = async (request: EventsRequest, select?: EventSelector): Promise<EventsResult> => {
    const { fileVisit, result } = search(request, select);
    if (fileVisit !== undefined) await fileOf().scanBackwards(fileVisit);
    return result();
  };

  return {
    publish(input) {
      if (seq < 0) seq = fileOf().lastSeq();
      seq += 1;
      const { at = Date.now(), ...rest } = input;
      const namespace =
        rest.app === undefined || rest.namespace !== undefined ? undefined : options.namespaceOf?.(rest.app);
      const event: VelosEvent = { seq, at, ...rest, ...(namespace === undefined ? {} : { namespace }) };
      ring.push(event);
      if (ring.length > ringSize) ring.shift();
      pending.push(event);
      if (!isFlushScheduled) {
        isFlushScheduled = true;
        setImmediate(flush);
      }
      published.emit(event);
      return event;
    },
    published,
    query,
    querySync(request, select) {
      const { fileVisit, result } = search(request, select);
      if (fileVisit !== undefined) fileOf().scanBackwardsSync(fileVisit);
      return result();
    },
    follow(asked, select) {
      // a follow goes forward: a page's bound (beforeSeq) would hold every new event back
      const request = { ...asked, beforeSeq: undefined };
      const matches = matcher(request, select);
      let isCancelled = false;
      const queue = createSubscriptionQueue<VelosEvent[]>({
        maxItems: FOLLOW_QUEUE_ITEMS,
        onCancel: () => {
          isCancelled = true;
          unsubscribe();
        },
        onTaken: () => feed(),
      });
      let lastSeq = request.afterSeq ?? 0;
      // the first search weighs every event published so far: a later read-back starts after them
      const seqAtStart = Math.max(seq, lastSeq);
      // a follower whose queue is full (a slow reader: `velos events -f | shipper`) is not handed the new
      // events, which would drop the oldest unseen: once it has taken what waits, it gets them from the
      // ring and the file, which hold them anyway (none lost, none twice), a batch of at most
      // FOLLOW_REPLAY_BATCH_BYTES at a time (one frame of the protocol holds at most 16 MiB)
      let isBehind = false;
      let isReading = false;
      let missedSeq = 0;
      let replay: VelosEvent[] = [];
      const feed = (): void => {
        if (isCancelled || queue.queued > 0) return;
        if (replay.length === 0) {
          catchUp();
          return;
        }
        let bytes = 0;
        let count = 0;
        while (count < replay.length && (count === 0 || bytes < FOLLOW_REPLAY_BATCH_BYTES)) {
          bytes += JSON.stringify(replay[count]).length;
          count += 1;
        }
        queue.push(replay.splice(0, count));
        // taken at once by a waiting reader (no `onTaken` follows): the next batch is due now
        if (queue.queued === 0) setImmediate(feed);
      };
      // what was missed is read back a page at a time (the oldest first), each sent in batches (`feed`);
      // the next page is read once the reader has taken the last batch: none is skipped while the files
      // keep it, and the daemon holds one page at most
      const catchUp = (): void => {
        if (!isBehind || isReading || isCancelled) return;
        isReading = true;
        // every matching event up to the newest published now is in this read, or in a page after it
        const throughSeq = seq;
        readPage(request, lastSeq, select).then((page) => {
          isReading = false;
          const marker = page.isGone ? goneMarker(page) : null;
          replay = marker === null ? page.events : [marker, ...page.events];
          const newest = replay.at(-1)?.seq ?? lastSeq;
          lastSeq = page.hasMore ? newest : Math.max(lastSeq, newest, throughSeq);
          isBehind = page.hasMore || missedSeq > lastSeq;
          feed();
        });
      };
      // the matching events published while the backlog is read wait for it (then those it holds are left
      // out): as many as the read's few milliseconds see, and the queue's bound applies once they are pushed
      let waiting: VelosEvent[] | null = [];
      const unsubscribe = published.subscribe((event) => {
        if (waiting !== null) {
          if (matches(event)) waiting.push(event);
        } else if (event.seq > lastSeq && matches(event)) {
          if (isBehind || isReading || replay.length > 0 || queue.queued >= FOLLOW_QUEUE_ITEMS) {
            isBehind = true;
            missedSeq = event.seq;
            return;
          }
          lastSeq = event.seq;
          queue.push([event]);
        }
      });
      // a follow resumed without a limit (`velos events -f` after a daemon restart) is a reader behind
      // from its start: every event it missed, page by page
      if (request.afterSeq !== undefined && request.limit === undefined) {
        waiting = null;
        isBehind = true;
        catchUp();
        return queue.subscription;
      }
      // a backlog the file cannot give whole (a read error) is the ring's events and those read before
      // the error: the follower still gets them, then the live ones; the daemon's log says why. A follow
      // resumed with a limit is told of what it is not given: past the limit or 8 MiB, or no longer kept
      const isResumed = request.afterSeq !== undefined;
      const { fileVisit, result, gap } = search(request, select, EVENTS_ANSWER_MAX_BYTES, isResumed);
      const read = fileVisit === undefined ? Promise.resolve() : fileOf().scanBackwards(fileVisit);
      read.catch(onError).then(() => {
        const first = result().events;
        const marker = isResumed ? skippedMarker(gap()) : null;
        lastSeq = Math.max(first.at(-1)?.seq ?? 0, seqAtStart);
        if (marker !== null) first.unshift(marker);
        if (first.length > 0) queue.push(first);
        const later = (waiting ?? []).filter((event) => event.seq > lastSeq);
        waiting = null;
        if (later.length > 0) {
          lastSeq = later.at(-1)!.seq;
          queue.push(later);
        }
      });
      return queue.subscription;
    },
    holdsRecent(select) {
      return ring.some(select);
    },
    close() {
      if (pending.length > 0) flush();
      file?.close();
      file = null;
    },
  };
}

/** The marker of a page that starts past the events no longer kept: how many of those matched is unknown. */
function goneMarker(page: FollowPage): VelosEvent | null {
  return skippedMarker({ leftOut: 0, isGone: true, newestSkippedSeq: page.oldestSeenSeq - 1 });
}

/**
 * The marker a follow gets in place of the matching events it missed and is not given (the `gap` of
 * a read-back), or null when it missed none: `skipped` counts those past a resumed follow's limit, and
 * `at_least` says events were no longer kept too (whether they matched is unknown).
 */
function skippedMarker(gap: FollowGap): VelosEvent | null {
  if (gap.leftOut === 0 && !gap.isGone) return null;
  const skipped = gap.leftOut;
  const counted = `${skipped} event${skipped === 1 ? '' : 's'} skipped`;
  const message = !gap.isGone
    ? `${counted}: this follow missed more than its limit (velos events still lists them)`
    : `${skipped === 0 ? 'events may have been skipped' : `${counted}, maybe more`}: this follow fell behind by more than events.jsonl keeps`;
  return {
    seq: gap.newestSkippedSeq,
    at: Date.now(),
    kind: FOLLOW_SKIPPED_KIND,
    severity: 'warning',
    message,
    fields: { skipped, at_least: gap.isGone },
    skipped,
  };
}
