import { mkdtempSync, rmSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@velos/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApiServer } from '../src/server.js';
import { call, type Json, startServer, type TestServer } from './support/api-server.js';
import { startDaemon, type TestDaemon } from './support/daemon.js';
import { TestSocket } from './ws-test-client.js';

let daemon: TestDaemon;
let api: TestServer;
const extra: TestServer[] = [];
const homes: string[] = [];

beforeAll(async () => {
  daemon = await startDaemon();
  api = await startServer(daemon.client, { rateLimitPerMinute: 100_000, bodyLimitBytes: 4096 });
});

afterEach(async () => {
  for (const server of extra.splice(0)) await server.server.close();
});

afterAll(async () => {
  await api?.server.close();
  await daemon?.stop();
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

async function another(options: Parameters<typeof startServer>[1]): Promise<TestServer> {
  const server = await startServer(daemon.client, options);
  extra.push(server);
  return server;
}

/** The daemon still answers, through the API and directly. */
async function expectDaemonFine(): Promise<void> {
  expect((await call(api.url, 'GET', '/api/v1/health')).body).toEqual({
    status: expect.stringMatching(/^(healthy|degraded)$/),
  });
  expect((await daemon.client.ping()).pid).toBeGreaterThan(0);
}

describe('authentication and scopes', () => {
  it('answers 401 without a token or with a wrong one, and says how to authenticate', async () => {
    const none = await call(api.url, 'GET', '/api/v1/processes');
    expect(none).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect((await call(api.url, 'GET', '/api/v1/processes', { token: `${api.admin}x` })).status).toBe(401);
    expect(
      (await call(api.url, 'GET', '/api/v1/processes', { headers: { authorization: api.admin } })).status,
    ).toBe(401);
  });

  it('lets a read token read and answers 403 when it tries to change anything', async () => {
    expect((await call(api.url, 'GET', '/api/v1/processes', { token: api.read })).status).toBe(200);
    const stop = await call(api.url, 'POST', '/api/v1/processes/all/stop', { token: api.read });
    expect(stop).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    const del = await call(api.url, 'DELETE', '/api/v1/alerts/x', { token: api.read });
    expect(del.status).toBe(403);
    expect((await call(api.url, 'POST', '/mcp', { token: api.read, body: {} })).status).toBe(403);
  });

  it('serves MCP at /mcp to the admin token', async () => {
    const answer = await call(api.url, 'POST', '/mcp', {
      token: api.admin,
      headers: { accept: 'application/json, text/event-stream' },
      body: { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.result.tools.map((tool: { name: string }) => tool.name)).toContain('process_list');
  });

  it('refuses to run without auth beyond loopback, and without auth on loopback leaves /mcp out', async () => {
    await expect(
      createApiServer({ control: daemon.client, host: '0.0.0.0', port: 0, auth: { disabled: true } }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('loopback') });
    const open = await another({ auth: { disabled: true } });
    expect((await call(open.url, 'GET', '/api/v1/processes')).status).toBe(200);
    expect((await call(open.url, 'POST', '/api/v1/daemon/reload-logs')).status).toBe(200);
    expect((await call(open.url, 'POST', '/mcp', { body: {} })).status).toBe(404);
    expect(open.logs.join('\n')).toContain('/mcp is off');
  });

  it('warns when it listens beyond loopback without TLS', async () => {
    const wide = await another({ host: '0.0.0.0' });
    expect(wide.logs.join('\n')).toMatch(/warning: .*0\.0\.0\.0 without TLS/);
  });

  it('warns about nothing when it cannot listen there: the bind error is the one thing said', async () => {
    const taken = await another({ host: '0.0.0.0' });
    const logs: string[] = [];
    const port = Number(new URL(taken.url).port);
    await expect(
      createApiServer({
        control: daemon.client,
        host: '0.0.0.0',
        port,
        auth: { tokens: { admin: taken.admin } },
        log: (line) => logs.push(line),
      }),
    ).rejects.toThrow(/EADDRINUSE/);
    expect(logs).toEqual([]);
  });
});

describe('limits and validation', () => {
  it('answers 429 with Retry-After past the rate limit', async () => {
    const limited = await another({ rateLimitPerMinute: 3 });
    for (let i = 0; i < 3; i += 1) expect((await call(limited.url, 'GET', '/health')).status).toBe(200);
    const over = await call(limited.url, 'GET', '/api/v1/processes', { token: limited.read });
    expect(over).toMatchObject({ status: 429, body: { error: { code: 'RATE_LIMITED' } } });
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('counts failed logins and refused scopes against the rate limit', async () => {
    const origin = 'https://ops.example.com';
    const limited = await another({ rateLimitPerMinute: 3, corsOrigins: [origin] });
    for (const token of ['wrong', 'also-wrong']) {
      expect((await call(limited.url, 'GET', '/api/v1/processes', { token })).status).toBe(401);
    }
    expect(
      (await call(limited.url, 'POST', '/api/v1/processes/x/stop', { token: limited.read })).status,
    ).toBe(403);
    // a token guesser is stopped as any other client: past the limit, 429 whatever the token
    for (const token of ['third-wrong', limited.admin]) {
      const over = await call(limited.url, 'GET', '/api/v1/processes', { token, headers: { origin } });
      expect(over).toMatchObject({ status: 429, body: { error: { code: 'RATE_LIMITED' } } });
      // with helmet's headers, and readable by a page of an allowed origin
      expect(over.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(over.headers.get('access-control-allow-origin')).toBe(origin);
      // and its Retry-After and rate-limit headers too: a browser hides the headers not exposed
      const exposed = over.headers.get('access-control-expose-headers')?.toLowerCase().split(/,\s*/);
      expect(exposed).toEqual(expect.arrayContaining(['retry-after', 'x-ratelimit-reset']));
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });

  it('answers 413 to a body over the limit, and the daemon is unaffected', async () => {
    const big = await call(api.url, 'POST', '/api/v1/events', {
      token: api.admin,
      body: { name: 'big', message: 'x'.repeat(10_000) },
    });
    expect(big).toMatchObject({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE' } } });
    await expectDaemonFine();
  });

  it('answers 400 naming the field to malformed and invalid input', async () => {
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/v1/events', '{"name": "x",', 'body'],
      ['POST', '/api/v1/events', '[1, 2]', 'body'],
      ['POST', '/api/v1/events', { name: 'bad name!' }, 'name'],
      ['POST', '/api/v1/events', { name: 'ok', colour: 'red' }, 'colour'],
      ['POST', '/api/v1/processes/web/scale', { instances: 'lots' }, 'instances'],
      ['POST', '/api/v1/processes/web/stop', { force: true }, 'body'],
      ['POST', '/api/v1/processes', { apps: [{ name: 'x' }] }, 'apps[0].script'],
      ['POST', '/api/v1/processes', { config: '[[apps]]\nscript = "a.js"', format: 'toml' }, 'cwd'],
      ['POST', '/api/v1/processes', { config: '[[apps]\n', format: 'toml', cwd: '/tmp' }, 'config'],
      [
        'POST',
        '/api/v1/processes',
        { config: '[[apps]]\nscrpt = "a.js"', format: 'toml', cwd: '/tmp' },
        'config',
      ],
      ['POST', '/api/v1/processes', { config: 'apps: []', format: 'xml' }, 'format'],
      ['GET', '/api/v1/logs/web?lines=many', undefined, 'lines'],
      ['GET', '/api/v1/logs/web?lines=1&lines=2', undefined, 'lines'],
      ['GET', '/api/v1/logs/web?colour=red', undefined, 'colour'],
      ['GET', '/api/v1/logs/web/search?level=loud', undefined, 'level'],
      ['GET', `/api/v1/processes/${'x'.repeat(300)}`, undefined, 'target'],
      ['PUT', '/api/v1/config/web', { changes: {} }, 'changes'],
    ];
    for (const [method, path, body, field] of cases) {
      const answer = await call(api.url, method, path, { token: api.admin, body });
      expect(answer.status, `${method} ${path}`).toBe(400);
      expect(answer.body.error.field, `${method} ${path}: ${answer.body.error.message}`).toBe(field);
      expect(['INVALID_ARGUMENT', 'INVALID_CONFIG']).toContain(answer.body.error.code);
    }
    await expectDaemonFine();
  });

  it('refuses a body that is not UTF-8 instead of reading its bytes as U+FFFD', async () => {
    const send = async (message: Buffer) => {
      const body = Buffer.concat([Buffer.from('{"name":"deploy","message":"'), message, Buffer.from('"}')]);
      const response = await fetch(`${api.url}/api/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${api.admin}`, 'content-type': 'application/json' },
        body,
      });
      return { status: response.status, body: (await response.json()) as Json };
    };
    // café in Latin-1, as an old script sends it
    expect(await send(Buffer.from('caf\xe9', 'latin1'))).toEqual({
      status: 400,
      body: {
        error: {
          code: 'INVALID_ARGUMENT',
          message: 'body: not valid UTF-8: send the JSON text encoded as UTF-8',
          field: 'body',
        },
      },
    });
    const utf8 = await send(Buffer.from('café', 'utf8'));
    expect(utf8.status).toBe(200);
    expect(utf8.body.event.message).toBe('café');
  });

  it('refuses a body with a __proto__ or constructor.prototype key as a 400 naming the key, not as malformed', async () => {
    const cases: [string, string][] = [
      ['{"name":"x","__proto__":{"isAdmin":true}}', '__proto__'],
      ['{"apps":[{"name":"x","env":{"__proto__":{}}}]}', '__proto__'],
      ['{"name":"x","fields":{"constructor":{"prototype":{"isAdmin":true}}}}', 'constructor'],
    ];
    for (const [body, key] of cases) {
      const answer = await call(api.url, 'POST', '/api/v1/events', { token: api.admin, body });
      expect(answer.status, body).toBe(400);
      expect(answer.body.error).toEqual({
        code: 'INVALID_ARGUMENT',
        field: 'body',
        message: `Body refused: a "${key}" key is not taken (it could change the prototype of objects); rename or remove it`,
      });
    }
    // a key merely named constructor is data, and a malformed body is still told so
    const named = await call(api.url, 'POST', '/api/v1/events', {
      token: api.admin,
      body: '{"name":"x","fields":{"constructor":"Foo"}}',
    });
    expect(named.status).toBe(200);
    const broken = await call(api.url, 'POST', '/api/v1/events', { token: api.admin, body: '{"__proto__":' });
    expect(broken.body.error.message).toMatch(/^Body is not valid JSON/);
    await expectDaemonFine();
  });

  it('says a config text without its format lacks it, not "got undefined"', async () => {
    const answer = await call(api.url, 'POST', '/api/v1/processes', {
      token: api.admin,
      body: { config: 'apps: []', cwd: '/tmp' },
    });
    expect([answer.status, answer.body.error.field, answer.body.error.message]).toEqual([
      400,
      'format',
      'format: expected one of toml, yaml, json, got none (config needs its format)',
    ]);
  });

  it('says what a query value that does not parse should look like, not "received string"', async () => {
    const cases: [string, string][] = [
      ['/api/v1/logs/web?lines=many', 'lines: expected a whole number, got "many"'],
      ['/api/v1/logs/web?lines=1.5', 'lines: expected a whole number, got "1.5"'],
      ['/api/v1/logs/web/search?ignoreCase=yes', 'ignoreCase: expected true, false, 1 or 0, got "yes"'],
      ['/api/v1/metrics/history/web?sinceMs=soon', 'sinceMs: expected a number, got "soon"'],
      ['/api/v1/events?afterSeq=x1', 'afterSeq: expected a whole number, got "x1"'],
    ];
    for (const [path, message] of cases) {
      const answer = await call(api.url, 'GET', path, { token: api.read });
      expect(answer.status, path).toBe(400);
      expect(answer.body.error.message, path).toBe(message);
    }
  });

  it('says what a body field should hold and what it got, not zod\'s "Invalid input"', async () => {
    const cases: [string, unknown, string][] = [
      ['/api/v1/processes/web/restart', { env: { A: 1 } }, 'env.A: expected a string, got 1'],
      [
        '/api/v1/events',
        { name: 'deploy', severity: 'loud' },
        'severity: expected one of "info", "warning", "error", "critical", got "loud"',
      ],
      ['/api/v1/events', { message: 'no name' }, 'name: required, expected a string'],
    ];
    for (const [path, body, message] of cases) {
      const answer = await call(api.url, 'POST', path, { token: api.admin, body });
      expect(answer.status, path).toBe(400);
      expect(answer.body.error.message, path).toBe(message);
    }
  });

  it('answers a body that is not JSON, text/plain included, with 415 saying what is taken', async () => {
    for (const type of ['text/plain', 'text/plain; charset=utf-8', 'application/x-www-form-urlencoded']) {
      const answer = await call(api.url, 'POST', '/api/v1/processes/web/restart', {
        token: api.admin,
        headers: { 'content-type': type },
        body: 'env=1',
      });
      expect(answer.status, type).toBe(415);
      expect(answer.body.error).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'body' });
      expect(answer.body.error.message, type).toMatch(/Unsupported Media Type.*application\/json/);
    }
    await expectDaemonFine();
  });

  it('takes a POST without arguments with a JSON content type and no body', async () => {
    const answer = await call(api.url, 'POST', '/api/v1/daemon/reload-logs', {
      token: api.admin,
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.status).toBe(200);
  });

  it('answers 404 for an unknown target', async () => {
    const answer = await call(api.url, 'POST', '/api/v1/processes/ghost/restart', { token: api.admin });
    expect(answer).toMatchObject({ status: 404, body: { error: { code: 'TARGET_NOT_FOUND' } } });
  });

  it('answers 503 when the daemon is unreachable, and keeps serving', async () => {
    const home = mkdtempSync(join(tmpdir(), 'velos-api-nodaemon-'));
    homes.push(home);
    const orphan = await startServer(createClient({ home }));
    extra.push(orphan);
    expect(await call(orphan.url, 'GET', '/health')).toMatchObject({
      status: 503,
      body: { status: 'unreachable' },
    });
    const list = await call(orphan.url, 'GET', '/api/v1/processes', { token: orphan.read });
    expect(list).toMatchObject({ status: 503, body: { error: { code: 'DAEMON_UNAVAILABLE' } } });
    expect((await call(orphan.url, 'GET', '/api/v1/processes', { token: orphan.read })).status).toBe(503);
  });
});

describe('WebSocket path', () => {
  it('answers an upgrade on another path 404 naming the WebSocket, instead of opening and closing it', async () => {
    const url = api.url.replace(/^http/, 'ws');
    for (const path of ['/ws', '/api/v1/ws/', '/', '/api/v1/processes']) {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const ws = new WebSocket(`${url}${path}`, { headers: { authorization: `Bearer ${api.read}` } });
        ws.once('open', () => reject(new Error(`${path}: opened`)));
        ws.once('unexpected-response', (_request, response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += String(chunk)));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        });
        ws.once('error', () => undefined);
      });
      expect(answer.status, path).toBe(404);
      expect(JSON.parse(answer.body), path).toEqual({
        error: { code: 'UNKNOWN_COMMAND', message: `no WebSocket at ${path}: the WebSocket is /api/v1/ws` },
      });
    }
    // the WebSocket itself still opens, and a plain request with another Upgrade (h2c) is answered as ever
    const socket = await TestSocket.ready(`${url}/api/v1/ws`, api.read);
    await socket.close();
    const h2c = await new Promise<number>((resolve, reject) => {
      const headers = {
        authorization: `Bearer ${api.read}`,
        connection: 'Upgrade, HTTP2-Settings',
        upgrade: 'h2c',
        'http2-settings': '',
      };
      const request = httpGet(`${api.url}/api/v1/processes`, { headers }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.once('upgrade', (response, upgraded) => {
        upgraded.destroy();
        resolve(response.statusCode ?? 0);
      });
      request.once('error', reject);
    });
    expect(h2c).toBe(200);
  });
});

describe('browser-facing headers', () => {
  it('sends helmet headers with a CSP that allows only the own scripts', async () => {
    const answer = await call(api.url, 'GET', '/health');
    const csp = answer.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('strict-transport-security')).toBeNull();
  });

  it('answers no CORS headers by default and allows only the listed origins', async () => {
    const preflight = (url: string, origin: string) =>
      fetch(`${url}/api/v1/processes`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
    expect(
      (await preflight(api.url, 'http://evil.example')).headers.get('access-control-allow-origin'),
    ).toBeNull();
    const allowing = await another({ corsOrigins: ['http://ok.example'] });
    const ok = await preflight(allowing.url, 'http://ok.example');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://ok.example');
    expect(ok.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    const evil = await preflight(allowing.url, 'http://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    // the request after the preflight: the headers a page needs to act on an answer are exposed to it
    const actual = await fetch(`${allowing.url}/api/v1/processes`, {
      headers: { origin: 'http://ok.example' },
    });
    expect(actual.status).toBe(401);
    expect(actual.headers.get('access-control-allow-origin')).toBe('http://ok.example');
    expect(actual.headers.get('access-control-expose-headers')).toBe(
      'Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, WWW-Authenticate, Allow',
    );
  });
});
