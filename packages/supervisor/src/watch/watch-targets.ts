import { existsSync } from 'node:fs';
import { sep } from 'node:path';
import { watchGlobBase } from '@velos/core';
import picomatch from 'picomatch';

/** What an app's watch paths watch: the paths the watcher walks, and which changed paths count. */
export interface WatchTargets {
  /** Absolute files or directories watched recursively: the plain watch paths and the bases of globs. */
  roots: string[];
  /** True for a changed path that counts: at or below a plain watch path, or matched by a glob. */
  isWatched(path: string): boolean;
}

/**
 * Splits an app's absolute watch paths into what is watched and what counts (SUP-7): a path with glob
 * syntax that does not exist as it is (`/srv/api/src/**\/*.js`, PM2's `watch: ["*.js"]`) watches its
 * base directory, and only the paths it matches are changes; any other path is watched with all below it.
 * @example watchTargets(['/srv/api/*.js', '/srv/api/lib']).roots // → ['/srv/api', '/srv/api/lib']
 */
export function watchTargets(paths: readonly string[]): WatchTargets {
  const roots: string[] = [];
  const plain: string[] = [];
  const globs: string[] = [];
  for (const path of paths) {
    const base = existsSync(path) ? null : watchGlobBase(path);
    if (base === null) plain.push(path);
    else globs.push(path);
    roots.push(base ?? path);
  }
  const isMatch = globs.length > 0 ? picomatch(globs, { dot: true }) : () => false;
  return {
    roots: [...new Set(roots)],
    isWatched: (path) => plain.some((root) => isSameOrBelow(root, path)) || isMatch(path),
  };
}

function isSameOrBelow(dir: string, path: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : `${dir}${sep}`);
}
