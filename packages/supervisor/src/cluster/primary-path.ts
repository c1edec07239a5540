import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, VelosError } from '@velos/core';

/** File name of the built cluster primary script, shipped next to the bundle that runs the daemon. */
export const PRIMARY_FILE = 'cluster-primary.js';

/**
 * Finds the built cluster primary script: beside the running bundle (the package's dist/, the CLI's
 * dist/ chunks, a test bundle), else the package's dist/ when running from its sources.
 */
export function findPrimaryScript(): string {
  const candidates = [
    new URL(`./${PRIMARY_FILE}`, import.meta.url),
    new URL(`../../dist/${PRIMARY_FILE}`, import.meta.url),
  ].map((url) => fileURLToPath(url));
  const found = candidates.find((path) => existsSync(path));
  if (found) return found;
  throw new VelosError(
    ErrorCodes.SPAWN_FAILED,
    `cluster mode: the cluster primary script is missing (looked for ${candidates.join(', ')}); rebuild velos`,
  );
}
