import { describe, expect, it } from 'vitest';
import { APP_DEFAULTS } from '../src/app-spec.js';
import { requestSchemas } from '../src/protocol-schemas.js';

const spec = {
  ...APP_DEFAULTS,
  name: 'api',
  script: 'server.js',
  cwd: '/srv/api',
  env: { PATH: '/usr/bin' },
};

describe('request schemas', () => {
  it('accepts a resolved app spec and the target and log requests', () => {
    expect(requestSchemas.start.safeParse({ apps: [spec] }).success).toBe(true);
    expect(requestSchemas.stop.safeParse({ target: 'all' }).success).toBe(true);
    expect(requestSchemas.logs.safeParse({ target: 'api', lines: 20, stream: 'err' }).success).toBe(true);
    expect(requestSchemas.ping.safeParse(undefined).success).toBe(true);
  });

  it('names the path of what is wrong', () => {
    const bad = requestSchemas.start.safeParse({ apps: [{ ...spec, cwd: 'relative', instances: 0 }] });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['apps.0.cwd', 'apps.0.instances']));
    expect(bad.error!.issues.find((i) => i.path.join('.') === 'apps.0.cwd')!.message).toBe(
      'expected an absolute path',
    );
  });

  it('rejects reserved names, empty app lists and out-of-range values', () => {
    expect(requestSchemas.start.safeParse({ apps: [{ ...spec, name: 'all' }] }).success).toBe(false);
    expect(requestSchemas.start.safeParse({ apps: [{ ...spec, name: '42' }] }).success).toBe(false);
    expect(requestSchemas.start.safeParse({ apps: [] }).success).toBe(false);
    expect(requestSchemas.logs.safeParse({ lines: -1 }).success).toBe(false);
    expect(requestSchemas.stop.safeParse({ target: '' }).success).toBe(false);
    expect(requestSchemas.start.safeParse({ apps: [{ ...spec, stopSignal: 'SIGFOO' }] }).success).toBe(false);
  });
});
