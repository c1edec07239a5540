import { isAbsolute, join } from 'node:path';
import picomatch from 'picomatch';

/** Decides whether a changed path is ignored by an app's `ignore_watch`. */
export type IgnoreMatcher = (path: string) => boolean;

/**
 * Builds the matcher of an app's ignore globs: an absolute glob matches absolute paths, a glob that
 * starts with `**` matches anywhere, any other glob is relative to `cwd`. A glob also covers what is
 * below the path it names (`node_modules` ignores `node_modules/x.js`). `exactPaths` (the app's own
 * log files) are ignored as they are.
 */
export function createIgnoreMatcher(
  globs: readonly string[],
  cwd: string,
  exactPaths: readonly string[] = [],
): IgnoreMatcher {
  const patterns: string[] = [];
  for (const glob of globs) {
    const trimmed = glob.replace(/\/+$/, '');
    if (trimmed === '') continue;
    const pattern = isAbsolute(trimmed) || trimmed.startsWith('**') ? trimmed : join(cwd, trimmed);
    patterns.push(pattern, `${pattern}/**`);
  }
  const isMatch = patterns.length > 0 ? picomatch(patterns, { dot: true }) : () => false;
  const exact = new Set(exactPaths);
  return (path) => exact.has(path) || isMatch(path);
}
