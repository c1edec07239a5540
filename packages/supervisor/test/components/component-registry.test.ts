import { COMPONENT_LIMITS, type EventInput, isVelosError } from '@velos/core';
import { waitFor } from '@velos/test-helpers';
import { describe, expect, it } from 'vitest';
import { createComponentRegistry, staleGraceMs } from '../../src/components/component-registry.js';

/** A registry on a clock the test moves (both clocks together), with the events it published. */
function registryAt(start = 1_000_000) {
  let now = start;
  const events: EventInput[] = [];
  const registry = createComponentRegistry({
    publish: (event) => events.push(event),
    clock: { wallMs: () => now, monotonicMs: () => now },
  });
  return {
    registry,
    events,
    kinds: () => events.map((event) => event.kind),
    advance(ms: number) {
      now += ms;
      registry.sweep(now);
    },
  };
}

describe('the component registry', () => {
  it('marks a component stale once its interval and the grace pass without a report', () => {
    const { registry, kinds, advance, events } = registryAt();
    registry.report({ name: 'backup', intervalMs: 60_000, status: 'healthy', app: 'api' });
    expect(kinds()).toEqual(['component.status']);
    advance(60_000 + staleGraceMs(60_000) - 1);
    expect(registry.list()[0]?.isStale).toBe(false);
    advance(1);
    const [backup] = registry.list();
    expect(backup).toMatchObject({ name: 'backup', isStale: true, status: 'healthy', app: 'api' });
    expect(kinds()).toEqual(['component.status', 'component.stale']);
    expect(events[1]).toMatchObject({ severity: 'warning', app: 'api', fields: { component: 'backup' } });
    advance(600_000);
    expect(kinds()).toHaveLength(2);
    registry.close();
  });

  it('tells a stale component that reports again as recovered, and keeps it fresh while it reports', () => {
    const { registry, kinds, advance } = registryAt();
    registry.report({ name: 'sync', intervalMs: 10_000, status: 'healthy' });
    for (let i = 0; i < 5; i += 1) {
      advance(9_000);
      registry.report({ name: 'sync', intervalMs: 10_000, status: 'healthy' });
    }
    expect(kinds()).toEqual(['component.status']);
    advance(20_000);
    expect(kinds()).toEqual(['component.status', 'component.stale']);
    const back = registry.report({ name: 'sync', intervalMs: 10_000, status: 'healthy' });
    expect(back).toMatchObject({ isStale: false, reports: 7 });
    expect(kinds()).toEqual(['component.status', 'component.stale', 'component.recovered']);
    registry.close();
  });

  it('tells a status change once, with a severity of the new status, and keeps since of the unchanged', () => {
    const { registry, events, advance } = registryAt();
    const first = registry.report({ name: 'queue', intervalMs: 30_000, status: 'healthy' });
    advance(1000);
    expect(registry.report({ name: 'queue', intervalMs: 30_000, status: 'healthy' }).since).toBe(first.since);
    advance(1000);
    const bad = registry.report({
      name: 'queue',
      intervalMs: 30_000,
      status: 'unhealthy',
      message: 'lag 9m',
    });
    expect(bad.since).toBe(first.since + 2000);
    registry.report({ name: 'queue', intervalMs: 30_000, status: 'unhealthy', message: 'lag 10m' });
    expect(events.map((event) => [event.kind, event.severity])).toEqual([
      ['component.status', 'info'],
      ['component.status', 'error'],
    ]);
    expect(events[1]?.message).toBe('component queue is unhealthy (was healthy): lag 9m');
    registry.close();
  });

  it(`refuses component ${COMPONENT_LIMITS.maxComponents + 1} with BUSY, and takes a new one after a removal`, () => {
    const { registry } = registryAt();
    for (let i = 0; i < COMPONENT_LIMITS.maxComponents; i += 1)
      registry.report({ name: `c${i}`, intervalMs: 60_000, status: 'healthy' });
    let error: unknown;
    try {
      registry.report({ name: 'one-more', intervalMs: 60_000, status: 'healthy' });
    } catch (caught) {
      error = caught;
    }
    expect(isVelosError(error) && error.code).toBe('BUSY');
    expect(String(error)).toContain('at most 256');
    // a component already known still reports
    registry.report({ name: 'c0', intervalMs: 60_000, status: 'degraded' });
    expect(registry.remove('c1').name).toBe('c1');
    registry.report({ name: 'one-more', intervalMs: 60_000, status: 'healthy' });
    expect(registry.list()).toHaveLength(COMPONENT_LIMITS.maxComponents);
    registry.close();
  });

  it('tells a removal on the bus (component.removed), so that a stale alert on it resolves', () => {
    const { registry, kinds, events } = registryAt();
    registry.report({ name: 'nightly', intervalMs: 60_000, status: 'healthy', app: 'api' });
    registry.remove('nightly');
    expect(kinds()).toEqual(['component.status', 'component.removed']);
    expect(events[1]).toMatchObject({ severity: 'info', app: 'api', fields: { component: 'nightly' } });
    registry.close();
  });

  it('refuses to remove an unknown component with TARGET_NOT_FOUND', () => {
    const { registry } = registryAt();
    expect(() => registry.remove('nope')).toThrow(/no component is called 'nope'/);
  });

  it('marks stale on its own timer, one for every component', async () => {
    const events: EventInput[] = [];
    const registry = createComponentRegistry({ publish: (event) => events.push(event), graceMs: () => 20 });
    registry.report({ name: 'fast', intervalMs: 50, status: 'healthy' });
    registry.report({ name: 'slow', intervalMs: 200, status: 'healthy' });
    await waitFor(() => events.filter((event) => event.kind === 'component.stale').length === 2, {
      timeoutMs: 5000,
    });
    expect(events.filter((e) => e.kind === 'component.stale').map((e) => e.fields?.component)).toEqual([
      'fast',
      'slow',
    ]);
    registry.close();
  });

  it('gives restored components one interval from the restore, and keeps a stale one stale without an event', () => {
    const { registry, kinds, advance } = registryAt(5_000_000);
    const saved = { status: 'healthy' as const, intervalMs: 10_000, since: 1, reports: 4 };
    registry.restore([
      { ...saved, name: 'old', lastReportAt: 1000, isStale: false },
      { ...saved, name: 'dead', lastReportAt: 1000, isStale: true },
    ]);
    expect(registry.list().map((c) => [c.name, c.isStale])).toEqual([
      ['dead', true],
      ['old', false],
    ]);
    expect(kinds()).toEqual([]);
    // what a restored `component stale` alert takes: the stale ones, with the line of their event
    expect(registry.stale()).toEqual([
      { name: 'dead', message: 'component dead is stale: no report for 1 h 23 min (interval 10s)' },
    ]);
    advance(10_999);
    expect(kinds()).toEqual([]);
    advance(1);
    expect(kinds()).toEqual(['component.stale']);
    expect(registry.stale().map((c) => c.name)).toEqual(['old', 'dead']);
    registry.close();
  });

  it('tells onChange of what is worth keeping, not of a heartbeat', () => {
    let changes = 0;
    let now = 0;
    const registry = createComponentRegistry({
      publish: () => undefined,
      onChange: () => {
        changes += 1;
      },
      clock: { wallMs: () => now, monotonicMs: () => now },
    });
    registry.report({ name: 'a', intervalMs: 1000, status: 'healthy' });
    registry.report({ name: 'a', intervalMs: 1000, status: 'healthy' });
    expect(changes).toBe(1);
    registry.report({ name: 'a', intervalMs: 2000, status: 'healthy' });
    registry.report({ name: 'a', intervalMs: 2000, status: 'healthy', message: 'm' });
    expect(changes).toBe(3);
    now += 10_000;
    registry.sweep(now);
    expect(changes).toBe(4);
    registry.remove('a');
    expect(changes).toBe(5);
    registry.close();
  });

  it('gives a grace of a tenth of the interval, 1 s to 1 min', () => {
    expect(staleGraceMs(1000)).toBe(1000);
    expect(staleGraceMs(60_000)).toBe(6000);
    expect(staleGraceMs(86_400_000)).toBe(60_000);
  });
});
