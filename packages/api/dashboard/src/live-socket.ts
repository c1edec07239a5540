import { API_BASE } from './api.js';

/** A topic subscription as the contract names it. */
export interface Subscription {
  topic: 'processes' | 'logs' | 'events' | 'metrics';
  target?: string;
  lines?: number;
  kinds?: string[];
  intervalMs?: number;
}

/** What the socket tells its owner. */
export interface LiveSocketHooks {
  token: () => string | null;
  onMessage: (message: { type: string; [key: string]: unknown }) => void;
  onState: (state: 'connecting' | 'live' | 'retrying', retryAt: number | null) => void;
  onReady: (scope: 'read' | 'admin') => void;
  /** The server closed with 4401: the token was refused. */
  onUnauthorized: () => void;
}

const BACKOFF_MS = [1000, 2000, 4000, 8000, 15_000, 30_000];

/**
 * The WebSocket to `/api/v1/ws`: authenticates with the first message, keeps its subscriptions
 * across reconnects and reconnects with backoff.
 */
export class LiveSocket {
  private socket: WebSocket | null = null;
  private readonly subscriptions = new Map<string, Subscription>();
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private isReady = false;
  private isStopped = false;

  constructor(private readonly hooks: LiveSocketHooks) {}

  /** Opens the connection (again, if it was closed). */
  connect(): void {
    this.isStopped = false;
    clearTimeout(this.retryTimer);
    this.socket?.close();
    this.isReady = false;
    this.hooks.onState('connecting', null);
    const url = new URL(`${API_BASE}/ws`, location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.onopen = () => socket.send(JSON.stringify({ type: 'auth', token: this.hooks.token() ?? '' }));
    socket.onmessage = (event) => this.receive(socket, event.data);
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.isReady = false;
      if (event.code === 4401) {
        this.isStopped = true;
        this.hooks.onUnauthorized();
        return;
      }
      if (!this.isStopped) this.scheduleRetry();
    };
  }

  /** Closes the connection for good (until `connect`). */
  stop(): void {
    this.isStopped = true;
    clearTimeout(this.retryTimer);
    this.socket?.close();
    this.socket = null;
  }

  /** Subscribes now (when ready) and after every reconnect; returns the unsubscribe. */
  subscribe(subscription: Subscription): () => void {
    const key = `${subscription.topic}:${subscription.target ?? ''}`;
    this.subscriptions.set(key, subscription);
    if (this.isReady) this.send({ type: 'subscribe', ...subscription });
    return () => {
      if (this.subscriptions.get(key) !== subscription) return;
      this.subscriptions.delete(key);
      if (this.isReady)
        this.send({ type: 'unsubscribe', topic: subscription.topic, target: subscription.target });
    };
  }

  /** True while the socket is authenticated and delivering. */
  get isLive(): boolean {
    return this.isReady;
  }

  private receive(socket: WebSocket, data: unknown): void {
    if (this.socket !== socket || typeof data !== 'string') return;
    let message: { type: string; [key: string]: unknown };
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    if (message.type === 'ready') {
      this.isReady = true;
      this.attempt = 0;
      this.hooks.onReady(message.scope === 'admin' ? 'admin' : 'read');
      this.hooks.onState('live', null);
      for (const subscription of this.subscriptions.values())
        this.send({ type: 'subscribe', ...subscription });
      return;
    }
    this.hooks.onMessage(message);
  }

  private send(message: object): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private scheduleRetry(): void {
    const delayMs = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)]!;
    this.attempt++;
    this.hooks.onState('retrying', Date.now() + delayMs);
    this.retryTimer = setTimeout(() => this.connect(), delayMs);
  }
}
