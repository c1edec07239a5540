import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

/** The values (functions, classes, constants) a package's `src/index.ts` exports; types are left out. */
function valueExports(indexFile: string): string[] {
  const source = readFileSync(indexFile, 'utf8');
  const names = [...source.matchAll(/^export (?:async )?(?:function|const|class) ([A-Za-z_$][\w$]*)/gm)].map(
    ([, name]) => name!,
  );
  for (const [, list] of source.matchAll(/^export \{([^}]*)\}/gm)) {
    for (const entry of list!.split(',').map((each) => each.trim())) {
      if (entry === '' || entry.startsWith('type ')) continue;
      names.push(entry.split(/\s+as\s+/).pop()!);
    }
  }
  return names;
}

/** Where each package's exports are described, one line each (STYLE.md, "Package README"). */
function apiPage(dir: string): string {
  // the private test helpers are described in docs/testing.md, which their README points to
  return dir.endsWith(join('packages', 'test-helpers'))
    ? readFileSync(join(root, 'docs', 'testing.md'), 'utf8')
    : readFileSync(join(dir, 'README.md'), 'utf8');
}

const packageDirs = readdirSync(join(root, 'packages'))
  .map((name) => join(root, 'packages', name))
  .filter((dir) => existsSync(join(dir, 'src', 'index.ts')));

describe('package READMEs', () => {
  it.each(packageDirs.map((dir) => [dir.slice(root.length + 1), dir]))(
    '%s names every value its index exports',
    (_, dir) => {
      const page = apiPage(dir);
      const missing = valueExports(join(dir, 'src', 'index.ts')).filter(
        (name) => !new RegExp(`(?<![\\w$])${name.replace('$', '\\$')}(?![\\w$])`).test(page),
      );
      expect(missing).toEqual([]);
    },
  );
});
