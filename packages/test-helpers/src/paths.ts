import { realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of the monorepo (found from this file's real path, symlinked node_modules or not); the CLI's default cwd. */
export const REPO_ROOT = resolve(dirname(realpathSync(fileURLToPath(import.meta.url))), '../../..');
/** The fixture programs the tests supervise (`fixtures/` at the root). */
export const FIXTURES = join(REPO_ROOT, 'fixtures');
/** The built `velos` binary. */
export const VELOS_BIN = join(REPO_ROOT, 'apps/cli/bin/velos.js');
/** The built `velos-server` binary. */
export const SERVER_BIN = join(REPO_ROOT, 'apps/server/bin/velos-server.js');

/** Absolute path of a program in `fixtures/`. */
export function fixture(name: string): string {
  return join(FIXTURES, name);
}
