import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSupervisor } from '../src/supervisor.js';
import { appSpec, Harness, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

const MB = 1024 * 1024;

/** How many runs of a leaky.js app have started. */
function leakyRuns(home: string, name: string): number {
  const out = join(home, 'logs', `${name}-out.log`);
  return existsSync(out) ? readFileSync(out, 'utf8').split(' started').length - 1 : 0;
}

describe('a restart decided on a run of a process', () => {
  it('is dropped when that run was replaced meanwhile (a memory restart behind a cluster reload step)', async () => {
    const home = harness.home();
    const logLines: string[] = [];
    const supervisor = harness.track(
      createSupervisor({ home, log: (line) => logLines.push(line), monitorIntervalMs: 200 }),
    );
    const leakFile = join(home, 'leak');
    const env = { LEAK_FILE: leakFile, LEAK_MB: '40', LEAK_EVERY_MS: '100' };
    // the new worker never listens: the reload's step holds the process's queue listen_timeout long
    await supervisor.start([
      appSpec(home, {
        name: 'lk',
        script: 'leaky.js',
        execMode: 'cluster',
        instances: 1,
        maxMemoryBytes: 100 * MB,
        listenTimeoutMs: 2500,
        env,
      }),
    ]);
    await waitFor(() => leakyRuns(home, 'lk') === 1, { what: 'the first worker' });
    // the new worker's run does not leak: only the old one goes over max_memory
    const newEnv = { ...appSpec(home, { name: 'lk' }).env, ...env, LEAK_FILE: join(home, 'never') };
    const reloading = supervisor.reload('lk', { env: newEnv });
    await waitFor(() => leakyRuns(home, 'lk') === 2, { what: 'the reload to fork the new worker' });
    writeFileSync(leakFile, '');
    await waitFor(() => logLines.some((line) => line.includes('over max_memory 100M: restarting')), {
      what: 'the old worker to pass max_memory',
    });
    rmSync(leakFile);
    await reloading;
    await waitFor(
      () =>
        logLines.some((line) =>
          line.includes('process 0 (lk): not restarted (memory): the run it was for has ended meanwhile'),
        ),
      { what: 'the memory restart to be dropped', timeoutMs: 5000 },
    );
    const [info] = await supervisor.list();
    // the reload's restart only: the new worker was not restarted for its predecessor's memory
    expect([info!.status, info!.restarts, info!.lastExitReason]).toEqual(['online', 1, 'reload']);
    expect(leakyRuns(home, 'lk')).toBe(2);
  });
});
