import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './free-port.js';
import { appSpec, Harness, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

describe("a cluster app's start, scale-up and restart", () => {
  it("answer once each new worker is online with its pid, as a fork app's start does", async () => {
    const { home, supervisor } = harness.supervisorWithLog();
    const spec = appSpec(home, {
      name: 'ans',
      script: 'cluster-server.js',
      execMode: 'cluster',
      instances: 2,
      env: { PORT: String(await freePort()) },
    });
    const pidsAndStatus = (rows: { pid: number | null; status: string }[]) =>
      rows.map((row) => [row.pid !== null && row.pid > 0, row.status]);

    // without waiting it answered at the fork, before the primary reported the workers (`starting`, no pid)
    const started = await supervisor.start([spec]);
    expect(pidsAndStatus(started)).toEqual([
      [true, 'online'],
      [true, 'online'],
    ]);
    const scaled = await supervisor.scale('ans', '+1');
    expect(pidsAndStatus(scaled)).toEqual([
      [true, 'online'],
      [true, 'online'],
      [true, 'online'],
    ]);
    const restarted = await supervisor.restart('ans');
    expect(pidsAndStatus(restarted)).toEqual([
      [true, 'online'],
      [true, 'online'],
      [true, 'online'],
    ]);
    expect(new Set(restarted.map((row) => row.pid)).size).toBe(3);
    for (const [i, row] of restarted.entries()) expect(row.pid).not.toBe(scaled[i]!.pid);
  });

  it('answer after listen_timeout when the primary never reports the new worker, not after 5 s', async () => {
    const { home, supervisor } = harness.supervisorWithLog();
    const spec = appSpec(home, {
      name: 'mute',
      script: 'cluster-server.js',
      execMode: 'cluster',
      instances: 1,
      listenTimeoutMs: 300,
      env: { PORT: String(await freePort()) },
    });
    await supervisor.start([spec]);
    // a boot longer than the 300 ms answers `starting`: wait for the first worker to be up
    await waitFor(async () => (await supervisor.list())[0]?.status === 'online', {
      what: 'the worker online',
    });
    const runDir = join(home, 'run');
    const entry = readdirSync(runDir).find((name) => /^cluster-\d+\.json$/.test(name));
    const primary = (JSON.parse(readFileSync(join(runDir, entry!), 'utf8')) as { pid: number }).pid;
    // a primary that hears the fork but never answers it
    process.kill(primary, 'SIGSTOP');
    try {
      const askedAt = Date.now();
      const scaled = await supervisor.scale('mute', '+1');
      expect(Date.now() - askedAt).toBeLessThan(3000);
      expect(scaled.map((row) => row.status)).toEqual(['online', 'starting']);
    } finally {
      process.kill(primary, 'SIGCONT');
    }
  });
});
