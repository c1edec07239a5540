import { APP_DEFAULTS } from '@velos/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startServer, type TestServer } from './support/api-server.js';
import { FIXTURES, startDaemon, type TestDaemon, waitFor } from './support/daemon.js';

let daemon: TestDaemon;
let api: TestServer;

beforeAll(async () => {
  daemon = await startDaemon();
  api = await startServer(daemon.client, { rateLimitPerMinute: 100_000, dashboard: false });
  await daemon.client.start([
    {
      ...APP_DEFAULTS,
      name: 'shop',
      script: 'access-statuses.js',
      cwd: FIXTURES,
      env: { PATH: process.env.PATH ?? '' },
    },
  ]);
  await waitFor(
    async () => (await daemon.client.logs({ target: 'shop', lines: 200 })).length === 200,
    'the 200 access lines of access-statuses.js',
  );
});

afterAll(async () => {
  await api?.server.close();
  await daemon?.stop();
});

describe('REST log summary', () => {
  it('GET /logs/{target}/summary carries a template’s error lines (errorCount), which the dashboard shows', async () => {
    const answer = await call(api.url, 'GET', '/api/v1/logs/shop/summary?since=1h', { token: api.read });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const requests = answer.body.summary.top.find((t: { template: string }) => t.template.startsWith('GET'));
    // every fifth of the 200 requests was answered 503
    expect(requests).toMatchObject({ count: 200, level: 'error', errorCount: 40 });
    // the list of error templates counts the error lines only
    expect(answer.body.summary.errors[0]).toMatchObject({ count: 40, level: 'error' });
    expect(answer.body.summary.errors[0]).not.toHaveProperty('errorCount');
  });
});
