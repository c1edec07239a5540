import type { AlertRule, VelosEvent } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { createTracker, type SampledProcess } from '../../src/alerts/condition-tracker.js';

function rule(when: AlertRule['when']): AlertRule {
  return {
    name: 'storm',
    when,
    severity: 'warning',
    forMs: 0,
    resolveAfterMs: 60_000,
    channels: [],
    source: 'runtime',
  };
}

let seq = 0;
function event(kind: string, fields: VelosEvent['fields'], id?: number): VelosEvent {
  seq += 1;
  return { seq, at: 1000 + seq, kind, severity: 'info', app: 'api', message: kind, fields, id };
}

/** What a cluster primary's exit tells: its event, then each of its workers' restarts. */
function primaryExit(workers: number): VelosEvent[] {
  return [
    event('process.primary_exited', { pid: 100, code: null, signal: 'SIGKILL', workers }),
    ...Array.from({ length: workers }, (_, id) =>
      event('process.restarting', { delay_ms: 0, restarts: 1, reason: 'primary-exit' }, id),
    ),
  ];
}

describe('a clock that steps back', () => {
  const hour = 3_600_000;
  const at = (e: VelosEvent, time: number): VelosEvent => ({ ...e, at: time });

  it('resolves an event condition resolve_after from now, not once the clock is back to its event', () => {
    const tracker = createTracker(rule({ kind: 'event', kinds: ['app.deploy.failed'] }), () => true);
    tracker.onEvent(at(event('app.deploy.failed', {}), 10 * hour));
    expect([...tracker.evaluate(10 * hour, () => []).keys()]).toEqual(['api']);
    expect([...tracker.evaluate(9 * hour, () => []).keys()]).toEqual(['api']);
    expect([...tracker.evaluate(9 * hour + 60_000, () => []).keys()]).toEqual([]);
  });

  it('lets restarts leave the window one window from now', () => {
    const tracker = createTracker(rule({ kind: 'restarts', count: 2, windowMs: 60_000 }), () => true);
    for (let i = 0; i < 2; i += 1)
      tracker.onEvent(
        at(event('process.restarting', { delay_ms: 0, restarts: i, reason: 'crash' }, 0), 10 * hour + i),
      );
    expect([...tracker.evaluate(10 * hour + 1, () => []).keys()]).toEqual(['api']);
    expect([...tracker.evaluate(9 * hour, () => []).keys()]).toEqual(['api']);
    expect([...tracker.evaluate(9 * hour + 60_000, () => []).keys()]).toEqual([]);
  });
});

describe('the restarts condition', () => {
  it('counts a cluster primary exit once, not once per worker it took down (SUP-5)', () => {
    const tracker = createTracker(rule({ kind: 'restarts', count: 2, windowMs: 60_000 }), () => true);
    for (const e of primaryExit(4)) tracker.onEvent(e);
    expect(tracker.evaluate(2000, () => [])).toEqual(new Map());
    for (const e of primaryExit(4)) tracker.onEvent(e);
    expect(tracker.evaluate(2000, () => [])).toEqual(new Map([['api', 'api restarted 2 times within 1m']]));
  });

  it('says once, not 1 times, for a rule of one restart', () => {
    const tracker = createTracker(rule({ kind: 'restarts', count: 1, windowMs: 60_000 }), () => true);
    tracker.onEvent(event('process.restarting', { delay_ms: 0, restarts: 1, reason: 'crash' }, 0));
    expect(tracker.evaluate(2000, () => []).get('api')).toBe('api restarted once within 1m');
  });

  it('still counts every worker restart of its own (a crash)', () => {
    const tracker = createTracker(rule({ kind: 'restarts', count: 2, windowMs: 60_000 }), () => true);
    tracker.onEvent(event('process.restarting', { delay_ms: 0, restarts: 1, reason: 'crash' }, 0));
    tracker.onEvent(event('process.restarting', { delay_ms: 0, restarts: 1, reason: 'crash' }, 1));
    expect(tracker.evaluate(2000, () => []).get('api')).toBe('api restarted 2 times within 1m');
  });

  it('says every restart of the window, not only the first 2 × N (a crash loop read "6 times" after 8)', () => {
    const tracker = createTracker(rule({ kind: 'restarts', count: 3, windowMs: 60_000 }), () => true);
    for (let i = 0; i < 8; i += 1) {
      tracker.onEvent(event('process.restarting', { delay_ms: 0, restarts: i + 1, reason: 'crash' }, 0));
      tracker.evaluate(2000, () => []);
    }
    expect(tracker.evaluate(2000, () => []).get('api')).toBe('api restarted 8 times within 1m');
  });

  it('keeps at most 1000 restart times per app, and then says the count is a floor', () => {
    const tracker = createTracker(rule({ kind: 'restarts', count: 3, windowMs: 60_000 }), () => true);
    for (let i = 0; i < 1005; i += 1)
      tracker.onEvent(event('process.restarting', { delay_ms: 0, restarts: i + 1, reason: 'crash' }, 0));
    expect(tracker.evaluate(3000, () => []).get('api')).toBe('api restarted at least 1000 times within 1m');
    // once the times it dropped have left the window, the count is exact again
    const last = event('process.restarting', { delay_ms: 0, restarts: 1006, reason: 'crash' }, 0);
    tracker.onEvent({ ...last, at: 70_000 });
    expect(tracker.evaluate(70_001, () => []).get('api')).toBeUndefined();
    expect(tracker.isWaiting(70_001)).toBe(true);
  });

  it('leaves out the restarts that were asked for (velos restart, watch, cron_restart)', () => {
    const tracker = createTracker(rule({ kind: 'restarts', count: 2, windowMs: 60_000 }), () => true);
    for (const reason of ['user', 'user', 'user', 'watch', 'cron', 'reload'])
      tracker.onEvent(event('process.restarting', { delay_ms: 0, restarts: 1, reason }, 0));
    expect(tracker.evaluate(2000, () => [])).toEqual(new Map());
    tracker.onEvent(event('process.restarting', { delay_ms: 0, restarts: 1, reason: 'memory' }, 0));
    tracker.onEvent(event('process.restarting', { delay_ms: 10, restarts: 2, reason: 'crash' }, 0));
    expect(tracker.evaluate(2000, () => []).get('api')).toBe('api restarted 2 times within 1m');
  });

  it('counts the primary exit for a rule on one process id of the app', () => {
    const tracker = createTracker(
      rule({ kind: 'restarts', count: 1, windowMs: 60_000 }),
      (_app, id) => id === 2,
    );
    for (const e of primaryExit(3)) tracker.onEvent(e);
    expect(tracker.evaluate(2000, () => []).get('api')).toBe('api restarted once within 1m');
  });
});

