import { ErrorCodes, type LogLine, type VelosControl } from '@velos/core';
import { encodeMessage, Feed, type FeedClient } from './feed.js';
import {
  errorCodeOf,
  errorMessageOf,
  isFinalError,
  type RetryStream,
  runRetryStream,
  unavailableMessage,
} from './retry-stream.js';

/** A client waiting for its backlog: the live batches that arrived meanwhile, and their size. */
interface Waiting {
  batches: LogLine[][];
  bytes: number;
}

/**
 * The `logs` topic of one target: one daemon follow (`lines: 0`) shared by every client; a client
 * that asks for `lines` first gets them from `logsResult`, then the live lines not already in them.
 */
export class LogsFeed extends Feed {
  private stream: RetryStream | null = null;
  private readonly waiting = new Map<FeedClient, Waiting>();

  constructor(
    private readonly control: VelosControl,
    readonly target: string,
    private readonly options: { retryMaxDelayMs: number; maxBufferedBytes: number },
  ) {
    super(logsFeedKey(target), 'logs');
  }

  /** Adds a client that first wants the `lines` most recent lines. */
  addWithBacklog(client: FeedClient, lines: number): void {
    if (lines > 0) this.waiting.set(client, { batches: [], bytes: 0 });
    this.add(client);
    if (lines > 0) this.sendBacklog(client, lines);
  }

  protected start(): void {
    this.stream = runRetryStream({
      open: () => this.control.followLogs({ target: this.target, lines: 0 }),
      onItem: (lines) => this.deliver(lines),
      onOutage: (error) => this.broadcastError(ErrorCodes.DAEMON_UNAVAILABLE, unavailableMessage(error)),
      onFinal: (error) => this.end(errorCodeOf(error), errorMessageOf(error)),
      maxDelayMs: this.options.retryMaxDelayMs,
    });
  }

  protected stop(): void {
    this.stream?.stop();
    this.stream = null;
    this.waiting.clear();
  }

  protected override farewell(client: FeedClient): void {
    this.waiting.delete(client);
  }

  private deliver(lines: LogLine[]): void {
    if (lines.length === 0) return;
    const frame = encodeMessage({ type: 'logs', target: this.target, lines });
    for (const client of this.clients) {
      const waiting = this.waiting.get(client);
      if (!waiting) {
        client.send(frame);
        continue;
      }
      waiting.batches.push(lines);
      waiting.bytes += frame.length;
      // A backlog that takes long while the app floods must not hold unbounded lines for the client.
      if (waiting.bytes > this.options.maxBufferedBytes)
        client.closeSlow('too many lines while its backlog was read');
    }
  }

  private sendBacklog(client: FeedClient, lines: number): void {
    this.control.logsResult({ target: this.target, lines }).then(
      (result) => {
        const waiting = this.waiting.get(client);
        if (!waiting) return;
        this.waiting.delete(client);
        if (result.lines.length > 0) {
          client.send(encodeMessage({ type: 'logs', target: this.target, lines: result.lines }));
        }
        const seen = new Set(result.lines.map(lineKey));
        for (const batch of waiting.batches) {
          const fresh = batch.filter((line) => !seen.has(lineKey(line)));
          if (fresh.length > 0)
            client.send(encodeMessage({ type: 'logs', target: this.target, lines: fresh }));
        }
      },
      (error: unknown) => {
        const waiting = this.waiting.get(client);
        if (!waiting) return;
        this.waiting.delete(client);
        if (isFinalError(error)) {
          this.remove(client);
          client.sendError(errorCodeOf(error), errorMessageOf(error), 'logs');
          client.forget(this.key);
          return;
        }
        client.sendError(ErrorCodes.DAEMON_UNAVAILABLE, unavailableMessage(error), 'logs');
        for (const batch of waiting.batches) {
          client.send(encodeMessage({ type: 'logs', target: this.target, lines: batch }));
        }
      },
    );
  }
}

/** The key of the shared feed of a target's logs. */
export function logsFeedKey(target: string): string {
  return `logs\0${target}`;
}

function lineKey(line: LogLine): string {
  return `${line.id}|${line.ts}|${line.stream}|${line.line}`;
}
