import { ErrorCodes, type LogLine, type VelosControl } from '@velos/core';
import { backlogFrame } from './backlog-frame.js';
import { encodeMessage, Feed, type FeedClient } from './feed.js';
import {
  errorCodeOf,
  errorMessageOf,
  isFinalError,
  type RetryStream,
  retryDelayMs,
  runRetryStream,
  unavailableMessage,
} from './retry-stream.js';

/** A client waiting for its backlog: the live batches that arrived meanwhile, and their size. */
interface Waiting {
  batches: LogLine[][];
  bytes: number;
  /** Reads of the backlog that failed, the daemon gone: the next waits longer. */
  attempts: number;
}

/**
 * What a client's backlog held: each process's newest line time, and the lines themselves. The shared
 * follow may lag behind the ring the backlog was read from (lines in flight over IPC): its lines older
 * than the backlog's newest come after the backlog, out of order, and are not sent.
 */
interface Floor {
  newest: Map<number, number>;
  seen: Set<string>;
}

/**
 * The `logs` topic of one target: one daemon follow (`lines: 0`) shared by every client; a client
 * that asks for `lines` first gets them from `logsResult`, then the live lines not already in them.
 */
export class LogsFeed extends Feed {
  private stream: RetryStream | null = null;
  private readonly waiting = new Map<FeedClient, Waiting>();
  private readonly floors = new Map<FeedClient, Floor>();
  /** Clients told of the current outage (by the follow or their backlog read): told once, not twice. */
  private readonly told = new Set<FeedClient>();
  /** Backlog reads to try again, for clients that subscribed while the daemon was gone. */
  private readonly retries = new Map<FeedClient, { timer: NodeJS.Timeout; lines: number }>();

  constructor(
    private readonly control: VelosControl,
    readonly target: string,
    private readonly options: { retryMaxDelayMs: number; maxBufferedBytes: number },
  ) {
    super(logsFeedKey(target), 'logs', { target });
  }

  /** Adds a client that first wants the `lines` most recent lines. */
  addWithBacklog(client: FeedClient, lines: number): void {
    if (lines > 0) this.waiting.set(client, { batches: [], bytes: 0, attempts: 0 });
    this.add(client);
    if (lines > 0) this.sendBacklog(client, lines);
  }

  protected start(): void {
    this.stream = runRetryStream({
      open: () => this.control.followLogs({ target: this.target, lines: 0, withLevels: true }),
      onItem: (lines) => this.deliver(lines),
      onOutage: (error) => {
        for (const client of this.clients) this.tellOutage(client, error);
      },
      onFinal: (error) => this.end(errorCodeOf(error), errorMessageOf(error)),
      onResume: (since) => this.broadcastResumed(since),
      probe: () => this.control.ping(),
      maxDelayMs: this.options.retryMaxDelayMs,
    });
  }

  protected stop(): void {
    this.stream?.stop();
    this.stream = null;
    this.waiting.clear();
    this.floors.clear();
    this.told.clear();
    for (const { timer } of this.retries.values()) clearTimeout(timer);
    this.retries.clear();
  }

  protected override farewell(client: FeedClient): void {
    this.waiting.delete(client);
    this.floors.delete(client);
    this.told.delete(client);
    clearTimeout(this.retries.get(client)?.timer);
    this.retries.delete(client);
  }

  /** Sends DAEMON_UNAVAILABLE to a client once per outage. */
  private tellOutage(client: FeedClient, error: unknown): void {
    if (this.told.has(client)) return;
    this.told.add(client);
    client.sendError(ErrorCodes.DAEMON_UNAVAILABLE, unavailableMessage(error), 'logs', this.filters);
  }

  private deliver(lines: LogLine[]): void {
    // the follow answers again: the next outage is a new one, and the daemon is back for backlogs too
    this.told.clear();
    for (const [client, { timer, lines: wanted }] of this.retries) {
      clearTimeout(timer);
      this.retries.delete(client);
      this.sendBacklog(client, wanted);
    }
    if (lines.length === 0) return;
    const frames = logFrames(this.target, lines);
    const bytes = frames.reduce((sum, frame) => sum + frame.length, 0);
    for (const client of this.clients) {
      const waiting = this.waiting.get(client);
      if (!waiting) {
        const floor = this.floors.get(client);
        if (!floor) {
          for (const frame of frames) client.send(frame);
          continue;
        }
        const fresh = lines.filter((line) => isAbove(floor, line));
        // the follow caught up with the backlog once a batch has nothing it held
        if (fresh.length === lines.length) this.floors.delete(client);
        for (const frame of fresh.length === lines.length ? frames : logFrames(this.target, fresh))
          client.send(frame);
        continue;
      }
      waiting.batches.push(lines);
      waiting.bytes += bytes;
      // A backlog that takes long while the app floods must not hold unbounded lines for the client.
      if (waiting.bytes > this.options.maxBufferedBytes)
        client.closeSlow('too many lines while its backlog was read');
    }
  }

