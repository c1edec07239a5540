import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome, FIXTURES, velosOk, waitFor } from './helpers.js';

afterEach(cleanupHomes);

/** The `metrics` section of `velos describe` text: from its line to the next key (or the end). */
function metricsSection(text: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => /^ {2}metrics\s/.test(line));
  if (start < 0) return [];
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => !/^ {2}\s+\S/.test(line) || /^ {2}\S/.test(line));
  return [lines[start]!, ...(end < 0 ? rest : rest.slice(0, end))].map((line) => line.trim());
}

describe('velos describe shows custom metrics (OBS-6)', () => {
  it('lists the series of fixtures/app-metrics.js in text, --json and --ai', async () => {
    const home = createHome();
    await velosOk(['start', join(FIXTURES, 'app-metrics.js'), '--name', 'shop'], { home });
    const text = await waitFor(
      async () => {
        const out = (await velosOk(['describe', 'shop'], { home, env: { NO_COLOR: '1' } })).stdout;
        return out.includes('after_malformed_total') ? out : null;
      },
      { message: 'the metrics section of describe shop' },
    );
    const section = metricsSection(text);
    expect(section[0]).toMatch(/^metrics\s+after_malformed_total\s+1$/);
    expect(section.slice(1)).toEqual([
      expect.stringMatching(/^checkout_seconds\s+count 2, sum 0\.9, p50 0\.5, p95 0\.95 \(histogram\)$/),
      expect.stringMatching(/^orders_total\{shop="eu"\}\s+3$/),
      expect.stringMatching(/^orders_total\{shop="us"\}\s+2$/),
      expect.stringMatching(/^queue_depth\s+15$/),
    ]);

    const [detail] = JSON.parse((await velosOk(['describe', 'shop', '--json'], { home })).stdout);
    const byName = (name: string) => detail.custom.filter((s: { name: string }) => s.name === name);
    expect(byName('orders_total')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'counter', labels: { shop: 'eu' }, value: 3, help: 'Orders placed' }),
        expect.objectContaining({ type: 'counter', labels: { shop: 'us' }, value: 2 }),
      ]),
    );
    expect(byName('checkout_seconds')[0].histogram).toMatchObject({ count: 2, counts: [0, 1, 2, 2] });

    const [ai] = JSON.parse((await velosOk(['describe', 'shop', '--ai'], { home })).stdout);
    expect(ai.mx).toEqual({
      after_malformed_total: 1,
      checkout_seconds: { n: 2, sum: 0.9, p50: 0.5, p95: 0.95 },
      'orders_total{shop="eu"}': 3,
      'orders_total{shop="us"}': 2,
      queue_depth: 15,
    });
    expect(ai.mxo).toBeUndefined();
  });

  it('bounds the section to 10 series with +N more, and leaves it out for an app without metrics', async () => {
    const home = createHome();
    const script = join(home, 'many.js');
    writeFileSync(
      script,
      [
        'for (let i = 0; i < 14; i += 1)',
        "  console.log(JSON.stringify({ velos_metric: 'jobs_total', type: 'counter', value: i + 1, labels: { q: 'q' + String(i).padStart(2, '0') } }));",
        "console.log('many ready');",
        'setInterval(() => {}, 60_000);',
      ].join('\n'),
    );
    await velosOk(['start', script, '--name', 'many'], { home });
    await velosOk(['start', join(FIXTURES, 'silent.js'), '--name', 'quiet'], { home });
    const text = await waitFor(
      async () => {
        const out = (await velosOk(['describe', 'many'], { home, env: { NO_COLOR: '1' } })).stdout;
        return out.includes('+4 more') ? out : null;
      },
      { message: 'describe many with 14 series' },
    );
    const section = metricsSection(text);
    expect(section).toHaveLength(11);
    expect(section[0]).toMatch(/^metrics\s+jobs_total\{q="q00"\}\s+1$/);
    expect(section[9]).toMatch(/^jobs_total\{q="q09"\}\s+10$/);
    expect(section[10]).toBe('+4 more (describe --json lists them all)');
    const [ai] = JSON.parse((await velosOk(['describe', 'many', '--ai'], { home })).stdout);
    expect(Object.keys(ai.mx)).toHaveLength(10);
    expect(ai.mxo).toBe(4);

    const quiet = (await velosOk(['describe', 'quiet'], { home })).stdout;
    expect(metricsSection(quiet)).toEqual([]);
    const [quietAi] = JSON.parse((await velosOk(['describe', 'quiet', '--ai'], { home })).stdout);
    expect(quietAi.mx).toBeUndefined();
  });
});
