import { isAbsolute, join, relative, sep } from 'node:path';
import picomatch from 'picomatch';
import { rotationFileMatcher } from '../logs/log-rotation.js';

/** Decides whether a changed path is ignored by an app's `ignore_watch` or is one of its own log files. */
export type IgnoreMatcher = (path: string) => boolean;

/** What an app's watcher ignores. */
export interface IgnoreOptions {
  /** The app's `ignore_watch` globs. */
  globs: readonly string[];
  /** Where a glob with a slash in it is relative to (the app's cwd). */
  cwd: string;
  /** The watched paths: with `cwd`, the directories below which a glob without a slash matches. */
  roots: readonly string[];
  /** The app's own log files: they, their rotated copies and the temp files of their compression. */
  ownLogFiles: readonly string[];
}

/**
 * Builds the matcher of an app's watcher. As in .gitignore, a glob without a slash (`*.tmp`,
 * `cache`) matches a file or directory name at any depth below the cwd or a watched path; an
 * absolute glob matches absolute paths, one that starts with `**` matches anywhere, any other glob
 * is relative to the cwd. A glob also covers what is below the path it names (`node_modules`
 * ignores `node_modules/x.js`). The app's log files and what their rotation writes are always ignored.
 */
export function createIgnoreMatcher(options: IgnoreOptions): IgnoreMatcher {
  const patterns: string[] = [];
  const names: string[] = [];
  for (const glob of options.globs) {
    const trimmed = glob.replace(/\/+$/, '');
    if (trimmed === '') continue;
    if (!trimmed.includes('/')) {
      names.push(trimmed);
      continue;
    }
    const pattern = isAbsolute(trimmed) || trimmed.startsWith('**') ? trimmed : join(options.cwd, trimmed);
    patterns.push(pattern, `${pattern}/**`);
  }
  const isMatch = patterns.length > 0 ? picomatch(patterns, { dot: true }) : () => false;
  const isName = names.length > 0 ? picomatch(names, { dot: true }) : null;
  const roots = [...new Set([options.cwd, ...options.roots])];
  const isOwnLog = options.ownLogFiles.map(rotationFileMatcher);
  return (path) =>
    isOwnLog.some((matches) => matches(path)) ||
    isMatch(path) ||
    (isName !== null && roots.some((root) => hasNameBelow(root, path, isName)));
}

/** True when a name in `path` below `root` (the root's own name not included) matches. */
function hasNameBelow(root: string, path: string, isName: (name: string) => boolean): boolean {
  const below = relative(root, path);
  if (below === '' || below === '..' || below.startsWith(`..${sep}`) || isAbsolute(below)) return false;
  return below.split(sep).some(isName);
}
