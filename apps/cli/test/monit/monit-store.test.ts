import type { VelosEvent } from '@velos/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  bar,
  cpuSparkline,
  fit,
  historySignature,
  SPARKLINE_WIDTHS,
  sparkline,
} from '../../src/monit/format.js';
import { computeLayout, scrollOffset } from '../../src/monit/layout.js';
import { createMonitStore, LOGS_PAUSED, type MonitStore } from '../../src/monit/monit-store.js';
import { renderSplash } from '../../src/monit/splash.js';
import { connectionClosed, fakeControl, logLine, proc } from './fake-control.js';

const stores: MonitStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.stop();
});

describe('monit store', () => {
  it('coalesces a burst of log lines into few notifications (≤ 10 frames/s)', async () => {
    const fake = fakeControl([proc({ id: 0, name: 'api' })]);
    const store = createMonitStore(fake.control, { intervalMs: 10_000, throttleMs: 100 });
    stores.push(store);
    let notified = 0;
    store.subscribe(() => {
      notified += 1;
    });
    store.start();
    store.select('0');
    const started = Date.now();
    for (let i = 0; i < 200; i += 1) fake.logSubs[0]?.sub.push([logLine(0, `line ${i}`)]);
    await vi.waitFor(() => expect(store.getData().logs.lines.at(-1)?.line).toBe('line 199'), {
      timeout: 3000,
    });
    const elapsedMs = Date.now() - started;
    expect(notified).toBeLessThanOrEqual(Math.ceil(elapsedMs / 100) + 2);
  });

  it('keeps the last 500 lines and drops the lines of a cancelled stream', async () => {
    const fake = fakeControl([proc({ id: 0, name: 'api' }), proc({ id: 1, name: 'b' })]);
    const store = createMonitStore(fake.control, { intervalMs: 10_000, throttleMs: 1 });
    stores.push(store);
    store.start();
    store.select('0');
    fake.logSubs[0]?.sub.push(Array.from({ length: 600 }, (_, i) => logLine(0, `l${i}`)));
    await vi.waitFor(() => expect(store.getData().logs.lines.length).toBe(500));
    expect(store.getData().logs.lines[0]?.line).toBe('l100');
    // every line counts, the 100 dropped too: a scrolled-back pane finds its place by it
    expect(store.getData().logs.received).toBe(600);
    store.select('1');
    expect(fake.logSubs[0]?.sub.isCancelled).toBe(true);
    expect(store.getData().logs).toEqual({ target: '1', lines: [], error: null, received: 0, older: 'more' });
  });

  it('follows logs and events again once the daemon is back, without what it showed before', async () => {
    const fake = fakeControl([proc({ id: 0, name: 'api' })]);
    const store = createMonitStore(fake.control, { intervalMs: 10_000, throttleMs: 1, retryMs: 20 });
    stores.push(store);
    store.start();
    store.select('0');
    const texts = () => store.getData().logs.lines.map((line) => line.line);
    fake.logSubs[0]?.sub.push(['one', 'two', 'three'].map((text) => logLine(0, text)));
    fake.eventSubs[0]?.sub.push([event(7, 'process.online')]);
    await vi.waitFor(() => expect(texts()).toEqual(['one', 'two', 'three']));
    await vi.waitFor(() => expect(store.getData().events.map((e) => e.seq)).toEqual([7]));
    // `velos update`: the old daemon is SIGKILLed, its connection closes; the next one is not up yet
    fake.state.isDown = true;
    fake.logSubs[0]?.sub.fail(connectionClosed('logs.follow'));
    fake.eventSubs[0]?.sub.fail(connectionClosed('events.follow'));
    await vi.waitFor(() => expect(store.getData().logs.error).toBe(LOGS_PAUSED));
    expect(fake.logSubs).toHaveLength(1);
    fake.state.isDown = false;
    await vi.waitFor(() => expect(fake.logSubs).toHaveLength(2));
    expect(fake.logSubs[1]?.request).toEqual({ target: '0', lines: 200 });
    await vi.waitFor(() => expect(store.getData().logs.error).toBeNull());
    // the new daemon's tail: lines shown before, then those written during the hand-over
    fake.logSubs[1]?.sub.push(['one', 'two', 'three', 'four', 'five'].map((text) => logLine(0, text)));
    await vi.waitFor(() => expect(texts()).toEqual(['one', 'two', 'three', 'four', 'five']));
    fake.logSubs[1]?.sub.push([logLine(0, 'six')]);
    await vi.waitFor(() => expect(texts().at(-1)).toBe('six'));
    expect(texts()).toHaveLength(6);
    await vi.waitFor(() => expect(fake.eventSubs).toHaveLength(2));
    expect(fake.eventSubs[1]?.request).toEqual({ afterSeq: 7, limit: 50 });
    fake.eventSubs[1]?.sub.push([event(8, 'daemon.started')]);
    await vi.waitFor(() => expect(store.getData().events.map((e) => e.seq)).toEqual([7, 8]));
    // a daemon that stops cleanly (`velos kill`) ends the streams: monit follows the next one too
    fake.eventSubs[1]?.sub.cancel();
    await vi.waitFor(() => expect(fake.eventSubs).toHaveLength(3));
    expect(fake.eventSubs[2]?.request).toEqual({ afterSeq: 8, limit: 50 });
  });

  it('reports history errors and a failing list without stopping', async () => {
    const fake = fakeControl([proc({ id: 0, name: 'api' })]);
    const store = createMonitStore(fake.control, { intervalMs: 20, historyIntervalMs: 20, throttleMs: 1 });
    stores.push(store);
    store.start();
    store.select('0');
    await vi.waitFor(() => expect(store.getData().history?.error).toContain('not built yet'));
    fake.control.list = async () => {
      throw new Error('daemon went away');
    };
    await vi.waitFor(() => expect(store.getData().error).toBe('daemon went away'));
    expect(store.getData().processes).toHaveLength(1);
    fake.state.history = { cpu: [1, 2], memory: [3, 4] };
    await vi.waitFor(() => expect(store.getData().history).toMatchObject({ cpu: [1, 2], error: null }));
  });
});

