import type { ProcessInfo, VelosControl } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { START_SETTLE_MAX_MS, settleStart } from '../src/start-outcome.js';
import { fakeProcess } from './fake-process.js';

/** A control whose list answers `rowAt(ms since the call)`, and whose err log holds one line. */
function controlOver(rowAt: (ms: number) => ProcessInfo) {
  const begun = Date.now();
  return {
    list: async () => [rowAt(Date.now() - begun)],
    logs: async () => [{ ts: 0, stream: 'err', id: 0, name: 'api', pid: null, line: 'Error: boom' }],
  } as unknown as Pick<VelosControl, 'list' | 'logs'>;
}

const spec = { name: 'api', minUptimeMs: 1000, dependsOn: [] };

describe('settleStart', () => {
  it('waits for a process spawned late on a loaded machine to run its min_uptime: its crash is answered, not on', async () => {
    // a cluster worker its primary forks only after 2.8 s, which crashes 0.5 s after it came up
    const forkedAt = START_SETTLE_MAX_MS - 200;
    const rowAt = (ms: number) =>
      ms < forkedAt
        ? fakeProcess({ status: 'starting', pid: null, uptime: 0 })
        : ms < forkedAt + 500
          ? fakeProcess({ status: 'online', pid: 200, uptime: ms - forkedAt })
          : fakeProcess({
              status: 'waiting-restart',
              pid: null,
              restarts: 1,
              exitCode: 4,
              lastExitReason: 'crash',
            });
    const started = [fakeProcess({ status: 'starting', pid: null, uptime: 0 })];
    const [row] = await settleStart(controlOver(rowAt), [spec], started);
    expect(row).toMatchObject({ s: 'wait', exit: { code: 4, why: 'crash' }, tail: ['Error: boom'] });
  });

  it("waits for the err log tail of a crash whose lines arrive after its exit (a cluster worker's)", async () => {
    const crashed = fakeProcess({
      status: 'waiting-restart',
      pid: null,
      restarts: 1,
      exitCode: 4,
      lastExitReason: 'crash',
    });
    let reads = 0;
    const control = {
      list: async () => [crashed],
      // the exit came through the primary; the worker's last line is read from its pipe 3 looks later
      logs: async () =>
        ++reads < 3 ? [] : [{ ts: 0, stream: 'err', id: 0, name: 'api', pid: null, line: 'Error: boom' }],
    } as unknown as Pick<VelosControl, 'list' | 'logs'>;
    const [row] = await settleStart(control, [spec], [fakeProcess({ status: 'starting', pid: null })]);
    expect(row).toMatchObject({ exit: { code: 4, why: 'crash' }, tail: ['Error: boom'] });
  });

  it('waits for a forked cluster worker whose Node is not up yet (starting with a pid)', async () => {
    const rowAt = (ms: number) =>
      ms < START_SETTLE_MAX_MS + 300
        ? fakeProcess({ status: 'starting', pid: 200, uptime: 0 })
        : fakeProcess({ status: 'errored', pid: null, restarts: 0, exitCode: 4, lastExitReason: 'crash' });
    const [row] = await settleStart(controlOver(rowAt), [spec], [rowAt(0)]);
    expect(row).toMatchObject({ s: 'err', exit: { code: 4, why: 'crash' } });
  });

  it('answers one that waits for its ready signal (wait_ready) as starting once it waited 3 s', async () => {
    const waiting = fakeProcess({ status: 'starting', pid: 200, uptime: 0 });
    const begun = Date.now();
    const [row] = await settleStart(
      controlOver(() => waiting),
      [{ ...spec, waitReady: true }],
      [waiting],
    );
    expect(row).toMatchObject({ s: 'start', p: 200 });
    expect(row!.exit).toBeUndefined();
    expect(Date.now() - begun).toBeLessThan(START_SETTLE_MAX_MS + 2000);
  });

  it('answers one that runs as soon as it ran its min_uptime', async () => {
    const rowAt = (ms: number) => fakeProcess({ status: 'online', pid: 200, uptime: ms });
    const begun = Date.now();
    const [row] = await settleStart(controlOver(rowAt), [spec], [rowAt(0)]);
    expect(row).toMatchObject({ s: 'on', p: 200 });
    expect(Date.now() - begun).toBeLessThan(START_SETTLE_MAX_MS);
  });
});
