import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startServer, type TestServer } from './support/api-server.js';
import { startDaemon, type TestDaemon } from './support/daemon.js';

// OBS-4 over HTTP: `/api/v1/health` is the daemon's self-health, its overall status for anyone (503
// when unhealthy, for load balancers) and its components for a caller with a token.

const STATUSES = ['healthy', 'degraded', 'unhealthy'];
/** Free-space limits no disk meets: the daemon's `disk` component is unhealthy. */
const FULL_DISK = {
  VELOS_HEALTH_DISK_MIN_BYTES: '999999999999999',
  VELOS_HEALTH_DISK_CRITICAL_BYTES: '999999999999999',
};

let daemon: TestDaemon | undefined;
let sick: TestDaemon | undefined;
let api: TestServer;
let sickApi: TestServer;
let open: TestServer;

beforeAll(async () => {
  [daemon, sick] = await Promise.all([startDaemon(), startDaemon(FULL_DISK)]);
  [api, sickApi, open] = await Promise.all([
    startServer(daemon.client),
    startServer(sick.client),
    startServer(daemon.client, { auth: { disabled: true } }),
  ]);
}, 60_000);

afterAll(async () => {
  for (const server of [api, sickApi, open]) await server?.server.close().catch(() => undefined);
  await Promise.all([daemon?.stop(), sick?.stop()]);
}, 60_000);

describe('GET /api/v1/health', () => {
  it('tells anyone the overall status only, on both paths', async () => {
    for (const path of ['/api/v1/health', '/health']) {
      const answer = await call(api.url, 'GET', path);
      expect(answer.status, path).toBe(answer.body.status === 'unhealthy' ? 503 : 200);
      expect(Object.keys(answer.body), path).toEqual(['status']);
      expect(STATUSES, path).toContain(answer.body.status);
    }
  });

  it('ignores query parameters a load balancer adds (?t=…), where other routes refuse unknown ones', async () => {
    for (const path of ['/api/v1/health?t=1712345678', '/health?cache=no&x']) {
      const answer = await call(api.url, 'GET', path);
      expect(answer.status, path).toBe(answer.body.status === 'unhealthy' ? 503 : 200);
      expect(Object.keys(answer.body), path).toEqual(['status']);
    }
    const status = await call(api.url, 'GET', '/api/v1/status?t=1', { token: api.read });
    expect(status.status).toBe(400);
  });

  it('adds the components for a read or admin token, and for everyone with auth off', async () => {
    for (const [url, token] of [
      [api.url, api.read],
      [api.url, api.admin],
      [open.url, undefined],
    ] as const) {
      const answer = await call(url, 'GET', '/api/v1/health', token === undefined ? {} : { token });
      expect(STATUSES).toContain(answer.body.status);
      const names = answer.body.components.map((c: { name: string }) => c.name);
      expect(names).toEqual(expect.arrayContaining(['ipc', 'event-loop', 'logs', 'disk', 'state']));
      expect(answer.body.at).toBeGreaterThan(0);
    }
  });

  it('answers a wrong token as an anonymous caller, not with 401', async () => {
    const answer = await call(api.url, 'GET', '/api/v1/health', { token: 'not-a-token' });
    expect([200, 503]).toContain(answer.status);
    expect(Object.keys(answer.body)).toEqual(['status']);
  });

  it('answers 503 with status unhealthy when a component is unhealthy', async () => {
    const anonymous = await call(sickApi.url, 'GET', '/api/v1/health');
    expect(anonymous).toMatchObject({ status: 503, body: { status: 'unhealthy' } });
    expect(Object.keys(anonymous.body)).toEqual(['status']);
    const withToken = await call(sickApi.url, 'GET', '/health', { token: sickApi.read });
    expect(withToken.status).toBe(503);
    expect(withToken.body.components).toContainEqual(
      expect.objectContaining({ name: 'disk', status: 'unhealthy' }),
    );
  });
});
