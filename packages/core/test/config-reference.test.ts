import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appConfigSchema } from '../src/app-schema.js';
import { APP_DEFAULTS } from '../src/app-spec.js';

const reference = readFileSync(
  join(import.meta.dirname, '..', '..', '..', 'docs', 'configuration.md'),
  'utf8',
);

/** The rows of the reference table: first cell (the key) → third cell (the default). */
function referenceRows(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of reference.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    if (cells.length < 5 || !cells[1]?.startsWith('`')) continue;
    for (const key of cells[1].matchAll(/`([a-z_<>]+)`/g)) rows.set(key[1]!, cells[3] ?? '');
  }
  return rows;
}

describe('docs/configuration.md', () => {
  it('lists every config key with a default', () => {
    const rows = referenceRows();
    const keys = Object.keys(appConfigSchema.def.shape);
    const missing = keys.filter((key) => !rows.has(key));
    expect(missing).toEqual([]);
    const withoutDefault = keys.filter((key) => rows.get(key) === '');
    expect(withoutDefault).toEqual([]);
  });

  it('documents only keys the schema accepts', () => {
    const keys = new Set(Object.keys(appConfigSchema.def.shape));
    const firstKeys = reference
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) => /`([a-z_<>]+)`/.exec(line.split('|')[1]!)?.[1])
      .filter((key): key is string => key !== undefined && !key.includes('<'));
    expect(firstKeys.length).toBeGreaterThan(50);
    expect(firstKeys.filter((key) => !keys.has(key))).toEqual([]);
  });

  it('gives the defaults the resolver fills in', () => {
    const rows = referenceRows();
    const defaults: Record<string, unknown> = {
      instances: APP_DEFAULTS.instances,
      namespace: APP_DEFAULTS.namespace,
      autorestart: APP_DEFAULTS.autorestart,
      max_restarts: APP_DEFAULTS.maxRestarts,
      min_uptime: APP_DEFAULTS.minUptimeMs,
      restart_delay: APP_DEFAULTS.restartDelayMs,
      exp_backoff_restart_delay: APP_DEFAULTS.expBackoffRestartDelayMs,
      max_backoff_delay: APP_DEFAULTS.maxBackoffDelayMs,
      kill_timeout: APP_DEFAULTS.killTimeoutMs,
      kill_signal: APP_DEFAULTS.stopSignal,
      log_format: APP_DEFAULTS.logFormat,
      merge_logs: APP_DEFAULTS.mergeLogs,
      log_retain: APP_DEFAULTS.logRetain,
      log_compress: APP_DEFAULTS.logCompress,
      exec_mode: APP_DEFAULTS.execMode,
      wait_ready: APP_DEFAULTS.waitReady,
      listen_timeout: APP_DEFAULTS.listenTimeoutMs,
      watch_delay: APP_DEFAULTS.watchDelayMs,
      type: APP_DEFAULTS.type,
      history: APP_DEFAULTS.jobHistory,
      ignore_watch: JSON.stringify(APP_DEFAULTS.ignoreWatch).replaceAll(',', ', '),
    };
    const wrong = Object.entries(defaults)
      .filter(([key, value]) => !rows.get(key)?.startsWith(`\`${String(value)}\``))
      .map(([key, value]) => `${key}: ${String(value)}, documented ${rows.get(key)}`);
    expect(wrong).toEqual([]);
  });
});
