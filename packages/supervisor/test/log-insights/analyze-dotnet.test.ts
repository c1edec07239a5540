import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeLogs } from '../../src/log-insights/log-analyze.js';
import type { LogQueryTarget } from '../../src/log-insights/log-target.js';
import { plainTarget } from './query-target.js';

const dir = mkdtempSync(join(tmpdir(), 'velos-analyze-dotnet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An app `name` whose out file holds these lines (its err file empty). */
function appOf(name: string, lines: string[]): LogQueryTarget {
  const outPath = join(dir, `${name}.log`);
  writeFileSync(outPath, lines.map((line) => `${line}\n`).join(''));
  const errPath = join(dir, `${name}-err.log`);
  writeFileSync(errPath, '');
  return plainTarget(name, outPath, errPath);
}

describe('analyzeLogs on .NET console entries', () => {
  it('counts a fail: header whose message never came as an error, the last line of the file too', async () => {
    const target = appOf('orphans', [
      'info: Microsoft.Hosting.Lifetime[14]',
      '      Now listening on: http://localhost:5000',
      'fail: Orders.Worker[7]',
      'info: Microsoft.Hosting.Lifetime[0]',
      '      Application started.',
      'fail: Orders.Sync[9]',
    ]);
    const result = await analyzeLogs(target, { target: 'orphans', view: 'summary', limit: 10 });
    const summary = result.summary!;
    expect(summary.levels).toEqual({ info: 2, error: 2 });
    expect(summary.lastError?.message).toBe('fail: Orders.Sync[9]');
    expect(summary.errors?.map((p) => [p.template, p.count]).sort()).toEqual([
      ['fail: Orders.Sync[<num>]', 1],
      ['fail: Orders.Worker[<num>]', 1],
    ]);
  });

  it('counts the fail: entries of a sampled .NET flood exactly, as events of their message', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 32_000; i += 1) {
      if (i % 1000 === 500) {
        lines.push('fail: Orders.Worker[7]', `      Payment ${i} declined by the gateway`);
      } else {
        lines.push('info: Orders.Api[1]', `      Request ${i} served in ${i % 89} ms`);
      }
    }
    const target = appOf('flood', lines);
    const result = await analyzeLogs(target, { target: 'flood', view: 'summary', limit: 10 });
    expect(result.sampleRate).toBeLessThan(1);
    const summary = result.summary!;
    expect(summary.levels.error).toBe(32);
    expect(summary.lastError?.message).toBe('Payment 31500 declined by the gateway');
    expect(summary.errors?.map((p) => [p.template, p.count])).toEqual([
      ['Payment <num> declined by the gateway', 32],
    ]);
  }, 30_000);
});
