import { readFileSync } from 'node:fs';
import { killChild, spawnVelos, waitFor } from './helpers.js';

/** A `velos serve` a test started: its URL, its admin token, and how to stop it (by PID). */
export interface StartedServe {
  url: string;
  admin: string;
  stop: () => void;
}

/**
 * Starts `velos serve --port 0 --json` on `home` and resolves its URL and admin token (read from the token
 * file it names). The teardown of `home` stops it too (the harness kills what it started there by PID).
 */
export async function startServe(home: string): Promise<StartedServe> {
  const child = spawnVelos(['serve', '--port', '0', '--json'], { home });
  let stdout = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  const line = await waitFor(() => stdout.split('\n').find((l) => l.startsWith('{')), {
    timeoutMs: 30_000,
    message: 'velos serve to print its URL',
  });
  const info = JSON.parse(line) as { url: string; tokenFile: string };
  const admin = readFileSync(info.tokenFile, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('admin '))!
    .slice('admin '.length)
    .trim();
  return { url: info.url, admin, stop: () => killChild(child) };
}
