import { NESTED_DEFAULTS, type ProbeSpec } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { instanceProbe } from '../src/probes/instance-probe.js';

const timing = {
  intervalMs: 1000,
  timeoutMs: 1000,
  failureThreshold: 3,
  successThreshold: NESTED_DEFAULTS.probeSuccessThreshold,
  initialDelayMs: 0,
};
const http = (url: string): ProbeSpec => ({
  kind: 'http',
  url,
  statusMin: 200,
  statusMax: 399,
  headers: {},
  ...timing,
});
const tcp = (port: number): ProbeSpec => ({ kind: 'tcp', host: '127.0.0.1', port, ...timing });
const app = { env: { PORT: '3000', ADMIN: '9000' }, incrementVar: 'PORT' };

describe('instanceProbe: an http or tcp probe of the increment_var base port checks each instance', () => {
  it("moves the base port to the instance's, in a URL and a tcp check", () => {
    expect(instanceProbe(http('http://127.0.0.1:3000/health?x=1'), app, 2)).toMatchObject({
      url: 'http://127.0.0.1:3002/health?x=1',
    });
    expect(instanceProbe(tcp(3000), app, 1)).toMatchObject({ port: 3001 });
  });

  it('leaves instance 0, other ports, URLs without a port and apps without increment_var as they are', () => {
    const probe = http('http://127.0.0.1:3000/health');
    expect(instanceProbe(probe, app, 0)).toBe(probe);
    expect(instanceProbe(tcp(9000), app, 1)).toMatchObject({ port: 9000 });
    expect(
      instanceProbe(http('http://127.0.0.1/health'), { env: { PORT: '80' }, incrementVar: 'PORT' }, 1),
    ).toMatchObject({
      url: 'http://127.0.0.1/health',
    });
    expect(instanceProbe(probe, { env: { PORT: '3000' } }, 1)).toBe(probe);
    const exec: ProbeSpec = { kind: 'exec', command: 'true', ...timing };
    expect(instanceProbe(exec, app, 1)).toBe(exec);
  });
});
