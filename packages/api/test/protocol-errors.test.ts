import { connect } from 'node:net';
import type { VelosControl } from '@velos/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/api-server.js';

let test: TestServer;

beforeAll(async () => {
  // none of these requests reaches a route: no daemon is needed
  test = await startServer({} as VelosControl, { dashboard: false, mcp: false });
});

afterAll(async () => {
  await test.server.close();
});

/** Sends raw bytes to the server (then ends its side with `isEnded`) and resolves everything it answers until it closes. */
function raw(text: string, isEnded = false): Promise<string> {
  const { hostname, port } = new URL(test.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => (isEnded ? socket.end(text) : socket.write(text)));
    let answer = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      answer += chunk;
      if (/\r\n\r\n\{.*\}$/s.test(answer)) socket.end();
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

function errorOf(answer: string): { code: string; message: string } {
  return JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).error;
}

describe('requests refused before routing answer in the JSON error shape (fuzz findings, #15)', () => {
  it("a URL the router cannot decode: 400 INVALID_ARGUMENT, not fastify's own shape", async () => {
    const answer = await raw('GET /api/v1/alerts/%E2%82/test HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(answer).toMatch(/content-type: application\/json/i);
    expect(errorOf(answer).code).toBe('INVALID_ARGUMENT');
  });

  it('headers over the parser limit: 431 with a JSON body', async () => {
    const answer = await raw(
      `GET /api/v1/processes HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 431/);
    expect(errorOf(answer)).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('a malformed request line: 400 with a JSON body', async () => {
    const answer = await raw('GET /api/v1/health HTTP/9\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(errorOf(answer).message).toMatch(/bad HTTP request/);
  });

  it('an Expect header other than 100-continue: 417 with a JSON body naming it', async () => {
    const answer = await raw('GET /api/v1/health HTTP/1.1\r\nHost: x\r\nExpect: bytes=0-1\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 417/);
    expect(errorOf(answer)).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'expect' });
  });

  it('CONNECT: 405 METHOD_NOT_ALLOWED with Allow and a JSON body, not a socket destroyed in silence', async () => {
    for (const target of ['example.com:443', '/api/v1/health']) {
      const answer = await raw(`CONNECT ${target} HTTP/1.1\r\nHost: example.com:443\r\n\r\n`);
      expect(answer).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n/);
      expect(answer).toMatch(/\r\nAllow: [A-Z, ]*\bGET, HEAD\b/);
      expect(answer).toMatch(/content-type: application\/json/i);
      expect(errorOf(answer)).toEqual({
        code: 'METHOD_NOT_ALLOWED',
        message: expect.stringMatching(
          new RegExp(`^CONNECT ${target} is not allowed: the API is no proxy; it takes `),
        ),
      });
    }
  });

  it('a chunk size past 64 bits: 400 with a JSON body, with or without a token, however the bytes arrive', async () => {
    const head = (token: string) =>
      `POST /api/v1/processes HTTP/1.1\r\nHost: x\r\n${token}Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n`;
    for (const token of ['', `Authorization: Bearer ${test.admin}\r\n`]) {
      const answer = await raw(`${head(token)}ffffffffffffffffff\r\n`);
      expect(answer).toMatch(/^HTTP\/1\.1 400/);
      expect(errorOf(answer).message).toBe(
        'bad HTTP request (HPE_INVALID_CHUNK_SIZE): Parse Error: Chunk size overflow',
      );
    }
  });

  it('a version-less (HTTP/0.9) request line: Node reads it as HTTP/1 and answers in JSON once the client stops sending', async () => {
    // HTTP/0.9 has no status line or headers to carry an error: Node's parser has no 0.9 and waits for
    // headers; a client that ends its side gets the 400 in JSON
    const answer = await raw('GET /api/v1/health\r\n', true);
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(errorOf(answer).message).toBe('bad HTTP request (HPE_INVALID_EOF_STATE): Parse Error');
  });
});
