import { spawn } from 'node:child_process';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type CliResult,
  homeEnv,
  killChild,
  type ListRow,
  listState,
  REPO_ROOT,
  trackHomeChild,
  waitFor,
} from '../e2e/helpers.js';
import { type Pm2Description, parsePm2List } from './pm2-jlist-shape.js';

/** The directory of the `pm2` shim (a `pm2` that runs apps/cli/bin/velos.js with the same arguments). */
export const SHIM_DIR = join(dirname(fileURLToPath(import.meta.url)), 'shim');
/** This project's fixture programs (apps as PM2's documentation starts them). */
export const PM2_FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

/**
 * Runs a shell script (bash -eu -o pipefail) the way a deploy script runs: `pm2` first in PATH is the
 * shim, VELOS_HOME is the test's home, the cwd the fixtures; never throws on a non-zero exit.
 * Like the helpers' own starts it throws `HOME_CLOSED` once the home's teardown has begun, and the
 * home's teardown kills the script by PID: a test body that outlived its timeout starts no `pm2 start`
 * (a daemon and its apps) on a home already cleaned, and one in flight is stopped even while it is
 * still between fork and exec, when nothing in /proc names the home yet.
 */
export function runScript(script: string, home: string, timeoutMs = 60_000): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const env = homeEnv(home, { PATH: `${SHIM_DIR}${delimiter}${process.env.PATH ?? ''}` });
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: PM2_FIXTURES,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    trackHomeChild(child, home);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      killChild(child);
      reject(new Error(`script timed out after ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    // a daemon the script starts writes to daemon.log: it holds no pipe of ours, so 'close' comes
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, durationMs: Date.now() - started });
    });
  });
}

/** `pm2 <args>` through the shim, as one command of a script. */
export function pm2(args: string[], home: string): Promise<CliResult> {
  return runScript(`pm2 ${args.map(shellQuote).join(' ')}`, home);
}

/** Quotes one word for bash. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Waits until the daemon's list, read over its socket, passes `isReady` (a poll through the shim would
 * start bash, sh and the CLI each time), then returns what `pm2 jlist` prints once, parsed and checked
 * against PM2's shape: the caller asserts on it what it waited for.
 */
export async function jlistWhen(
  home: string,
  isReady: (rows: ListRow[]) => unknown,
  what: string,
): Promise<Pm2Description[]> {
  await waitFor(async () => isReady(await listState(home)), { message: what });
  const result = await pm2(['jlist'], home);
  if (result.code !== 0) throw new Error(`pm2 jlist exited with ${result.code}: ${result.stderr}`);
  return parsePm2List(result.stdout);
}

/** `isReady` for `jlistWhen`: `count` rows (of the app `name`, when given), all online with a pid. */
export function allOnline(count: number, name?: string): (rows: ListRow[]) => boolean {
  return (rows) => {
    const mine = name === undefined ? rows : rows.filter((row) => row.name === name);
    return mine.length === count && mine.every((row) => row.status === 'online' && row.pid);
  };
}

export { REPO_ROOT };
