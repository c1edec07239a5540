import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Json, startServer, type TestServer } from './support/api-server.js';
import { startDaemon, type TestDaemon } from './support/daemon.js';

let daemon: TestDaemon;
let open: TestServer;
let tokens: TestServer;
let wide: TestServer;

beforeAll(async () => {
  daemon = await startDaemon();
  const base = { rateLimitPerMinute: 100_000 };
  open = await startServer(daemon.client, {
    ...base,
    auth: { disabled: true },
    corsOrigins: ['http://ok.example'],
  });
  tokens = await startServer(daemon.client, base);
  wide = await startServer(daemon.client, { ...base, host: '0.0.0.0' });
});

afterAll(async () => {
  for (const server of [open, tokens, wide]) await server?.server.close();
  await daemon?.stop();
});

/** One raw HTTP request, with any Host, Origin or Sec-Fetch-Site header (fetch would set its own). */
function send(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Json }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        text += chunk;
      });
      response.on('end', () => {
        const isJson = (response.headers['content-type'] ?? '').includes('json');
        resolve({ status: response.statusCode ?? 0, body: isJson && text ? JSON.parse(text) : text });
      });
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** The HTTP status of a WebSocket upgrade: 101 when it opens, else the refusal's status. */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/v1/ws`, { headers });
    ws.once('open', () => {
      ws.once('close', () => resolve(101));
      ws.close();
    });
    ws.once('unexpected-response', (outgoing, response) => {
      outgoing.destroy();
      resolve(response.statusCode ?? 0);
    });
    ws.once('error', reject);
  });
}

const portOf = (server: TestServer) => new URL(server.url).port;

describe('without auth: Host and Origin', () => {
  it('refuses a foreign Host header (DNS rebinding) with 403 and the error shape', async () => {
    const answer = await send(open.url, 'GET', '/api/v1/processes', { host: `evil.example:${portOf(open)}` });
    expect(answer.status).toBe(403);
    expect(answer.body.error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/Host/) });
    const restart = await send(open.url, 'POST', '/api/v1/daemon/reload-logs', {
      host: `evil.example:${portOf(open)}`,
    });
    expect(restart.status).toBe(403);
    const otherPort = await send(open.url, 'GET', '/api/v1/processes', { host: '127.0.0.1:1' });
    expect(otherPort.status).toBe(403);
  });

  it('answers the loopback names with the port', async () => {
    for (const name of ['127.0.0.1', 'localhost', 'LOCALHOST', '[::1]']) {
      const answer = await send(open.url, 'GET', '/api/v1/processes', { host: `${name}:${portOf(open)}` });
      expect(answer.status, name).toBe(200);
    }
  });

  it('refuses a cross-site simple POST (no body, no Content-Type) and a cross-site Sec-Fetch-Site', async () => {
    const host = `127.0.0.1:${portOf(open)}`;
    const evil = await send(open.url, 'POST', '/api/v1/daemon/reload-logs', {
      host,
      origin: 'http://evil.example',
    });
    expect(evil.status).toBe(403);
    expect(evil.body.error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/origin/) });
    const nullOrigin = await send(open.url, 'POST', '/api/v1/daemon/reload-logs', { host, origin: 'null' });
    expect(nullOrigin.status).toBe(403);
    // another port of localhost is same-site to a browser, and still another origin
    const sameSite = await send(open.url, 'POST', '/api/v1/daemon/reload-logs', {
      host,
      origin: 'http://127.0.0.1:3000',
    });
    expect(sameSite.status).toBe(403);
    for (const site of ['cross-site', 'same-site']) {
      const answer = await send(open.url, 'POST', '/api/v1/daemon/reload-logs', {
        host,
        'sec-fetch-site': site,
      });
      expect(answer.status, site).toBe(403);
    }
  });

  it('lets its own pages, allowed CORS origins and clients without Origin change state', async () => {
    const host = `127.0.0.1:${portOf(open)}`;
    const cases: Record<string, string>[] = [
      { host },
      { host: `localhost:${portOf(open)}`, origin: `http://localhost:${portOf(open)}` },
      { host, origin: open.url },
      { host, origin: 'http://ok.example' },
      { host, 'sec-fetch-site': 'same-origin' },
      { host, 'sec-fetch-site': 'none' },
    ];
    for (const headers of cases) {
      const answer = await send(open.url, 'POST', '/api/v1/daemon/reload-logs', headers);
      expect(answer.status, JSON.stringify(headers)).toBe(200);
    }
    // a cross-site GET changes nothing; CORS keeps its answer from the page
    expect(
      (await send(open.url, 'GET', '/api/v1/processes', { host, origin: 'http://evil.example' })).status,
    ).toBe(200);
  });

  it('applies the same checks to the WebSocket upgrade', async () => {
    const port = portOf(open);
    expect(await upgradeStatus(open.url, { host: `evil.example:${port}` })).toBe(403);
    expect(await upgradeStatus(open.url, { origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus(open.url, { origin: `http://127.0.0.1:${port}` })).toBe(101);
    expect(await upgradeStatus(open.url, {})).toBe(101);
  });
});

describe('with tokens: Origin only', () => {
  it('refuses a state change from a foreign origin even with a token, and serves its own', async () => {
    const auth = { authorization: `Bearer ${tokens.admin}` };
    const evil = await send(tokens.url, 'POST', '/api/v1/daemon/reload-logs', {
      ...auth,
      origin: 'http://evil.example',
    });
    expect(evil).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    const own = await send(tokens.url, 'POST', '/api/v1/daemon/reload-logs', { ...auth, origin: tokens.url });
    expect(own.status).toBe(200);
    expect((await send(tokens.url, 'POST', '/api/v1/daemon/reload-logs', auth)).status).toBe(200);
  });

  it('answers any Host name it is reached by: on 0.0.0.0 and behind a reverse proxy', async () => {
    const auth = { authorization: `Bearer ${wide.admin}` };
    const byName = await send(wide.url, 'GET', '/api/v1/processes', {
      ...auth,
      host: `box.lan:${portOf(wide)}`,
    });
    expect(byName.status).toBe(200);
    // a TLS proxy: the page is https://velos.example.com, the proxy passes that Host over plain HTTP
    const proxied = await send(wide.url, 'POST', '/api/v1/daemon/reload-logs', {
      ...auth,
      host: 'velos.example.com',
      origin: 'https://velos.example.com',
    });
    expect(proxied.status).toBe(200);
  });
});
