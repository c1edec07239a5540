import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './free-port.js';
import { appSpec, Harness, markedPids, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

/** How many runs of a stubborn app (fixtures/ignore-sigterm.js) said they ignore SIGTERM. */
function stubbornRuns(home: string, name: string): number {
  const out = join(home, 'logs', `${name}-out.log`);
  return existsSync(out) ? readFileSync(out, 'utf8').split('stubborn pid').length - 1 : 0;
}

describe('a stop during a reload', () => {
  it('stands: the instances the reload had not reached yet are not started again', async () => {
    const { home, supervisor, logLines } = harness.supervisorWithLog();
    // each restart of the reload takes the kill timeout: the stop comes while instance 0 is replaced
    await supervisor.start([
      appSpec(home, { name: 'slow', script: 'ignore-sigterm.js', instances: 2, killTimeoutMs: 1000 }),
    ]);
    await waitFor(() => stubbornRuns(home, 'slow') === 2, { what: 'both instances to ignore SIGTERM' });
    const reloading = supervisor.reload('slow');
    await waitFor(async () => (await supervisor.list()).some((p) => p.status === 'stopping'), {
      what: 'the reload to stop instance 0',
    });
    const [stopped] = await Promise.all([supervisor.stop('slow'), reloading]);
    expect(logLines).toContain('process 1 (slow): not restarted (reload): stopped by the user meanwhile');
    // instance 0 was restarted before the stop's turn came, then stopped; instance 1 was left stopped
    expect(stopped.map((p) => [p.id, p.status, p.restarts])).toEqual([
      [0, 'stopped', 1],
      [1, 'stopped', 0],
    ]);
    expect((await supervisor.list()).map((p) => p.status)).toEqual(['stopped', 'stopped']);
    // and nothing of it runs
    expect(markedPids(home)).toEqual([]);
  });

  it('stands before a restart nobody asked for that waited behind it (a watch change during a reload)', async () => {
    const { home, supervisor, logLines } = harness.supervisorWithLog();
    const project = join(home, 'project');
    mkdirSync(project);
    // a worker listens 2 s after its spawn: the reload's step holds the worker's queue that long,
    // with the old worker online
    await supervisor.start([
      appSpec(home, {
        name: 'web',
        script: 'cluster-server.js',
        execMode: 'cluster',
        instances: 1,
        watch: [project],
        watchDelayMs: 100,
        env: { PORT: String(await freePort()), LISTEN_DELAY_MS: '2000' },
      }),
    ]);
    const out = join(home, 'logs', 'web-out.log');
    await waitFor(() => existsSync(out) && readFileSync(out, 'utf8').includes('listening'), {
      what: 'web to listen',
    });
    const reloading = supervisor.reload('web');
    await waitFor(
      () => readFileSync(join(home, 'logs', 'web-err.log'), 'utf8').split('starting').length === 3,
      {
        what: 'the new worker to start',
      },
    );
    const stopping = supervisor.stop('web');
    // the change comes while the old worker is online, the stop waiting behind the reload's step
    writeFileSync(join(project, 'changed.js'), '1');
    await waitFor(() => logLines.some((line) => line.startsWith('web: watch: ')), {
      what: 'the watch to see the change',
    });
    const [, stopped] = await Promise.all([reloading, stopping]);
    expect(stopped.map((p) => p.status)).toEqual(['stopped']);
    // the watch's restart came after the stop: it left it stopped
    await waitFor(
      () => logLines.includes('process 0 (web): not restarted (watch): stopped by the user meanwhile'),
      {
        what: 'the watch restart to be left out',
      },
    );
    expect((await supervisor.list()).map((p) => p.status)).toEqual(['stopped']);
  });
});
