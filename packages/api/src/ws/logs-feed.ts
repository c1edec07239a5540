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
    const frames = logFrames(this.target, lines);
    const bytes = frames.reduce((sum, frame) => sum + frame.length, 0);
    for (const client of this.clients) {
      const waiting = this.waiting.get(client);
      if (!waiting) {
        for (const frame of frames) client.send(frame);
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
          const fresh = batch.filter((line) => line.skipped !== undefined || !seen.has(lineKey(line)));
          for (const frame of logFrames(this.target, fresh)) client.send(frame);
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
          for (const frame of logFrames(this.target, batch)) client.send(frame);
        }
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

function lineKey(line: LogLine): string {
  return `${line.id}|${line.ts}|${line.stream}|${line.line}`;
}
