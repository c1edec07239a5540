import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './free-port.js';
import { appSpec, Harness } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

describe('a cluster app with wait_ready (issue #14 in cluster mode)', () => {
  it("answers its start once every worker said 'ready', as a fork app's start does", async () => {
    const { home, supervisor } = harness.supervisorWithLog();
    // each worker listens, then says ready, 1 s after its spawn
    const startedAt = Date.now();
    const started = await supervisor.start([
      appSpec(home, {
        name: 'wr',
        script: 'cluster-server.js',
        execMode: 'cluster',
        instances: 2,
        waitReady: true,
        env: { PORT: String(await freePort()), LISTEN_DELAY_MS: '1000', WAIT_READY: '1' },
      }),
    ]);
    // it answered in about 0.3 s, the workers still starting
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(900);
    expect(started.map((p) => p.status)).toEqual(['online', 'online']);
  });
});