  private sendBacklog(client: FeedClient, lines: number): void {
    // in the client's turn, and not at all once it left: a client that subscribes and unsubscribes in a
    // loop piles no reads up in the daemon (each answer, thousands of lines, would be held here)
    client.inTurn(() => (this.waiting.has(client) ? this.readBacklog(client, lines) : Promise.resolve()));
  }

  private readBacklog(client: FeedClient, lines: number): Promise<void> {
    return this.control.logsResult({ target: this.target, lines, withLevels: true }).then(
      (result) => {
        const waiting = this.waiting.get(client);
        if (!waiting) return;
        this.waiting.delete(client);
        // sent when empty too: the client knows its backlog arrived (a page shows no `0 lines` before it);
        // at most half the client's unsent-bytes limit, the other half for the live lines meanwhile
        client.send(backlogFrame(this.target, result, Math.floor(this.options.maxBufferedBytes / 2)));
        const floor: Floor = { newest: new Map(), seen: new Set(result.lines.map(lineKey)) };
        for (const line of result.lines)
          floor.newest.set(line.id, Math.max(line.ts, floor.newest.get(line.id) ?? line.ts));
        let isCaughtUp = true;
        for (const batch of waiting.batches) {
          const fresh = batch.filter((line) => isAbove(floor, line));
          if (fresh.length !== batch.length) isCaughtUp = false;
          for (const frame of logFrames(this.target, fresh)) client.send(frame);
        }
        // until a batch of the follow holds nothing the backlog did, its lines are checked against it
        if (result.lines.length > 0 && (waiting.batches.length === 0 || !isCaughtUp))
          this.floors.set(client, floor);
      },
      (error: unknown) => {
        const waiting = this.waiting.get(client);
        if (!waiting) return;
        if (isFinalError(error)) {
          this.waiting.delete(client);
          this.remove(client);
          client.sendError(errorCodeOf(error), errorMessageOf(error), 'logs', this.filters);
          client.forget(this.key);
          return;
        }
        this.tellOutage(client, error);
        // read again with the follow's backoff, or as soon as the follow answers: a client that subscribed
        // while the daemon was gone still gets its last lines (and knows they came), then the live ones
        const delayMs = retryDelayMs(waiting.attempts, this.options.retryMaxDelayMs);
        waiting.attempts += 1;
        const timer = setTimeout(() => {
          this.retries.delete(client);
          this.sendBacklog(client, lines);
        }, delayMs);
        this.retries.set(client, { timer, lines });
      },
    );
  }
}

/**
 * The messages of a batch of followed lines, in order: the runs of app lines as `logs` messages, and
 * each skip marker of the daemon (`LogLine.skipped`: the follow fell behind and this many lines of the
 * process were left out there) as `{type:"skipped", target, id, name, count}`, not as a line.
 */
function logFrames(target: string, lines: LogLine[]): Buffer[] {
  if (!lines.some((line) => line.skipped !== undefined))
    return lines.length === 0 ? [] : [encodeMessage({ type: 'logs', target, lines })];
  const frames: Buffer[] = [];
  let run: LogLine[] = [];
  for (const line of lines) {
    if (line.skipped === undefined) {
      run.push(line);
      continue;
    }
    if (run.length > 0) frames.push(encodeMessage({ type: 'logs', target, lines: run }));
    run = [];
    frames.push(
      encodeMessage({ type: 'skipped', target, id: line.id, name: line.name, count: line.skipped }),
    );
  }
  if (run.length > 0) frames.push(encodeMessage({ type: 'logs', target, lines: run }));
  return frames;
}

/** The key of the shared feed of a target's logs. */
export function logsFeedKey(target: string): string {
  return `logs\0${target}`;
}

/** True for a live line to send after a backlog: a skip marker, or a line newer than the backlog's of its process. */
function isAbove(floor: Floor, line: LogLine): boolean {
  if (line.skipped !== undefined) return true;
  const newest = floor.newest.get(line.id);
  return (newest === undefined || line.ts >= newest) && !floor.seen.has(lineKey(line));
}

function lineKey(line: LogLine): string {
  return `${line.id}|${line.ts}|${line.stream}|${line.line}`;
}
