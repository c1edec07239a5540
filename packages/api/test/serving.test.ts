import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@velos/client';
import { hasOpenssl, makeSelfSigned } from '@velos/test-helpers';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { call, startServer, type TestServer } from './support/api-server.js';

let dir: string;
const servers: TestServer[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'velos-api-serving-'));
});
afterEach(async () => {
  for (const server of servers.splice(0)) await server.server.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// these servers need no daemon: their control points at an empty home
async function serve(options: Parameters<typeof startServer>[1]): Promise<TestServer> {
  const server = await startServer(createClient({ home: dir }), options);
  servers.push(server);
  return server;
}

describe('the dashboard', () => {
  it('is served at / without a token, hashed assets cached for a year and the page revalidated', async () => {
    const dashboard = join(dir, 'dashboard');
    mkdirSync(join(dashboard, 'assets'), { recursive: true });
    // as the dashboard's esbuild build lays it out: entry files by name, chunks by content hash
    writeFileSync(
      join(dashboard, 'index.html'),
      '<!doctype html><script type="module" src="app.js"></script>',
    );
    writeFileSync(join(dashboard, 'app.js'), 'import("./chunk-5TQRXKZA.js");');
    writeFileSync(join(dashboard, 'chunk-5TQRXKZA.js'), 'console.log(1);');
    writeFileSync(join(dashboard, 'assets', 'logo.svg'), '<svg/>');
    const api = await serve({ dashboardDir: dashboard });
    const page = await call(api.url, 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('app.js');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const entry = await call(api.url, 'GET', '/app.js');
    expect(entry.status).toBe(200);
    expect(entry.headers.get('cache-control')).toBe('no-cache');
    for (const path of ['/chunk-5TQRXKZA.js', '/assets/logo.svg']) {
      const hashed = await call(api.url, 'GET', path);
      expect(hashed.status, path).toBe(200);
      expect(hashed.headers.get('cache-control'), path).toContain('immutable');
    }
    expect((await call(api.url, 'GET', '/assets/missing.js')).status).toBe(404);
    expect((await call(api.url, 'GET', '/api/v1/processes')).status).toBe(401);
  });

  it('is left out with dashboard: false', async () => {
    const api = await serve({ dashboard: false });
    expect((await call(api.url, 'GET', '/')).status).toBe(404);
  });
});

describe('TLS', () => {
  it.runIf(hasOpenssl())('serves HTTPS with the given certificate, with HSTS', async () => {
    const { certPath: cert, keyPath: key } = makeSelfSigned(dir);
    const api = await serve({ tls: { cert: readFileSync(cert), key: readFileSync(key) } });
    expect(api.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const answer = await new Promise<{ status: number; hsts: unknown; body: string }>((resolve, reject) => {
      const req = request(
        `${api.url}/api/v1/openapi.json`,
        { ca: readFileSync(cert), headers: { authorization: `Bearer ${api.read}` } },
        (res) => {
          let body = '';
          res.on('data', (chunk) => (body += chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, hsts: res.headers['strict-transport-security'], body }),
          );
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).openapi).toBe('3.1.0');
    expect(answer.hsts).toContain('max-age=');
  });
});
