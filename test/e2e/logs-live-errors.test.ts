import { join } from 'node:path';
import type { LogLine, LogsAnalyzeResult } from '@velos/core';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome, describeState, FIXTURES, velosOk, waitFor } from './helpers.js';

afterAll(cleanupHomes, 60_000);

/** fixtures/stamped-trouble.js: 20 rounds of 7 stdout lines and 1 stderr line, 2 error events a round. */
const ROUNDS = 20;

describe('the live error count of lines behind a leading time', () => {
  it('agrees with velos logs --level error and --summary: frames and `error count=0` are no errors', async () => {
    const home = createHome();
    // the daemon loads the live engine on the first line of an app that needs it, and only counts the
    // lines that come meanwhile: an app counted an error once it is loaded
    await velosOk(['start', join(FIXTURES, 'stamped-trouble.js'), '--name', 'warm'], { home });
    await waitFor(async () => ((await liveErrors(home)).get('warm') ?? 0) > 0, {
      timeoutMs: 30_000,
      message: 'the live engine loaded (an error of warm counted)',
    });
    await velosOk(['start', join(FIXTURES, 'stamped-trouble.js'), '--name', 'stamped'], { home });
    await waitFor(
      async () => {
        const [info] = await describeState(home, 'stamped');
        return (info?.logLines.out ?? 0) + (info?.logLines.err ?? 0) >= ROUNDS * 8;
      },
      { timeoutMs: 30_000, message: 'the lines of stamped-trouble.js captured' },
    );
    const live = (await liveErrors(home)).get('stamped');

    const search = (
      await velosOk(['logs', 'stamped', '--level', 'error', '--lines', '1000', '--json'], { home })
    ).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as LogLine);
    // an event's first line: its text right behind the time; its stack frames are indented there
    const events = search.filter((l) => /^\S+ \S/.test(l.line));
    expect(events.every((l) => / ERROR (?:payment failed|db connection lost)/.test(l.line))).toBe(true);
    expect(events).toHaveLength(ROUNDS * 2);
    // --level error shows each error's stack with it, and no frame of a warning
    expect(search).toHaveLength(ROUNDS * 4);

    const analyzed = JSON.parse(
      (await velosOk(['logs', 'stamped', '--summary', '--json'], { home })).stdout,
    ) as LogsAnalyzeResult;
    expect(analyzed.summary!.levels.error).toBe(ROUNDS * 2);
    expect(live).toBe(ROUNDS * 2);
  }, 90_000);
});

/** The live error count of each app (`velos metrics --json`: `logErrors`). */
async function liveErrors(home: string): Promise<Map<string, number>> {
  const snapshot = JSON.parse((await velosOk(['metrics', '--json'], { home })).stdout) as {
    processes: { name: string; logErrors: number }[];
  };
  return new Map(snapshot.processes.map((p) => [p.name, p.logErrors]));
}
