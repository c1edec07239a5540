import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, type LogLine, type ProcessInfo } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { isPidAlive } from '../src/proc-scan.js';
import { createSupervisor, type Supervisor } from '../src/supervisor.js';
import { appSpec, Harness, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

function setup(options: { monitorIntervalMs?: number } = {}): { home: string; supervisor: Supervisor } {
  const home = harness.home();
  return { home, supervisor: harness.track(createSupervisor({ home, ...options })) };
}

async function statusOf(supervisor: Supervisor, id: number): Promise<ProcessInfo> {
  const info = (await supervisor.list()).find((p) => p.id === id);
  if (!info) throw new Error(`no process ${id}`);
  return info;
}

async function logText(supervisor: Supervisor, target: string): Promise<string> {
  return (await supervisor.logs({ target, lines: 1000 })).map((l) => l.line).join('\n');
}

describe('supervisor: start and the process table', () => {
  it('starts a process online with a pid and the VELOS_* env vars', async () => {
    const { home, supervisor } = setup();
    const [info] = await supervisor.start([
      appSpec(home, {
        name: 'env',
        script: 'echo-env.js',
        args: ['a', 'b c'],
        env: { SHOW_ENV: 'VELOS_ID,VELOS_NAME,VELOS_INSTANCE,NODE_APP_INSTANCE,FOO', FOO: 'bar' },
      }),
    ]);
    expect(info).toMatchObject({ id: 0, name: 'env', status: 'online', instance: 0, restarts: 0 });
    expect(isPidAlive(info!.pid!)).toBe(true);
    const text = await waitFor(() => logText(supervisor, 'env'), { what: 'echo-env output' });
    const printed = JSON.parse(text.split('\n')[0]!);
    expect(printed.argv).toEqual(['a', 'b c']);
    expect(printed.env).toEqual({
      VELOS_ID: '0',
      VELOS_NAME: 'env',
      VELOS_INSTANCE: '0',
      NODE_APP_INSTANCE: '0',
      FOO: 'bar',
    });
  });

  it('runs node, python, bash scripts and shell command lines', async () => {
    const { home, supervisor } = setup();
    await supervisor.start([
      appSpec(home, { name: 'py', script: 'app.py', env: { INTERVAL: '0.2' } }),
      appSpec(home, { name: 'sh', script: 'script.sh' }),
      appSpec(home, { name: 'line', script: 'echo "from the shell: $VELOS_NAME" && exec sleep 60' }),
    ]);
    await waitFor(async () => (await logText(supervisor, 'py')).includes('python worker'), {
      what: 'python',
    });
    await waitFor(async () => (await logText(supervisor, 'sh')).includes('script.sh started'), {
      what: 'bash',
    });
    await waitFor(async () => (await logText(supervisor, 'line')).includes('from the shell: line'), {
      what: 'the shell line',
    });
    expect((await supervisor.list()).map((p) => p.status)).toEqual(['online', 'online', 'online']);
  });

  it('creates -i N instances sharing one name and resolves every kind of target', async () => {
    const { home, supervisor } = setup();
    await supervisor.start([
      appSpec(home, { name: 'web', instances: 3, namespace: 'front' }),
      appSpec(home, { name: 'worker' }),
    ]);
    const list = await supervisor.list();
    expect(list.map((p) => [p.id, p.name, p.instance])).toEqual([
      [0, 'web', 0],
      [1, 'web', 1],
      [2, 'web', 2],
      [3, 'worker', 0],
    ]);
    expect((await supervisor.describe('web')).map((p) => p.id)).toEqual([0, 1, 2]);
    expect((await supervisor.describe('2')).map((p) => p.id)).toEqual([2]);
    expect((await supervisor.describe('front')).map((p) => p.id)).toEqual([0, 1, 2]);
    expect((await supervisor.describe('default')).map((p) => p.id)).toEqual([3]);
    expect((await supervisor.describe('all')).map((p) => p.id)).toEqual([0, 1, 2, 3]);
    await expect(supervisor.stop('nope')).rejects.toMatchObject({
      code: ErrorCodes.TARGET_NOT_FOUND,
      message: "no process matches 'nope'",
    });
    // a typo of an app name or a namespace names what it was likely meant to be
    await expect(supervisor.stop('wrker')).rejects.toMatchObject({
      code: ErrorCodes.TARGET_NOT_FOUND,
      message: "no process matches 'wrker' (did you mean 'worker'?)",
      data: { target: 'wrker', meant: 'worker' },
    });
    await expect(supervisor.scale('frnt', '2')).rejects.toMatchObject({
      message: "no process matches 'frnt' (did you mean 'front'?)",
    });
    await expect(supervisor.describe('99')).rejects.toMatchObject({ code: ErrorCodes.TARGET_NOT_FOUND });
    const paths = (await supervisor.describe('web')).map((p) => p.outLogPath);
    expect(new Set(paths)).toEqual(new Set([join(home, 'logs', 'web-out.log')]));
  });

  it('answers TARGET_NOT_FOUND to scale and config of `all` with no process (was an internal TypeError)', async () => {
    const { supervisor } = setup();
    await expect(supervisor.scale('all', '2')).rejects.toMatchObject({
      code: ErrorCodes.TARGET_NOT_FOUND,
      message: "no process matches 'all'",
    });
    await expect(supervisor.configGet('all')).rejects.toMatchObject({ code: ErrorCodes.TARGET_NOT_FOUND });
  });

  it('refuses a running name with NAME_IN_USE and replaces the spec of a stopped one', async () => {
    const { home, supervisor } = setup();
    await supervisor.start([appSpec(home, { name: 'api', script: 'echo-env.js', args: ['v1'] })]);
    await expect(supervisor.start([appSpec(home, { name: 'api' })])).rejects.toMatchObject({
      code: ErrorCodes.NAME_IN_USE,
    });
    await supervisor.stop('api');
    const [info] = await supervisor.start([
      appSpec(home, { name: 'api', script: 'echo-env.js', args: ['v2'] }),
    ]);
    expect(info).toMatchObject({ id: 0, status: 'online' });
    await waitFor(async () => (await logText(supervisor, 'api')).includes('["v2"]'), { what: 'the v2 run' });
    expect((await supervisor.describe('api'))[0]!.spec.args).toEqual(['v2']);
  });

  it('stops, restarts (with a new env) and deletes; ids are never reused', async () => {
    const { home, supervisor } = setup();
    const [first] = await supervisor.start([
      appSpec(home, { name: 'svc', script: 'echo-env.js', env: { SHOW_ENV: 'COLOR', COLOR: 'red' } }),
    ]);
    const [stopped] = await supervisor.stop('svc');
    expect(stopped).toMatchObject({ status: 'stopped', pid: null, lastExitReason: 'user' });
    expect(isPidAlive(first!.pid!)).toBe(false);

    const [restarted] = await supervisor.restart('svc', {
      env: { SHOW_ENV: 'COLOR', COLOR: 'blue', PATH: '/usr/bin:/bin' },
    });
    // a stopped process started again is no restart (PM2's restart_time does not count it either)
    expect(restarted).toMatchObject({ status: 'online', restarts: 0 });
    expect(restarted!.pid).not.toBe(first!.pid);
    await waitFor(async () => (await logText(supervisor, 'svc')).includes('"COLOR":"blue"'), {
      what: 'the new env',
    });
    expect((await supervisor.describe('svc'))[0]!.spec.envKeys).toContain('COLOR');

    const [again] = await supervisor.restart('0');
    expect(again!.restarts).toBe(1);
    expect(isPidAlive(restarted!.pid!)).toBe(false);

    const deleted = await supervisor.delete('svc');
    expect(deleted.map((p) => p.id)).toEqual([0]);
    expect(isPidAlive(again!.pid!)).toBe(false);
    expect(await supervisor.list()).toEqual([]);
    const [next] = await supervisor.start([appSpec(home, { name: 'svc' })]);
    expect(next!.id).toBe(1);
  });

  it('marks a program that cannot be spawned (gone from PATH since its start) errored with a note in its err log', async () => {
    const { home, supervisor } = setup();
    const bin = join(home, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'no-such-binary-velos-test'), '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
    const PATH = `${bin}:${process.env.PATH ?? ''}`;
    await supervisor.start([
      appSpec(home, { name: 'ghost', script: 'no-such-binary-velos-test', env: { PATH } }),
    ]);
    rmSync(join(bin, 'no-such-binary-velos-test'));
    const [info] = await supervisor.restart('ghost');
    const errored = await waitFor(
      async () => {
        const current = await statusOf(supervisor, info!.id);
        const text = await logText(supervisor, 'ghost');
        return current.status === 'errored' && text.includes('not found') ? current : null;
      },
      { what: 'the spawn error' },
    );
    expect(errored).toMatchObject({ lastExitReason: 'spawn-error', pid: null });
    const file = join(home, 'logs', 'ghost-err.log');
    await waitFor(() => readFileSync(file, 'utf8').includes('no-such-binary-velos-test: not found'), {
      what: 'the note in the err log file',
    });
  });

  it('refuses a start with a missing script, interpreter and program whole, naming each app', async () => {
    const { home, supervisor } = setup();
    const start = supervisor.start([
      appSpec(home, { name: 'fine' }),
      appSpec(home, { name: 'api', script: 'no-such-api.js' }),
      appSpec(home, { name: 'worker', interpreter: 'velos-no-such-python' }),
      appSpec(home, { name: 'cache', script: 'velos-no-such-program' }),
    ]);
    await expect(start).rejects.toMatchObject({
      code: ErrorCodes.INVALID_ARGUMENT,
      message: expect.stringMatching(
        /^3 apps cannot start: api: script not found: \S+\/no-such-api\.js; worker: interpreter velos-no-such-python not found .*; cache: script not found: velos-no-such-program \(not a file in /,
      ),
    });
    expect(await supervisor.list()).toEqual([]);
  });

  it('errors only the app whose script was removed after its start, at its restart', async () => {
    const { home, supervisor } = setup();
    const script = join(home, 'later.js');
    writeFileSync(script, 'setInterval(() => {}, 1000);\n');
    await supervisor.start([appSpec(home, { name: 'later', script }), appSpec(home, { name: 'other' })]);
    rmSync(script);
    await supervisor.restart('later');
    const rows = await waitFor(async () => {
      const list = await supervisor.list();
      return list.find((p) => p.name === 'later')?.status === 'errored' ? list : null;
    });
    expect(rows.map((p) => [p.name, p.status])).toEqual([
      ['later', 'errored'],
      ['other', 'online'],
    ]);
  });

  it('reports a file it may not execute as a spawn error (EACCES)', async () => {
    const { home, supervisor } = setup();
    const tool = join(home, 'tool.bin');
    writeFileSync(tool, 'not a program\n', { mode: 0o644 });
    const [info] = await supervisor.start([appSpec(home, { name: 'tool', script: tool })]);
    expect(info).toMatchObject({ status: 'errored', lastExitReason: 'spawn-error' });
    const text = await waitFor(
      async () => (await logText(supervisor, 'tool')).match(/.*permission denied.*/)?.[0],
      { what: 'the EACCES note' },
    );
    expect(text).toBe(`velos: cannot start ${tool}: permission denied (EACCES)`);
  });

  it('describes a process without env values and with its command and log facts', async () => {
    const { home, supervisor } = setup();
    await supervisor.start([
      appSpec(home, {
        name: 'chat',
        script: 'chatty.js',
        env: { COUNT: '3', STAY: '1', SECRET: 'x' },
        ownEnv: { SECRET: 'x' },
      }),
    ]);
    await waitFor(async () => (await supervisor.describe('chat'))[0]!.logLines.out === 3, {
      what: '3 lines',
    });
    const [detail] = await supervisor.describe('chat');
    expect(detail!.spec).not.toHaveProperty('env');
    expect(detail!.spec.envKeys).toContain('SECRET');
    expect(JSON.stringify(detail)).not.toContain('"x"');
    expect(detail!.command.file).toBe(process.execPath);
    expect(detail!.errLogPath).toBe(join(home, 'logs', 'chat-err.log'));
  });

  it('reload and restart with ownEnv replace the app own env: a process file reloaded with a profile', async () => {
    const { home, supervisor } = setup();
    await supervisor.start([
      appSpec(home, {
        name: 'api',
        script: 'echo-env.js',
        env: { SHOW_ENV: 'MODE,KEEP', KEEP: 'shell', MODE: 'dev', OLD: 'x' },
        ownEnv: { MODE: 'dev', OLD: 'x' },
      }),
    ]);
    await supervisor.reload('api', { ownEnv: { MODE: 'prod' } });
    const reloaded = await supervisor.configGet('api');
    expect(reloaded.env).toMatchObject({ SHOW_ENV: 'MODE,KEEP', KEEP: 'shell', MODE: 'prod' });
    expect(reloaded.env).not.toHaveProperty('OLD');
    expect(reloaded.ownEnv).toEqual({ MODE: 'prod' });
    await waitFor(async () => (await logText(supervisor, 'api')).includes('"MODE":"prod"'), {
      what: 'the reloaded run with MODE=prod',
    });
    await supervisor.restart('api', {
      env: { KEEP: 'new shell' },
      ownEnv: { MODE: 'dev', SHOW_ENV: 'MODE' },
    });
    expect((await supervisor.configGet('api')).env).toEqual({
      KEEP: 'new shell',
      MODE: 'dev',
      SHOW_ENV: 'MODE',
    });
  });
});

describe('supervisor: logs', () => {
  it('tails merged across targets, flushes the files, and follows live lines', async () => {
    const { home, supervisor } = setup();
    await supervisor.start([
      appSpec(home, { name: 'a', script: 'chatty.js', env: { COUNT: '4', STAY: '1' } }),
      appSpec(home, { name: 'b', script: 'chatty.js', env: { COUNT: '4', STAY: '1', STREAM: 'err' } }),
    ]);
    await waitFor(async () => (await supervisor.logs({})).length === 8, { what: '8 lines' });
    const all = await supervisor.logs({ lines: 3 });
    expect(all).toHaveLength(6);
    expect([...all].sort((x, y) => x.ts - y.ts)).toEqual(all);
    expect((await supervisor.logs({ target: 'b', stream: 'out' })).length).toBe(0);
    expect((await supervisor.logs({ target: 'b', stream: 'err' })).map((l) => l.line)).toEqual([
      'line 1',
      'line 2',
      'line 3',
      'line 4',
    ]);

    const flushed = await supervisor.flush('a');
    expect(flushed.sort()).toEqual([join(home, 'logs', 'a-err.log'), join(home, 'logs', 'a-out.log')]);
    expect(statSync(join(home, 'logs', 'a-out.log')).size).toBe(0);
    // a stream sent to /dev/null (PM2's disable_logs) is not a file a flush empties: it said "flushed /dev/null"
    await supervisor.start([appSpec(home, { name: 'quiet', outFile: '/dev/null' })]);
    expect(await supervisor.flush('quiet')).toEqual([join(home, 'logs', 'quiet-err.log')]);

    await supervisor.start([
      appSpec(home, { name: 'live', script: 'chatty.js', env: { RATE: '20', STAY: '1' } }),
    ]);
    const subscription = supervisor.followLogs({ target: 'live', lines: 0 });
    const seen: LogLine[] = [];
    for await (const batch of subscription) {
      seen.push(...batch);
      if (seen.length >= 5) subscription.cancel();
    }
    expect(seen.slice(0, 5).map((l) => l.line)).toEqual(
      seen.slice(0, 5).map((_, i) => `line ${Number(seen[0]!.line.split(' ')[1]) + i}`),
    );
    expect(seen.every((l) => l.name === 'live')).toBe(true);
  });

  it('gives JSON log lines the level the log engine reads, stderr being only a hint', async () => {
    const { home, supervisor } = setup();
    const script = join(home, 'levels.sh');
    writeFileSync(
      script,
      `printf 'ERROR boom\\n{"level":"warn","msg":"w"}\\nall good\\n'\necho plain on stderr >&2\nsleep 30\n`,
    );
    await supervisor.start([appSpec(home, { name: 'levels', script, logFormat: 'json' })]);
    const [detail] = await supervisor.describe('levels');
    const read = (path: string) =>
      readFileSync(path, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { lvl: string; msg: string });
    const records = await waitFor(
      () => {
        const all = [...read(detail!.outLogPath), ...read(detail!.errLogPath)];
        return all.length >= 4 ? all : null;
      },
      { what: 'four JSON log records' },
    );
    expect(Object.fromEntries(records.map((r) => [r.msg, r.lvl]))).toEqual({
      'ERROR boom': 'error',
      w: 'warn', // LOG-5: a JSON line keeps its own message (and level)
      'all good': 'info',
      'plain on stderr': 'info',
    });
  });

  it('follows apps started after a follow of all began', async () => {
    const { home, supervisor } = setup();
    await supervisor.start([appSpec(home, { name: 'early', script: 'silent.js' })]);
    const subscription = supervisor.followLogs({ lines: 0 });
    const names = new Set<string>();
    const consumed = (async () => {
      for await (const batch of subscription) {
        for (const line of batch) names.add(line.name);
        if (names.has('late')) subscription.cancel();
      }
    })();
    await supervisor.start([
      appSpec(home, { name: 'late', script: 'chatty.js', env: { RATE: '20', STAY: '1' } }),
    ]);
    await waitFor(async () => names.has('late'), { what: 'a line of the app started later' });
    await consumed;
    expect([...names]).toEqual(['late']);
  });
});

describe('supervisor: monitor', () => {
  it('samples CPU and RSS of a busy process tree and keeps peaks', async () => {
    const { home, supervisor } = setup({ monitorIntervalMs: 200 });
    const busy = join(home, 'busy.js');
    writeFileSync(busy, 'const end = Date.now() + 60000; while (Date.now() < end) {}\n');
    const [info] = await supervisor.start([appSpec(home, { name: 'busy', script: busy })]);
    const sampled = await waitFor(
      async () => {
        const current = await statusOf(supervisor, info!.id);
        return current.cpu > 20 && current.memory > 5 * 1024 * 1024 ? current : null;
      },
      { what: 'a busy CPU sample' },
    );
    expect(sampled.cpu).toBeLessThan(250);
    const [detail] = await supervisor.describe('busy');
    expect(detail!.cpuPeak).toBeGreaterThanOrEqual(sampled.cpu);
    expect(detail!.memoryPeak).toBeGreaterThan(5 * 1024 * 1024);
  });
});

describe('supervisor: reloadLogs', () => {
  it('makes a removed log directory again, and fails naming a file it cannot open', async () => {
    const { home, supervisor } = setup();
    const logDir = join(home, 'app-logs');
    mkdirSync(logDir);
    const outFile = join(logDir, 'a-out.log');
    await supervisor.start([
      appSpec(home, { name: 'a', script: 'silent.js', outFile }),
      appSpec(home, { name: 'b', script: 'silent.js' }),
    ]);
    rmSync(logDir, { recursive: true });
    expect(await supervisor.reloadLogs('a')).toContain(outFile);
    expect(statSync(outFile).isFile()).toBe(true);
    // a file where the directory was: reopened nothing there, said so (it used to answer as if all went well)
    rmSync(logDir, { recursive: true });
    writeFileSync(logDir, 'not a directory\n');
    const failure = await supervisor.reloadLogs().then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: ErrorCodes.IO_ERROR });
    expect((failure as Error).message).toMatch(
      new RegExp(`^reopen of ${outFile} failed: ENOTDIR.* \\(\\d+ other log file\\(s\\) reopened\\)$`),
    );
  });
});

