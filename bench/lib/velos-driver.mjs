// Velos, run through its built CLI with a temp VELOS_HOME.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createManagerDriver, RUN_MARKER, toSnakeCaseApp } from './manager-driver.mjs';

/** The `velos` binary of this checkout. */
export const VELOS_BIN = fileURLToPath(new URL('../../apps/cli/bin/velos.js', import.meta.url));

/** A driver for Velos with `home` as VELOS_HOME (the CLI must have been built). */
export function createVelosDriver({ home, runId }) {
  return createManagerDriver({
    name: 'velos',
    label: 'Velos',
    version: readVersion(),
    bin: VELOS_BIN,
    home,
    runId,
    env: { ...process.env, VELOS_HOME: home, [RUN_MARKER]: runId },
    listArgs: ['list', '--json'],
    pidFile: join(home, 'velos.pid'),
    outLogPath: (name) => join(home, 'logs', `${name}-out.log`),
    configName: 'velos.json',
    toConfig: (apps) => ({ apps: apps.map(toSnakeCaseApp) }),
    parseList: (stdout) =>
      JSON.parse(stdout).map((p) => ({
        name: p.name,
        pid: p.pid ?? null,
        status: p.status,
        restarts: p.restarts ?? 0,
      })),
  });
}

/** Why Velos cannot be benchmarked from this checkout, or null when its CLI and build are present. */
export function velosMissingReason() {
  if (!existsSync(VELOS_BIN)) return `${VELOS_BIN} does not exist`;
  const dist = fileURLToPath(new URL('../../apps/cli/dist', import.meta.url));
  if (!existsSync(dist)) return 'apps/cli/dist is missing (run `pnpm build`)';
  return null;
}

function readVersion() {
  const pkg = fileURLToPath(new URL('../../apps/cli/package.json', import.meta.url));
  try {
    return JSON.parse(readFileSync(pkg, 'utf8')).version;
  } catch {
    return 'unknown';
  }
}
