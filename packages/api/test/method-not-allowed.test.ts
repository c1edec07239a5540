import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@velos/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startServer, type TestServer } from './support/api-server.js';

let home: string;
let api: TestServer;
let open: TestServer;

// a 405 never reaches the daemon: these servers' control points at an empty home
beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'velos-api-405-'));
  const dashboard = join(home, 'dashboard');
  mkdirSync(dashboard);
  writeFileSync(join(dashboard, 'index.html'), '<!doctype html><title>Velos</title>');
  // with the dashboard's static files, whose wildcard route takes every GET path
  api = await startServer(createClient({ home }), { dashboardDir: dashboard });
  open = await startServer(createClient({ home }), { auth: { disabled: true }, dashboard: false });
});

afterAll(async () => {
  await api?.server.close();
  await open?.server.close();
  rmSync(home, { recursive: true, force: true });
});

describe('a path asked with a method none of its routes takes', () => {
  it('answers 405 with Allow and the JSON error shape', async () => {
    const put = await call(api.url, 'PUT', '/api/v1/processes', { token: api.admin });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, HEAD, POST');
    expect(put.body).toEqual({
      error: {
        code: 'METHOD_NOT_ALLOWED',
        message: 'PUT is not allowed on /api/v1/processes; it takes GET, HEAD, POST',
      },
    });
    const stop = await call(api.url, 'GET', '/api/v1/processes/web/stop?x=1', { token: api.read });
    expect(stop).toMatchObject({ status: 405, body: { error: { code: 'METHOD_NOT_ALLOWED' } } });
    expect(stop.headers.get('allow')).toBe('POST');
    // percent-encoded as the router decodes it
    const encoded = await call(api.url, 'PUT', '/api/v1/process%65s', { token: api.admin });
    expect(encoded.headers.get('allow')).toBe('GET, HEAD, POST');
    const patch = await call(api.url, 'PATCH', '/api/v1/alerts/cpu', { token: api.admin });
    expect(patch.headers.get('allow')).toBe('DELETE');
    expect((await call(api.url, 'HEAD', '/api/v1/daemon/save', { token: api.admin })).status).toBe(405);
  });

  it('lists the methods of every route the path matches, parametric ones included', async () => {
    // GET and PUT /config/{target} take "reload" as a target; POST /config/reload is its own route
    const answer = await call(api.url, 'DELETE', '/api/v1/config/reload', { token: api.admin });
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('GET, HEAD, POST, PUT');
  });

  it('asks a token first, as the routes of the path do, and tells nothing without one', async () => {
    const none = await call(api.url, 'PUT', '/api/v1/processes');
    expect(none).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect(none.headers.get('allow')).toBeNull();
    // nor to an OPTIONS request, which passes the token check only as a CORS preflight
    expect((await call(api.url, 'OPTIONS', '/api/v1/processes')).status).toBe(401);
    const options = await call(api.url, 'OPTIONS', '/api/v1/processes', { token: api.read });
    expect(options.headers.get('allow')).toBe('GET, HEAD, POST');
    expect((await call(api.url, 'PUT', '/api/v1/processes', { token: `${api.admin}x` })).status).toBe(401);
    // a read token may read the OpenAPI document, which lists the methods anyway
    expect((await call(api.url, 'DELETE', '/api/v1/daemon/save', { token: api.read })).status).toBe(405);
  });

  it('needs no token on a path whose routes need none', async () => {
    for (const path of ['/health', '/api/v1/health']) {
      const answer = await call(api.url, 'POST', path);
      expect(answer.status, path).toBe(405);
      expect(answer.headers.get('allow'), path).toBe('GET, HEAD');
    }
  });

  it('is no answer to a method the path takes, however long its parameter', async () => {
    // beyond the router's parameter limit the path matched no route: "GET is not allowed …; it takes … GET"
    const long = await call(api.url, 'GET', `/api/v1/processes/${'a'.repeat(5000)}`, { token: api.read });
    expect(long).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_ARGUMENT', field: 'target' } },
    });
    expect(long.headers.get('allow')).toBeNull();
  });

  it('answers 405 with authentication off too', async () => {
    const answer = await call(open.url, 'DELETE', '/api/v1/processes');
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('GET, HEAD, POST');
  });
});

describe('a path no route has', () => {
  it('stays a JSON 404, with or without a token, whatever the method', async () => {
    for (const [method, path] of [
      ['POST', '/api/v1/nothing'],
      ['GET', '/api/v1/processes/web/stop/now'],
      ['PUT', '/api/v1/processes/web/'],
      ['POST', '/index.html'],
      ['GET', '/api/v2/processes'],
    ] as const) {
      for (const token of [api.admin, undefined]) {
        const answer = await call(api.url, method, path, token === undefined ? {} : { token });
        expect(answer.status, `${method} ${path}`).toBe(404);
        expect(answer.body.error.code).toBe('UNKNOWN_COMMAND');
        expect(answer.headers.get('allow')).toBeNull();
      }
    }
  });
});
