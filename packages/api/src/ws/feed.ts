import type { Topic } from './client-messages.js';

/** What a feed needs of a WebSocket client: a way to send it frames and to end its subscription. */
export interface FeedClient {
  /** Sends one encoded server message (dropped when the connection is closing). */
  send(frame: Buffer): void;
  /** Sends `{type:"error"}` about a subscription: its topic, and its `filters` (its target…) to tell it by. */
  sendError(code: string, message: string, topic: Topic, filters?: SubscriptionFilters): void;
  /** Closes the connection as a slow consumer (4508). */
  closeSlow(reason: string): void;
  /** The feed ended for good (e.g. its target is gone): the client forgets the subscription `key`. */
  forget(key: string): void;
  /**
   * Runs `read` (a daemon request for this client alone, such as a backlog) once the client's earlier
   * ones settled: one in flight per client, however fast it subscribes and unsubscribes.
   */
  inTurn(read: () => Promise<void>): void;
}

/** The filters a subscription is told apart by (`target`, `kinds`, `intervalMs`), as its client wrote them. */
export type SubscriptionFilters = Readonly<Record<string, unknown>>;

/** Encodes a server message once, so a feed sends the same bytes to every client. */
export function encodeMessage(message: object): Buffer {
  return Buffer.from(JSON.stringify(message));
}

/**
 * One stream of server messages shared by every client subscribed with the same filters: it opens
 * its daemon subscription with the first client and cancels it when the last one leaves.
 */
export abstract class Feed {
  protected readonly clients = new Set<FeedClient>();
  protected isRunning = false;

  constructor(
    readonly key: string,
    readonly topic: Topic,
    /** What tells this subscription apart in the messages about it (errors, `resumed`). */
    readonly filters: SubscriptionFilters = {},
  ) {}

  /** How many clients receive this feed. */
  get size(): number {
    return this.clients.size;
  }

  /** Adds a client (opening the daemon subscription for the first). */
  add(client: FeedClient): void {
    this.clients.add(client);
    if (!this.isRunning) {
      this.isRunning = true;
      this.start();
    }
    this.welcome(client);
  }

  /** Removes a client; the last one leaving cancels the daemon subscription. */
  remove(client: FeedClient): void {
    if (!this.clients.delete(client)) return;
    this.farewell(client);
    if (this.clients.size === 0) this.close();
  }

  /** Cancels the daemon subscription and timers (the feed may start again with a new client). */
  close(): void {
    if (!this.isRunning) return;
    this.isRunning = false;
    this.stop();
  }

  /** Sends one message to every client. */
  protected broadcast(message: object): void {
    const frame = encodeMessage(message);
    for (const client of this.clients) client.send(frame);
  }

  /** Tells every client about a problem of this feed. */
  protected broadcastError(code: string, message: string): void {
    for (const client of this.clients) client.sendError(code, message, this.topic, this.filters);
  }

  /**
   * Tells every client the daemon answers again after a `DAEMON_UNAVAILABLE` notice: `since` is when the
   * outage was noticed, with the subscription's filters and what else tells what may have been missed.
   */
  protected broadcastResumed(since: number, details: object = {}): void {
    this.broadcast({ type: 'resumed', topic: this.topic, ...this.filters, ...details, since });
  }

  /** Tells every client the feed ended for good, and drops them. */
  protected end(code: string, message: string): void {
    const clients = [...this.clients];
    this.clients.clear();
    this.close();
    for (const client of clients) {
      client.sendError(code, message, this.topic, this.filters);
      client.forget(this.key);
    }
  }

  /** Opens the daemon subscription. */
  protected abstract start(): void;
  /** Cancels the daemon subscription and timers. */
  protected abstract stop(): void;
  /** Sends a new client what it needs first (a snapshot, a backlog); nothing by default. */
  protected welcome(_client: FeedClient): void {}
  /** Forgets per-client state of a client that left; nothing by default. */
  protected farewell(_client: FeedClient): void {}
}