describe('the job failed condition', () => {
  it('ends the streak when the job is deleted: no run can end it any more', () => {
    const tracker = createTracker(rule({ kind: 'job_failed', count: 2 }), () => true);
    for (let run = 1; run <= 2; run += 1)
      tracker.onEvent(event('job.finished', { outcome: 'failed', run }, 0));
    expect(tracker.evaluate(2000, () => []).has('api')).toBe(true);
    // the delete stops the run going on (no failure), then deletes the process
    tracker.onEvent(event('job.finished', { outcome: 'stopped', run: 3 }, 0));
    expect(tracker.evaluate(2000, () => []).has('api')).toBe(true);
    tracker.onEvent(event('process.deleted', undefined, 0));
    expect(tracker.evaluate(2000, () => [])).toEqual(new Map());
  });

  // a velos update during a run fired the alert: the new daemon saw the run end, not its exit code
  it('neither counts nor ends a streak with a run whose exit code is unknown (taken over by a new daemon)', () => {
    const tracker = createTracker(rule({ kind: 'job_failed', count: 2 }), () => true);
    tracker.onEvent(event('job.finished', { outcome: 'failed', run: 1 }, 0));
    tracker.onEvent(event('job.finished', { outcome: 'unknown', run: 2 }, 0));
    expect(tracker.evaluate(2000, () => [])).toEqual(new Map());
    tracker.onEvent(event('job.finished', { outcome: 'failed', run: 3 }, 0));
    expect(tracker.evaluate(2000, () => []).has('api')).toBe(true);
  });
});

describe('the event condition', () => {
  it("takes OBS-2's aliases: event unhealthy fires on a health change to unhealthy only", () => {
    const tracker = createTracker(rule({ kind: 'event', kinds: ['unhealthy'] }), () => true);
    tracker.onEvent(event('process.health', { from: 'unhealthy', to: 'healthy' }, 0));
    tracker.onEvent(event('process.health', { from: 'healthy', to: 'degraded' }, 0));
    expect(tracker.evaluate(2000, () => [])).toEqual(new Map());
    const down = event('process.health', { from: 'degraded', to: 'unhealthy' }, 0);
    tracker.onEvent(down);
    expect(tracker.evaluate(2000, () => [])).toEqual(new Map([['api', down.message]]));
  });
});

describe('the unhealthy condition', () => {
  const sample = (status: string, health: string, id = 3): SampledProcess => ({
    id,
    name: 'hs',
    namespace: 'default',
    status,
    health,
    memory: 0,
    cpu: 0,
  });

  it('holds through the liveness restart and the new run’s start until the probes pass', () => {
    const tracker = createTracker(rule({ kind: 'unhealthy' }), () => true);
    const held = new Map([['hs', 'hs (id 3) is unhealthy']]);
    expect(tracker.evaluate(0, () => [sample('online', 'degraded')])).toEqual(new Map());
    expect(tracker.evaluate(1, () => [sample('online', 'unhealthy')])).toEqual(held);
    // restarted for it: no verdict yet, then failing checks below the threshold while it starts
    expect(tracker.evaluate(2, () => [sample('waiting-restart', 'unknown')])).toEqual(held);
    expect(tracker.evaluate(3, () => [sample('starting', 'unknown')])).toEqual(held);
    expect(tracker.evaluate(4, () => [sample('online', 'degraded')])).toEqual(held);
    expect(tracker.evaluate(5, () => [sample('online', 'healthy')])).toEqual(new Map());
    expect(tracker.evaluate(6, () => [sample('online', 'degraded')])).toEqual(new Map());
  });

  it('ends when the process stops running or goes away', () => {
    const tracker = createTracker(rule({ kind: 'unhealthy' }), () => true);
    tracker.evaluate(0, () => [sample('online', 'unhealthy'), sample('online', 'unhealthy', 4)]);
    expect(tracker.evaluate(1, () => [sample('stopped', 'unknown'), sample('online', 'unknown', 4)])).toEqual(
      new Map([['hs', 'hs (id 4) is unhealthy']]),
    );
    expect(tracker.evaluate(2, () => [sample('stopped', 'unknown')])).toEqual(new Map());
    expect(tracker.evaluate(3, () => [sample('online', 'unknown'), sample('online', 'unknown', 4)])).toEqual(
      new Map(),
    );
  });
});

