import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { waitFor } from './ws-harness.js';

/** A message from the server, as parsed JSON. */
export interface ServerMessage {
  type: string;
  [key: string]: unknown;
}

/** How a connection ended. */
export interface CloseInfo {
  code: number;
  reason: string;
}

/** A `ws` client that keeps every message the server sends, for tests to wait on. */
export class TestSocket {
  readonly messages: ServerMessage[] = [];
  readonly closed: Promise<CloseInfo>;
  private closeInfo: CloseInfo | null = null;
  private readonly taken = new Set<number>();

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.messages.push(JSON.parse(String(data)) as ServerMessage));
    ws.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => {
        this.closeInfo = { code, reason: String(reason) };
        resolve(this.closeInfo);
      }),
    );
  }

  /** Opens a connection; `token` goes in the Authorization header. */
  static open(url: string, options: { token?: string; autoPong?: boolean } = {}): Promise<TestSocket> {
    const headers = options.token === undefined ? undefined : { authorization: `Bearer ${options.token}` };
    const ws = new WebSocket(url, { headers, autoPong: options.autoPong ?? true });
    const socket = new TestSocket(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(socket));
      ws.once('unexpected-response', (_request, response) =>
        reject(new Error(`unexpected response ${response.statusCode}`)),
      );
      ws.once('error', reject);
    });
  }

  /** Opens a connection authenticated by header and waits for `ready`. */
  static async ready(url: string, token: string): Promise<TestSocket> {
    const socket = await TestSocket.open(url, { token });
    await socket.take((m) => m.type === 'ready', 'ready');
    return socket;
  }

  /** The close code and reason once the connection ended, else null. */
  get closeState(): CloseInfo | null {
    return this.closeInfo;
  }

  /** Sends a message (an object as JSON, a string as is). */
  send(message: object | string | Buffer): void {
    this.ws.send(
      typeof message === 'object' && !Buffer.isBuffer(message) ? JSON.stringify(message) : message,
    );
  }

  /** Waits for the first message matching `predicate` not taken before, and takes it. */
  async take(
    predicate: (message: ServerMessage) => boolean,
    what: string,
    timeoutMs = 20_000,
  ): Promise<ServerMessage> {
    const index = await waitFor(
      () => {
        const found = this.messages.findIndex((m, i) => !this.taken.has(i) && predicate(m));
        return found === -1 ? null : found + 1;
      },
      what,
      timeoutMs,
    );
    this.taken.add(index - 1);
    return this.messages[index - 1]!;
  }

  /** Closes the connection and waits until it is closed. */
  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    const timer = setTimeout(() => this.ws.terminate(), 2000);
    await this.closed;
    clearTimeout(timer);
  }
}

/** The log lines' texts of every `logs` message received so far. */
export function logTexts(socket: TestSocket): string[] {
  return socket.messages
    .filter((m) => m.type === 'logs')
    .flatMap((m) => (m.lines as { line: string }[]).map((line) => line.line));
}

/**
 * A client that does the WebSocket handshake, sends `messages`, and then never reads a byte: what
 * the server writes piles up in the kernel's buffers and then in the server's.
 */
export function openSilentClient(url: string, token: string, messages: object[]): Promise<Socket> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      socket.pause();
      const key = randomBytes(16).toString('base64');
      socket.write(
        `GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer ${token}\r\n\r\n`,
      );
      for (const message of messages) socket.write(maskedTextFrame(JSON.stringify(message)));
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** One masked text frame, as a client sends it (payloads under 64 KiB). */
function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  const header =
    payload.length < 126
      ? Buffer.from([0x81, 0x80 | payload.length])
      : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
  return Buffer.concat([header, mask, masked]);
}
