import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDashboard } from '../src/http/dashboard.js';

// The dashboard's files as registerDashboard serves them (http/static-files.ts): answers, refusals,
// conditional requests and ranges. A scratch build beside a file that must never be served.
const scratch = mkdtempSync(join(tmpdir(), 'velos-static-files-'));
const root = join(scratch, 'dashboard');
mkdirSync(join(root, 'assets'), { recursive: true });
mkdirSync(join(root, '.git'));
writeFileSync(join(root, 'index.html'), '<!doctype html><p>velos</p>\n');
writeFileSync(join(root, 'assets', 'app-ABCDEFGH.js'), 'console.log(1);\n');
writeFileSync(join(root, 'assets', 'index.html'), '<p>assets</p>\n');
writeFileSync(join(root, 'favicon.svg'), '<svg/>');
writeFileSync(join(root, '.hidden'), 'secret\n');
writeFileSync(join(root, '.git', 'config'), 'secret\n');
writeFileSync(join(scratch, 'outside.txt'), 'secret\n');

let app: FastifyInstance;
let port: number;

beforeAll(async () => {
  app = Fastify();
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ notFound: request.url }));
  await registerDashboard(app, root);
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as { port: number }).port;
});
afterAll(async () => {
  await app.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** One request on a raw socket: the path goes as written (fetch and inject resolve `..` and `%2e%2e`). */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () =>
      socket.write(`GET ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n`),
    );
    let text = '';
    socket.setEncoding('utf8').on('data', (chunk) => (text += chunk));
    socket.on('error', reject);
    socket.on('end', () =>
      resolve({ status: Number(text.split(' ')[1]), body: text.slice(text.indexOf('\r\n\r\n') + 4) }),
    );
  });
}

const HTML = 'text/html; charset=utf-8';
const JS = 'application/javascript; charset=utf-8';
const ETAG = /^W\/"[0-9a-f]+-[0-9a-f]+"$/;

