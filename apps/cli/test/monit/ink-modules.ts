import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** ink's dependencies that monit's bundle replaces or wraps, loaded from where ink finds them. */
const inkIndex = createRequire(import.meta.url).resolve('ink');
const fromInk = createRequire(inkIndex);

/** Imports the package `name` as ink (or the package `via`, as ink finds it) resolves it. */
export async function importFromInk<T>(name: string, via?: string): Promise<T> {
  const from = via ? createRequire(fromInk.resolve(via)) : fromInk;
  return (await import(pathToFileURL(resolveImport(from, name)).href)) as T;
}

/** Imports a file of ink's build directory (ink exports only its index). */
export async function importInkFile<T>(file: string): Promise<T> {
  return (await import(pathToFileURL(join(dirname(inkIndex), file)).href)) as T;
}

/** The file `import name` loads: a package that exports only to `import` is read from its exports. */
function resolveImport(from: NodeJS.Require, name: string): string {
  try {
    return from.resolve(name);
  } catch {
    const manifest = from.resolve(`${name}/package.json`);
    const exports = JSON.parse(readFileSync(manifest, 'utf8')).exports as { '.': { import: string } };
    return join(dirname(manifest), exports['.'].import);
  }
}
