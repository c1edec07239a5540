import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { registerLazyStatic } from '../src/http/lazy-static.js';

const root = mkdtempSync(join(tmpdir(), 'velos-lazy-static-'));
mkdirSync(join(root, 'assets'));
writeFileSync(join(root, 'index.html'), '<!doctype html><p>velos</p>\n');
writeFileSync(join(root, 'assets', 'app-ABCDEFGH.js'), 'console.log(1);\n');
writeFileSync(join(root, 'assets', 'index.html'), '<p>assets</p>\n');
writeFileSync(join(root, '.hidden'), 'secret\n');

afterAll(() => rmSync(root, { recursive: true, force: true }));

const options = {
  root,
  prefix: '/' as const,
  index: ['index.html'],
  cacheControl: false,
  serveDotFiles: false,
  setHeaders: (res: { setHeader: (name: string, value: string) => void }, path: string) => {
    res.setHeader('cache-control', path.includes('assets') ? 'immutable' : 'no-cache');
  },
};

const REQUESTS: { method: 'GET' | 'HEAD'; url: string; headers?: Record<string, string> }[] = [
  { method: 'GET', url: '/' },
  { method: 'HEAD', url: '/' },
  { method: 'GET', url: '/index.html' },
  { method: 'GET', url: '/assets/app-ABCDEFGH.js' },
  { method: 'GET', url: '/assets/app-ABCDEFGH.js', headers: { range: 'bytes=0-6' } },
  { method: 'GET', url: '/assets' },
  { method: 'GET', url: '/assets/' },
  { method: 'GET', url: '/missing.js' },
  { method: 'GET', url: '/.hidden' },
  { method: 'GET', url: '/%2e%2e/%2e%2e/etc/passwd' },
  { method: 'GET', url: '/assets/%00' },
];

/** Each request's status, headers (but the date) and body, asked at once: the first ones race the load. */
async function answers(app: FastifyInstance): Promise<string[]> {
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ notFound: request.url }));
  await app.ready();
  try {
    const replies = await Promise.all(REQUESTS.map((request) => app.inject(request)));
    // the same again, once loaded
    replies.push(...(await Promise.all(REQUESTS.map((request) => app.inject(request)))));
    return replies.map((reply) => {
      const { date: _date, ...headers } = reply.headers;
      return `${reply.statusCode} ${JSON.stringify(headers)} ${reply.body}`;
    });
  } finally {
    await app.close();
  }
}

describe('registerLazyStatic', () => {
  it('answers every request as @fastify/static registered at start does, the first ones included', async () => {
    const eager = Fastify();
    await eager.register(fastifyStatic, { ...options });
    const lazy = Fastify();
    registerLazyStatic(lazy, { ...options });
    const expected = await answers(eager);
    expect(await answers(lazy)).toEqual(expected);
    expect(expected[0]).toMatch(/^200 .*no-cache.*velos/);
    expect(expected[4]).toMatch(/^206 .*console/);
  });

  it('refuses the options that would make the plugin declare other routes', () => {
    expect(() => registerLazyStatic(Fastify(), { ...options, redirect: true })).toThrow(/wildcard route/);
  });
});
