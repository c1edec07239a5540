import { accessSync, constants, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Finds a program a project installed with npm, pnpm or yarn (`node_modules/.bin/<name>`, as `npx`
 * runs it) in each of `dirs` or their parents, nearest first; null when none has it.
 * @example findProjectBin('tsx', ['/srv/api/src']) // → '/srv/api/node_modules/.bin/tsx'
 */
export function findProjectBin(name: string, dirs: readonly string[]): string | null {
  for (const start of dirs) {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      const candidate = join(dir, 'node_modules', '.bin', name);
      if (isExecutableFile(candidate)) return candidate;
      if (dirname(dir) === dir) break;
    }
  }
  return null;
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