describe('the component stale condition (OBS-2)', () => {
  const component = (kind: string, name: string, app?: string): VelosEvent => {
    seq += 1;
    return {
      seq,
      at: 1000 + seq,
      kind,
      severity: 'warning',
      ...(app === undefined ? {} : { app }),
      message: `component ${name} ${kind.slice('component.'.length)}`,
      fields: { component: name, status: 'healthy', intervalMs: 1000 },
    };
  };

  it('holds from component.stale until the component reports again or is removed, whatever the time', () => {
    const tracker = createTracker(rule({ kind: 'component_stale' }), () => true);
    tracker.onEvent(component('component.stale', 'backup'));
    tracker.onEvent(component('component.stale', 'sync'));
    // no resolve_after: a silent component stays stale
    expect(tracker.evaluate(10_000_000, () => [])).toEqual(
      new Map([['*', 'component backup stale; component sync stale']]),
    );
    tracker.onEvent(component('component.recovered', 'backup'));
    expect(tracker.evaluate(10_000_000, () => [])).toEqual(new Map([['*', 'component sync stale']]));
    tracker.onEvent(component('component.removed', 'sync'));
    expect(tracker.evaluate(10_000_000, () => [])).toEqual(new Map());
    expect(tracker.isWaiting(0)).toBe(false);
  });

  it("keeps one alert per app, and a rule's app sees its own components only", () => {
    const tracker = createTracker(rule({ kind: 'component_stale' }), (app) => app === 'api');
    tracker.onEvent(component('component.stale', 'api-cron', 'api'));
    tracker.onEvent(component('component.stale', 'web-cron', 'web'));
    tracker.onEvent(component('component.status', 'api-cron', 'api'));
    expect(tracker.evaluate(0, () => [])).toEqual(new Map([['api', 'component api-cron stale']]));
  });

  it('holds a restored alert until a component of its key recovers or is removed', () => {
    const tracker = createTracker(rule({ kind: 'component_stale' }), () => true);
    tracker.restore('*', 'component backup is stale', 0);
    expect(tracker.evaluate(10_000_000, () => []).get('*')).toBe('component backup is stale');
    tracker.onEvent(component('component.recovered', 'backup'));
    expect(tracker.evaluate(10_000_000, () => [])).toEqual(new Map());
  });

  it("resolves a restored alert once none of its key's components the registry restored stale is stale", () => {
    const registry = [
      { name: 'backup', message: 'component backup is stale' },
      { name: 'sync', message: 'component sync is stale' },
      { name: 'web-cron', app: 'web', message: 'component web-cron is stale' },
    ];
    const tracker = createTracker(
      rule({ kind: 'component_stale' }),
      () => true,
      () => registry,
    );
    tracker.restore('*', 'component backup is stale; component sync is stale', 0);
    expect(tracker.evaluate(0, () => [])).toEqual(
      new Map([['*', 'component backup is stale; component sync is stale']]),
    );
    tracker.onEvent(component('component.recovered', 'backup'));
    expect(tracker.evaluate(0, () => [])).toEqual(new Map([['*', 'component sync is stale']]));
    tracker.onEvent(component('component.stale', 'nightly'));
    tracker.onEvent(component('component.removed', 'sync'));
    expect(tracker.evaluate(0, () => [])).toEqual(new Map([['*', 'component nightly stale']]));
    tracker.onEvent(component('component.recovered', 'nightly'));
    expect(tracker.evaluate(0, () => [])).toEqual(new Map());
  });

  it("a restored alert of a rule's app takes that app's stale components only", () => {
    const registry = [
      { name: 'api-cron', app: 'api', message: 'component api-cron is stale' },
      { name: 'web-cron', app: 'web', message: 'component web-cron is stale' },
    ];
    const tracker = createTracker(
      rule({ kind: 'component_stale' }),
      (app) => app === 'api',
      () => registry,
    );
    tracker.restore('api', 'component api-cron is stale', 0);
    expect(tracker.evaluate(0, () => [])).toEqual(new Map([['api', 'component api-cron is stale']]));
    tracker.onEvent(component('component.recovered', 'api-cron', 'api'));
    expect(tracker.evaluate(0, () => [])).toEqual(new Map());
  });
});
