import { connect, type Socket } from 'node:net';
import type { VelosControl } from '@velos/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRAIN_REFUSED_BODY_BYTES } from '../src/http/refused-body.js';
import { startServer, type TestServer } from './support/api-server.js';

let test: TestServer;

beforeAll(async () => {
  // the body is refused before any route runs: no daemon is needed
  test = await startServer({} as VelosControl, { dashboard: false, mcp: false });
});

afterAll(async () => {
  await test.server.close();
});

interface Connection {
  socket: Socket;
  /** Everything the server sent so far. */
  text: () => string;
  /** Resolves once the server sent `pattern`; rejects when the connection ends or fails first. */
  waitFor: (pattern: RegExp) => Promise<void>;
  write: (data: string | Buffer) => Promise<void>;
}

function open(): Promise<Connection> {
  const { hostname, port } = new URL(test.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let text = '';
    const waiters = new Set<() => void>();
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
      for (const waiter of waiters) waiter();
    });
    const connection: Connection = {
      socket,
      text: () => text,
      waitFor: (pattern) =>
        new Promise((done, fail) => {
          const check = () => {
            if (!pattern.test(text)) return;
            waiters.delete(check);
            done();
          };
          waiters.add(check);
          socket.once('close', () => fail(new Error(`closed before ${pattern}; got ${text.slice(0, 200)}`)));
          socket.once('error', fail);
          check();
        }),
      write: (data) =>
        new Promise((done, fail) => socket.write(data, (error) => (error ? fail(error) : done()))),
    };
    socket.once('connect', () => resolve(connection));
    socket.once('error', reject);
  });
}

function startRequest(bytes: number): string {
  return (
    `POST /api/v1/processes HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${test.admin}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${bytes}\r\n\r\n`
  );
}

describe('a body over the limit (fuzz finding: EPIPE instead of the 413 under load)', () => {
  it('is answered 413 at its headers, then read to its end: the client can finish writing and go on', async () => {
    const connection = await open();
    try {
      await connection.write(startRequest(2 * 1024 * 1024));
      await connection.waitFor(/^HTTP\/1\.1 413[\s\S]*PAYLOAD_TOO_LARGE/);
      expect(connection.text()).not.toMatch(/connection: close/i);
      // the rest of the body, after the 413: with the connection closed under it, this write failed
      // (EPIPE or ECONNRESET) and the next request never got an answer
      for (let sent = 0; sent < 2 * 1024 * 1024; sent += 64 * 1024)
        await connection.write(Buffer.alloc(64 * 1024, 'x'));
      await connection.write('GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      // the next request on the connection is answered (the health check: "unreachable" without a daemon)
      await connection.waitFor(/^HTTP\/1\.1 413[\s\S]*HTTP\/1\.1 \d{3}[\s\S]*"status":"/);
    } finally {
      connection.socket.destroy();
    }
  });

  it(`past ${DRAIN_REFUSED_BODY_BYTES / 1024 / 1024} MiB the connection is closed after the 413, as before`, async () => {
    const connection = await open();
    try {
      const closed = new Promise((resolve) => connection.socket.once('close', resolve));
      await connection.write(startRequest(DRAIN_REFUSED_BODY_BYTES + 1));
      await connection.waitFor(/^HTTP\/1\.1 413[\s\S]*connection: close/i);
      await closed;
    } finally {
      connection.socket.destroy();
    }
  });
});

describe('an Expect other than 100-continue with a body (fuzz finding: EPIPE instead of the 417)', () => {
  it('is answered 417, then its body is read to its end: the client can finish writing and go on', async () => {
    const connection = await open();
    try {
      const bytes = 2 * 1024 * 1024;
      await connection.write(startRequest(bytes).replace('\r\n\r\n', '\r\nExpect: x\r\n\r\n'));
      await connection.waitFor(/^HTTP\/1\.1 417[\s\S]*"field":"expect"/);
      expect(connection.text()).not.toMatch(/connection: close/i);
      for (let sent = 0; sent < bytes; sent += 64 * 1024)
        await connection.write(Buffer.alloc(64 * 1024, 'x'));
      await connection.write('GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      await connection.waitFor(/^HTTP\/1\.1 417[\s\S]*HTTP\/1\.1 \d{3}[\s\S]*"status":"/);
    } finally {
      connection.socket.destroy();
    }
  });
});
