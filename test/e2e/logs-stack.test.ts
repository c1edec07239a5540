import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LogLine, LogsAnalyzeResult } from '@velos/core';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome, describeState, errLog, velosOk, waitExited, waitFor } from './helpers.js';

/** 3,000 lines on stdout, 34 caught errors logged with their stacks, then an uncaught throw. */
const CRASHY = `
let i = 0;
function flood() {
  for (let k = 0; k < 100; k += 1, i += 1) {
    console.log('tick ' + i + ' processed ' + (i % 13) + ' items');
    if (i % 88 === 44) console.error(new Error('db pool exhausted (size 10, waiting ' + i + ')'));
  }
  if (i < 3000) setTimeout(flood, 1);
  else setTimeout(() => { throw new Error('boom after flood'); }, 20);
}
flood();
`;

afterAll(cleanupHomes, 60_000);

describe('multi-line errors in velos logs --summary', () => {
  it('counts each error event once, names the crash as last error and lists it among the errors', async () => {
    const home = createHome();
    const script = join(home, 'crashy.js');
    writeFileSync(script, CRASHY);
    await velosOk(['start', script, '--name', 'crashy', '--no-autorestart'], { home });
    await waitExited(home, 'crashy');
    // the crash's stack is on stderr: wait until its last line is captured
    await waitFor(
      async () => {
        const [info] = await describeState(home, 'crashy');
        const out = info?.logLines.out ?? 0;
        const crashed = readFileSync(errLog(home, 'crashy'), 'utf8').includes('Node.js v');
        if (out >= 3000 && crashed) return true;
        // thrown, so that a timeout names what was missing
        throw new Error(
          `${out} of 3000 stdout lines counted, the crash ${crashed ? 'in' : 'not in'} the err log`,
        );
      },
      { timeoutMs: 30_000, message: 'the lines of crashy captured' },
    );
    const result = JSON.parse(
      (await velosOk(['logs', 'crashy', '--summary', '--json'], { home })).stdout,
    ) as LogsAnalyzeResult;
    const summary = result.summary!;
    expect(summary.levels.error).toBe(35);
    expect(summary.lastError?.message).toBe('Error: boom after flood');
    expect(summary.errors?.some((p) => p.template === 'Error: boom after flood')).toBe(true);
    expect(summary.continuationLines).toBeGreaterThanOrEqual(34 * 3);
    for (const p of summary.top) expect(p.template.trim()).not.toMatch(/^(?:at .*)?$/);

    const text = (await velosOk(['logs', 'crashy', '--summary'], { home })).stdout;
    expect(text).toMatch(/last error [\d:]+: Error: boom after flood/);
    expect(text).toContain('35 error');

    // --level error shows the same 35 events, each with its stack
    const search = (
      await velosOk(['logs', 'crashy', '--level', 'error', '--lines', '1000', '--json'], { home })
    ).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as LogLine);
    const events = search.filter((l) => /^\S/.test(l.line));
    expect(events).toHaveLength(35);
    expect(events.at(-1)?.line).toBe('Error: boom after flood');
  }, 120_000);
});
