import { ErrorCodes, type VelosControl } from '@velos/core';
import { Feed } from './feed.js';
import {
  errorCodeOf,
  errorMessageOf,
  type RetryStream,
  runRetryStream,
  unavailableMessage,
} from './retry-stream.js';

/**
 * The `events` topic for one filter (target and kinds): the bus's new events from the moment the
 * feed opens, one daemon follow shared by every client with the same filter.
 */
export class EventsFeed extends Feed {
  private stream: RetryStream | null = null;
  /** The newest seq sent: a client resumed after an outage reads what it missed after it. */
  private lastSeq: number | null = null;

  constructor(
    private readonly control: VelosControl,
    private readonly filter: { target?: string; kinds: string[] },
    private readonly options: { retryMaxDelayMs: number },
  ) {
    super(eventsFeedKey(filter), 'events', {
      ...(filter.target === undefined ? {} : { target: filter.target }),
      kinds: filter.kinds,
    });
  }

  protected start(): void {
    const { target, kinds } = this.filter;
    this.stream = runRetryStream({
      // `since` now: the history is `GET /api/v1/events`; a reopened follow resumes from its moment
      open: () =>
        this.control.followEvents({
          ...(target === undefined ? {} : { target }),
          ...(kinds.length > 0 ? { kinds } : {}),
          since: Date.now(),
        }),
      onItem: (events) => {
        if (events.length === 0) return;
        this.lastSeq = events.at(-1)!.seq;
        this.broadcast({ type: 'events', events });
      },
      onOutage: (error) => this.broadcastError(ErrorCodes.DAEMON_UNAVAILABLE, unavailableMessage(error)),
      // the follow reopens from now: the events of the outage are `GET /api/v1/events` after `afterSeq`
      onResume: (since) =>
        this.broadcastResumed(since, this.lastSeq === null ? {} : { afterSeq: this.lastSeq }),
      probe: () => this.control.ping(),
      onFinal: (error) => this.end(errorCodeOf(error), errorMessageOf(error)),
      maxDelayMs: this.options.retryMaxDelayMs,
    });
  }

  protected stop(): void {
    this.stream?.stop();
    this.stream = null;
    this.lastSeq = null;
  }
}

/** The key of the shared feed of an events filter (kinds in any order are the same filter). */
export function eventsFeedKey(filter: { target?: string; kinds: string[] }): string {
  return `events\0${filter.target ?? ''}\0${[...new Set(filter.kinds)].sort().join(',')}`;
}
