import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createClient, type VelosClient } from '@velos/client';
import { findCommand } from '@velos/core';
import { createMcpHttpHandler, VELOS_TOOLS } from '@velos/mcp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome, FIXTURES, spawnVelos, velosOk, waitFor } from './helpers.js';
import { connectMcpStdio } from './mcp-stdio.js';

/** The top templates of fixtures/log-mix.js as the log engine names them, most frequent first. */
const MIX_TOP = [
  'GET <path> <num> <dur>',
  'cache hit for key user:<num>',
  'WARN slow query took <dur> on table orders',
  'worker <num> processed batch <uuid> in <dur>',
  'ERROR payment failed for order <num>: card declined',
];
const MIX_LINES = 4000;
const TOKEN = 'test-token-0123456789abcdef';

let home: string;
let stdioClient: Client;
let killStdio: (() => void) | undefined;
let httpServer: Server;
let httpControl: VelosClient;
let httpUrl: URL;

interface ToolAnswer {
  text: string;
  isError: boolean;
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<ToolAnswer> {
  const result = (await client.callTool({ name, arguments: args })) as {
    content: { type: string; text: string }[];
    isError?: boolean;
  };
  return { text: result.content[0]?.text ?? '', isError: result.isError === true };
}

async function ok<T = unknown>(client: Client, name: string, args: Record<string, unknown> = {}): Promise<T> {
  const answer = await call(client, name, args);
  if (answer.isError) throw new Error(`${name} failed: ${answer.text}`);
  try {
    return JSON.parse(answer.text) as T;
  } catch {
    return answer.text as T;
  }
}

type Row = { i: number; n: string; s: string; p?: number };

beforeAll(async () => {
  home = createHome();
  await velosOk(['start', join(FIXTURES, 'log-mix.js'), '--name', 'mix'], {
    home,
    env: { COUNT: String(MIX_LINES), STAY: '1' },
  });
  await velosOk(['start', join(FIXTURES, 'ticker.js'), '--name', 'tick'], { home, env: { TICK_MS: '1000' } });
  await velosOk(['start', join(FIXTURES, 'job-counter.js'), '--name', 'job', '--every', '1h'], {
    home,
    env: { COUNTER_FILE: join(home, 'job-counter') },
  });
  await waitFor(
    async () => {
      const [mix] = JSON.parse((await velosOk(['describe', 'mix', '--json'], { home })).stdout);
      return mix.logLines.out + mix.logLines.err >= MIX_LINES;
    },
    { timeoutMs: 30_000, message: 'the mix captured' },
  );

  ({ client: stdioClient, kill: killStdio } = await connectMcpStdio(home, 'velos-e2e'));

  httpControl = createClient({ home, autoStart: false });
  const handle = createMcpHttpHandler({ control: httpControl, token: TOKEN, cwd: FIXTURES });
  httpServer = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  httpUrl = new URL(`http://127.0.0.1:${(httpServer.address() as AddressInfo).port}/mcp`);
}, 90_000);

afterAll(async () => {
  await stdioClient?.close().catch(() => undefined);
  killStdio?.();
  await httpControl?.close();
  await new Promise((resolve) => httpServer?.close(resolve));
  await cleanupHomes();
}, 60_000);

async function httpClient(): Promise<Client> {
  const client = new Client({ name: 'velos-e2e-http', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(httpUrl, {
      requestInit: { headers: { authorization: `Bearer ${TOKEN}` } },
    }),
  );
  return client;
}

describe('velos mcp over stdio (the SDK client against the real binary and daemon)', () => {
  it('lists every tool with described fields and the annotations of its command', async () => {
    const { tools } = await stdioClient.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(VELOS_TOOLS.map((tool) => tool.name));
    for (const name of [
      'process_list',
      'process_start',
      'log_summary',
      'health_check',
      'config_set',
      'metrics_snapshot',
    ])
      expect(tools.map((tool) => tool.name)).toContain(name);
    for (const tool of tools) {
      const definition = VELOS_TOOLS.find((t) => t.name === tool.name)!;
      const command = findCommand(definition.command)!;
      // the command's description, or the tool's own where it does less (log_summary: one view)
      expect(tool.description, tool.name).toContain(definition.description ?? command.description);
      expect(tool.annotations, tool.name).toMatchObject({
        readOnlyHint: command.isReadOnly,
        destructiveHint: command.isDestructive,
        idempotentHint: command.isIdempotent,
      });
      const properties = (tool.inputSchema.properties ?? {}) as Record<string, { description?: string }>;
      for (const [field, schema] of Object.entries(properties))
        expect(schema.description, `${tool.name}.${field}`).toBeTruthy();
    }
  });

  it('answers every tool against the daemon, compactly', async () => {
    await exerciseEveryTool(stdioClient, 'st');
  }, 120_000);

  it('returns tool errors an agent can act on, and keeps serving', async () => {
    await checkErrors(stdioClient);
  });

  it('refuses a process_start of a file with a missing script and interpreter whole, naming both apps', async () => {
    const file = join(home, 'two-missing.toml');
    writeFileSync(
      file,
      [
        `[[apps]]\nname = "mcp-good"\nscript = "${join(FIXTURES, 'silent.js')}"`,
        `[[apps]]\nname = "mcp-api"\nscript = "no-such-api.js"\ncwd = "${FIXTURES}"`,
        `[[apps]]\nname = "mcp-worker"\nscript = "${join(FIXTURES, 'silent.js')}"\ninterpreter = "velos-no-such-python"\n`,
      ].join('\n'),
    );
    expect(await call(stdioClient, 'process_start', { config: file })).toEqual({
      isError: true,
      text:
        `INVALID_ARGUMENT: 2 apps cannot start: mcp-api: script not found: ${join(FIXTURES, 'no-such-api.js')}; ` +
        "mcp-worker: interpreter velos-no-such-python not found on the app's PATH or in node_modules/.bin " +
        // process_start takes no interpreter: the daemon's `--interpreter <path>` is left out
        '(install it, or give its path: interpreter in a config file)',
    });
    // nothing of the file started
    const names = (await ok<Row[]>(stdioClient, 'process_list')).map((row) => row.n);
    expect(names.filter((name) => name.startsWith('mcp-'))).toEqual([]);
  });

  it('acts on a /regex/ target of app names, resolved by the daemon', async () => {
    for (const name of ['mcp-rx-a', 'mcp-rx-b']) {
      await ok(stdioClient, 'process_start', { script: join(FIXTURES, 'silent.js'), name });
    }
    const stopped = await ok<Row[]>(stdioClient, 'process_stop', { target: '/^mcp-rx-/' });
    expect(stopped.map((row) => [row.n, row.s])).toEqual([
      ['mcp-rx-a', 'stopped'],
      ['mcp-rx-b', 'stopped'],
    ]);
    expect(await call(stdioClient, 'process_stop', { target: '/^mcp-rx-z/' })).toEqual({
      isError: true,
      text: expect.stringMatching(/^TARGET_NOT_FOUND: no process name matches \/\^mcp-rx-z\/; processes: /),
    });
    await ok(stdioClient, 'process_delete', { target: '/^mcp-rx-/' });
    const names = (await ok<Row[]>(stdioClient, 'process_list')).map((row) => row.n);
    expect(names.filter((name) => name.startsWith('mcp-rx-'))).toEqual([]);
  });

  it("leaves out the CLI's flags that make a job, which no job tool takes, from job_runs' refusal of a service", async () => {
    // it said `(start one with type: job, --schedule, --every or --timeout)`
    expect(await call(stdioClient, 'job_runs', { target: 'tick' })).toEqual({
      isError: true,
      text: "INVALID_ARGUMENT: 'tick' is not a job (start one with type: job)",
    });
  });

  it('runs a job whose dependency is down with job_trigger force, the run marked forced in job_runs', async () => {
    const file = join(home, 'forced-job.toml');
    writeFileSync(
      file,
      [
        `[[apps]]\nname = "mcp-fdb"\nscript = "${join(FIXTURES, 'silent.js')}"`,
        `[[apps]]\nname = "mcp-fjob"\nscript = "${join(FIXTURES, 'job-counter.js')}"\ntype = "job"`,
        `depends_on = ["mcp-fdb"]\nenv = { COUNTER_FILE = "${join(home, 'forced-counter')}" }\n`,
      ].join('\n'),
    );
    await ok(stdioClient, 'process_start', { config: file });
    type Run = { q: number; o: string; tr: string; forced?: true };
    const latest = async () => (await ok<Run[]>(stdioClient, 'job_runs', { target: 'mcp-fjob' }))[0];
    await waitFor(async () => (await latest())?.o === 'ok', { message: 'the first run of mcp-fjob' });
    await ok(stdioClient, 'process_stop', { target: 'mcp-fdb' });
    expect(await call(stdioClient, 'job_trigger', { target: 'mcp-fjob' })).toEqual({
      isError: true,
      text: "INVALID_ARGUMENT: mcp-fjob: dependency 'mcp-fdb' is stopped; not triggered (force: true runs it anyway)",
    });
    // the tool had no force argument: `force: unknown argument (expected target)`
    expect(await call(stdioClient, 'job_trigger', { target: 'mcp-fjob', force: 'yes' })).toEqual({
      isError: true,
      text: 'INVALID_ARGUMENT: force: expected true or false, got "yes"',
    });
    const [triggered] = await ok<{ n: string; tg: string }[]>(stdioClient, 'job_trigger', {
      target: 'mcp-fjob',
      force: true,
    });
    expect(triggered).toMatchObject({
      n: 'mcp-fjob',
      tg: expect.stringMatching(/^run 2 started \(pid \d+\)$/),
    });
    const forced = await waitFor(
      async () => {
        const run = await latest();
        return run?.q === 2 && run.o !== 'running' ? run : undefined;
      },
      { message: 'the forced run of mcp-fjob' },
    );
    expect(forced).toMatchObject({ q: 2, o: 'ok', tr: 'user', forced: true });
    await ok(stdioClient, 'process_delete', { target: '/^mcp-f(db|job)$/' });
  });

  it('names the top templates of a known log mix in log_summary', async () => {
    const summary = await ok<{ n: number; h: number; top: { t: string; c: number }[]; err?: { m: string } }>(
      stdioClient,
      'log_summary',
      { target: 'mix', period: '1h' },
    );
    expect(summary.n).toBe(MIX_LINES);
    expect(summary.top.map((pattern) => pattern.t)).toEqual(MIX_TOP);
    expect(summary.top[0]!.c).toBeGreaterThan(summary.top[1]!.c);
    expect(summary.h).toBeGreaterThanOrEqual(0);
    expect(summary.err?.m).toMatch(/^(ERROR |upstream timeout)/);
  });

  it("summarises several apps in log_summary: the merged stream, the apps of each template, each app's share", async () => {
    type Share = { a: string; h: number; n: number; lv?: Record<string, number> };
    const alone = await ok<{ n: number }>(stdioClient, 'log_summary', { target: 'mix', period: '1h' });
    const both = await ok<{ app: string; n: number; top: { t: string; a: string[] }[]; apps: Share[] }>(
      stdioClient,
      'log_summary',
      { target: '/^(mix|tick)$/', period: '1h' },
    );
    expect(both.app).toBe('/^(mix|tick)$/');
    expect(both.apps.map((share) => share.a)).toEqual(['mix', 'tick']);
    expect(both.apps[0]).toMatchObject({ n: alone.n, lv: { error: expect.any(Number) } });
    expect(both.apps[1]!.n).toBeGreaterThan(0);
    expect(both.apps[0]!.n + both.apps[1]!.n).toBe(both.n);
    expect(both.top.find((pattern) => pattern.t === MIX_TOP[0])?.a).toEqual(['mix']);
    for (const pattern of both.top) expect(['mix', 'tick']).toEqual(expect.arrayContaining(pattern.a));
  });
});

describe('velos mcp start-up (the tool list answered before the SDK loads)', () => {
  it('answers a tool call sent without tools/list, and exits when stdin closes', async () => {
    const child = spawnVelos(['mcp'], { home });
    const answers: { id: number; result?: { content: { text: string }[] } }[] = [];
    let buffer = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) if (line.trim()) answers.push(JSON.parse(line));
    });
    const send = (message: object) =>
      child.stdin!.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    send({
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    });
    send({ method: 'notifications/initialized' });
    send({ id: 2, method: 'tools/call', params: { name: 'process_list', arguments: {} } });
    send({ id: 3, method: 'ping' });
    await waitFor(() => answers.length >= 3, { message: 'three answers' });
    expect(answers.map((answer) => answer.id).sort()).toEqual([1, 2, 3]);
    const list = JSON.parse(answers.find((answer) => answer.id === 2)!.result!.content[0]!.text) as Row[];
    expect(list.map((row) => row.n)).toContain('tick');
    child.stdin!.end();
    expect(await exited).toBe(0);
  });

