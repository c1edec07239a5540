import type { VelosControl } from '@velos/core';
import type { TopicRequest } from './client-messages.js';
import { EventsFeed, eventsFeedKey } from './events-feed.js';
import type { Feed, FeedClient } from './feed.js';
import { LogsFeed, logsFeedKey } from './logs-feed.js';
import { MetricsFeed, metricsFeedKey } from './metrics-feed.js';
import { ProcessesFeed } from './processes-feed.js';
import { METRICS_INTERVAL_MS } from './topics.js';
import type { WebSocketSettings } from './ws-options.js';

/** The target a `logs` subscription without one follows. */
const ALL_TARGETS = 'all';

/**
 * Every shared feed of one server, by key: clients subscribing with the same topic and filters
 * share one feed (one daemon subscription); a feed that loses its last client is dropped.
 */
export class FeedHub {
  private readonly feeds = new Map<string, Feed>();

  constructor(
    private readonly control: VelosControl,
    private readonly settings: WebSocketSettings,
  ) {}

  /** How many feeds have clients (each holds one daemon subscription or poll). */
  get size(): number {
    return this.feeds.size;
  }

  /** The key a subscribe or unsubscribe request names its feed by. */
  keyOf(request: TopicRequest): string {
    switch (request.topic) {
      case 'processes':
        return 'processes';
      case 'logs':
        return logsFeedKey(request.target ?? ALL_TARGETS);
      case 'events':
        return eventsFeedKey({ target: eventsTarget(request.target), kinds: request.kinds ?? [] });
      case 'metrics':
        return metricsFeedKey(request.intervalMs ?? METRICS_INTERVAL_MS.default);
    }
  }

  /** Adds `client` to the feed of `request` (creating it); resolves the feed's key. */
  subscribe(client: FeedClient, request: TopicRequest): string {
    const key = this.keyOf(request);
    let feed = this.feeds.get(key);
    if (!feed) {
      feed = this.create(request);
      this.feeds.set(key, feed);
    }
    if (feed instanceof LogsFeed) feed.addWithBacklog(client, request.lines ?? 0);
    else feed.add(client);
    // A feed may end at once (e.g. its target is unknown): keep no empty one.
    if (feed.size === 0) this.feeds.delete(key);
    return key;
  }

  /** Removes `client` from the feed `key`; the feed's last client leaving cancels it. */
  unsubscribe(client: FeedClient, key: string): void {
    const feed = this.feeds.get(key);
    if (!feed) return;
    feed.remove(client);
    if (feed.size === 0) this.feeds.delete(key);
  }

  /** Cancels every feed (server close). */
  close(): void {
    for (const feed of this.feeds.values()) feed.close();
    this.feeds.clear();
  }

  /** A feed that ended by itself (no clients left) is forgotten. */
  prune(key: string): void {
    if (this.feeds.get(key)?.size === 0) this.feeds.delete(key);
  }

  private create(request: TopicRequest): Feed {
    const { control, settings } = this;
    const retry = { retryMaxDelayMs: settings.retryMaxDelayMs };
    switch (request.topic) {
      case 'processes':
        return new ProcessesFeed(control, { pollMs: settings.processesPollMs, ...retry });
      case 'logs':
        return new LogsFeed(control, request.target ?? ALL_TARGETS, {
          ...retry,
          maxBufferedBytes: settings.maxBufferedBytes,
        });
      case 'events':
        return new EventsFeed(
          control,
          { target: eventsTarget(request.target), kinds: request.kinds ?? [] },
          retry,
        );
      case 'metrics':
        return new MetricsFeed(control, request.intervalMs ?? METRICS_INTERVAL_MS.default);
    }
  }
}

/**
 * An events target as its feed is named: `all` is no target, as for logs, so that a subscription with
 * `"target": "all"` and one without are one (each got every event once more) and either unsubscribes it.
 */
function eventsTarget(target: string | undefined): string | undefined {
  return target === ALL_TARGETS ? undefined : target;
}
