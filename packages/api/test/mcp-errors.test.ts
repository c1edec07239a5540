import type { VelosControl } from '@velos/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Answer, call, startServer, type TestServer } from './support/api-server.js';

let api: TestServer;

beforeAll(async () => {
  // no daemon: none of these requests reaches the MCP server
  api = await startServer({} as VelosControl, { dashboard: false, bodyLimitBytes: 4096 });
});

afterAll(async () => {
  await api?.server.close();
});

const ACCEPT = { accept: 'application/json, text/event-stream' };

/** Asserts a JSON-RPC error answer with no id: its HTTP status, JSON-RPC code and Velos code. */
function expectRpcError(answer: Answer, status: number, rpcCode: number, code: string): void {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('content-type')).toContain('application/json');
  expect(answer.body).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: rpcCode, data: { code } } });
  expect(answer.body.error.message).toMatch(new RegExp(`^${code}: .+`));
}

describe('/mcp answers every refusal as a JSON-RPC error (found by the MCP-over-HTTP fuzzer, #15)', () => {
  it('refuses a missing or wrong token (-32001) and a read token (403)', async () => {
    const none = await call(api.url, 'POST', '/mcp', {
      headers: ACCEPT,
      body: { jsonrpc: '2.0', id: 1, method: 'ping' },
    });
    expectRpcError(none, 401, -32001, 'UNAUTHORIZED');
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    const read = await call(api.url, 'POST', '/mcp', { token: api.read, headers: ACCEPT, body: {} });
    expectRpcError(read, 403, -32000, 'FORBIDDEN');
  });

  it('answers malformed JSON with a parse error, a missing content type and a too large body with their status', async () => {
    const broken = await call(api.url, 'POST', '/mcp', {
      token: api.admin,
      headers: ACCEPT,
      body: '{"jsonrpc":',
    });
    expectRpcError(broken, 400, -32700, 'INVALID_ARGUMENT');
    const untyped = await fetch(`${api.url}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.admin}`, ...ACCEPT, 'content-type': '' },
      body: new Uint8Array([123, 125]),
    });
    expect(untyped.status).toBe(415);
    expect(await untyped.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } });
    // fastify has a text/plain parser of its own: /mcp still takes JSON only
    for (const type of ['text/plain', 'text/plain; charset=utf-8']) {
      const plain = await call(api.url, 'POST', '/mcp', {
        token: api.admin,
        headers: { ...ACCEPT, 'content-type': type },
        body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
      });
      expectRpcError(plain, 415, -32000, 'INVALID_ARGUMENT');
      expect(plain.body.error.message).toMatch(/Unsupported Media Type.*application\/json/);
      expect(plain.body.error.message).not.toMatch(/batch/);
    }
    const typed = await call(api.url, 'POST', '/mcp', {
      token: api.admin,
      headers: { ...ACCEPT, 'content-type': 'application/json; charset=utf-8' },
      body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    });
    expect(typed).toMatchObject({ status: 200, body: { id: 1, result: {} } });
    const huge = await call(api.url, 'POST', '/mcp', {
      token: api.admin,
      headers: ACCEPT,
      body: { jsonrpc: '2.0', id: 1, method: 'ping', params: { x: 'x'.repeat(8192) } },
    });
    expectRpcError(huge, 413, -32000, 'PAYLOAD_TOO_LARGE');
  });

  it('answers a request that does not accept JSON and an event stream with 406 and the Velos code', async () => {
    for (const accept of [undefined, 'application/json', 'text/event-stream']) {
      const answer = await call(api.url, 'POST', '/mcp', {
        token: api.admin,
        headers: accept === undefined ? {} : { accept },
        body: { jsonrpc: '2.0', id: 1, method: 'ping' },
      });
      expectRpcError(answer, 406, -32000, 'INVALID_ARGUMENT');
      expect(answer.body.error.message).toMatch(/Accept: application\/json, text\/event-stream/);
    }
  });

  it('takes POST only: GET (no SSE stream is ever sent), DELETE (no session), PUT, PATCH and OPTIONS (without CORS) get 405 with Allow', async () => {
    for (const method of ['GET', 'DELETE', 'PUT', 'PATCH', 'OPTIONS']) {
      const answer = await call(api.url, method, '/mcp', { token: api.admin, headers: ACCEPT });
      expectRpcError(answer, 405, -32000, 'INVALID_ARGUMENT');
      expect(answer.headers.get('allow')).toBe('POST');
      expect(answer.body.error.message).toContain('POST only');
    }
  });
});
