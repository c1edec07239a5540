import { dirname, isAbsolute, resolve } from 'node:path';
import { parseConfigText } from './config-loader.js';
import { readConfigText } from './config-read.js';

/** How deep `env_file` keys are looked for: `apps[i].env_file`, `[defaults]`, PM2's `apps` and `processes`. */
const MAX_DEPTH = 4;

/**
 * CFG-2 `--watch-config`: the absolute paths of the `env_file`s a config file names (its apps', its
 * `[defaults]`'), relative ones against the file's directory, so that an edit of one reloads the
 * file as an edit of the file does. A file that cannot be read or parsed names none (its reload
 * reports why).
 */
export async function configEnvFiles(path: string): Promise<string[]> {
  const file = resolve(path);
  let document: unknown;
  try {
    document = await parseConfigText(readConfigText(file), file);
  } catch {
    return [];
  }
  const found = new Set<string>();
  const add = (value: unknown): void => {
    for (const entry of Array.isArray(value) ? value : [value]) {
      if (typeof entry === 'string' && entry !== '') {
        found.add(isAbsolute(entry) ? entry : resolve(dirname(file), entry));
      }
    }
  };
  const visit = (value: unknown, depth: number): void => {
    if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
      return;
    }
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'env_file') add(inner);
      else visit(inner, depth + 1);
    }
  };
  visit(document, 0);
  return [...found];
}
