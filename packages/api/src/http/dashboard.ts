import { existsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { registerLazyStatic } from './lazy-static.js';

/** A file whose name carries a content hash (`chunk-5TQRXKZA.js`, esbuild's `[hash]`), or anything under `assets/`. */
const HASHED = /(-[A-Za-z0-9_]{8,}\.[a-z0-9]+|[/\\]assets[/\\].*)$/;
/** Cache-Control of hashed files: their content never changes under that name. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Cache-Control of everything else (index.html): revalidate each time, so a new build shows at once. */
const REVALIDATE = 'no-cache';

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Velos</title></head>
<body><h1>Velos API</h1>
<p>The web dashboard was not built (<code>packages/api/dist/dashboard</code> is missing).
The REST API answers under <code>/api/v1</code>; its description is
<a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>
</body></html>
`;

/**
 * Serves the dashboard's built files from `dir` at `/` (no token: the page asks for one itself),
 * hashed assets cached for a year and the rest revalidated; without a build, `/` says so.
 * @fastify/static loads with the first request of a file, which waits for it.
 */
export async function registerDashboard(app: FastifyInstance, dir: string): Promise<void> {
  if (!existsSync(dir)) {
    app.get('/', { config: { scope: 'none' } }, async (_request, reply) =>
      reply.type('text/html').send(NOT_BUILT),
    );
    return;
  }
  // @fastify/static loads with the first request of a file (velos serve starts ~100 ms of CPU sooner)
  registerLazyStatic(app, {
    root: dir,
    prefix: '/',
    index: ['index.html'],
    cacheControl: false,
    serveDotFiles: false,
    setHeaders: (res, path) => {
      res.setHeader('cache-control', HASHED.test(path) ? IMMUTABLE : REVALIDATE);
    },
  });
}