describe('the dashboard’s files', () => {
  it('answers files, a directory’s index.html, HEAD and a range, the first requests (racing the load) as the later ones', async () => {
    const requests: { method: 'GET' | 'HEAD'; url: string; headers?: Record<string, string> }[] = [
      { method: 'GET', url: '/' },
      { method: 'HEAD', url: '/' },
      { method: 'GET', url: '/index.html?v=1' },
      { method: 'GET', url: '/assets/app-ABCDEFGH.js' },
      { method: 'GET', url: '/assets/app-ABCDEFGH.js', headers: { range: 'bytes=0-6' } },
      { method: 'GET', url: '/assets' },
      { method: 'GET', url: '/assets/' },
      { method: 'GET', url: '/favicon.svg' },
      { method: 'GET', url: '/missing.js' },
      { method: 'GET', url: '/index.html/' },
      { method: 'GET', url: '/assets/%00' },
    ];
    const answer = async (request: (typeof requests)[number]) => {
      const reply = await app.inject(request);
      const h = reply.headers;
      return [
        reply.statusCode,
        h['content-type'],
        h['cache-control'],
        h['content-length'],
        h['content-range'],
        reply.body,
      ];
    };
    const first = await Promise.all(requests.map(answer));
    expect(await Promise.all(requests.map(answer))).toEqual(first);
    expect(first).toEqual([
      [200, HTML, 'no-cache', '28', undefined, '<!doctype html><p>velos</p>\n'],
      [200, HTML, 'no-cache', '28', undefined, ''],
      [200, HTML, 'no-cache', '28', undefined, '<!doctype html><p>velos</p>\n'],
      [200, JS, 'public, max-age=31536000, immutable', '16', undefined, 'console.log(1);\n'],
      [206, JS, 'public, max-age=31536000, immutable', '7', 'bytes 0-6/16', 'console'],
      [200, HTML, 'public, max-age=31536000, immutable', '14', undefined, '<p>assets</p>\n'],
      [200, HTML, 'public, max-age=31536000, immutable', '14', undefined, '<p>assets</p>\n'],
      [200, 'image/svg+xml', 'no-cache', '6', undefined, '<svg/>'],
      [404, 'application/json; charset=utf-8', undefined, '26', undefined, '{"notFound":"/missing.js"}'],
      [404, 'application/json; charset=utf-8', undefined, '27', undefined, '{"notFound":"/index.html/"}'],
      [
        400,
        'application/json; charset=utf-8',
        undefined,
        '79',
        undefined,
        '{"statusCode":400,"error":"Bad Request","message":"malformed path /assets/%00"}',
      ],
    ]);
  });

  it('serves no dotfile, plain or percent-encoded (404)', async () => {
    for (const url of ['/.hidden', '/.git/config', '/%2ehidden', '/%2Egit/config', '/assets/../.hidden']) {
      const reply = await rawGet(url);
      expect([url, reply.status]).toEqual([url, 404]);
      expect(reply.body).not.toContain('secret');
    }
  });

  it('refuses paths that leave the folder: `..` plain or encoded, encoded separators, absolute paths, NUL bytes', async () => {
    const refused: [string, number][] = [
      ['/../outside.txt', 404],
      ['/assets/../../outside.txt', 404],
      ['/%2e%2e/outside.txt', 404],
      ['/%2E%2E/%2e%2e/etc/passwd', 404],
      ['/..%2foutside.txt', 404],
      ['/assets%2f..%2f..%2foutside.txt', 404],
      ['/..%5coutside.txt', 404],
      ['//etc/passwd', 404],
      ['/%2fetc%2fpasswd', 404],
      [`/${encodeURIComponent(join(scratch, 'outside.txt'))}`, 404],
      ['/index.html%00.js', 400],
      ['/%00/../outside.txt', 400],
    ];
    const answers = await Promise.all(refused.map(async ([url]) => [url, (await rawGet(url)).status]));
    expect(answers).toEqual(refused);
    for (const [url] of refused) expect((await rawGet(url)).body).not.toContain('secret');
  });

  it('answers a conditional request that names the current version with 304, and a stale one with the file', async () => {
    const full = await app.inject({ method: 'GET', url: '/' });
    const etag = String(full.headers.etag);
    const lastModified = String(full.headers['last-modified']);
    expect(etag).toMatch(ETAG);
    expect(Date.parse(lastModified)).toBeGreaterThan(0);
    for (const headers of [
      { 'if-none-match': etag },
      { 'if-none-match': `"other", ${etag}` },
      { 'if-none-match': '*' },
      { 'if-modified-since': lastModified },
    ]) {
      const reply = await app.inject({ method: 'GET', url: '/', headers });
      expect([headers, reply.statusCode, reply.body]).toEqual([headers, 304, '']);
      expect(reply.headers.etag).toBe(etag);
      expect(reply.headers['cache-control']).toBe('no-cache');
      expect(reply.headers['content-type']).toBeUndefined();
    }
    for (const headers of [
      { 'if-none-match': 'W/"0-0"' },
      // If-None-Match wins over If-Modified-Since
      { 'if-none-match': 'W/"0-0"', 'if-modified-since': lastModified },
      { 'if-modified-since': 'Thu, 01 Jan 1970 00:00:00 GMT' },
    ]) {
      const reply = await app.inject({ method: 'GET', url: '/', headers });
      expect([headers, reply.statusCode, reply.body]).toEqual([
        headers,
        200,
        '<!doctype html><p>velos</p>\n',
      ]);
    }
  });

  it('takes one byte range (from the end too), says 416 past the end and sends the whole file to a stale If-Range', async () => {
    const url = '/assets/app-ABCDEFGH.js';
    const get = async (headers: Record<string, string>) => {
      const reply = await app.inject({ method: 'GET', url, headers });
      return [reply.statusCode, reply.headers['content-range'], reply.body];
    };
    const { etag } = (await app.inject({ method: 'HEAD', url })).headers;
    expect(await get({ range: 'bytes=8-' })).toEqual([206, 'bytes 8-15/16', 'log(1);\n']);
    expect(await get({ range: 'bytes=-3' })).toEqual([206, 'bytes 13-15/16', ');\n']);
    expect(await get({ range: 'bytes=8-100' })).toEqual([206, 'bytes 8-15/16', 'log(1);\n']);
    expect(await get({ range: 'bytes=16-' })).toEqual([416, 'bytes */16', '']);
    expect(await get({ range: 'bytes=0-1,4-5' })).toEqual([200, undefined, 'console.log(1);\n']);
    expect(await get({ range: 'bytes=0-6', 'if-range': String(etag) })).toEqual([
      206,
      'bytes 0-6/16',
      'console',
    ]);
    expect(await get({ range: 'bytes=0-6', 'if-range': 'W/"0-0"' })).toEqual([
      200,
      undefined,
      'console.log(1);\n',
    ]);
  });
});
