import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppSpec, ProcessInfo } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './free-port.js';
import { appSpec, Harness, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

describe('a cluster primary whose workers crash right after listen() (SUP-5)', () => {
  it('lives on: the answer to a gone worker is no unhandled error that ends it and the other workers', async () => {
    const home = harness.home();
    const { client } = await harness.startDaemon(home);
    const spec: AppSpec = appSpec(home, {
      name: 'thrower',
      script: 'listen-then-throw.cjs',
      execMode: 'cluster',
      instances: 4,
      restartDelayMs: 10,
      maxRestarts: 1000,
      env: { PORT: String(await freePort()) },
    });
    await client.call('start', { apps: [spec] });
    // enough crashes that answers to gone workers came (before, the primary died once every 15 or so)
    await waitFor(
      async () => {
        const { processes } = await client.call<{ processes: ProcessInfo[] }>('list');
        return processes.reduce((sum, row) => sum + row.restarts, 0) >= 30;
      },
      { what: '30 worker restarts', timeoutMs: 60_000 },
    );
    const log = readFileSync(join(home, 'daemon.log'), 'utf8');
    expect(log).not.toMatch(/Unhandled 'error' event/);
    expect(log.match(/cluster primary of thrower started/g)).toHaveLength(1);
  }, 90_000);
});
