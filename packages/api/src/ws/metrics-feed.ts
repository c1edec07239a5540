import { ErrorCodes, type VelosControl } from '@velos/core';
import { encodeMessage, Feed, type FeedClient } from './feed.js';
import { unavailableMessage } from './retry-stream.js';

/**
 * The `metrics` topic for one interval: `control.metrics()` every `intervalMs`, one poll shared by
 * every client with the same interval; a new client gets the last snapshot at once.
 */
export class MetricsFeed extends Feed {
  private timer: NodeJS.Timeout | null = null;
  private last: Buffer | null = null;
  private isPolling = false;
  private isInOutage = false;
  private outageStartedAt = 0;

  constructor(
    private readonly control: VelosControl,
    readonly intervalMs: number,
  ) {
    super(metricsFeedKey(intervalMs), 'metrics', { intervalMs });
  }

  protected start(): void {
    this.timer = setInterval(() => this.poll(), this.intervalMs);
    this.poll();
  }

  protected stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.last = null;
    this.isInOutage = false;
  }

  protected override welcome(client: FeedClient): void {
    if (this.last) client.send(this.last);
  }

  private poll(): void {
    // A daemon slower than the interval gets no second request on top of the first.
    if (this.isPolling) return;
    this.isPolling = true;
    this.control
      .metrics()
      .then(
        (metrics) => {
          if (!this.isRunning) return;
          if (this.isInOutage) this.broadcastResumed(this.outageStartedAt);
          this.isInOutage = false;
          this.last = encodeMessage({ type: 'metrics', metrics });
          for (const client of this.clients) client.send(this.last);
        },
        (error: unknown) => {
          if (!this.isRunning || this.isInOutage) return;
          this.isInOutage = true;
          this.outageStartedAt = Date.now();
          this.broadcastError(ErrorCodes.DAEMON_UNAVAILABLE, unavailableMessage(error));
        },
      )
      .finally(() => {
        this.isPolling = false;
      });
  }
}

/** The key of the shared feed of one metrics interval. */
export function metricsFeedKey(intervalMs: number): string {
  return `metrics\0${intervalMs}`;
}
