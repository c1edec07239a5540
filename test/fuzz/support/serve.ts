import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  isAlive,
  killChild,
  readPidFile,
  spawnNode,
  spawnVelos,
  VELOS_BIN,
  waitFor,
} from '../../e2e/helpers.js';
import { INSPECT_FLAG, inspectorUrlIn } from './heap.js';

/** A running `velos serve` child: its URL, both tokens and its pid. */
export interface Serve {
  child: ChildProcess;
  pid: number;
  url: string;
  admin: string;
  read: string;
  /** Its DevTools URL (for `heapAfterGc`) when it was started with `{inspect: true}`. */
  inspector?: string;
  stderr(): string;
  stop(): void;
}

/**
 * Starts `velos serve --port 0 --json` on `home` with the rate limit out of the way (fuzzing sends
 * thousands of requests). With `inspect`, its `node` runs with `INSPECT_FLAG` (on the command line, only
 * for this process); the home's daemon must already run, so that `velos serve` does not start one, which
 * would get the flag too.
 */
export async function startServe(home: string, options: { inspect?: boolean } = {}): Promise<Serve> {
  const args = ['serve', '--port', '0', '--json', '--rate-limit', '100000000'];
  let child: ChildProcess;
  if (options.inspect) {
    const daemonPid = readPidFile(home);
    if (daemonPid === null || !isAlive(daemonPid))
      throw new Error(`no daemon runs on ${home}: start it first`);
    // spawnNode runs `node <first> …rest`: the flag goes before the CLI's entry
    child = spawnNode(INSPECT_FLAG, [VELOS_BIN, ...args], { env: { ...process.env, VELOS_HOME: home } });
  } else {
    child = spawnVelos(args, { home });
  }
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const line = await waitFor(() => stdout.split('\n').find((l) => l.startsWith('{')), {
    timeoutMs: 30_000,
    message: `velos serve to print its URL (stderr: ${stderr})`,
  });
  const info = JSON.parse(line) as { url: string; tokenFile: string };
  const inspector = options.inspect
    ? await waitFor(() => inspectorUrlIn(stderr), {
        timeoutMs: 10_000,
        message: `velos serve to print its DevTools URL (stderr: ${stderr})`,
      })
    : undefined;
  const tokens = readFileSync(info.tokenFile, 'utf8');
  const token = (scope: string) => new RegExp(`^${scope} (\\S+)$`, 'm').exec(tokens)![1]!;
  return {
    child,
    pid: child.pid!,
    url: info.url.replace(/\/$/, ''),
    admin: token('admin'),
    read: token('read'),
    ...(inspector === undefined ? {} : { inspector }),
    stderr: () => stderr,
    stop: () => killChild(child),
  };
}
