import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LogLine } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createSupervisor } from '../../src/supervisor.js';
import { appSpec, Harness, waitFor } from '../helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

/** The instance (`VELOS_INSTANCE`) that printed an `i<instance> <n>` line (instance-lines.js). */
const instanceOf = (line: LogLine) => Number(/^i(\d+) /.exec(line.line)?.[1]);

describe('lines of an app with several processes say which wrote them, when known (LogLine.isIdKnown)', () => {
  it('marks ring and live lines of cluster instances, per-instance files whole, not lines read back from a shared file nor a single process', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    const follow = supervisor.followLogs({ lines: 0 });
    const live: LogLine[] = [];
    const reading = (async () => {
      for await (const batch of follow) {
        live.push(...batch);
        if (live.filter((line) => line.name === 'shared').length === 6) break;
      }
    })();
    const shared = appSpec(home, {
      name: 'shared',
      script: 'instance-lines.js',
      instances: 2,
      env: { COUNT: '3' },
    });
    // a line an earlier daemon wrote to the shared file: nobody's known
    mkdirSync(join(home, 'logs'), { recursive: true });
    writeFileSync(join(home, 'logs', 'shared-out.log'), 'written before\n');
    try {
      await supervisor.start([
        shared,
        appSpec(home, {
          name: 'own',
          script: 'instance-lines.js',
          instances: 2,
          logPerInstance: true,
          env: { COUNT: '3' },
        }),
        appSpec(home, { name: 'single', script: 'instance-lines.js', env: { COUNT: '3' } }),
      ]);
      await reading;
    } finally {
      follow.cancel();
    }
    const ids = new Map((await supervisor.list()).map((info) => [info.id, info.instance]));
    for (const line of live.filter((entry) => entry.name === 'shared')) {
      expect(line.isIdKnown).toBe(true);
      expect(ids.get(line.id)).toBe(instanceOf(line));
    }
    await waitFor(async () => (await supervisor.logs({ target: 'all', lines: 100 })).length === 16, {
      what: 'every line captured',
    });
    const tail = await supervisor.logs({ target: 'all', lines: 100 });
    const before = tail.find((line) => line.line === 'written before');
    expect(before?.isIdKnown).toBeUndefined();
    for (const line of tail.filter((entry) => entry !== before && entry.name !== 'single')) {
      expect(line.isIdKnown).toBe(true);
      expect(ids.get(line.id)).toBe(instanceOf(line));
    }
    expect(tail.filter((line) => line.name === 'single').every((line) => line.isIdKnown === undefined)).toBe(
      true,
    );
  });
});
