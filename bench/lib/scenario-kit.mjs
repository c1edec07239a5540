// What every scenario shares: fixture paths, app lists, temp dirs, per-manager error capture.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUN_MARKER } from './manager-driver.mjs';
import { rotate } from './stats.mjs';
import { waitFor } from './wait.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/** Absolute paths of the programs the scenarios run. */
export const FIXTURES = {
  silent: here('../../fixtures/silent.js'),
  chatty: here('../../fixtures/chatty.js'),
  crashAfter: here('../../fixtures/crash-after.js'),
  readyMarker: here('../fixtures/ready-marker.cjs'),
  crashTimer: here('../fixtures/crash-timer.cjs'),
};

/** A new empty directory under the run's temp root. */
export function freshDir(ctx, label) {
  return mkdtempSync(join(ctx.tmp, `${label}-`));
}

/** The environment every app and floor process gets: the run marker plus `extra`. */
export function appEnv(ctx, extra = {}) {
  return { [RUN_MARKER]: ctx.runId, ...extra };
}

/** `count` apps running `script`, named `<prefix>-<i>` from `from`, each with `env(name)`. */
export function appList(ctx, { prefix, count, from = 0, script, env = () => ({}), ...options }) {
  return Array.from({ length: count }, (_, i) => {
    const name = `${prefix}-${from + i}`;
    return { name, script, env: appEnv(ctx, env(name)), ...options };
  });
}

/**
 * Calls `fn(manager)` for every manager, in an order rotated by `run` so neither always goes first;
 * a failure is recorded in `errors[manager.name]` (first one kept) and the other managers still run.
 */
export async function forEachManager(ctx, run, errors, fn) {
  for (const manager of rotate(ctx.managers, run)) {
    try {
      await fn(manager);
    } catch (error) {
      errors[manager.name] ??= error instanceof Error ? error.message : String(error);
      ctx.log(`  ${manager.label}: ${errors[manager.name]}`);
      await manager.deleteAll().catch(() => {});
    }
  }
}

/** Ready markers written by fixtures/ready-marker.cjs in `dir`: Map name → {pid, at}. */
export function readMarkers(dir) {
  const markers = new Map();
  for (const name of readdirSync(dir)) {
    if (name.endsWith('.tmp')) continue;
    const [pid, at] = readFileSync(join(dir, name), 'utf8').trim().split(' ');
    markers.set(name, { pid: Number(pid), at: Number(at) });
  }
  return markers;
}

/** How many ready markers exist in `dir` (cheap enough to poll every few milliseconds). */
export function countMarkers(dir) {
  let count = 0;
  for (const name of readdirSync(dir)) if (!name.endsWith('.tmp')) count += 1;
  return count;
}

/** PIDs of floor processes the harness started itself, stopped by run.mjs if it is interrupted. */
export const floorPids = new Set();

/** Spawns a floor process with the run marker in its environment and tracks its PID until it exits. */
export function spawnFloor(ctx, file, args, { env = {}, stdio = 'ignore' } = {}) {
  const child = spawn(file, args, { stdio, env: { ...process.env, ...appEnv(ctx, env) } });
  if (child.pid !== undefined) {
    floorPids.add(child.pid);
    child.on('exit', () => floorPids.delete(child.pid));
  }
  return child;
}

/**
 * The moment a manager is known to list every app of `expected` (Map name → pid) online with that PID:
 * `observedAt` when the list already shows it, otherwise the start of the first list call that does.
 */
export async function confirmListed(manager, expected, observedAt) {
  const matches = async () => {
    const rows = new Map((await manager.list()).map((row) => [row.name, row]));
    return [...expected].every(
      ([name, pid]) => rows.get(name)?.status === 'online' && rows.get(name)?.pid === pid,
    );
  };
  if (await matches()) return observedAt;
  return waitFor(
    async () => {
      const at = performance.now();
      return (await matches()) ? at : null;
    },
    {
      timeoutMs: 60_000,
      intervalMs: 100,
      what: `${manager.label} to list the apps online with the PIDs whose code ran`,
    },
  );
}

/**
 * Follows a command that runs while the caller polls for its effect: `at` is when it finished, `error`
 * what it threw (both null until then), `done` settles with it and never rejects.
 */
export function trackCommand(promise) {
  const state = { at: null, error: null };
  state.done = promise.then(
    () => {
      state.at = performance.now();
    },
    (error) => {
      state.error = error;
    },
  );
  return state;
}
