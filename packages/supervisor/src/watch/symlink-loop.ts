import { realpathSync } from 'node:fs';
import { dirname, sep } from 'node:path';

/**
 * True when the symbolic link at `path` leads back to a directory it is reached through: its target is
 * `path`'s parent or one of their ancestors up to the watched root that holds it, as each resolves
 * (`src/loop -> .`, `src/a/up -> ../..`, `src/shared/back -> ../src` through `src/shared -> ../shared`).
 * Following such a link never ends: with two of them in a directory the paths to walk double at each
 * level, and the watcher spun the daemon's CPU and memory without ever being ready. A link that cannot
 * be resolved (dangling, ELOOP) is not a loop here.
 */
export function isSymlinkLoop(path: string, roots: readonly string[]): boolean {
  const target = realPath(path);
  if (target === null) return false;
  const root = roots.find((candidate) => path.startsWith(`${candidate}${sep}`));
  if (root === undefined) return false;
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const real = realPath(dir);
    if (real !== null && isSameOrBelow(target, real)) return true;
    if (dir === root || dir === dirname(dir)) return false;
  }
}

function realPath(path: string): string | null {
  try {
    return realpathSync.native(path);
  } catch {
    return null;
  }
}

function isSameOrBelow(dir: string, path: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : `${dir}${sep}`);
}