  it('answers the calls still in flight and a last line without a newline when stdin closes at once', async () => {
    const child = spawnVelos(['mcp'], { home });
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const line = (message: object) => JSON.stringify({ jsonrpc: '2.0', ...message });
    const init = {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'pipe', version: '1' },
    };
    // what `printf '…' | velos mcp` sends: every message at once, the last without its newline, then EOF
    child.stdin!.end(
      [
        line({ id: 1, method: 'initialize', params: init }),
        line({ method: 'notifications/initialized' }),
        line({ id: 2, method: 'tools/call', params: { name: 'process_list', arguments: {} } }),
        line({
          id: 3,
          method: 'tools/call',
          params: { name: 'process_info', arguments: { target: 'tick' } },
        }),
        line({ id: 4, method: 'ping' }),
      ].join('\n'),
    );
    expect(await exited).toBe(0);
    const answers = output
      .split('\n')
      .filter((each) => each.trim())
      .map((each) => JSON.parse(each) as { id: number; result?: { content?: { text: string }[] } });
    expect(answers.map((answer) => answer.id).sort()).toEqual([1, 2, 3, 4]);
    for (const id of [2, 3]) {
      const text = answers.find((answer) => answer.id === id)!.result!.content![0]!.text;
      expect(JSON.parse(text) as Row[]).toContainEqual(expect.objectContaining({ n: 'tick' }));
    }
  });
});

