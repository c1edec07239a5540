import { afterEach, describe, expect, it } from 'vitest';
import { createSupervisor } from '../src/supervisor.js';
import { Harness } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

describe('self-health of a supervisor (OBS-4)', () => {
  it('answers every component; a reported or registered state makes it degraded, then recovered, on the bus', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    const first = await supervisor.health();
    expect(first.status).toBe('healthy');
    // alert delivery is a registered check of every supervisor, so it comes first
    expect(first.components.map((c) => c.name)).toEqual([
      'alerts',
      'memory',
      'logs',
      'disk',
      'monitor',
      'state',
      'scheduler',
    ]);
    supervisor.reportHealth('alerts', 'degraded', 'webhook https://hooks.example: HTTP 500');
    const degraded = await supervisor.health();
    expect(degraded.status).toBe('degraded');
    supervisor.reportHealth('alerts', 'healthy');
    expect((await supervisor.health()).status).toBe('healthy');
    const remove = supervisor.registerHealthCheck('broken', () => {
      throw new Error('boom');
    });
    const unhealthy = supervisor.registerHealthCheck('custom', () => ({
      name: 'ignored',
      status: 'unhealthy',
      reason: 'custom check says no',
    }));
    const worst = await supervisor.health();
    expect(worst.status).toBe('unhealthy');
    expect(worst.components.find((c) => c.name === 'broken')).toMatchObject({
      status: 'degraded',
      reason: 'check failed: Error: boom',
    });
    expect(worst.components.find((c) => c.name === 'custom')?.status).toBe('unhealthy');
    remove();
    unhealthy();
    expect((await supervisor.health()).status).toBe('healthy');
    const { events } = await supervisor.events({ kinds: ['daemon'] });
    expect(events.map((e) => [e.kind, e.fields?.status, e.severity])).toEqual([
      ['daemon.degraded', 'degraded', 'warning'],
      ['daemon.recovered', 'healthy', 'info'],
      ['daemon.degraded', 'unhealthy', 'critical'],
      ['daemon.recovered', 'healthy', 'info'],
    ]);
    expect(events[0]!.message).toMatch(/alerts: webhook https:\/\/hooks\.example: HTTP 500/);
    expect(events[2]!.fields?.components).toBe('broken,custom');
  });

  it('watches the event loop once watched: a blocked loop shows as lag', async () => {
    const supervisor = harness.track(createSupervisor({ home: harness.home() }));
    supervisor.watchHealth(60_000);
    const until = Date.now() + 900;
    while (Date.now() < until) {
      // block the loop on purpose
    }
    const loop = (await supervisor.health()).components.find((c) => c.name === 'event-loop');
    expect(loop?.status).toBe('degraded');
    expect(loop?.value).toBeGreaterThan(200);
  });
});
