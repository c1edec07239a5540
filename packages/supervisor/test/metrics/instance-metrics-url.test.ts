import { describe, expect, it } from 'vitest';
import { instanceMetricsUrl, metricsUrlProblem } from '../../src/metrics/instance-metrics-url.js';

describe('instanceMetricsUrl', () => {
  it('expands {instance} and {port} (the increment_var port) per instance; a plain URL stays the app’s', () => {
    const spec = { env: { PORT: '3000' }, incrementVar: 'PORT' };
    const at = (metricsUrl: string, instance: number) =>
      instanceMetricsUrl({ ...spec, metricsUrl }, instance);
    expect(at('http://127.0.0.1:{port}/metrics', 2)).toBe('http://127.0.0.1:3002/metrics');
    expect(at('http://127.0.0.1:9100/metrics/{instance}', 3)).toBe('http://127.0.0.1:9100/metrics/3');
    expect(at('http://127.0.0.1:9100/metrics', 3)).toBe('http://127.0.0.1:9100/metrics');
    expect(instanceMetricsUrl({ env: {} }, 1)).toBeUndefined();
  });

  it('refuses {port} without increment_var in one line naming the app', () => {
    const metricsUrl = 'http://127.0.0.1:{port}/metrics';
    expect(metricsUrlProblem({ name: 'web', metricsUrl })).toMatch(
      /^web: metrics_url: \{port\} .*increment_var/,
    );
    expect(metricsUrlProblem({ name: 'web', metricsUrl, incrementVar: 'PORT' })).toBeNull();
    expect(metricsUrlProblem({ name: 'web', metricsUrl: 'http://h/{instance}' })).toBeNull();
  });
});
