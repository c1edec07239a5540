import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCheck } from '../src/probes/run-check.js';

// the check's module loads slowly, as on a loaded machine (the first check of a daemon imports it)
vi.mock('../src/probes/tcp-check.js', async (importOriginal) => {
  await new Promise((resolve) => setTimeout(resolve, 400));
  return importOriginal();
});

describe('runCheck', () => {
  let server: Server;
  let port: number;

  beforeAll(async () => {
    server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("starts the timeout once the check's module is loaded: a slow import is no timeout", async () => {
    const check = { kind: 'tcp' as const, host: '127.0.0.1', port };
    const stop = new AbortController().signal;
    expect(await runCheck(check, 150, { cwd: '/', env: {} }, stop)).toBeNull();
  });
});
