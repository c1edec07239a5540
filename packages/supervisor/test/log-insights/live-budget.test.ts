import { describe, expect, it, vi } from 'vitest';
import { ErrorInspector } from '../../src/log-insights/error-inspector.js';
import { LIVE_MIN_SHARE_PER_SECOND, LiveBudget, waterLevel } from '../../src/log-insights/live-budget.js';
import { createLiveEngine } from '../../src/log-insights/live-engine.js';
import type { LineBatch } from '../../src/logs/line-batch.js';

const SECOND = 1_000_000_000_000;

function batchOf(lines: string[], ts: number): LineBatch {
  return {
    data: Buffer.from(lines.map((line) => `${line}\n`).join('')),
    lines: lines.length,
    ts,
    stream: 'out',
    pid: 1,
  };
}

describe('waterLevel', () => {
  it('is the budget while the demands add up to less', () => {
    expect(waterLevel([100, 200], 1000)).toBe(1000);
    expect(waterLevel([], 1000)).toBe(1000);
  });

  it('splits the budget evenly among chatty apps and leaves quiet apps what they need', () => {
    expect(waterLevel([5000, 5000, 5000, 5000], 1000)).toBe(250);
    // the quiet app takes its 10, the three chatty ones share the other 990
    expect(waterLevel([10, 9000, 9000, 9000], 1000)).toBe(330);
  });
});

describe('LiveBudget', () => {
  it('gives one chatty app the whole budget, ten chatty apps a tenth each', () => {
    const budget = new LiveBudget(1000);
    const one = {};
    expect(budget.take(one, 100, SECOND)).toBe(1000);
    for (let i = 0; i < 50; i += 1) budget.take(one, 1000, SECOND + 20 * i);
    expect(budget.take(one, 1000, SECOND + 1000)).toBe(1000);

    const many = new LiveBudget(1000);
    const apps = Array.from({ length: 10 }, () => ({}));
    let level = 0;
    for (let tick = 0; tick < 20; tick += 1) {
      for (const app of apps) level = many.take(app, 5000, SECOND + tick * 100);
    }
    expect(level).toBe(100);
  });

  it('does not starve a quiet app next to chatty ones, nor one that starts late', () => {
    const budget = new LiveBudget(1000);
    const chatty = [{}, {}];
    const quiet = {};
    for (let tick = 0; tick < 20; tick += 1) {
      for (const app of chatty) budget.take(app, 10_000, SECOND + tick * 100);
      // the quiet app logs 5 lines a second: it may classify them all
      if (tick % 10 === 0) expect(budget.take(quiet, 5, SECOND + tick * 100)).toBeGreaterThan(5);
    }
    const late = {};
    expect(budget.take(late, 10_000, SECOND + 2050)).toBeGreaterThanOrEqual(300);
    // three chatty apps share what the quiet one leaves
    expect(budget.take(chatty[0]!, 10_000, SECOND + 2200)).toBeCloseTo((1000 - 5) / 3, 5);
  });

  it('never goes below the minimum share, however many apps log', () => {
    const budget = new LiveBudget(1000);
    let level = 0;
    for (let i = 0; i < 100; i += 1) level = budget.take({}, 10_000, SECOND);
    expect(level).toBe(LIVE_MIN_SHARE_PER_SECOND);
  });

  it('grants what is left of the second, and always enough for the minimum share', () => {
    const budget = new LiveBudget(1000);
    const app = {};
    budget.take(app, 10_000, SECOND);
    expect(budget.grant(600, 0)).toBe(600);
    expect(budget.grant(600, 600)).toBe(400);
    expect(budget.grant(600, 0)).toBe(LIVE_MIN_SHARE_PER_SECOND);
    expect(budget.grant(600, 1000)).toBe(0);
    // a new second, a new budget
    budget.take(app, 10_000, SECOND + 1000);
    expect(budget.grant(600, 0)).toBe(600);
  });

  it('forgets a deleted app', () => {
    const budget = new LiveBudget(1000);
    const a = {};
    const b = {};
    budget.take(a, 10_000, SECOND);
    budget.take(b, 10_000, SECOND);
    expect(budget.take(b, 10_000, SECOND + 500)).toBe(500);
    budget.forget(a);
    expect(budget.take(b, 10_000, SECOND + 700)).toBe(1000);
  });
});

describe('the live engines sharing a budget', () => {
  it('classify about the budget when ten chatty apps start together, not the budget each', () => {
    const inspect = vi.spyOn(ErrorInspector.prototype, 'inspect');
    try {
      const budget = new LiveBudget(1000);
      const engines = Array.from({ length: 10 }, (_, i) => createLiveEngine(`app${i}`, () => {}, 0, budget));
      const batch = batchOf(
        Array.from({ length: 300 }, (_, i) => `line ${i} ${'x'.repeat(90)}`),
        SECOND,
      );
      // 10 apps x 300 lines every 4 ms from the start of a second: 75,000 lines per app in 1 s
      for (let tick = 0; tick < 250; tick += 1) {
        for (const [i, engine] of engines.entries()) engine.push({ ...batch, ts: SECOND + tick * 4 }, i);
      }
      // the budget, and what the minimum shares may add
      expect(inspect.mock.calls.length).toBeLessThanOrEqual(1000 + 10 * LIVE_MIN_SHARE_PER_SECOND);
      expect(inspect.mock.calls.length).toBeGreaterThanOrEqual(900);
    } finally {
      inspect.mockRestore();
    }
  });

  it('classify a fair sample of each chatty app: error estimates close for both, though error lines are longer', () => {
    const budget = new LiveBudget(1000);
    const events: unknown[] = [];
    const engines = [0, 1].map((i) => createLiveEngine(`app${i}`, (event) => events.push(event), 0, budget));
    const lines = Array.from({ length: 100 }, (_, i) => (i % 10 === 0 ? `error: boom ${i}` : `ok ${i}`));
    const errors = [0, 0];
    for (let tick = 0; tick < 100; tick += 1) {
      for (const [i, engine] of engines.entries())
        errors[i]! += engine.push(batchOf(lines, SECOND + tick * 20), i);
    }
    // 10,000 lines each in 2 s, a tenth of them errors: the estimates are close for both apps
    for (const count of errors) {
      expect(count).toBeGreaterThan(700);
      expect(count).toBeLessThan(1300);
    }
    expect(engines[0]!.errorsPerMinute().reduce((a, b) => a + b, 0)).toBeCloseTo(errors[0]!, 5);
  });

  it('classify a sampled .NET console flood by its entries: a fail: header and its message count as one error', () => {
    const engine = createLiveEngine('dotnet', () => {}, 0, new LiveBudget(1000));
    // 100 entries a batch, one in ten a fail: entry, its message indented on the line under its header
    const lines = Array.from({ length: 100 }, (_, i) =>
      i % 10 === 0
        ? ['fail: Orders.Worker[7]', `      Payment ${i} declined by the gateway`]
        : ['info: Orders.Api[1]', `      Request ${i} served in ${i % 89} ms`],
    ).flat();
    const errors = [0, 0, 0];
    // 50 batches a second: 10,000 lines, 500 error entries, past the 1,000 lines a second classified;
    // from the second second on, each batch is sampled (a tenth of its lines)
    for (let tick = 0; tick < 150; tick += 1) {
      errors[Math.floor(tick / 50)]! += engine.push(batchOf(lines, SECOND + tick * 20), 0);
    }
    for (const count of errors.slice(1)) {
      expect(count).toBeGreaterThan(350);
      expect(count).toBeLessThan(650);
    }
  });
});
