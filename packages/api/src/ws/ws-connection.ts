import { ErrorCodes } from '@velos/core';
import type { RawData, WebSocket } from 'ws';
import type { ApiScope } from '../options.js';
import type { ClientMessage, ParsedMessage, Topic, TopicRequest } from './client-messages.js';
import { encodeMessage, type FeedClient, type SubscriptionFilters } from './feed.js';
import type { FeedHub } from './feed-hub.js';
import { CloseCodes, type WebSocketSettings } from './ws-options.js';

/** Malformed messages in a row after which the connection is closed with 4400. */
export const MAX_BAD_MESSAGES = 5;
/** Most subscriptions one connection holds at once. */
export const MAX_SUBSCRIPTIONS = 32;
/** A connection told to close is cut this long after, if its client never answers the close. */
const CLOSE_GRACE_MS = 5000;
/** The same for a client that never authenticated: it holds a connection slot no longer than this. */
const PENDING_CLOSE_GRACE_MS = 500;
/** The same when the server closes: a client that reads answers in milliseconds, and `velos serve` waits for it. */
const SHUTDOWN_CLOSE_GRACE_MS = 1000;
/** ws closes a connection whose message passes `maxPayload` with this code; the protocol says 4413. */
const WS_MESSAGE_TOO_BIG = 1009;

/** What a connection works with. */
export interface ConnectionContext {
  hub: FeedHub;
  settings: WebSocketSettings;
  authenticate: (token: string) => ApiScope | null;
  /** No authentication: the connection is admin from the start and an auth message is answered `ready`. */
  isAuthDisabled: boolean;
  log: (line: string) => void;
  /** Called once when the socket is closed. */
  onClosed: (connection: WsConnection) => void;
  /** Reads one text frame (client-messages.ts's `parseClientMessage`, loaded with zod before the upgrade). */
  parse: (text: string) => ParsedMessage;
}

/**
 * One client of `/api/v1/ws`: authentication (header or first message), validation of its
 * messages, its subscriptions, protocol pings, and the slow-consumer limit on what it leaves unread.
 */
