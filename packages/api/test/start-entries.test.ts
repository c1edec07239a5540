import { join } from 'node:path';
import { APP_DEFAULTS } from '@velos/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startServer, type TestServer } from './support/api-server.js';
import { FIXTURES, startDaemon, type TestDaemon } from './support/daemon.js';

// `POST /api/v1/processes` takes an app as a velos.json app entry (snake_case config keys, defaults
// filled by the config loader `velos start` uses), beside complete AppSpecs and config text.

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

function start(apps: unknown[]) {
  return call(api.url, 'POST', '/api/v1/processes', { token: api.admin, body: { apps } });
}

async function specOf(name: string) {
  return (await call(api.url, 'GET', `/api/v1/config/${name}`, { token: api.admin })).body.spec;
}

describe('POST /api/v1/processes with config app entries', () => {
  it('starts {name, script} with an absolute script, in the script’s directory, defaults filled', async () => {
    const answer = await start([{ name: 'ok1', script: SILENT }]);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.processes).toEqual([expect.objectContaining({ name: 'ok1', status: 'online' })]);
    const spec = await specOf('ok1');
    expect(spec).toMatchObject({
      cwd: FIXTURES.replace(/\/$/, ''),
      args: [],
      instances: 1,
      killTimeoutMs: APP_DEFAULTS.killTimeoutMs,
      maxRestarts: APP_DEFAULTS.maxRestarts,
    });
  });

  it('reads config keys as velos start does: args as a line, instances, env, durations', async () => {
    const answer = await start([
      {
        name: 'two',
        script: 'silent.js',
        cwd: FIXTURES,
        args: '--port 8080',
        instances: 2,
        env: { GREETING: 'hi' },
        kill_timeout: '3s',
        max_memory: '200M',
      },
      // a complete AppSpec beside it, as before
      { ...APP_DEFAULTS, name: 'whole', script: 'silent.js', cwd: FIXTURES, env: {} },
    ]);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.processes.map((p: { name: string }) => p.name).sort()).toEqual([
      'two',
      'two',
      'whole',
    ]);
    expect(await specOf('two')).toMatchObject({
      args: ['--port', '8080'],
      instances: 2,
      killTimeoutMs: 3000,
      maxMemoryBytes: 200 * 1024 * 1024,
      ownEnv: { GREETING: 'hi' },
    });
  });

  it('refuses an entry without a place to run, or with a bad key, in one line naming the key', async () => {
    const cases: [unknown[], string, RegExp][] = [
      [[{ name: 'nowhere', script: 'silent.js' }], 'apps[0].cwd', /absolute script path/],
      [[{ name: 'rel', script: 'silent.js', cwd: 'fixtures' }], 'apps[0].cwd', /absolute directory/],
      [[{ name: 'cmd', script: `${process.execPath} ${SILENT}` }], 'apps[0].cwd', /absolute/],
      [
        [
          { name: 'fine', script: SILENT },
          { name: 'many', script: SILENT, instances: 'lots' },
        ],
        'apps[1].instances',
        /^apps\[1\]\.instances: /,
      ],
      [[{ name: 'typo', script: SILENT, colour: 'red' }], 'apps[0].colour', /unknown option "colour"/],
      [[{ name: 'x' }], 'apps[0].script', /script/],
    ];
    for (const [apps, field, message] of cases) {
      const answer = await start(apps);
      expect(answer.status, JSON.stringify(apps)).toBe(400);
      expect(answer.body.error.field, answer.body.error.message).toBe(field);
      expect(answer.body.error.message).toMatch(message);
      expect(answer.body.error.message).not.toContain('\n');
    }
    const names = (await daemon!.client.list()).map((p) => p.name);
    expect(names).not.toContain('fine');
    expect(names).not.toContain('nowhere');
  });

  it('takes a pid file at /dev/null as none in a complete AppSpec, as in an app entry', async () => {
    // the AppSpec was refused ("pid_file /dev/null is a character device") where the entry's was none
    const answer = await start([
      { ...APP_DEFAULTS, name: 'nullpid', script: 'silent.js', cwd: FIXTURES, env: {}, pidFile: '/dev/null' },
      {
        ...APP_DEFAULTS,
        name: 'nullpid2',
        script: 'silent.js',
        cwd: FIXTURES,
        env: {},
        pidFile: '//dev/./null',
      },
      { name: 'nullpid3', script: SILENT, pid_file: '/dev/null' },
    ]);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const specs = await Promise.all(['nullpid', 'nullpid2', 'nullpid3'].map(specOf));
    expect(specs.map((spec) => [spec.name, spec.pidFile ?? 'none'])).toEqual([
      ['nullpid', 'none'],
      ['nullpid2', 'none'],
      ['nullpid3', 'none'],
    ]);
  });
});