describe('supervisor: a restart after the log directory was removed', () => {
  it('writes the new run to a new file at the path, not on to the deleted one', async () => {
    const { home, supervisor } = setup();
    const logDir = join(home, 'app-logs');
    mkdirSync(logDir);
    const outFile = join(logDir, 'a-out.log');
    await supervisor.start([
      appSpec(home, { name: 'a', script: 'echo-env.js', outFile, autorestart: false }),
    ]);
    await waitFor(() => readFileSync(outFile, 'utf8').length > 0, { what: 'the first run to write' });
    rmSync(logDir, { recursive: true });
    await supervisor.restart('a');
    const text = await waitFor(() => (existsSync(outFile) ? readFileSync(outFile, 'utf8') : ''), {
      what: 'the second run to write a new file',
    });
    expect(text).toContain('"argv"');
  });

  it('opens a new file at the path on velos flush too', async () => {
    const { home, supervisor } = setup();
    const logDir = join(home, 'app-logs');
    mkdirSync(logDir);
    const outFile = join(logDir, 'a-out.log');
    await supervisor.start([appSpec(home, { name: 'a', script: 'silent.js', outFile })]);
    rmSync(logDir, { recursive: true });
    await supervisor.flush('a');
    await waitFor(() => existsSync(outFile), { what: 'a new file at the path' });
  });
});
