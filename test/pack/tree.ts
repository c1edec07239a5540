import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import { waitFor } from './processes.js';

/** The installed trees global-setup.ts prepares once for the project. */
export type TreeName = 'all' | 'alone';

/**
 * The directory of an installed tree (its node_modules inside), once global-setup.ts has installed it;
 * throws its error when packing or installing failed. Call it from a beforeAll: it waits (the hook's
 * timeout bounds a cold npm cache's install).
 */
export async function installedTree(tree: TreeName, timeoutMs = 290_000): Promise<string> {
  const work = inject('packWork');
  const failed = join(work, `${tree}.failed`);
  await waitFor(() => existsSync(join(work, `${tree}.ready`)) || existsSync(failed), timeoutMs);
  if (existsSync(failed))
    throw new Error(`packing or installing the ${tree} tree failed:\n${readFileSync(failed, 'utf8')}`);
  return join(work, tree);
}
