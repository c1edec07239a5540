import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EXPORT_INTERVAL_MS,
  otlpSettingsKey,
  redactUrl,
  resolveOtlpSettings,
} from '../src/otlp-settings.js';

describe('resolveOtlpSettings', () => {
  it('is off without an endpoint, and says why', () => {
    expect(resolveOtlpSettings(undefined, {})).toEqual({
      isEnabled: false,
      reason: expect.stringContaining('no endpoint'),
      isConfigured: false,
    });
    expect(resolveOtlpSettings({ intervalMs: 1000 }, { OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }).isEnabled).toBe(
      false,
    );
  });

  it('appends the signal paths to a base endpoint (config.toml), with a default interval and spans on', () => {
    const decision = resolveOtlpSettings({ endpoint: 'http://127.0.0.1:4318/' }, {});
    expect(decision).toEqual({
      isEnabled: true,
      settings: {
        metricsUrl: 'http://127.0.0.1:4318/v1/metrics',
        tracesUrl: 'http://127.0.0.1:4318/v1/traces',
        headers: {},
        intervalMs: DEFAULT_EXPORT_INTERVAL_MS,
        notes: [],
      },
    });
  });

  it('reads the standard variables: per-signal URLs as they are, the interval in ms', () => {
    const decision = resolveOtlpSettings(undefined, {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://tempo:4318/v1/traces',
      OTEL_METRIC_EXPORT_INTERVAL: '5000',
    });
    expect(decision.isEnabled && decision.settings).toMatchObject({
      metricsUrl: 'http://collector:4318/v1/metrics',
      tracesUrl: 'http://tempo:4318/v1/traces',
      intervalMs: 5000,
    });
  });

  it('lets config.toml win over the variables, key by key', () => {
    const decision = resolveOtlpSettings(
      { endpoint: 'http://from-config:4318', headers: { 'x-key': 'c' } },
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://from-env:4318',
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://from-env:4318/v1/metrics',
        OTEL_METRIC_EXPORT_INTERVAL: '2000',
      },
    );
    expect(decision.isEnabled && decision.settings).toMatchObject({
      metricsUrl: 'http://from-config:4318/v1/metrics',
      tracesUrl: 'http://from-config:4318/v1/traces',
      headers: { 'x-key': 'c' },
      intervalMs: 2000,
    });
  });

  it('turns spans off with events = false, and is off with OTEL_SDK_DISABLED=true whatever the config', () => {
    const noEvents = resolveOtlpSettings({ endpoint: 'http://c:4318', events: false }, {});
    expect(noEvents.isEnabled && noEvents.settings.tracesUrl).toBeNull();
    expect(resolveOtlpSettings({ endpoint: 'http://c:4318' }, { OTEL_SDK_DISABLED: 'TRUE' })).toEqual({
      isEnabled: false,
      reason: 'OTEL_SDK_DISABLED=true',
      isConfigured: true,
    });
  });

  it('notes a protocol it does not speak, a bad interval, and raises a tiny one', () => {
    const decision = resolveOtlpSettings(undefined, {
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://c:4318/v1/metrics',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_METRIC_EXPORT_INTERVAL: 'soon',
    });
    expect(decision.isEnabled && decision.settings).toMatchObject({
      tracesUrl: 'http://c:4318/v1/traces',
      intervalMs: DEFAULT_EXPORT_INTERVAL_MS,
    });
    expect(decision.isEnabled && decision.settings.notes).toEqual([
      expect.stringContaining('exports http/json'),
      expect.stringContaining('OTEL_METRIC_EXPORT_INTERVAL=soon'),
    ]);
    const tiny = resolveOtlpSettings({ endpoint: 'http://c:4318', intervalMs: 10 }, {});
    expect(tiny.isEnabled && tiny.settings.intervalMs).toBe(500);
  });

  it('gives the same key to the same settings, whatever the order of the headers', () => {
    const a = resolveOtlpSettings({ endpoint: 'http://c:4318', headers: { a: '1', b: '2' } }, {});
    const b = resolveOtlpSettings({ endpoint: 'http://c:4318', headers: { b: '2', a: '1' } }, {});
    const c = resolveOtlpSettings({ endpoint: 'http://c:4318', headers: { a: '1', b: '3' } }, {});
    if (!a.isEnabled || !b.isEnabled || !c.isEnabled) throw new Error('expected enabled');
    expect(otlpSettingsKey(a.settings)).toBe(otlpSettingsKey(b.settings));
    expect(otlpSettingsKey(a.settings)).not.toBe(otlpSettingsKey(c.settings));
  });
});

describe('redactUrl', () => {
  it('hides a password and query values, which daemon.log and config reload printed as given', () => {
    expect(redactUrl('https://user:s3cret@otlp.example:4318/v1/metrics')).toBe(
      'https://user:***@otlp.example:4318/v1/metrics',
    );
    expect(redactUrl('https://otlp.example/v1/traces?api-key=abc&api-key=d&x=1')).toBe(
      'https://otlp.example/v1/traces?api-key=***&x=***',
    );
    expect(redactUrl('http://127.0.0.1:4318/v1/metrics')).toBe('http://127.0.0.1:4318/v1/metrics');
    expect(redactUrl('not a url')).toBe('not a url');
  });
});
