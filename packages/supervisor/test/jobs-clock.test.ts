import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { appSpec, Harness, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(async () => {
  vi.restoreAllMocks();
  await harness.cleanup();
});

describe('a job run while the wall clock steps back (NTP, date -s: SUP-8)', () => {
  it('keeps a duration measured on the monotonic clock, not a negative one', async () => {
    const { home, supervisor, logLines } = harness.supervisorWithLog();
    await supervisor.start([
      appSpec(home, {
        name: 'backup',
        script: 'job-counter.js',
        type: 'job',
        env: { COUNTER_FILE: join(home, 'backup.count'), JOB_MS: '600' },
      }),
    ]);
    await waitFor(async () => ((await supervisor.list())[0]?.status === 'online' ? true : null));
    // the clock goes back an hour during the run
    const realNow = Date.now.bind(Date);
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() - 3_600_000);
    const [run] = await waitFor(async () => {
      const runs = await supervisor.runs('backup');
      return runs[0]?.outcome === 'ok' ? runs : null;
    });
    const tookMs = run!.endedAt! - run!.startedAt;
    expect(tookMs).toBeGreaterThanOrEqual(500);
    expect(tookMs).toBeLessThan(10_000);
    expect(logLines).toContainEqual(
      expect.stringMatching(new RegExp(`run 1 ok \\(code 0\\) after ${tookMs} ms$`)),
    );
  });
});
