import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { killPid, spawnVelos, waitFor } from '../../e2e/helpers.js';

/** A running `velos serve` child: its URL, both tokens and its pid. */
export interface Serve {
  child: ChildProcess;
  pid: number;
  url: string;
  admin: string;
  read: string;
  stderr(): string;
  stop(): void;
}

/** Starts `velos serve --port 0 --json` on `home` with the rate limit out of the way (fuzzing sends thousands of requests). */
export async function startServe(home: string): Promise<Serve> {
  const child = spawnVelos(['serve', '--port', '0', '--json', '--rate-limit', '100000000'], { home });
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
  const tokens = readFileSync(info.tokenFile, 'utf8');
  const token = (scope: string) => new RegExp(`^${scope} (\\S+)$`, 'm').exec(tokens)![1]!;
  return {
    child,
    pid: child.pid!,
    url: info.url.replace(/\/$/, ''),
    admin: token('admin'),
    read: token('read'),
    stderr: () => stderr,
    stop: () => killPid(child.pid),
  };
}
