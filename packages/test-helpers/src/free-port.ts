import { createServer } from 'node:net';

/** A TCP port on 127.0.0.1 that was free a moment ago (bind it soon: another process may take it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The first of `count` consecutive TCP ports on 127.0.0.1 that were all free a moment ago: for an app
 * whose instances take one port each (`increment_var`). Tries up to 20 bases before it throws.
 */
export async function freePorts(count: number): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const base = await freePort();
    if (base + count - 1 > 65535) continue;
    const rest = Array.from({ length: count - 1 }, (_, i) => base + 1 + i);
    if ((await Promise.all(rest.map(isFree))).every(Boolean)) return base;
  }
  throw new Error(`no ${count} consecutive free ports found on 127.0.0.1`);
}

function isFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
