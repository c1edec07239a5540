import * as os from 'node:os';
import { describe, expect, it } from 'vitest';
import * as daemonOs from '../src/daemon-os.js';
import * as daemonTimers from '../src/daemon-timers-promises.js';

describe("the daemon's node:os and node:timers/promises (loaded on first use)", () => {
  it('gives what Node’s os gives', () => {
    expect(daemonOs.cpus().length).toBe(os.cpus().length);
    expect(daemonOs.availableParallelism()).toBe(os.availableParallelism());
    expect(daemonOs.homedir()).toBe(os.homedir());
    expect(daemonOs.hostname()).toBe(os.hostname());
    expect(daemonOs.tmpdir()).toBe(os.tmpdir());
    expect(daemonOs.totalmem()).toBe(os.totalmem());
    expect(daemonOs.loadavg()).toHaveLength(3);
    expect(daemonOs.freemem()).toBeGreaterThan(0);
    expect(daemonOs.userInfo().username).toBe(os.userInfo().username);
    expect(daemonOs.constants.signals).toBe(os.constants.signals);
    expect(daemonOs.constants.errno).toBe(os.constants.errno);
    expect(Object.hasOwn(daemonOs.constants.signals, 'SIGTERM')).toBe(true);
  });

  it('resolves timers with their value, and a timer aborted rejects as Node’s does', async () => {
    expect(await daemonTimers.setTimeout(1, 'late')).toBe('late');
    expect(await daemonTimers.setImmediate('next')).toBe('next');
    const controller = new AbortController();
    const waiting = daemonTimers.setTimeout(60_000, 'never', { signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    const ticks: number[] = [];
    for await (const tick of daemonTimers.setInterval(1, 7)) {
      ticks.push(tick);
      if (ticks.length === 2) break;
    }
    expect(ticks).toEqual([7, 7]);
  });
});
