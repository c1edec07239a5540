import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_DEFAULTS, type AppSpec } from '@velos/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES } from '../src/rest/routes.js';
import { type Answer, call, type Json, startServer, type TestServer } from './support/api-server.js';
import { FIXTURES, startDaemon, type TestDaemon, waitFor } from './support/daemon.js';

let daemon: TestDaemon;
let api: TestServer;
let scratch: string;
const hits = new Set<string>();

/** Calls the API as admin (or with `token`) and records which route of the table answered. */
async function request<T = Json>(
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<Answer<T>> {
  const bare = path.split('?')[0]!;
  for (const route of API_ROUTES) {
    const pattern = new RegExp(`^/api/v1${route.path.replace(/:[A-Za-z]+/g, '[^/]+')}$`);
    if (route.method === method && pattern.test(bare)) hits.add(`${route.method} ${route.path}`);
  }
  return call<T>(api.url, method, path, { token: api.admin, ...options });
}

function spec(name: string, overrides: Partial<AppSpec> = {}): AppSpec {
  return {
    ...APP_DEFAULTS,
    name,
    script: 'silent.js',
    cwd: FIXTURES,
    env: { PATH: process.env.PATH ?? '' },
    ...overrides,
  };
}

beforeAll(async () => {
  daemon = await startDaemon();
  scratch = mkdtempSync(join(tmpdir(), 'velos-api-scratch-'));
  api = await startServer(daemon.client, {
    rateLimitPerMinute: 100_000,
    dashboardDir: join(scratch, 'none'),
  });
});

afterAll(async () => {
  await api?.server.close();
  await daemon?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('REST routes over a real daemon', () => {
  it('answers health without a token, and status, monitoring and the openapi document with one', async () => {
    const working = { status: 200, body: { status: expect.stringMatching(/^(healthy|degraded)$/) } };
    expect(await call(api.url, 'GET', '/health')).toMatchObject(working);
    expect(await request('GET', '/api/v1/health', { token: undefined })).toMatchObject(working);
    const status = await request('GET', '/api/v1/status');
    expect(status.body.daemon.pid).toBeGreaterThan(0);
    expect(['healthy', 'degraded', 'unhealthy']).toContain(status.body.health.status);
    expect((await request('GET', '/api/v1/monitoring/health')).body.components.length).toBeGreaterThan(0);
    const openapi = await call(api.url, 'GET', '/api/v1/openapi.json', { token: api.read });
    expect(openapi.body.openapi).toBe('3.1.0');
  });

  it("names the options of the daemon's refusals as REST takes them, not as the CLI's flags", async () => {
    // no process is listed yet: the daemon's `(save --force …)` is the body key
    const save = await request('POST', '/api/v1/daemon/save');
    expect(save.status).toBe(409);
    expect(save.body.error).toEqual({
      code: 'NOTHING_TO_SAVE',
      message: `nothing to save: no process is listed, so ${join(daemon.home, 'state.json')} is left as it is (save force: true writes the empty list)`,
    });
    // the daemon's start check: `--interpreter <path>` is the app entry's key
    const py = await request('POST', '/api/v1/processes', {
      body: {
        apps: [{ name: 'py', script: 'silent.js', cwd: FIXTURES, interpreter: 'velos-no-such-python' }],
      },
    });
    expect(py.status).toBe(400);
    expect(py.body.error).toEqual({
      code: 'INVALID_ARGUMENT',
      message:
        'py cannot start: interpreter velos-no-such-python not found on the app\'s PATH or in node_modules/.bin (install it, or give its path: interpreter: "<path>", interpreter in a config file)',
    });
    // the config loader's `(from --env staging)` is the body's envProfile
    const profile = await request('POST', '/api/v1/processes', {
      body: {
        config: '[[apps]]\nname = "p"\nscript = "silent.js"\n',
        format: 'toml',
        cwd: FIXTURES,
        envProfile: 'staging',
      },
    });
    expect(profile.status).toBe(400);
    expect(profile.body.error.code).toBe('INVALID_CONFIG');
    expect(profile.body.error.message).toMatch(
      /no app has an env_staging table \(from envProfile: "staging"\)/,
    );
    expect(JSON.stringify([save.body, py.body, profile.body])).not.toContain('--');
  });

  it('starts apps from specs and from a config body, lists, describes and masks secrets', async () => {
    const started = await request('POST', '/api/v1/processes', {
      body: { apps: [spec('plain', { env: { PATH: process.env.PATH ?? '', DB_PASSWORD: 'hunter2' } })] },
    });
    expect(started.status).toBe(200);
    expect(started.body.processes[0]).toMatchObject({ name: 'plain' });

    const config = [
      '[[apps]]',
      'name = "web"',
      'script = "echo-env.js"',
      'env = { API_TOKEN = "s3cret", PORT = "8080", DATABASE_URL = "postgres://app:pw@db/app" }',
      '',
      '[[apps]]',
      'name = "chatty"',
      'script = "chatty.js"',
      'env = { RATE = "10" }',
    ].join('\n');
    const fromConfig = await request('POST', '/api/v1/processes', {
      body: { config, format: 'toml', cwd: FIXTURES },
    });
    expect(fromConfig.status).toBe(200);
    expect(fromConfig.body.processes.map((p: { name: string }) => p.name).sort()).toEqual(['chatty', 'web']);

    const list = await request('GET', '/api/v1/processes', { token: api.read });
    expect(list.body.processes.map((p: { name: string }) => p.name).sort()).toEqual([
      'chatty',
      'plain',
      'web',
    ]);
    const described = await request('GET', '/api/v1/processes/web');
    expect(described.body.processes[0].spec.envKeys).toContain('API_TOKEN');

    const web = await request('GET', '/api/v1/config/web');
    expect(web.body.spec.env).toMatchObject({
      API_TOKEN: '****',
      PORT: '8080',
      DATABASE_URL: 'postgres://app:****@db/app',
    });
    expect(web.body.spec.ownEnv.API_TOKEN).toBe('****');
    expect(JSON.stringify(web.body)).not.toContain('s3cret');
    const plain = await request('GET', '/api/v1/config/plain');
    expect(plain.body.spec.env.DB_PASSWORD).toBe('****');

    // the MCP tools this server mounts mask them too
    const mcp = await call(api.url, 'POST', '/mcp', {
      token: api.admin,
      headers: { accept: 'application/json, text/event-stream' },
      body: {
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'config_get', arguments: { target: 'web' } },
      },
    });
    const text = mcp.body.result.content[0].text;
    expect(text).toContain('API_TOKEN');
    expect(text, text).not.toContain('s3cret');
  });

  it('stops, restarts, reloads, scales, changes config and deletes', async () => {
    const before = (await request('GET', '/api/v1/processes')).body.processes.find(
      (p: { name: string }) => p.name === 'plain',
    );
    expect((await request('POST', '/api/v1/processes/plain/stop')).body.processes[0].status).toBe('stopped');
    const restarted = await request('POST', '/api/v1/processes/plain/restart', {
      body: { env: { EXTRA: '1' } },
    });
    expect(restarted.status).toBe(200);
    expect(restarted.body.processes[0].pid).not.toBe(before.pid);
    expect((await request('POST', '/api/v1/processes/plain/reload')).status).toBe(200);
    // what no environment can hold is refused and the app keeps running (the spawn failed: it was left errored)
    const running = (await request('GET', '/api/v1/processes/plain')).body.processes[0];
    for (const [path, env, field, message] of [
      ['restart', { A: 'x\0y' }, 'env.A', 'env.A: expected a value without NUL characters'],
      [
        'reload',
        { 'A=B': 'x' },
        'env.A=B',
        'expected a variable name (not empty, without = or NUL), got "A=B"',
      ],
    ] as const) {
      const refused = await request('POST', `/api/v1/processes/plain/${path}`, { body: { env } });
      expect(refused.status, JSON.stringify(refused.body)).toBe(400);
      expect(refused.body.error).toMatchObject({ code: 'INVALID_ARGUMENT', field });
      expect(refused.body.error.message).toContain(message);
    }
    expect((await request('GET', '/api/v1/processes/plain')).body.processes[0]).toMatchObject({
      status: 'online',
      pid: running.pid,
    });
    // a restart and a reload asked for by the operator are no health problem for health_check
    const health = await call(api.url, 'POST', '/mcp', {
      token: api.admin,
      headers: { accept: 'application/json, text/event-stream' },
      body: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'health_check', arguments: {} } },
    });
    const report = health.body.result.content[0].text;
    expect(report, report).toContain('"plain"');
    expect(report, report).not.toMatch(/restarts?, last (user|reload)/);
    // a target selecting several apps is refused (it used to scale the first of them and answer 200)
    const several = await request('POST', '/api/v1/processes/all/scale', { body: { instances: 2 } });
    expect(several.status).toBe(400);
    expect(several.body.error).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(several.body.error.message).toMatch(/^'all' selects \d+ apps; scale takes one app name$/);
    // a number is the count to run: below 1 it is refused, not read as a relative "-5"
    for (const [body, message] of [
      [
        { instances: -5 },
        'instances: expected a whole number N (1 to 1024), or a string "+N" or "-N", got -5',
      ],
      [
        { instances: 100_000 },
        'instances: expected a whole number N (1 to 1024), or a string "+N" or "-N", got 100000',
      ],
      [{}, 'instances: required, expected a whole number N (1 to 1024), or a string "+N" or "-N"'],
    ] as const) {
      const refused = await request('POST', '/api/v1/processes/plain/scale', { body });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatchObject({ field: 'instances', message });
    }
    const scaled = await request('POST', '/api/v1/processes/plain/scale', { body: { instances: 2 } });
    expect(scaled.status).toBe(200);
    expect(
      (await request('GET', '/api/v1/processes')).body.processes.filter(
        (p: { name: string }) => p.name === 'plain',
      ),
    ).toHaveLength(2);
    expect(
      (await request('POST', '/api/v1/processes/plain/scale', { body: { instances: '-1' } })).status,
    ).toBe(200);
    const signalled = await request('POST', '/api/v1/processes/plain/signal', {
      body: { signal: 'SIGWINCH' },
    });
    expect(signalled.status).toBe(200);
    expect(
      (await request('POST', '/api/v1/processes/plain/signal', { body: { signal: 'KILL' } })).body,
    ).toMatchObject({
      error: { code: 'INVALID_ARGUMENT', field: 'signal' },
    });
    const reset = await request('POST', '/api/v1/processes/plain/reset');
    expect(reset.body.processes.every((p: { restarts: number }) => p.restarts === 0)).toBe(true);
    // the env GET /config gave, secrets as ****, sent back with one variable added: refused by the daemon
    const shown = (await request('GET', '/api/v1/config/web')).body.spec.ownEnv;
    const masked = await request('PUT', '/api/v1/config/web', {
      body: { changes: { env: { ...shown, NEW: '1' } } },
    });
    expect(masked.status).toBe(400);
    expect(masked.body.error).toEqual({
      code: 'INVALID_ARGUMENT',
      field: 'changes.env.API_TOKEN',
      message:
        'web: env.API_TOKEN, env.DATABASE_URL: their values hold the **** shown in place of a secret (config show, config_get, GET /config), not the secret, so nothing changed; set only the variables that change (env.KEY), which keeps the others, or give the real values (velos config show --show-secrets prints them)',
    });
    expect((await daemon.client.configGet('web')).ownEnv).toEqual({
      API_TOKEN: 's3cret',
      PORT: '8080',
      DATABASE_URL: 'postgres://app:pw@db/app',
    });
    const changed = await request('PUT', '/api/v1/config/web', { body: { changes: { max_restarts: 3 } } });
    expect(changed.status).toBe(200);
    expect(changed.body.spec).toMatchObject({ maxRestarts: 3, env: { API_TOKEN: '****' } });
    // null unsets a key (velos config unset): its default applies, a table's entry is removed
    const unset = await request('PUT', '/api/v1/config/web', {
      body: { changes: { max_restarts: null, 'env.API_TOKEN': null } },
    });
    expect(unset.status).toBe(200);
    expect(unset.body.spec.maxRestarts).toBe(APP_DEFAULTS.maxRestarts);
    expect(unset.body.spec.env).toMatchObject({ PORT: '8080' });
    expect(Object.keys(unset.body.spec.env)).not.toContain('API_TOKEN');
    expect((await request('POST', '/api/v1/config/reload', { body: {} })).status).toBe(200);
    expect((await request('DELETE', '/api/v1/processes/plain')).body.processes[0].name).toBe('plain');
    expect((await request('GET', '/api/v1/processes/plain')).status).toBe(404);
  });

  it('refuses a log path the daemon cannot open as the request’s fault (400), in a start and a config set', async () => {
    const notADir = join(scratch, 'file');
    writeFileSync(notADir, '');
    const started = await request('POST', '/api/v1/processes', {
      body: { apps: [spec('badlog', { outFile: join(notADir, 'out.log') })] },
    });
    expect(started.status).toBe(400);
    expect(started.body.error.code).toBe('INVALID_ARGUMENT');
    expect(started.body.error.message).toMatch(/^badlog: cannot open log file .*\/file\/out\.log: ENOTDIR/);
    expect((await request('GET', '/api/v1/processes/badlog')).status).toBe(404);
    await request('POST', '/api/v1/processes', { body: { apps: [spec('goodlog')] } });
    const moved = await request('PUT', '/api/v1/config/goodlog', {
      body: { changes: { out_file: join(scratch, 'missing', 'out.log') } },
    });
    expect(moved.status).toBe(400);
    expect(moved.body.error).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(moved.body.error.message).toMatch(/cannot open log file .*\/missing\/out\.log: ENOENT/);
    expect((await request('DELETE', '/api/v1/processes/goodlog')).status).toBe(200);
  });

  it('refuses a script that is not there and a cwd that does not exist (400), starting nothing', async () => {
    const missing = await request('POST', '/api/v1/processes', {
      body: {
        apps: [
          { name: 'ghost', script: join(scratch, 'nope.js') },
          { name: 'lost', script: 'silent.js', cwd: join(scratch, 'no-dir') },
          { name: 'fine', script: 'silent.js', cwd: FIXTURES },
        ],
      },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'apps[0].script' });
    expect(missing.body.error.message).toBe(
      `apps[0].script: script not found: ${join(scratch, 'nope.js')} (relative to ${scratch})`,
    );
    expect(missing.body.error.issues).toEqual([
      { field: 'apps[0].script', message: expect.stringMatching(/^apps\[0\]\.script: script not found/) },
      {
        field: 'apps[1].cwd',
        message: `apps[1].cwd: the working directory ${join(scratch, 'no-dir')} does not exist`,
      },
    ]);
    const fromConfig = await request('POST', '/api/v1/processes', {
      body: { config: '[[apps]]\nname = "ghost"\nscript = "nope.js"\n', format: 'toml', cwd: scratch },
    });
    expect(fromConfig.status).toBe(400);
    expect(fromConfig.body.error.field).toBe('apps[0].script');
    // the daemon refuses the start whole when an app's interpreter or program is not there: bad input, not a 500
    const noInterpreter = await request('POST', '/api/v1/processes', {
      body: {
        apps: [
          { name: 'fine', script: 'silent.js', cwd: FIXTURES },
          { name: 'py', script: 'silent.js', cwd: FIXTURES, interpreter: 'velos-no-such-python' },
          { name: 'prog', script: 'velos-no-such-program', cwd: FIXTURES },
        ],
      },
    });
    expect(noInterpreter.status).toBe(400);
    expect(noInterpreter.body.error).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(
        /^2 apps cannot start: py: interpreter velos-no-such-python not found on the app's PATH .*; prog: script not found: velos-no-such-program \(not a file in /,
      ),
    });
    // a program on PATH and a command line are the daemon's to find, as with velos start
    const names = (await request('GET', '/api/v1/processes')).body.processes.map(
      (p: { name: string }) => p.name,
    );
    expect(names).not.toContain('ghost');
    expect(names).not.toContain('fine');
  });

  it('acts on a /regex/ of app names, resolved by the daemon as the CLI resolves it', async () => {
    const started = await request('POST', '/api/v1/processes', {
      body: { apps: [spec('rx-a'), spec('rx-b'), spec('rx-other-c')] },
    });
    expect(started.status).toBe(200);
    const regex = encodeURIComponent('/^rx-[ab]$/');
    const stopped = await request('POST', `/api/v1/processes/${regex}/stop`);
    expect(stopped.status).toBe(200);
    expect(stopped.body.processes.map((p: { name: string; status: string }) => [p.name, p.status])).toEqual([
      ['rx-a', 'stopped'],
      ['rx-b', 'stopped'],
    ]);
    expect((await request('GET', '/api/v1/processes/rx-other-c')).body.processes[0].status).toBe('online');
    const none = await request('POST', `/api/v1/processes/${encodeURIComponent('/^rx-z/')}/stop`);
    expect(none).toMatchObject({
      status: 404,
      body: { error: { code: 'TARGET_NOT_FOUND', message: 'no process name matches /^rx-z/' } },
    });
    // a pattern that could stall the daemon is refused before any name is read
    const unsafe = await request('POST', `/api/v1/processes/${encodeURIComponent('/^(rx)\\1/')}/stop`);
    expect(unsafe.status).toBe(400);
    expect(unsafe.body.error.message).toMatch(/^target \/\^\(rx\)\\1\/: backreferences/);
    expect((await request('DELETE', `/api/v1/processes/${encodeURIComponent('/^rx-/')}`)).status).toBe(200);
    // the events of the apps it matches, deleted ones too
    const events = await request('GET', `/api/v1/events?target=${regex}&limit=100`);
    expect(events.status).toBe(200);
    expect([...new Set(events.body.events.map((event: { app?: string }) => event.app))].sort()).toEqual([
      'rx-a',
      'rx-b',
    ]);
    expect(
      (await request('GET', '/api/v1/processes')).body.processes.map((p: { name: string }) => p.name),
    ).not.toContain('rx-a');
  });

  it('runs and triggers jobs', async () => {
    const counter = join(scratch, 'counter');
    writeFileSync(counter, '0');
    await request('POST', '/api/v1/processes', {
      body: {
        apps: [spec('job', { script: 'job-counter.js', type: 'job', env: { COUNTER_FILE: counter } })],
      },
    });
    const ended = (count: number) => async () => {
      const { runs } = (await request('GET', '/api/v1/jobs/job/runs?limit=5')).body;
      return runs.length === count && runs.every((run: { outcome: string }) => run.outcome === 'ok');
    };
    await waitFor(ended(1), 'the first run');
    expect((await request('POST', '/api/v1/jobs/job/trigger')).status).toBe(200);
    await waitFor(ended(2), 'the run of POST /jobs/job/trigger');
    expect((await request('POST', '/api/v1/processes/job/trigger')).status).toBe(200);
    await waitFor(ended(3), 'the run of POST /processes/job/trigger');
  });

  it('triggers a job whose dependency is down with force: true, the run marked forced', async () => {
    const counter = join(scratch, 'forced-counter');
    writeFileSync(counter, '0');
    const job = spec('fjob', {
      script: 'job-counter.js',
      type: 'job',
      env: { COUNTER_FILE: counter },
      dependsOn: [{ name: 'fdb', condition: 'started' }],
    });
    await request('POST', '/api/v1/processes', { body: { apps: [spec('fdb'), job] } });
    type Run = { trigger: string; outcome: string; forced?: boolean };
    const runsOf = async () => (await request<{ runs: Run[] }>('GET', '/api/v1/jobs/fjob/runs')).body.runs;
    await waitFor(async () => (await runsOf())[0]?.outcome === 'ok', 'the first run of fjob');
    await request('POST', '/api/v1/processes/fdb/stop');
    const refused = await request('POST', '/api/v1/jobs/fjob/trigger');
    expect([refused.status, refused.body.error.message]).toEqual([
      400,
      "fjob: dependency 'fdb' is stopped; not triggered (force: true runs it anyway)",
    ]);
    // the route took no body: `force` was refused as one
    const notBoolean = await request('POST', '/api/v1/jobs/fjob/trigger', { body: { force: 'yes' } });
    expect(notBoolean.status).toBe(400);
    expect(notBoolean.body.error.message).toBe('force: expected true or false, got "yes"');
    expect((await request('POST', '/api/v1/jobs/fjob/trigger', { body: { force: true } })).status).toBe(200);
    const forced = await waitFor(async () => {
      const [latest] = await runsOf();
      return latest?.trigger === 'user' && latest.outcome !== 'running' ? latest : undefined;
    }, 'the forced run of fjob');
    expect(forced).toMatchObject({ trigger: 'user', outcome: 'ok', forced: true });
    const onProcesses = await request('POST', '/api/v1/processes/fjob/trigger', { body: { force: true } });
    expect(onProcesses.status).toBe(200);
    await waitFor(
      async () => (await runsOf()).filter((run) => run.forced === true).length === 2,
      'a second forced run',
    );
    for (const name of ['fjob', 'fdb']) await request('DELETE', `/api/v1/processes/${name}`);
  });

  it("names the options of the daemon's refusals of runs as REST takes them: ?limit=, an app entry's keys", async () => {
    await request('POST', '/api/v1/processes', { body: { apps: [spec('svc-notjob')] } });
    const notJob = await request('GET', '/api/v1/jobs/svc-notjob/runs');
    expect([notJob.status, notJob.body.error]).toEqual([
      400,
      {
        code: 'INVALID_ARGUMENT',
        message:
          '\'svc-notjob\' is not a job (start one with type: job, schedule: "<cron>", interval: "<duration>" or timeout: "<duration>")',
      },
    ]);
    // a history of 26,000 runs whose name takes 192 bytes: about 9 MB of runs, more than one answer holds
    const name = `big-${'é'.repeat(96)}`;
    const since = Date.now() - 26_000 * 60_000;
    const run = (i: number) =>
      `{"seq":${i + 1},"pid":${100_000 + i},"startedAt":${since + i * 60_000},"endedAt":${since + i * 60_000 + 1234},"exitCode":0,"signal":null,"outcome":"ok","trigger":"schedule"}\n`;
    mkdirSync(join(daemon.home, 'jobs'), { recursive: true, mode: 0o700 });
    writeFileSync(
      join(daemon.home, 'jobs', `${name}.jsonl`),
      Array.from({ length: 26_000 }, (_, i) => run(i)).join(''),
      {
        mode: 0o600,
      },
    );
    const job = spec(name, {
      script: 'job-counter.js',
      type: 'job',
      schedule: '0 3 * * *',
      jobHistory: 30_000,
    });
    expect((await request('POST', '/api/v1/processes', { body: { apps: [job] } })).status).toBe(200);
    const tooMany = await request('GET', `/api/v1/jobs/${encodeURIComponent(name)}/runs`);
    expect(tooMany.status).toBe(400);
    // it said `(--limit N)`, a flag no REST client can send
    expect(tooMany.body.error.message).toMatch(
      /^runs: the newest 26000 runs come to 8\.\d MiB, more than one answer holds \(8 MiB\): ask for at most (\d+) \(\?limit=\1\), or read the history file /,
    );
    for (const target of [encodeURIComponent(name), 'svc-notjob']) {
      expect((await request('DELETE', `/api/v1/processes/${target}`)).status).toBe(200);
    }
  });

  it('reads, searches, analyzes and flushes logs', async () => {
    const lines = await waitFor(async () => {
      const answer = await request('GET', '/api/v1/logs/chatty?lines=5&stream=out', { token: api.read });
      return answer.body.lines.length === 5 ? answer.body.lines : null;
    }, 'five lines of chatty');
    expect(lines[0]).toMatchObject({ name: 'chatty', stream: 'out' });
    const search = await waitFor(async () => {
      const answer = await request('GET', '/api/v1/logs/chatty/search?pattern=1&limit=3&since=1h');
      return answer.body.cut ? answer : null;
    }, 'a search cut by its limit');
    expect(search.status).toBe(200);
    expect(search.body.lines.length).toBe(3);
    // limit did the cutting, not the answer's byte limit: the cut names limit only
    expect(search.body.cut).toMatchObject({ limit: 3, omittedLines: expect.any(Number) });
    expect(search.body.cut).not.toHaveProperty('maxBytes');
    // trace, a level a line's lvl can have, is asked for as the engine reads it: as debug, every level
    for (const path of ['search?limit=3&', 'summary?']) {
      const trace = await request('GET', `/api/v1/logs/chatty/${path}level=trace&since=1h`);
      expect(trace.status, path).toBe(200);
      if (path.startsWith('search')) expect(trace.body.lines.length).toBe(3);
      else expect(trace.body.summary.lines).toBeGreaterThan(0);
    }
    for (const view of ['summary', 'patterns', 'dedupe', 'anomalies']) {
      const answer = await request('GET', `/api/v1/logs/chatty/${view}?since=10m`);
      expect(answer.status, view).toBe(200);
      expect(answer.body.view).toBe(view);
    }
    // a view over several apps (all, a namespace, a /regex/ of names): the merged summary and each app's share
    const all = await request('GET', '/api/v1/logs/all/summary?since=1h');
    expect(all.status).toBe(200);
    expect(all.body.app).toBe('all');
    const shares = all.body.apps as { name: string; lines: number; health: number }[];
    expect(shares.length).toBeGreaterThan(1);
    expect(shares.find((share) => share.name === 'chatty')?.lines).toBeGreaterThan(0);
    expect(shares.reduce((sum, share) => sum + share.lines, 0)).toBe(all.body.summary.lines);
    for (const top of all.body.summary.top) expect(top.apps.length).toBeGreaterThan(0);
    const regex = await request(
      'GET',
      `/api/v1/logs/${encodeURIComponent('/^(chatty|web)$/')}/patterns?since=1h`,
    );
    expect(regex.status).toBe(200);
    expect(regex.body.app).toBe('/^(chatty|web)$/');
    for (const pattern of regex.body.patterns)
      expect(['chatty', 'web']).toEqual(expect.arrayContaining(pattern.apps));
    const badSince = await request('GET', '/api/v1/logs/chatty/search?pattern=1&since=soon');
    expect(badSince.status).toBe(400);
    expect(badSince.body.error).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'since' });
    expect(badSince.body.error.message).toBe(
      'since: expected epoch milliseconds, a duration ago like 10m, 2h, 1d or a time like 2026-12-01T10:00:00Z, got "soon"',
    );
    // the daemon's grep error names the query parameter, not the protocol field nor the CLI's --grep
    for (const path of ['search', 'summary']) {
      const badPattern = await request('GET', `/api/v1/logs/chatty/${path}?pattern=(unclosed`);
      expect(badPattern.status, path).toBe(400);
      expect(badPattern.body.error, path).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'pattern' });
      expect(badPattern.body.error.message, path).toMatch(
        /^pattern: invalid regular expression "\(unclosed": .*Unterminated group$/,
      );
    }
    const badKind = await request('GET', '/api/v1/events?kind=process&kind=bogus');
    expect(badKind.body.error).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'kind[1]' });
    expect(badKind.body.error.message).toMatch(/^kind\[1\]: unknown event kind "bogus"/);
    expect((await request('POST', '/api/v1/logs/chatty/flush')).body.flushed.length).toBeGreaterThan(0);
  });

  it('says which log files were gone when read (removed under the daemon), in a tail and a view', async () => {
    await daemon.client.start([spec('gone', { script: 'two-streams.js', env: { COUNT: '10', STAY: '1' } })]);
    await waitFor(
      async () => (await daemon.client.logs({ target: 'gone', lines: 100 })).length === 10,
      'the 10 lines of two-streams.js',
    );
    const out = join(daemon.home, 'logs', 'gone-out.log');
    rmSync(out);
    const tail = await request('GET', '/api/v1/logs/gone?lines=100', { token: api.read });
    expect(tail.body).toMatchObject({ missingFiles: [out], missingHeldLines: [5] });
    expect(tail.body.lines).toHaveLength(10);
    const summary = await request('GET', '/api/v1/logs/gone/summary', { token: api.read });
    expect(summary.body).toMatchObject({ missingFiles: [out], scanned: { lines: 5 } });
    await daemon.client.delete('gone');
  });

  it('lists and posts events', async () => {
    const posted = await request('POST', '/api/v1/events', {
      body: { name: 'deploy', app: 'web', message: 'v2 is out', severity: 'info', fields: { version: 2 } },
    });
    expect(posted.status).toBe(200);
    expect(posted.body.event).toMatchObject({ kind: 'app.deploy', message: 'v2 is out' });
    const events = await request('GET', '/api/v1/events?kind=app.deploy&limit=10', { token: api.read });
    expect(events.body.events.map((e: { kind: string }) => e.kind)).toEqual(['app.deploy']);
    // a misspelt app is told what it likely meant by the daemon, not by the CLI alone
    const typo = await request('POST', '/api/v1/events', { body: { name: 'deploy', app: 'wbe' } });
    expect(typo.status).toBe(404);
    expect(typo.body.error).toMatchObject({
      code: 'TARGET_NOT_FOUND',
      message: "no app matches 'wbe' (did you mean 'web'?)",
    });
    const unknown = await request('GET', '/api/v1/events?kind=process.exited,process.restarted');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(unknown.body.error.message).toMatch(
      /unknown event kind "process\.restarted": .*process\.restarting/,
    );
    const known = await request('GET', '/api/v1/events?kind=process.exited,process.restarting&since=1h');
    expect(known.status).toBe(200);
  });

  it('finds the events of an app deleted from a namespace by that namespace', async () => {
    const started = await request('POST', '/api/v1/processes', {
      body: { apps: [spec('leaving', { namespace: 'batch' })] },
    });
    expect(started.status).toBe(200);
    expect((await request('DELETE', '/api/v1/processes/leaving')).status).toBe(200);
    // no app of the namespace is listed now: its events say which namespace they were of
    const answer = await request('GET', '/api/v1/events?target=batch&kind=process');
    expect(answer.status).toBe(200);
    const events = answer.body.events as { app: string; namespace: string; kind: string }[];
    expect(events.map((e) => e.kind)).toEqual(expect.arrayContaining(['process.started']));
    for (const event of events) expect(event).toMatchObject({ app: 'leaving', namespace: 'batch' });
  });

  it('takes component reports, marks a silent one stale, lists them and forgets them', async () => {
    const path = '/api/v1/components/nightly-backup';
    const body = { intervalMs: 1000, status: 'degraded', message: 'took 2h' };
    expect((await request('POST', path, { token: api.read, body })).status).toBe(403);
    const posted = await request('POST', path, { body });
    expect(posted.status).toBe(200);
    expect(posted.body.component).toMatchObject({
      name: 'nightly-backup',
      status: 'degraded',
      isStale: false,
    });
    const stale = await waitFor(
      async () => {
        const list = await request('GET', '/api/v1/components', { token: api.read });
        const found = list.body.components.find((c: { name: string }) => c.name === 'nightly-backup');
        return found?.isStale ? found : null;
      },
      { timeoutMs: 10_000, what: 'nightly-backup marked stale' },
    );
    expect(stale).toMatchObject({ status: 'degraded', message: 'took 2h', intervalMs: 1000, reports: 1 });
    const events = await request('GET', '/api/v1/events?kind=component&limit=10');
    expect(events.body.events.map((e: { kind: string }) => e.kind)).toEqual([
      'component.status',
      'component.stale',
    ]);
    // the daemon's own status is not the component's: the reader with a token sees both apart
    const health = await request('GET', '/api/v1/health', { token: api.read });
    expect(health.body.status).toMatch(/^(healthy|degraded)$/);
    expect(health.body.reported).toEqual([
      expect.objectContaining({ name: 'nightly-backup', isStale: true }),
    ]);
    expect((await call(api.url, 'GET', '/api/v1/health')).body).toEqual({ status: health.body.status });
    const bad = await request('POST', path, { body: { intervalMs: 10, status: 'healthy' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'intervalMs' });
    const fraction = await request('POST', path, { body: { intervalMs: 1500.5, status: 'healthy' } });
    expect(fraction.status).toBe(400);
    expect(fraction.body.error.message).toBe('intervalMs: expected an integer, got 1500.5');
    expect((await request('POST', '/api/v1/components/x', { body: { ...body, app: 'nope' } })).status).toBe(
      404,
    );
    expect((await request('DELETE', path)).body.removed).toMatchObject({ name: 'nightly-backup' });
    expect((await request('DELETE', path)).status).toBe(404);
    expect((await request('GET', '/api/v1/components')).body.components).toEqual([]);
  });

  it('refuses a since later than until on events, log search and analysis, and the MCP tools', async () => {
    const window = 'since=2026-12-04T10:00:00Z&until=2026-12-04T09:00:00Z';
    const message =
      'since: expected a time at or before until; since 2026-12-04T10:00:00.000Z is later than until 2026-12-04T09:00:00.000Z';
    for (const path of ['/api/v1/events', '/api/v1/logs/all/search', '/api/v1/logs/all/summary']) {
      const answer = await request('GET', `${path}?${window}`);
      expect(answer.status, path).toBe(400);
      expect(answer.body.error, path).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'since', message });
    }
    expect(
      (await request('GET', '/api/v1/events?since=2026-12-04T09:00:00Z&until=2026-12-04T09:00:00Z')).status,
    ).toBe(200);
    // the MCP tools say it as REST does, by their argument (the daemon's form names the command)
    for (const [name, args] of [
      ['events_list', {}],
      ['log_search', { target: 'all' }],
    ] as const) {
      const mcp = await call(api.url, 'POST', '/mcp', {
        token: api.admin,
        headers: { accept: 'application/json, text/event-stream' },
        body: {
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: {
            name,
            arguments: { ...args, since: '2026-12-04T10:00:00Z', until: '2026-12-04T09:00:00Z' },
          },
        },
      });
      expect(mcp.body.result, name).toMatchObject({
        isError: true,
        content: [{ text: `INVALID_ARGUMENT: ${message}` }],
      });
    }
  });

  it('pages back through events with beforeSeq, none skipped and none twice', async () => {
    for (let i = 1; i <= 5; i += 1) {
      expect(
        (await request('POST', '/api/v1/events', { body: { name: 'page', message: `${i}` } })).status,
      ).toBe(200);
    }
    const seen: string[] = [];
    let path = '/api/v1/events?kind=app.page&limit=2';
    for (let pages = 0; pages < 5; pages += 1) {
      const answer = await request('GET', path, { token: api.read });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      seen.unshift(...answer.body.events.map((e: { message: string }) => e.message));
      if (!answer.body.hasMore) break;
      path = `/api/v1/events?kind=app.page&limit=2&beforeSeq=${answer.body.events[0].seq}`;
    }
    expect(seen).toEqual(['1', '2', '3', '4', '5']);
  });

  it('serves metrics as JSON, Prometheus text and history', async () => {
    const snapshot = await request('GET', '/api/v1/metrics');
    expect(snapshot.body.processes.length).toBeGreaterThan(0);
    for (const path of ['/api/v1/metrics/prometheus', '/api/v1/monitoring/metrics']) {
      const text = await request('GET', path);
      expect(text.headers.get('content-type')).toContain('text/plain');
      expect(text.body).toContain('velos_process_memory_bytes{');
    }
    const history = await request('GET', '/api/v1/metrics/history/all?sinceMs=60000&points=10');
    expect(Array.isArray(history.body.history)).toBe(true);
  });

  it('takes custom metrics of a process from outside it, judged as its own reports', async () => {
    const [first] = await daemon.client.start([spec('metered', { instances: 2 })]);
    const path = '/api/v1/metrics/metered';
    const counter = { velos_metric: 'jobs_done', type: 'counter', labels: { queue: 'mail' }, instance: 1 };
    expect((await request('POST', path, { token: api.read, body: counter })).status).toBe(403);
    const one = await request('POST', path, { body: { ...counter, value: 3 } });
    expect(one.status).toBe(200);
    expect(one.body.process).toEqual({
      id: first!.id + 1,
      name: 'metered',
      instance: 1,
      namespace: 'default',
    });
    await request('POST', path, { body: { ...counter, value: 2 } });
    await request('POST', path, {
      body: { velos_metric: 'queue_depth', type: 'gauge', value: 7, instance: 1 },
    });

    // what is refused says why, as a 400 naming the field where there is one
    const refusals: [unknown, string | undefined, string][] = [
      [{ velos_metric: 'x', type: 'counter' }, 'instance', 'metered has 2 processes: give the instance'],
      [
        { ...counter, velos_metric: 'bad name' },
        undefined,
        'metric refused: velos_metric: expected a metric name',
      ],
      [
        { ...counter, type: 'gauge', value: 1 },
        undefined,
        'metric refused: jobs_done: already a counter, reported as a gauge',
      ],
      [
        { ...counter, value: -1 },
        undefined,
        'metric refused: jobs_done: value: a counter only goes up (got -1)',
      ],
      [{ ...counter, labels: { id: '3' } }, undefined, "metric refused: jobs_done: labels: 'id' is reserved"],
      [{ ...counter, value: 'many' }, 'value', 'value: expected a number, got "many"'],
      [{ ...counter, colour: 'red' }, 'colour', 'colour: unknown'],
      ['{"velos_metric": "x",', 'body', 'Body is not valid JSON'],
    ];
    for (const [body, field, message] of refusals) {
      const answer = await request('POST', path, { body });
      expect(answer.status, message).toBe(400);
      expect(answer.body.error.code, message).toBe('INVALID_ARGUMENT');
      expect(answer.body.error.message, message).toContain(message);
      if (field !== undefined) expect(answer.body.error.field, message).toBe(field);
    }
    expect((await request('POST', path, { body: { ...counter, instance: 5 } })).status).toBe(404);
    expect((await request('POST', '/api/v1/metrics/nope', { body: counter })).status).toBe(404);

    const labels = `name="metered",id="${first!.id + 1}",instance="1",namespace="default"`;
    const text = (await request<string>('GET', '/api/v1/metrics/prometheus')).body;
    expect(text).toContain(`jobs_done_total{queue="mail",${labels}} 5`);
    expect(text).toContain(`queue_depth{${labels}} 7`);
    // the four refusals of the daemon's rules are counted as the process's own would be
    expect(text).toContain(`velos_custom_metrics_rejected_total{${labels}} 4`);
    const described = await request('GET', '/api/v1/processes/metered');
    expect(described.body.processes[1].custom).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'jobs_done', type: 'counter', value: 5 })]),
    );
    await daemon.client.delete('metered');
  });

  it('adds, tests and removes alert rules', async () => {
    const rule = {
      name: 'web-errored',
      when: { kind: 'errored' },
      app: 'web',
      severity: 'warning',
      forMs: 0,
      resolveAfterMs: 60_000,
      channels: [{ type: 'command', command: [process.execPath, '-e', '0'], timeoutMs: 5000 }],
      source: 'runtime',
    };
    const added = await request('POST', '/api/v1/alerts', { body: { rule } });
    expect(added.status).toBe(200);
    expect(
      (await request('GET', '/api/v1/alerts')).body.alerts.map(
        (a: { rule: { name: string } }) => a.rule.name,
      ),
    ).toContain('web-errored');
    const tested = await request('POST', '/api/v1/alerts/web-errored/test');
    expect(tested.body.deliveries[0]).toMatchObject({ isOk: true });
    expect((await request('DELETE', '/api/v1/alerts/web-errored')).body.removed.name).toBe('web-errored');
    // a wrong condition or channel names its own field (it was "rule.when: Invalid input")
    const refusal = async (changes: Record<string, unknown>) =>
      (await request('POST', '/api/v1/alerts', { body: { rule: { ...rule, ...changes } } })).body.error;
    expect(await refusal({ when: { kind: 'memory', bytes: '300M' } })).toMatchObject({
      field: 'rule.when.aboveBytes',
      message: 'rule.when.aboveBytes: required, expected a number',
    });
    expect((await refusal({ when: { kind: 'nope' } })).field).toBe('rule.when.kind');
    expect((await refusal({ channels: [{ type: 'sms' }] })).field).toBe('rule.channels[0].type');
    // a rule copied from a read token's view: its masked webhook could never deliver
    const webhook = {
      type: 'webhook',
      url: 'https://hooks.example.com/****',
      timeoutMs: 5000,
      retries: 0,
      backoffMs: 0,
    };
    expect(await refusal({ channels: [webhook] })).toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'rule.channels[0].url',
      message:
        'rule.channels[0].url: a masked secret (****, as a read token sees the rule): give the whole value',
    });
  });

  it('adds a rule written as a config file writes it, when as words (docs/alerts.md)', async () => {
    const rule = {
      name: 'web-flapping',
      when: 'restarts >= 5 within 10m for 1m',
      app: 'web',
      command: [process.execPath, '-e', '0'],
    };
    expect((await request('POST', '/api/v1/alerts', { body: { rule } })).status).toBe(200);
    const shown = (await request('GET', '/api/v1/alerts')).body.alerts.find(
      (a: { rule: { name: string } }) => a.rule.name === 'web-flapping',
    ).rule;
    expect(shown).toMatchObject({
      when: { kind: 'restarts', count: 5, windowMs: 600_000 },
      forMs: 60_000,
      app: 'web',
      channels: [{ type: 'command', command: [process.execPath, '-e', '0'] }],
      source: 'runtime',
    });
    expect((await request('DELETE', '/api/v1/alerts/web-flapping')).status).toBe(200);
    const refused = await request('POST', '/api/v1/alerts', {
      body: { rule: { ...rule, when: 'restarts >= lots' } },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'rule.when' });
    expect(refused.body.error.message).toMatch(/^rule\.when: expected one of "event <kind>/);
    // each wrong key is the field, as in a rule given as JSON (it was "rule" whatever the key)
    for (const [wrong, field] of [
      [{ webhook: 'not-a-url' }, 'rule.webhook'],
      [{ webhook: { url: 'x' } }, 'rule.webhook.url'],
      [{ severity: 'loud' }, 'rule.severity'],
      [{ for: 'soon' }, 'rule.for'],
    ] as const) {
      const answer = await request('POST', '/api/v1/alerts', { body: { rule: { ...rule, ...wrong } } });
      expect(answer.status).toBe(400);
      expect(answer.body.error.field, answer.body.error.message).toBe(field);
      expect(answer.body.error.message.startsWith(`${field}: `)).toBe(true);
    }
  });

  it('masks webhook URLs and secret headers of GET /alerts for a read token, not for admin', async () => {
    const url = 'https://hooks.slack.com/services/T000/B000/s3cretpath';
    const webhook = { type: 'webhook', url, timeoutMs: 5000, retries: 0, backoffMs: 1000 };
    const rule = {
      name: 'web-hooked',
      when: { kind: 'errored' },
      severity: 'warning',
      forMs: 0,
      resolveAfterMs: 60_000,
      channels: [{ ...webhook, headers: { authorization: 'Bearer hook-s3cret', 'x-team': 'ops' } }],
      repeatMs: 3_600_000,
      escalation: { afterRepeats: 2, channels: [{ ...webhook, url: `${url}/escalated` }] },
      source: 'runtime',
    };
    expect((await request('POST', '/api/v1/alerts', { body: { rule } })).status).toBe(200);
    const ruleOf = (answer: Answer) =>
      answer.body.alerts.find((a: { rule: { name: string } }) => a.rule.name === 'web-hooked').rule;
    const read = await request('GET', '/api/v1/alerts', { token: api.read });
    expect(JSON.stringify(read.body)).not.toContain('s3cret');
    expect(ruleOf(read).channels[0]).toMatchObject({
      url: 'https://hooks.slack.com/****',
      headers: { authorization: '****', 'x-team': 'ops' },
    });
    expect(ruleOf(read).escalation.channels[0].url).toBe('https://hooks.slack.com/****');
    const admin = await request('GET', '/api/v1/alerts');
    expect(ruleOf(admin).channels[0]).toMatchObject({
      url,
      headers: { authorization: 'Bearer hook-s3cret' },
    });
    expect((await request('DELETE', '/api/v1/alerts/web-hooked')).status).toBe(200);
  });

  it('saves, resurrects and reopens log files', async () => {
    expect((await request('POST', '/api/v1/daemon/save')).body.count).toBeGreaterThan(0);
    // force (a save with no process listed is refused unless forced: 409 NOTHING_TO_SAVE) goes to the daemon
    expect(
      (await request('POST', '/api/v1/daemon/save', { body: { force: true } })).body.count,
    ).toBeGreaterThan(0);
    expect(await request('POST', '/api/v1/daemon/save', { body: { force: 'yes' } })).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_ARGUMENT', field: 'force' } },
    });
    expect((await request('POST', '/api/v1/daemon/resurrect')).status).toBe(200);
    expect(
      (await request('POST', '/api/v1/daemon/reload-logs', { body: { target: 'web' } })).body.reopened.length,
    ).toBeGreaterThan(0);
  });

  it('says when the dashboard is not built, and answers unknown routes with a JSON 404', async () => {
    const page = await call(api.url, 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('dashboard was not built');
    const missing = await call(api.url, 'GET', '/api/v1/nothing', { token: api.admin });
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'UNKNOWN_COMMAND' } } });
  });

  it('refuses a path parameter of thousands of characters as a 400 naming it, not the 405 of its path', async () => {
    const long = 'a'.repeat(5000);
    // each route's other fields valid, so that the parameter is the one thing wrong
    const bodies: Record<string, unknown> = {
      'POST /processes/:target/scale': { instances: 2 },
      'POST /processes/:target/signal': { signal: 'SIGTERM' },
      'POST /components/:name': { intervalMs: 5000 },
      'POST /metrics/:target': { velos_metric: 'x', type: 'counter' },
      'PUT /config/:target': { changes: { restartDelay: 10 } },
    };
    for (const route of API_ROUTES.filter((r) => r.path.includes('/:'))) {
      const path = `/api/v1${route.path.replace(/:[A-Za-z]+/, long)}`;
      const key = `${route.method} ${route.path}`;
      const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : (bodies[key] ?? {});
      const answer = await call(api.url, route.method, path, { token: api.admin, body });
      const param = /:([A-Za-z]+)/.exec(route.path)![1]!;
      expect(answer.status, key).toBe(400);
      expect(answer.body.error, key).toMatchObject({ code: 'INVALID_ARGUMENT', field: param });
      // one readable line: the name is quoted cut short, if at all
      expect(answer.body.error.message.length, key).toBeLessThan(300);
    }
    // a name within the limit still reaches the daemon, which knows no such app
    const known = await call(api.url, 'GET', `/api/v1/processes/${'a'.repeat(150)}`, { token: api.admin });
    expect(known).toMatchObject({ status: 404, body: { error: { code: 'TARGET_NOT_FOUND' } } });
  });

  it("restarts and reloads with env over the server's environment, refusing a variable the app's own env sets and the **** of a secret", async () => {
    const config =
      '[[apps]]\nname = "envs"\nscript = "echo-env.js"\nenv = { SHOW_ENV = "PATH,HOME,EXTRA,MODE", MODE = "own" }\n';
    expect(
      (await request('POST', '/api/v1/processes', { body: { config, format: 'toml', cwd: FIXTURES } }))
        .status,
    ).toBe(200);
    /** The env echo-env.js printed from its process `pid`. */
    const printedEnv = (pid: number) =>
      waitFor(async () => {
        const lines = (await request('GET', '/api/v1/logs/envs?lines=5')).body.lines as {
          pid: number;
          line: string;
        }[];
        const line = lines.find((l) => l.pid === pid && l.line.startsWith('{'));
        return line === undefined
          ? null
          : (JSON.parse(line.line) as { env: Record<string, string | null> }).env;
      }, `the env printed by pid ${pid}`);
    for (const path of ['restart', 'reload']) {
      const answer = await request('POST', `/api/v1/processes/envs/${path}`, {
        body: { env: { EXTRA: path } },
      });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(await printedEnv(answer.body.processes[0].pid)).toEqual({
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        EXTRA: path,
        MODE: 'own',
      });
    }
    // MODE would keep its own value without a word: refused, naming the route that changes it
    const running = (await request('GET', '/api/v1/processes/envs')).body.processes[0];
    const refused = await request('POST', '/api/v1/processes/envs/restart', {
      body: { env: { MODE: 'other' } },
    });
    expect(refused).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_ARGUMENT', field: 'env.MODE' } },
    });
    expect(refused.body.error.message).toBe(
      'env.MODE: envs sets it in its own env, which wins over a restart\'s: change it with PUT /api/v1/config/envs {"changes":{"env.MODE":"other"}}',
    );
    expect((await request('GET', '/api/v1/processes/envs')).body.processes[0].pid).toBe(running.pid);
    // a secret the app inherits, which GET /config shows as ****, sent back: refused by the daemon
    const given = await request('POST', '/api/v1/processes/envs/restart', {
      body: { env: { API_TOKEN: 's3cret' } },
    });
    expect(given.status).toBe(200);
    expect((await request('GET', '/api/v1/config/envs')).body.spec.env.API_TOKEN).toBe('****');
    for (const path of ['restart', 'reload']) {
      const masked = await request('POST', `/api/v1/processes/envs/${path}`, {
        body: { env: { API_TOKEN: '****', EXTRA: 'x' } },
      });
      expect(masked.status, path).toBe(400);
      expect(masked.body.error).toEqual({
        code: 'INVALID_ARGUMENT',
        field: 'env.API_TOKEN',
        message:
          'envs: env.API_TOKEN: its value holds the **** shown in place of a secret (config show, config_get, GET /config), not the secret, so nothing changed; set only the variables that change (env.KEY), which keeps the others, or give the real value (velos config show --show-secrets prints it)',
      });
    }
    expect((await daemon.client.configGet('envs')).env.API_TOKEN).toBe('s3cret');
    expect((await request('GET', '/api/v1/processes/envs')).body.processes[0].pid).toBe(
      given.body.processes[0].pid,
    );
    await request('DELETE', '/api/v1/processes/envs');
  });

  it('refuses a config change to a script that is not there or a cwd that is none, and the app keeps running', async () => {
    const config = '[[apps]]\nname = "moved"\nscript = "silent.js"\n';
    expect(
      (await request('POST', '/api/v1/processes', { body: { config, format: 'toml', cwd: FIXTURES } }))
        .status,
    ).toBe(200);
    const running = (await request('GET', '/api/v1/processes/moved')).body.processes[0];
    // the daemon's check and words, as every start and `velos config set` (no wording of the API's own)
    for (const [changes, message] of [
      [
        { script: 'silnet.js' },
        `moved cannot start: script not found: ${join(FIXTURES, 'silnet.js')} (did you mean silent.js?)`,
      ],
      [{ script: '/nowhere/app.js' }, 'moved cannot start: script not found: /nowhere/app.js'],
      [{ cwd: '/nowhere' }, 'moved cannot start: cwd not found: /nowhere'],
    ] as const) {
      const refused = await request('PUT', '/api/v1/config/moved', { body: { changes } });
      expect(refused.status, JSON.stringify(refused.body)).toBe(400);
      expect(refused.body.error).toEqual({ code: 'INVALID_ARGUMENT', message });
    }
    const relative = await request('PUT', '/api/v1/config/moved', { body: { changes: { cwd: 'fixtures' } } });
    expect(relative.status).toBe(400);
    expect(relative.body.error).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'changes.cwd' });
    expect(relative.body.error.message).toContain(
      'changes.cwd: expected an absolute directory, got "fixtures"',
    );
    expect((await request('GET', '/api/v1/processes/moved')).body.processes[0]).toMatchObject({
      status: 'online',
      pid: running.pid,
    });
    // a script that is there still applies
    const applied = await request('PUT', '/api/v1/config/moved', {
      body: { changes: { script: 'ticker.js' } },
    });
    expect(applied.body).toMatchObject({ applied: 'restarted', spec: { script: 'ticker.js' } });
    await request('DELETE', '/api/v1/processes/moved');
  });

  it('has answered through every route of the table', () => {
    const missed = API_ROUTES.map((route) => `${route.method} ${route.path}`).filter((key) => !hits.has(key));
    expect(missed).toEqual([]);
  });
});
