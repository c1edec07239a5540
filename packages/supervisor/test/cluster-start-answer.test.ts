import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './free-port.js';
import { appSpec, Harness } from './helpers.js';

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
});
