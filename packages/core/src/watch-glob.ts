import { sep } from 'node:path';

/** Characters that make a watch path a glob (`src/**\/*.js`, `*.{js,json}`, `lib/?.js`, `[ab].js`). */
const GLOB_CHARS = /[*?[\]{}]/;

/**
 * SUP-7: the directory a watch path with glob syntax is watched from, its segments before the first
 * that holds a glob character (`/srv/api/src/**\/*.js` → `/srv/api/src`, `/srv/api/*.js` → `/srv/api`),
 * as PM2 watched such paths (chokidar 3 expanded them); null for a path without glob syntax. A caller
 * takes a path that exists as it is (a directory named `a[1]`) for a plain path first.
 * @example watchGlobBase('/srv/api/src/**\/*.ts') // → '/srv/api/src'
 */
export function watchGlobBase(path: string): string | null {
  if (!GLOB_CHARS.test(path)) return null;
  const segments = path.split(sep);
  const first = segments.findIndex((segment) => GLOB_CHARS.test(segment));
  const base = segments.slice(0, first).join(sep);
  return base === '' ? sep : base;
}
