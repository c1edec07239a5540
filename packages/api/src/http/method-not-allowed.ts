import type { FastifyInstance } from 'fastify';
import type { ApiScope } from '../options.js';

/** The methods the routes of a path take, for a request of another method, and what it takes to be told. */
export interface PathMethods {
  /** Every method a route of the path takes, sorted: the `Allow` header. */
  allow: string[];
  /** The least scope among those routes: a request needs it before it learns their methods. */
  scope: ApiScope | 'none';
}

/** Tells the methods of the routes whose pattern matches `path` (no query), or null when none does. */
export type FindPathMethods = (path: string) => PathMethods | null;

interface KnownRoute {
  method: string;
  segments: readonly string[];
  scope: ApiScope | 'none';
}

const SCOPE_RANK: Record<ApiScope | 'none', number> = { none: 0, read: 1, admin: 2 };

/**
 * Records each route `app` registers from now on (its `onRoute` hook; call it before any route) and
 * returns a lookup of the methods a path takes, for the 405 of a request whose method no route of
 * the path takes. Wildcard routes (the dashboard's static files, the CORS preflight) are left out:
 * they would make every path exist, and an unknown path stays a 404.
 */
export function trackPathMethods(app: FastifyInstance): FindPathMethods {
  const routes: KnownRoute[] = [];
  app.addHook('onRoute', (route) => {
    if (route.url.includes('*')) return;
    const scope = (route.config as { scope?: ApiScope | 'none' } | undefined)?.scope ?? 'none';
    const segments = route.url.split('/');
    for (const method of [route.method].flat()) routes.push({ method, segments, scope });
  });
  return (path) => {
    const segments = path.split('/').map(decodeSegment);
    const matched = routes.filter((route) => isMatch(route.segments, segments));
    if (matched.length === 0) return null;
    const allow = new Set(matched.map((route) => route.method));
    // fastify answers HEAD for every GET route (exposeHeadRoutes) whether or not onRoute showed it
    if (allow.has('GET')) allow.add('HEAD');
    const scope = matched.reduce<ApiScope | 'none'>(
      (least, route) => (SCOPE_RANK[route.scope] < SCOPE_RANK[least] ? route.scope : least),
      'admin',
    );
    return { allow: [...allow].sort(), scope };
  };
}

/** True when a route's pattern matches a path's segments (a `:param` any one, even empty, as the router's). */
function isMatch(pattern: readonly string[], segments: readonly string[]): boolean {
  if (pattern.length !== segments.length) return false;
  return pattern.every((part, i) => part.startsWith(':') || part === segments[i]);
}

/** A path segment as the router compares it: percent-decoded (`process%65s` is `processes`). */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
