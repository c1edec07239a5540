import type { DaemonHealth, ReportedComponent } from '@velos/core';
import { toAiComponents } from '@velos/core/ai';
import { describe, expect, it } from 'vitest';
import { createColors } from '../src/output/colors.js';
import { renderComponentTable } from '../src/output/component-list.js';
import { renderHealth, toAiHealth } from '../src/output/daemon-health.js';

const NOW = 1_800_000_000_000;
const plain = createColors(false);

function component(name: string, overrides: Partial<ReportedComponent> = {}): ReportedComponent {
  return {
    name,
    status: 'healthy',
    intervalMs: 300_000,
    lastReportAt: NOW - 42_000,
    isStale: false,
    since: NOW - 3_600_000,
    reports: 12,
    ...overrides,
  };
}

describe('velos components output', () => {
  it('shows one row per component, a stale one with its last status', () => {
    const table = renderComponentTable(
      [
        component('backup', { isStale: true, app: 'api', lastReportAt: NOW - 2 * 3_600_000 }),
        component('sync'),
      ],
      plain,
      NOW,
    );
    expect(table.split('\n')[0]).toMatch(/^component\s+status\s+app\s+interval\s+last report\s+message/);
    expect(table).toMatch(/backup\s+stale \(healthy\)\s+api\s+5m\s+2h ago/);
    expect(table).toMatch(/sync\s+healthy\s+-\s+5m\s+42s ago/);
    expect(renderComponentTable([], plain, NOW)).toMatch(/^no component reports/);
  });

  it('gives compact --ai keys, stale and optional ones only when set', () => {
    expect(
      toAiComponents(
        [component('sync'), component('backup', { isStale: true, message: 'm', app: 'a' })],
        NOW,
      ),
    ).toEqual([
      { n: 'sync', s: 'healthy', iv: '5m', ago: '42s' },
      { n: 'backup', s: 'healthy', stale: true, a: 'a', m: 'm', iv: '5m', ago: '42s' },
    ]);
  });

  it('lists reported components apart in velos health, never in the daemon status', () => {
    const health: DaemonHealth = {
      status: 'healthy',
      at: NOW,
      components: [{ name: 'ipc', status: 'healthy' }],
      reported: [component('backup', { status: 'unhealthy', message: 'disk full' }), component('sync')],
    };
    const text = renderHealth(health, plain);
    expect(text.split('\n')[0]).toBe('daemon healthy');
    expect(text).toMatch(/reported\s+status\s+message\n.*backup\s+unhealthy\s+disk full/s);
    expect(toAiHealth(health)).toEqual({
      s: 'healthy',
      ok: ['ipc'],
      rep: [{ n: 'backup', s: 'unhealthy', m: 'disk full', iv: '5m', ago: '42s' }],
      repOk: ['sync'],
    });
  });
});
