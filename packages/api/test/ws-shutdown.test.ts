import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { parseClientMessage } from '../src/ws/client-messages.js';
import type { FeedHub } from '../src/ws/feed-hub.js';
import { WsConnection } from '../src/ws/ws-connection.js';
import { WEBSOCKET_DEFAULTS } from '../src/ws/ws-options.js';

/** What a connection does to its socket, on a socket with `bufferedAmount` bytes not yet sent. */
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  readonly calls: string[] = [];
  constructor(public bufferedAmount: number) {
    super();
  }
  close(code: number, reason: string): void {
    this.calls.push(`close ${code} ${reason}`);
  }
  terminate(): void {
    this.calls.push('terminate');
  }
  send(): void {}
  ping(): void {}
}

function connect(bufferedAmount: number) {
  const socket = new FakeSocket(bufferedAmount);
  const lines: string[] = [];
  const hub = { unsubscribe: () => undefined, prune: () => undefined } as unknown as FeedHub;
  new WsConnection(socket as unknown as WebSocket, '#1 127.0.0.1', 'Bearer t', {
    hub,
    settings: WEBSOCKET_DEFAULTS,
    authenticate: () => 'read',
    isAuthDisabled: false,
    log: (line) => lines.push(line),
    onClosed: () => undefined,
    parse: parseClientMessage,
  }).closeForShutdown();
  return { socket, lines };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('closing the connections when the server closes', () => {
  it('sends 1001 to a client that reads, and cuts it a second later if it never answers', () => {
    vi.useFakeTimers();
    const { socket, lines } = connect(0);
    expect(socket.calls).toEqual(['close 1001 server closing']);
    vi.advanceTimersByTime(999);
    expect(socket.calls).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(socket.calls).toEqual(['close 1001 server closing', 'terminate']);
    expect(lines).toEqual([]);
  });

  it('cuts at once a client that does not read (bytes unsent to it), and says so', () => {
    const { socket, lines } = connect(70_000);
    expect(socket.calls).toEqual(['close 1001 server closing', 'terminate']);
    expect(lines).toEqual([
      'websocket #1 127.0.0.1: cut at server close, 70000 bytes unsent (the client does not read)',
    ]);
  });
});
