import { join } from 'node:path';
import { APP_DEFAULTS } from '@velos/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startServer, type TestServer } from './support/api-server.js';
import { FIXTURES, startDaemon, type TestDaemon } from './support/daemon.js';

// `POST /api/v1/processes` checks every cron expression of the body before anything starts.

const SILENT = join(FIXTURES, 'silent.js');
let daemon: TestDaemon | undefined;
let api: TestServer;

beforeAll(async () => {
  daemon = await startDaemon();
  api = await startServer(daemon.client, { rateLimitPerMinute: 100_000 });
}, 60_000);

afterAll(async () => {
  await api?.server.close().catch(() => undefined);
  await daemon?.stop();
}, 60_000);

function start(body: unknown) {
  return call(api.url, 'POST', '/api/v1/processes', { token: api.admin, body });
}

async function names(): Promise<string[]> {
  const answer = await call(api.url, 'GET', '/api/v1/processes', { token: api.admin });
  return (answer.body.processes as { name: string }[]).map((p) => p.name);
}

describe('POST /api/v1/processes: cron expressions', () => {
  it('refuses a bad cron_restart of a {name, script} entry with 400 naming the key; the good app beside it is not started', async () => {
    const answer = await start({
      apps: [
        { name: 'fine1', script: SILENT },
        { name: 'cron1', script: SILENT, cron_restart: '61 * * * *' },
      ],
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(400);
    expect(answer.body.error.message).toMatch(
      /^apps\[1\] \(cron1\)\.cron_restart: expected a cron expression/,
    );
    expect(answer.body.error.field).toBe('apps[1].cron_restart');
    expect(await names()).not.toContain('fine1');
  });

  it('refuses a bad cron of a complete AppSpec, and a bad job schedule, with 400; every problem listed', async () => {
    const answer = await start({
      apps: [
        {
          ...APP_DEFAULTS,
          name: 'whole',
          script: 'silent.js',
          cwd: FIXTURES,
          env: {},
          logRotateCron: 'nope',
        },
        { name: 'job1', script: SILENT, type: 'job', schedule: '* * * * * * * *' },
      ],
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(400);
    expect(answer.body.error.message).toMatch(
      /^apps\[0\] \(whole\)\.logRotateCron: expected a cron expression/,
    );
    const issues = answer.body.error.issues as { field: string; message: string }[];
    expect(issues.map((issue) => issue.field)).toEqual(['apps[0].logRotateCron', 'apps[1].schedule']);
    expect(issues[1]!.message).toMatch(/^apps\[1\] \(job1\)\.schedule: expected a cron expression/);
    expect(await names()).toEqual([]);
  });

  it('refuses a bad cron in a config text body with 400, listed with its other problems', async () => {
    const answer = await start({
      format: 'toml',
      cwd: FIXTURES,
      config: `[[apps]]\nname = "a"\nscript = "silent.js"\ncron_restart = "every day"\n\n[[apps]]\nname = "b"\nscript = "silent.js"\ninstances = "lots"\n`,
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(400);
    expect(answer.body.error.field).toBe('config');
    const issues = answer.body.error.issues as { message: string }[];
    expect(issues.map((issue) => issue.message)).toEqual([
      expect.stringMatching(/apps\[1\]\.instances: expected/),
      expect.stringMatching(
        /apps\[0\] \(a\)\.cron_restart: expected a cron expression like "0 3 \* \* \*", got "every day"/,
      ),
    ]);
    expect(await names()).toEqual([]);
  });
});
