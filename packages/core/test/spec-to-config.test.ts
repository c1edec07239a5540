import { describe, expect, it } from 'vitest';
import { appConfigSchema, resolveAppSpec } from '../src/app-schema.js';
import { lineOfKey } from '../src/config-line.js';
import { specToCompactConfig } from '../src/spec-compact-config.js';
import { specToConfig } from '../src/spec-to-config.js';

const ctx = { baseDir: '/srv/app', baseEnv: { PATH: '/bin' }, cpuCount: 4 };

describe('specToConfig (CFG-2)', () => {
  it('writes a spec back as config keys that resolve to the same spec', () => {
    const entry = {
      name: 'api',
      script: 'server.js',
      args: '--port 3000',
      env: { MODE: 'prod' },
      instances: 2,
      exec_mode: 'cluster',
      max_memory: '200M',
      kill_timeout: '3s',
      restart_delay: 1500,
      log_max_size: '10M',
      watchdog: { timeout: '2m' },
      liveness_probe: { http: { url: 'http://127.0.0.1:3000/health', status: '200-299' }, interval: '5s' },
      readiness_probe: { tcp: 3000 },
      depends_on: ['db'],
    };
    const spec = resolveAppSpec(appConfigSchema.parse(entry), ctx);
    const written = specToConfig(spec);
    expect(written).toMatchObject({
      max_memory: '200M',
      kill_timeout: '3s',
      restart_delay: '1500ms',
      env: { MODE: 'prod' },
    });
    expect(written).not.toHaveProperty('source');
    const again = resolveAppSpec(appConfigSchema.parse(written), { ...ctx, baseEnv: spec.env });
    expect(again).toEqual(spec);
  });

  it('writes a job as it runs: autorestart false (never restarted), left out of the compact form', () => {
    const spec = resolveAppSpec(
      appConfigSchema.parse({ name: 'sync', script: 'sync.sh', type: 'job', interval: '30m' }),
      ctx,
    );
    expect(specToConfig(spec)).toMatchObject({ type: 'job', autorestart: false, interval: '30m' });
    expect(specToCompactConfig(spec)).toEqual({
      name: 'sync',
      script: 'sync.sh',
      type: 'job',
      interval: '30m',
    });
  });
});

describe('lineOfKey (CFG-2)', () => {
  const toml =
    '[[apps]]\nname = "a"\nscript = "a.js"\n\n[[apps]]\nname = "b"\nscript = "b.js"\n\n[apps.liveness_probe]\nhttp = "x"\ninterval = "soon"\n';

  it('follows [[apps]] items and their sub-tables in TOML', () => {
    expect(lineOfKey(toml, ['apps', 1, 'script'], '.toml')).toBe(7);
    expect(lineOfKey(toml, ['apps', 1, 'liveness_probe', 'interval'], '.toml')).toBe(11);
    expect(lineOfKey(toml, ['apps', 0], '.toml')).toBe(1);
  });

  it('finds the key after the n-th list item in YAML', () => {
    const yaml = 'apps:\n  - name: a\n    script: a.js\n  - name: b\n    instances: -1\n';
    expect(lineOfKey(yaml, ['apps', 1, 'instances'], '.yaml')).toBe(5);
  });
});
