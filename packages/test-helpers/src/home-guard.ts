import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { killPid } from './proc.js';

/** Codes of the errors the harness throws itself. */
export const HARNESS_ERROR_CODES = {
  /** A CLI or daemon start on a home whose teardown has begun. */
  HOME_CLOSED: 'HOME_CLOSED',
} as const;

/** An error of the harness itself (not of Velos), with a code from `HARNESS_ERROR_CODES`. */
export class HarnessError extends Error {
  readonly code: (typeof HARNESS_ERROR_CODES)[keyof typeof HARNESS_ERROR_CODES];

  constructor(code: HarnessError['code'], message: string) {
    super(message);
    this.name = 'HarnessError';
    this.code = code;
  }
}

const closedHomes = new Set<string>();
/** Running programs the helpers started on a home (CLIs, daemons), by the home they were given. */
const childrenOfHomes = new Map<ChildProcess, string>();

/**
 * Marks a home as torn down and SIGKILLs, by PID, every program the helpers started on it that still
 * runs: from now on a start on it (or inside it) throws `HOME_CLOSED`, so a test body that outlived its
 * timeout cannot start a daemon in a home its teardown already cleaned. `removeTempHome` calls it first.
 */
export function closeHome(home: string): void {
  const path = resolve(home);
  closedHomes.add(path);
  for (const [child, childHome] of childrenOfHomes) {
    if (isInside(childHome, path) && child.exitCode === null && child.signalCode === null) killPid(child.pid);
  }
}

/** True when `home` is, or is inside, a home that `closeHome` closed. */
export function isHomeClosed(home: string): boolean {
  const path = resolve(home);
  for (const closed of closedHomes) if (isInside(path, closed)) return true;
  return false;
}

/** Throws `HOME_CLOSED` when `home` is closed; `what` names the start that is refused. */
export function assertHomeOpen(home: string, what: string): void {
  if (!isHomeClosed(home)) return;
  throw new HarnessError(
    HARNESS_ERROR_CODES.HOME_CLOSED,
    `test harness: refusing to ${what} on ${home}: its teardown has begun (a test body still running after its timeout?)`,
  );
}

/** Remembers a program started on `home` until it exits, for `closeHome` to kill by PID. */
export function trackHomeChild(child: ChildProcess, home: string): void {
  if (child.pid === undefined) return;
  childrenOfHomes.set(child, resolve(home));
  child.once('exit', () => childrenOfHomes.delete(child));
}

function isInside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}