export class WsConnection implements FeedClient {
  private scope: ApiScope | null = null;
  private readonly subscriptions = new Set<string>();
  private badInARow = 0;
  private isClosing = false;
  private authTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private pongTimer: NodeJS.Timeout | null = null;
  private cutTimer: NodeJS.Timeout | null = null;
  /** The client's daemon reads, one after the other (see `inTurn`). */
  private turn: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: WebSocket,
    readonly label: string,
    authorization: string | undefined,
    private readonly context: ConnectionContext,
  ) {
    const close = socket.close.bind(socket);
    socket.close = (code?: number, reason?: string | Buffer) =>
      code === WS_MESSAGE_TOO_BIG ? close(CloseCodes.TOO_LARGE, 'message too large') : close(code, reason);
    socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    socket.on('pong', () => this.onPong());
    socket.once('close', () => this.onClosed());
    if (context.isAuthDisabled) {
      this.grant('admin');
    } else if (authorization !== undefined) {
      this.authorize(/^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] ?? '');
    } else {
      this.authTimer = setTimeout(
        () => this.close(CloseCodes.UNAUTHORIZED, 'no auth message in time'),
        context.settings.authTimeoutMs,
      );
    }
  }

  /** True until the client authenticated (by header, by its first message, or with auth off). */
  get isPending(): boolean {
    return this.scope === null && !this.isClosing;
  }

  /** How many subscriptions the client holds. */
  get subscriptionCount(): number {
    return this.subscriptions.size;
  }

  send(frame: Buffer): void {
    if (this.isClosing || this.socket.readyState !== this.socket.OPEN) return;
    this.socket.send(frame, { binary: false });
    if (this.socket.bufferedAmount > this.context.settings.maxBufferedBytes) {
      this.closeSlow(`more than ${this.context.settings.maxBufferedBytes} bytes unsent`);
    }
  }

  sendError(
    code: string,
    message: string,
    topic?: Topic,
    filters?: SubscriptionFilters,
    field?: string,
  ): void {
    this.send(
      encodeMessage({
        type: 'error',
        code,
        message,
        ...(topic ? { topic } : {}),
        ...filters,
        ...(field ? { field } : {}),
      }),
    );
  }

  closeSlow(reason: string): void {
    if (this.isClosing) return;
    this.context.log(
      `websocket ${this.label}: closed as a slow consumer, ${this.socket.bufferedAmount} bytes unsent (${reason})`,
    );
    this.close(CloseCodes.SLOW_CONSUMER, 'slow consumer');
  }

  inTurn(read: () => Promise<void>): void {
    this.turn = this.turn.then(read).catch(() => undefined);
  }

  forget(key: string): void {
    this.subscriptions.delete(key);
    this.context.hub.prune(key);
  }

  /** Closes the connection with a protocol close code, dropping its subscriptions at once. */
  close(code: number, reason: string, graceMs?: number): void {
    if (this.isClosing) return;
    this.isClosing = true;
    this.release();
    this.socket.close(code, reason);
    // A client that reads nothing never answers the close: its buffered bytes are freed by cutting it.
    const cutAfterMs = graceMs ?? (this.scope === null ? PENDING_CLOSE_GRACE_MS : CLOSE_GRACE_MS);
    this.cutTimer = setTimeout(() => this.socket.terminate(), cutAfterMs);
  }

  /**
   * The server closes: 1001, and a second to answer it. A client with bytes still unsent to it (the
   * kernel's buffer toward it is full: it does not read) or already told to close (a slow consumer)
   * would not answer before its grace ran out, holding `velos serve`'s exit: it is cut at once.
   */
  closeForShutdown(): void {
    const isStuck = this.isClosing || this.socket.bufferedAmount > 0;
    this.close(CloseCodes.GOING_AWAY, 'server closing', SHUTDOWN_CLOSE_GRACE_MS);
    if (!isStuck) return;
    this.context.log(
      `websocket ${this.label}: cut at server close, ${this.socket.bufferedAmount} bytes unsent (the client does not read)`,
    );
    this.socket.terminate();
  }

  private authorize(token: string): void {
    const scope = token ? this.context.authenticate(token) : null;
    if (!scope) {
      this.close(CloseCodes.UNAUTHORIZED, 'unauthorized');
      return;
    }
    this.grant(scope);
  }

  private grant(scope: ApiScope): void {
    this.scope = scope;
    if (this.authTimer) clearTimeout(this.authTimer);
    this.authTimer = null;
    this.pingTimer = setInterval(() => this.ping(), this.context.settings.pingIntervalMs);
    this.send(encodeMessage({ type: 'ready', scope }));
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.isClosing) return;
    if (isBinary) {
      this.reject({ message: 'binary frames are not accepted: send JSON text' });
      return;
    }
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString()
      : Buffer.from(data as Buffer).toString();
    if (text.length > this.context.settings.maxMessageBytes) {
      this.close(CloseCodes.TOO_LARGE, 'message too large');
      return;
    }
    const parsed = this.context.parse(text);
    if (!parsed.ok) {
      this.reject(parsed);
      return;
    }
    this.badInARow = 0;
    if (!this.scope) {
      if (parsed.message.type === 'auth') this.authorize(parsed.message.token);
      else this.close(CloseCodes.UNAUTHORIZED, 'the first message must be {"type":"auth"}');
      return;
    }
    this.handle(parsed.message);
  }

  private handle(message: ClientMessage): void {
    const { hub } = this.context;
    if (message.type === 'auth' && this.context.isAuthDisabled) {
      // a client written for tokens (the dashboard) still sends one: it is told again that it may go on
      this.send(encodeMessage({ type: 'ready', scope: 'admin' }));
    } else if (message.type === 'auth') {
      this.sendError(ErrorCodes.INVALID_ARGUMENT, 'already authenticated');
    } else if (message.type === 'ping') {
      this.send(encodeMessage({ type: 'pong' }));
    } else if (message.type === 'subscribe') {
      const key = hub.keyOf(message);
      if (this.subscriptions.has(key)) return;
      if (this.subscriptions.size >= MAX_SUBSCRIPTIONS) {
        const text = `at most ${MAX_SUBSCRIPTIONS} subscriptions per connection`;
        this.sendError(ErrorCodes.BUSY, text, message.topic, filtersOf(message));
        return;
      }
      this.subscriptions.add(key);
      hub.subscribe(this, message);
    } else {
      const key = hub.keyOf(message);
      if (this.subscriptions.delete(key)) hub.unsubscribe(this, key);
      else
        this.sendError(
          ErrorCodes.INVALID_ARGUMENT,
          'not subscribed with these filters',
          message.topic,
          filtersOf(message),
        );
    }
  }

  /** Answers a malformed message; too many in a row (or any before auth) close the connection. */
  private reject(problem: { message: string; field?: string; topic?: Topic }): void {
    if (!this.scope) {
      this.close(CloseCodes.UNAUTHORIZED, 'the first message must be {"type":"auth"}');
      return;
    }
    this.badInARow += 1;
    if (this.badInARow >= MAX_BAD_MESSAGES) {
      this.close(CloseCodes.MALFORMED, 'too many malformed messages');
      return;
    }
    this.sendError(ErrorCodes.INVALID_ARGUMENT, problem.message, problem.topic, undefined, problem.field);
  }

  private ping(): void {
    if (this.pongTimer || this.isClosing) return;
    this.pongTimer = setTimeout(
      () => this.close(CloseCodes.PONG_TIMEOUT, 'no pong in time'),
      this.context.settings.pongTimeoutMs,
    );
    this.socket.ping();
  }

  private onPong(): void {
    if (this.pongTimer) clearTimeout(this.pongTimer);
    this.pongTimer = null;
  }

  private onClosed(): void {
    this.isClosing = true;
    this.release();
    if (this.cutTimer) clearTimeout(this.cutTimer);
    this.context.onClosed(this);
  }

  /** Leaves every feed and stops the timers. */
  private release(): void {
    for (const key of this.subscriptions) this.context.hub.unsubscribe(this, key);
    this.subscriptions.clear();
    for (const timer of [this.authTimer, this.pongTimer]) if (timer) clearTimeout(timer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.authTimer = this.pongTimer = this.pingTimer = null;
  }
}

/** The filters of a subscribe or unsubscribe request an error about it names, as the client sent them. */
function filtersOf(request: TopicRequest): SubscriptionFilters {
  const { target, kinds, intervalMs } = request;
  return {
    ...(target === undefined ? {} : { target }),
    ...(kinds === undefined ? {} : { kinds }),
    ...(intervalMs === undefined ? {} : { intervalMs }),
  };
}
