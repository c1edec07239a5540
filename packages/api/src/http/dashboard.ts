import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { registerStaticFiles } from './static-files.js';

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
 * hashed assets cached for a year and the rest revalidated; without a build, `/` says so. Dotfiles and
 * paths outside `dir` are the app's 404; the file handler loads with the first request of a file.
 */
export async function registerDashboard(app: FastifyInstance, dir: string): Promise<void> {
  if (!existsSync(dir)) {
    app.get('/', { config: { scope: 'none' } }, async (_request, reply) =>
      reply.type('text/html').send(NOT_BUILT),
    );
    return;
  }
  registerStaticFiles(app, {
    root: resolve(dir),
    cacheControlOf: (path) => (HASHED.test(path) ? IMMUTABLE : REVALIDATE),
  });
}