describe('monit sparklines', () => {
  it('ask for the last 10 minutes in no more points than the widest sparkline draws (it would show only the latest of them)', async () => {
    const fake = fakeControl([proc({ id: 0, name: 'api' })]);
    fake.state.history = { cpu: [1, 2], memory: [3, 4] };
    const asked = vi.spyOn(fake.control, 'metricsHistory');
    const store = createMonitStore(fake.control, { intervalMs: 10_000, throttleMs: 1 });
    stores.push(store);
    store.start();
    store.select('0');
    await vi.waitFor(() => expect(store.getData().history).toMatchObject({ cpu: [1, 2], error: null }));
    expect(asked).toHaveBeenCalledWith({ target: '0', sinceMs: 10 * 60_000, points: SPARKLINE_WIDTHS.max });
  });
});

function event(seq: number, kind: string): VelosEvent {
  return { seq, at: Date.now(), kind, severity: 'info', message: `${kind} ${seq}` };
}

describe('monit format and layout', () => {
  it('draws sparklines, bars and cut cells', () => {
    expect(sparkline([0, 50, 100], 10)).toBe('▁▅█');
    expect(sparkline([1, 2, 3, 4, 5], 2)).toBe('▇█');
    expect(sparkline([], 5)).toBe('');
    expect(sparkline([0, 0.1, 0.05], 5, 10)).toBe('▁▁▁');
    expect(sparkline([0, 5, 10, 40], 5, 10)).toBe('▁▂▃█');
    expect(cpuSparkline([0, 1, 5, 10], 5)).toBe('▁▂▅█');
    expect(cpuSparkline([0.1, 0.2], 5)).toBe('▁▁');
    expect(bar(0.5, 10)).toBe('█████░░░░░');
    expect(bar(2, 4)).toBe('████');
    expect(fit('abcdef', 4)).toBe('abc…');
    expect(fit('7', 3, 'right')).toBe('  7');
  });

  it('compares histories as the panel draws them: an answer that changes no sparkline draws no frame', () => {
    const at = (cpu: number[], memory: number[]) =>
      historySignature({ target: '0', cpu, memory, error: null });
    const memory = Array.from({ length: 40 }, () => 41_000_000);
    const base = at([0, 0, 5, 10], memory);
    expect(at([0, 0, 5.01, 10.02], memory)).toBe(base);
    expect(at([0, 0, 5, 10], [...memory.slice(1), 41_000_100])).toBe(base);
    expect(at([0, 0, 10, 5], memory)).not.toBe(base);
    expect(at([0, 0, 5, 10], [...memory.slice(1), 60_000_000])).not.toBe(base);
    expect(historySignature({ target: '1', cpu: [0, 0, 5, 10], memory, error: null })).not.toBe(base);
  });

  it('splits 24 rows between table, logs and events, and scrolls to keep the selection visible', () => {
    const full = { eventLines: 3, hasHostBars: true, hasPanel: true, hasTableHeader: true };
    expect(computeLayout(23, 2)).toEqual({ tableRows: 2, logLines: 11, ...full });
    expect(computeLayout(23, 50)).toEqual({ tableRows: 6, logLines: 7, ...full });
    expect(scrollOffset(10, 6, 50, 0)).toBe(5);
    expect(scrollOffset(7, 6, 50, 5)).toBe(5);
    expect(scrollOffset(2, 6, 50, 5)).toBe(2);
  });

  it('never gives out more lines than the screen has, short screens included', () => {
    for (let height = 3; height <= 60; height += 1) {
      for (const count of [0, 1, 2, 5, 50]) {
        const layout = computeLayout(height, count);
        const events = layout.eventLines > 0 ? layout.eventLines + 1 : 0;
        // header and footer, the table's header, the log pane's title
        const used =
          2 +
          Number(layout.hasTableHeader) +
          Number(layout.logLines > 0) +
          Number(layout.hasHostBars) +
          Number(layout.hasPanel) +
          layout.tableRows +
          layout.logLines +
          events;
        expect(used, `height ${height}, ${count} processes`).toBeLessThanOrEqual(height);
        expect(layout.tableRows).toBeGreaterThanOrEqual(1);
        if (height >= 6) expect(layout.logLines).toBeGreaterThanOrEqual(1);
      }
    }
    expect(computeLayout(9, 5)).toMatchObject({
      tableRows: 2,
      logLines: 1,
      hasHostBars: true,
      hasPanel: true,
    });
    expect(computeLayout(6, 5)).toMatchObject({
      tableRows: 1,
      logLines: 1,
      hasHostBars: false,
      hasPanel: false,
    });
    expect(computeLayout(5, 5)).toMatchObject({ tableRows: 2, logLines: 0, hasTableHeader: true });
    expect(computeLayout(3, 5)).toMatchObject({ tableRows: 1, logLines: 0, hasTableHeader: false });
  });
});

describe('monit splash', () => {
  it('is the list table cut to the terminal, drawn before ink loads', () => {
    const rows = Array.from({ length: 40 }, (_, id) => proc({ id, name: `app-${id}-${'x'.repeat(60)}` }));
    const lines = renderSplash(rows, 80, 24).split('\r\n');
    expect(lines[0]).toBe('velos monit · 40 processes · loading…');
    expect(lines[2]).toMatch(/^\s*0\s+app-0-x+/);
    expect(lines).toHaveLength(23);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(renderSplash([], 80, 24)).toBe('velos monit · 0 processes · loading…\r\nno processes');
  });
});