describe('--ai everywhere (CLI-3: one key scheme, docs/ai-output.md)', () => {
  const ai = async <T>(...args: string[]) =>
    JSON.parse((await velosOk([...args, '--ai'], { home })).stdout) as T;

  it('prints compact JSON with short keys for every command that prints data', async () => {
    const list = await ai<Row[]>('list');
    expect(list.find((row) => row.n === 'tick')).toMatchObject({ s: 'on', r: 0 });
    const [detail] = await ai<Record<string, unknown>[]>('describe', 'tick');
    expect(detail).toMatchObject({ n: 'tick', s: 'on' });
    const lines = await ai<Record<string, unknown>[]>('logs', 'mix', '--lines', '3');
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(Object.keys(line).every((key) => ['t', 's', 'l', 'm'].includes(key))).toBe(true);
      expect(line.t).toMatch(/^\d{4}-\d\d-\d\dT/);
    }
    const mixed = await ai<{ a?: string }[]>('logs', '--lines', '2');
    expect(mixed.every((line) => typeof line.a === 'string')).toBe(true);
    const search = await ai<{ lines: { m: string }[] }>('logs', 'mix', '--grep', 'declined', '--limit', '2');
    expect(search.lines).toHaveLength(2);
    const events = await ai<{ k: string; m: string }[]>('events', '--limit', '3');
    expect(events).toHaveLength(3);
    expect(events[0]).toHaveProperty('k');
    const runs = await ai<{ q: number; o: string; tr: string }[]>('runs', 'job');
    expect(runs[0]).toMatchObject({ q: expect.any(Number), o: expect.any(String), tr: expect.any(String) });
    expect(await ai<{ s: string }>('health')).toHaveProperty('s');
    expect(await ai('alerts')).toEqual([]);
    const config = await ai<Record<string, unknown>>('config', 'show', 'tick');
    expect(config).toMatchObject({ name: 'tick' });
    expect(config).not.toHaveProperty('kill_timeout');
    const triggered = await ai<Row[]>('trigger', 'job');
    expect(triggered).toMatchObject([{ n: 'job' }]);
    expect(triggered[0]).not.toHaveProperty('name');
  });
});

