import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProbeSpec } from '@velos/core';
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

  it('stands while a fork reload waits for the restarted instance to be ready: the reload ends without error', async () => {
    const { home, supervisor, logLines } = harness.supervisorWithLog();
    // never ready (nothing listens on the port), and the reload would wait 30 s for it
    await supervisor.start([
      appSpec(home, {
        name: 'rd',
        instances: 2,
        listenTimeoutMs: 30_000,
        readinessProbe: neverReady(await freePort()),
      }),
    ]);
    const reloading = supervisor.reload('rd');
    await waitFor(
      async () => {
        const [first] = await supervisor.list();
        return first?.restarts === 1 && first.status === 'online';
      },
      { what: 'the reload to restart instance 0' },
    );
    const stopped = await supervisor.stop('rd');
    expect(stopped.map((p) => p.status)).toEqual(['stopped', 'stopped']);
    // it was: TIMEOUT, not ready within listen_timeout 30000 ms after its restart (it is stopping)
    const reloaded = await reloading;
    expect(reloaded.map((p) => [p.status, p.restarts])).toEqual([
      ['stopped', 1],
      ['stopped', 0],
    ]);
    expect(logLines).toContain('reload: process 0 (rd) was stopped by the user before it was ready');
  });

  it('fails a fork reload whose restarted instance exits before it is ready, saying so', async () => {
    const { home, supervisor } = harness.supervisorWithLog();
    await supervisor.start([
      appSpec(home, {
        name: 'dies',
        script: 'crash-after.js',
        env: { CRASH_AFTER_MS: '60000' },
        restartDelayMs: 60_000,
        listenTimeoutMs: 30_000,
        readinessProbe: neverReady(await freePort()),
      }),
    ]);
    // its new run crashes 100 ms in: the reload fails then, not 30 s later
    const env = { ...stringEnv(), CRASH_AFTER_MS: '100', VELOS_TEST_HOME: home };
    const error = await supervisor.reload('dies', { env }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'TIMEOUT' });
    expect((error as Error).message).toBe(
      'reload: process 0 (dies) ended (crash) before it was ready after its restart (it is waiting-restart); the instances after it were not reloaded',
    );
  });
});

/** A readiness probe of a port nothing listens on. */
function neverReady(port: number): ProbeSpec {
  return {
    kind: 'tcp',
    host: '127.0.0.1',
    port,
    intervalMs: 100,
    timeoutMs: 1000,
    failureThreshold: 1,
    successThreshold: 1,
    initialDelayMs: 0,
  };
}

function stringEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
