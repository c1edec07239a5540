import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  describeJson,
  errLog,
  readLines,
  rowsNamed,
  velos,
  velosOk,
  waitFor,
} from './helpers.js';

afterEach(cleanupHomes);

describe('max_memory (SUP-9)', () => {
  it('restarts an app whose tree RSS passes --max-memory, with reason memory and a note in its err log', async () => {
    const home = createHome();
    await velosOk(['start', 'fixtures/leaky.js', '--name', 'leaky', '--max-memory', '120M'], {
      home,
      env: { LEAK_MB: '20', LEAK_EVERY_MS: '250' },
    });
    const restarted = await waitFor(
      async () => {
        const row = (await rowsNamed(home, 'leaky'))[0];
        return row && row.restarts >= 1 ? row : undefined;
      },
      { timeoutMs: 30_000, message: 'a memory restart' },
    );
    expect(restarted.restarts).toBeGreaterThanOrEqual(1);
    const [detail] = await describeJson(home, 'leaky');
    expect(detail!.lastExitReason).toBe('memory');
    expect(detail!.memoryPeak).toBeGreaterThan(120 * 1024 * 1024);
    expect(detail!.spec).toMatchObject({ maxMemoryBytes: 120 * 1024 * 1024 });
    expect(
      readLines(errLog(home, 'leaky')).some((line) =>
        /velos: restarting: memory .* over max_memory 120M/.test(line),
      ),
    ).toBe(true);
  });

  it('refuses a size it cannot read', async () => {
    const home = createHome();
    const result = await velos(['start', 'fixtures/silent.js', '--max-memory', 'lots'], { home });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'velos: --max-memory: expected a size like "200M", "1G" or a number of bytes (at least 1048576), got "lots"',
    );
  });
});