describe('createMcpHttpHandler (streamable HTTP on a plain node:http server)', () => {
  it('refuses a request without the bearer token', async () => {
    const response = await fetch(httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(response.status).toBe(401);
    expect(await response.text()).toContain('UNAUTHORIZED');
  });

  it('lists the tools and answers every one', async () => {
    const client = await httpClient();
    try {
      const { tools } = await client.listTools();
      expect(tools).toHaveLength(VELOS_TOOLS.length);
      await exerciseEveryTool(client, 'ht');
      await checkErrors(client);
    } finally {
      await client.close();
    }
  }, 120_000);
});

/** Calls every tool once at least (apps named `<prefix>-…` are started and deleted again). */
async function exerciseEveryTool(client: Client, prefix: string): Promise<void> {
  const called = new Set<string>();
  const use = async <T>(name: string, args: Record<string, unknown> = {}) => {
    called.add(name);
    return ok<T>(client, name, args);
  };

  const list = await use<Row[]>('process_list');
  expect(list.map((row) => row.n).sort()).toEqual(expect.arrayContaining(['job', 'mix', 'tick']));
  const tick = list.find((row) => row.n === 'tick')!;
  expect(tick).toMatchObject({ s: 'on' });
  expect(Object.keys(tick)).not.toContain('ns');
  const full = await use<Record<string, unknown>[]>('process_list', { detail: 'full' });
  expect(full.find((row) => row.name === 'tick')).toMatchObject({ status: 'online', namespace: 'default' });

  const [info] = await use<Record<string, unknown>[]>('process_info', { target: 'tick' });
  expect(info).toMatchObject({ n: 'tick', s: 'on' });
  expect(String(info!.cmd)).toContain('ticker.js');

  const lines = await use<{ m: string }[]>('log_read', { target: 'mix', lines: 5 });
  expect(lines).toHaveLength(5);
  const errors = await use<{ m: string; l?: string }[]>('log_read', {
    target: 'mix',
    lines: 3,
    level: 'error',
  });
  expect(errors.length).toBeGreaterThan(0);
  expect(errors.length).toBeLessThanOrEqual(3);

  const search = await use<{ lines: { m: string }[]; scanned: number }>('log_search', {
    target: 'mix',
    pattern: 'card declined',
    since: '1h',
    limit: 4,
  });
  expect(search.lines).toHaveLength(4);
  for (const line of search.lines) expect(line.m).toContain('card declined');
  expect(search.scanned).toBeGreaterThan(0);

  const summary = await use<{ top: { t: string }[] }>('log_summary', { target: 'mix' });
  expect(summary.top[0]!.t).toBe(MIX_TOP[0]);

  const health = await use<{ score: number; s: string; ok?: string[] }>('health_check');
  expect(health.score).toBeGreaterThan(0);
  expect(['healthy', 'degraded', 'unhealthy']).toContain(health.s);
  expect(health.ok).toContain('tick');
  const healthFull = await use<{ processes: { name: string; score: number }[] }>('health_check', {
    detail: 'full',
  });
  expect(healthFull.processes.find((p) => p.name === 'tick')?.score).toBe(100);

  const metrics = await use<{ ps: { n: string }[]; d: { m: string } }>('metrics_snapshot', {
    target: 'tick',
  });
  expect(metrics.ps.map((p) => p.n)).toEqual(['tick']);
  expect(metrics.d.m).toMatch(/^\d+(\.\d)?[BKMG]$/);
  type History = { n: string; mem?: { last: string; mb: (number | null)[] }; cpu?: { s: unknown[] } };
  const [history] = await waitFor(
    async () => {
      const answer = await use<History[]>('metrics_history', { target: 'tick', since: '10m', points: 6 });
      return answer[0]?.mem ? answer : undefined;
    },
    { message: 'a sample of tick in its history' },
  );
  expect(history).toMatchObject({ n: 'tick', mem: { last: expect.stringMatching(/^\d+(\.\d)?[KMG]$/) } });
  expect(history!.mem!.mb.length).toBeLessThanOrEqual(6);

  const events = await use<{ ev: { k: string; t: string }[] }>('events_list', {
    kinds: ['process'],
    limit: 5,
  });
  expect(events.ev.length).toBeGreaterThan(0);
  expect(events.ev[0]!.k).toMatch(/^process\./);
  expect(await use('alerts_list')).toEqual([]);

  // a run still going would leave the trigger alone: wait for the latest to end first
  const before = await waitFor(
    async () => {
      const runs = await use<{ q: number; o: string }[]>('job_runs', { target: 'job' });
      return runs.length > 0 && runs[0]!.o !== 'running' ? runs : undefined;
    },
    { message: 'the latest job run to end' },
  );
  await use('job_trigger', { target: 'job' });
  await waitFor(
    async () => (await ok<{ q: number }[]>(client, 'job_runs', { target: 'job' })).length > before.length,
    {
      message: 'a triggered run',
    },
  );

  const toml = await use<string>('config_get', { target: 'tick' });
  expect(toml).toContain('[[apps]]');
  expect(toml).toContain('name = "tick"');
  expect(toml).not.toContain('kill_timeout');
  expect(await use<string>('config_get', { target: 'tick', detail: 'full' })).toContain('kill_timeout');

  const name = `${prefix}-app`;
  const started = await use<Row[]>('process_start', { script: 'silent.js', name, env: { A: '1' } });
  expect(started).toMatchObject([{ n: name }]);
  const set = await use<{ set: string[]; cfg: Record<string, unknown> }>('config_set', {
    target: name,
    changes: { max_memory: '300M' },
  });
  expect(set).toMatchObject({ set: ['max_memory'], cfg: { name, max_memory: '300M' } });
  // null unsets the key (velos config unset): named apart, and back to its default in the config
  const unset = await use<{ unset: string[]; cfg: Record<string, unknown> }>('config_set', {
    target: name,
    changes: { max_memory: null },
  });
  expect(unset).toMatchObject({ unset: ['max_memory'], cfg: { name } });
  expect(Object.keys(unset)).not.toContain('set');
  expect(unset.cfg.max_memory).toBeUndefined();
  expect(await use<Row[]>('process_scale', { name, instances: '2' })).toHaveLength(2);
  expect(await use<Row[]>('process_restart', { target: name })).toHaveLength(2);
  expect(await use<Row[]>('process_reload', { target: name })).toHaveLength(2);
  const stopped = await use<Row[]>('process_stop', { target: name });
  expect(stopped.map((row) => row.s)).toEqual(['stopped', 'stopped']);
  expect(await use<Row[]>('process_delete', { target: name })).toHaveLength(2);
  expect((await use<Row[]>('process_list')).some((row) => row.n === name)).toBe(false);

  const config = join(home, `${prefix}-apps.toml`);
  writeFileSync(config, `[[apps]]\nname = "${prefix}-cfg"\nscript = "${join(FIXTURES, 'silent.js')}"\n`);
  expect(await use<Row[]>('process_start', { config })).toMatchObject([{ n: `${prefix}-cfg` }]);
  await use('process_delete', { target: `${prefix}-cfg` });

  expect([...called].sort()).toEqual(VELOS_TOOLS.map((tool) => tool.name).sort());
}

async function checkErrors(client: Client): Promise<void> {
  // arguments that do not fit a tool's schema: the same one line as every other failure
  expect(await call(client, 'process_stop', {})).toEqual({
    isError: true,
    text: 'INVALID_ARGUMENT: target: required, expected a string',
  });
  expect(await call(client, 'process_start', { script: 5 })).toEqual({
    isError: true,
    text: 'INVALID_ARGUMENT: script: expected a string, got 5',
  });
  expect(await call(client, 'log_search', { target: 'mix', limit: -1 })).toEqual({
    isError: true,
    text: 'INVALID_ARGUMENT: limit: expected a number >= 1, got -1',
  });
  const noTool = await call(client, 'process_nope', {});
  expect(noTool).toEqual({
    isError: true,
    text: expect.stringMatching(/^UNKNOWN_COMMAND: no tool named "process_nope"/),
  });
  const unknown = await call(client, 'process_info', { target: 'no-such-app' });
  expect(unknown).toEqual({ isError: true, text: expect.stringMatching(/^TARGET_NOT_FOUND: .*no-such-app/) });
  // the daemon's grep error names the tool's argument, not the protocol field nor the CLI's --grep
  const pattern = await call(client, 'log_search', { target: 'mix', pattern: '(unclosed' });
  expect(pattern).toEqual({
    isError: true,
    text: expect.stringMatching(/^INVALID_ARGUMENT: pattern: invalid regular expression "\(unclosed": /),
  });
  const period = await call(client, 'log_summary', { target: 'mix', period: 'soon' });
  expect(period.text).toMatch(/^INVALID_ARGUMENT: period: expected a duration/);
  const badValue = await call(client, 'config_set', { target: 'tick', changes: { max_memory: 'lots' } });
  expect(badValue.isError).toBe(true);
  expect(badValue.text).toMatch(/^[A-Z_]+: .*max_memory/);
  const noScript = await call(client, 'process_start', { script: 'missing/app.js' });
  expect(noScript.text).toMatch(/^INVALID_ARGUMENT: script not found: missing\/app\.js/);
  const neither = await call(client, 'process_start', {});
  expect(neither.text).toMatch(/^INVALID_ARGUMENT: give either script or config .*, neither was given$/);
  const metrics = await call(client, 'metrics_snapshot', { target: 'no-such-app' });
  // the names that exist come with it: a misspelt target is fixed without another call
  expect(metrics.text).toMatch(/^TARGET_NOT_FOUND: no process matches 'no-such-app'; processes: .*\btick\b/);
  // a target of no process and no event is told as metrics_snapshot tells it, not answered with no events
  const events = await call(client, 'events_list', { target: 'no-such-app' });
  expect(events.text).toMatch(
    /^TARGET_NOT_FOUND: no process matches 'no-such-app', and no event names it; processes: .*\btick\b/,
  );
  const kind = await call(client, 'events_list', { kinds: ['process.restarted'] });
  expect(kind.isError).toBe(true);
  expect(kind.text).toMatch(/unknown event kind "process\.restarted": .*process\.restarting/);
  // the server is still there
  expect((await ok<Row[]>(client, 'process_list')).length).toBeGreaterThanOrEqual(3);
}
