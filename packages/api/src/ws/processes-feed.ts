import { ErrorCodes, type ProcessInfo, type VelosControl } from '@velos/core';
import { encodeMessage, Feed, type FeedClient } from './feed.js';
import { type RetryStream, runRetryStream, unavailableMessage } from './retry-stream.js';

/** Event categories after which the process table is listed again at once. */
const TABLE_EVENT_KINDS = ['process', 'job', 'config', 'daemon'];
/** Fields that change all the time: never a reason to send a row by themselves. */
const ALWAYS_IGNORED = new Set(['uptime']);
/** Fields compared only by the periodic poll (at most every `pollMs`). */
const FIGURES = new Set(['cpu', 'memory']);

/**
 * The `processes` topic: a snapshot for each new client, then the rows that changed and the ids
 * removed — at once after a daemon event, and by a poll every `pollMs` for CPU and memory.
 */
export class ProcessesFeed extends Feed {
  private rows: Map<number, ProcessInfo> | null = null;
  private events: RetryStream | null = null;
  private poll: NodeJS.Timeout | null = null;
  private isListing = false;
  private queued: { withFigures: boolean } | null = null;
  private isInOutage = false;
  private outageStartedAt = 0;
  private generation = 0;

  constructor(
    private readonly control: VelosControl,
    private readonly options: { pollMs: number; retryMaxDelayMs: number },
  ) {
    super('processes', 'processes');
  }

  protected start(): void {
    this.generation += 1;
    this.events = runRetryStream({
      open: () => this.control.followEvents({ kinds: TABLE_EVENT_KINDS, since: Date.now() }),
      onItem: () => this.refresh(false),
      onOutage: (error) => this.outage(error),
      onFinal: (error) => this.outage(error),
      maxDelayMs: this.options.retryMaxDelayMs,
    });
    this.poll = setInterval(() => this.refresh(true), this.options.pollMs);
    this.refresh(true);
  }

  protected stop(): void {
    this.events?.stop();
    this.events = null;
    if (this.poll) clearInterval(this.poll);
    this.poll = null;
    this.rows = null;
    this.queued = null;
    this.isInOutage = false;
  }

  protected override welcome(client: FeedClient): void {
    // Before the first list answers, the snapshot goes to every client at once (see `apply`).
    if (this.rows) client.send(encodeMessage(snapshotOf(this.rows)));
    if (this.isInOutage)
      client.sendError(ErrorCodes.DAEMON_UNAVAILABLE, 'the daemon is unreachable; retrying', this.topic);
  }

  /** Lists the table and sends what changed; a list already running is followed by one more. */
  private refresh(withFigures: boolean): void {
    if (this.isListing) {
      this.queued = { withFigures: withFigures || (this.queued?.withFigures ?? false) };
      return;
    }
    this.isListing = true;
    const generation = this.generation;
    this.control
      .list()
      .then(
        (rows) => {
          if (generation !== this.generation || !this.isRunning) return;
          const wasInOutage = this.isInOutage;
          this.isInOutage = false;
          if (wasInOutage) this.broadcastResumed(this.outageStartedAt);
          // the rows that changed meanwhile follow: nothing of the table is missed
          this.apply(rows, withFigures);
        },
        (error: unknown) => {
          if (generation === this.generation && this.isRunning) this.outage(error);
        },
      )
      .finally(() => {
        this.isListing = false;
        const next = this.queued;
        this.queued = null;
        if (next && this.isRunning) this.refresh(next.withFigures);
      });
  }

  private apply(list: ProcessInfo[], withFigures: boolean): void {
    if (!this.rows) {
      this.rows = new Map(list.map((row) => [row.id, row]));
      this.broadcast(snapshotOf(this.rows));
      return;
    }
    const changed: ProcessInfo[] = [];
    const seen = new Set<number>();
    for (const row of list) {
      seen.add(row.id);
      const previous = this.rows.get(row.id);
      if (previous && !differs(previous, row, withFigures)) continue;
      changed.push(row);
      this.rows.set(row.id, row);
    }
    const removed = [...this.rows.keys()].filter((id) => !seen.has(id));
    for (const id of removed) this.rows.delete(id);
    if (changed.length > 0 || removed.length > 0) {
      this.broadcast({ type: 'processes', snapshot: false, processes: changed, removed });
    }
  }

  private outage(error: unknown): void {
    if (this.isInOutage) return;
    this.isInOutage = true;
    this.outageStartedAt = Date.now();
    this.broadcastError(ErrorCodes.DAEMON_UNAVAILABLE, unavailableMessage(error));
  }
}

function snapshotOf(rows: Map<number, ProcessInfo>): object {
  return { type: 'processes', snapshot: true, processes: [...rows.values()] };
}

/** True when a row differs in a field worth sending (CPU and memory only `withFigures`). */
function differs(previous: ProcessInfo, next: ProcessInfo, withFigures: boolean): boolean {
  const keys = new Set([...Object.keys(previous), ...Object.keys(next)]);
  for (const key of keys) {
    if (ALWAYS_IGNORED.has(key) || (!withFigures && FIGURES.has(key))) continue;
    const a = (previous as unknown as Record<string, unknown>)[key];
    const b = (next as unknown as Record<string, unknown>)[key];
    if (a !== b && JSON.stringify(a) !== JSON.stringify(b)) return true;
  }
  return false;
}
