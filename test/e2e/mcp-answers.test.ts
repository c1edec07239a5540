import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './free-port.js';
import { cleanupHomes, createHome, FIXTURES, velosOk, waitFor } from './helpers.js';
import { connectMcpStdio } from './mcp-stdio.js';

// What an agent reads back from the tools, checked against what the apps did (session 36's QA round):
// log lines say whose they are when the target is not one app, a huge line cannot flood the answer,
// the described config_set example does what it says, and metrics_snapshot matches a target as the
// other tools do.

const LONG_CHARS = 300_000;

let home: string;
let client: Client;
let killServer: (() => void) | undefined;

interface ToolAnswer {
  text: string;
  isError: boolean;
}

async function call(name: string, args: Record<string, unknown> = {}): Promise<ToolAnswer> {
  const result = (await client.callTool({ name, arguments: args })) as {
    content: { type: string; text: string }[];
    isError?: boolean;
  };
  return { text: result.content[0]?.text ?? '', isError: result.isError === true };
}

async function ok<T>(name: string, args: Record<string, unknown> = {}): Promise<T> {
  const answer = await call(name, args);
  if (answer.isError) throw new Error(`${name} failed: ${answer.text}`);
  return JSON.parse(answer.text) as T;
}

/** The JSON object after `e.g. ` in a description (braces balanced). */
function exampleOf(description: string): string {
  const start = description.indexOf('{', description.indexOf('e.g. '));
  let depth = 0;
  for (let at = start; at >= 0 && at < description.length; at++) {
    if (description[at] === '{') depth++;
    else if (description[at] === '}' && --depth === 0) return description.slice(start, at + 1);
  }
  throw new Error(`no example object in: ${description}`);
}

type Line = { t: string; a?: string; s?: string; l?: string; m: string };
type Row = { i: number; n: string; s: string };

beforeAll(async () => {
  home = createHome();
  // `api` in the default namespace, `web` in a namespace named `api`: the target `api` is the app
  const config = join(home, 'apps.toml');
  writeFileSync(
    config,
    [
      '[[apps]]',
      'name = "api"',
      `script = ${JSON.stringify(join(FIXTURES, 'ticker.js'))}`,
      'env = { TICK_MS = "300", KEEP_ME = "yes" }',
      '',
      '[[apps]]',
      'name = "web"',
      'namespace = "api"',
      `script = ${JSON.stringify(join(FIXTURES, 'silent.js'))}`,
      '',
      '[[apps]]',
      'name = "huge"',
      `script = ${JSON.stringify(join(FIXTURES, 'long-line.js'))}`,
      `env = { STAY = "1", LONG_BYTES = "${LONG_CHARS}" }`,
      '',
    ].join('\n'),
  );
  await velosOk(['start', config], { home });
  ({ client, kill: killServer } = await connectMcpStdio(home, 'velos-answers-e2e'));
  await waitFor(
    async () => {
      const lines = await ok<Line[]>('log_read', { target: 'huge', lines: 5 });
      return lines.some((line) => line.m.startsWith('long:'));
    },
    { timeoutMs: 20_000, message: 'the long line of huge captured' },
  );
}, 60_000);

afterAll(async () => {
  await client?.close().catch(() => undefined);
  killServer?.();
  await cleanupHomes();
}, 60_000);

describe('log lines of a target that is not one app', () => {
  it('name their app in log_read and log_search even when one app wrote them all', async () => {
    // only ticker.js (api) writes to stderr here, every fifth line
    const read = await waitFor(
      async () => {
        const lines = await ok<Line[]>('log_read', { target: 'all', lines: 3, stream: 'err' });
        return lines.length > 0 ? lines : undefined;
      },
      { timeoutMs: 20_000, message: 'a stderr line of api' },
    );
    expect(new Set(read.map((line) => line.a))).toEqual(new Set(['api']));

    const found = await ok<{ lines: Line[] }>('log_search', { target: 'all', pattern: '^ticker', limit: 3 });
    expect(found.lines.length).toBeGreaterThan(0);
    expect(found.lines.every((line) => line.a === 'api')).toBe(true);

    const byRegex = await ok<{ lines: Line[] }>('log_search', {
      target: '/^a/',
      pattern: 'ticker',
      limit: 2,
    });
    expect(byRegex.lines.every((line) => line.a === 'api')).toBe(true);
  });

  it('are lines of each app, as the lines argument says', async () => {
    const { tools } = await client.listTools();
    const lines = tools.find((tool) => tool.name === 'log_read')?.inputSchema.properties?.lines;
    expect((lines as { description?: string } | undefined)?.description).toContain('of each app');
    // api and huge log, web is silent: one line each
    const read = await ok<Line[]>('log_read', { target: 'all', lines: 1 });
    expect(read.map((line) => line.a).sort()).toEqual(['api', 'huge']);
  });

  it('leave the app out when the target names it, by name or by id', async () => {
    const [api] = await ok<Row[]>('process_info', { target: 'api' });
    for (const target of ['api', String(api!.i)]) {
      const read = await ok<Line[]>('log_read', { target, lines: 3 });
      expect(read.length).toBeGreaterThan(0);
      expect(read.every((line) => line.a === undefined)).toBe(true);
      const found = await ok<{ lines: Line[] }>('log_search', { target, pattern: 'ticker', limit: 2 });
      expect(found.lines.every((line) => line.a === undefined)).toBe(true);
    }
  });
});

describe('log_read and velos logs --ai', () => {
  it('give each line its level (l), in the same keys', async () => {
    const read = await ok<Line[]>('log_read', { target: 'api', lines: 3, stream: 'out' });
    const { stdout } = await velosOk(['logs', 'api', '--lines', '3', '--out', '--ai'], { home });
    const cli = JSON.parse(stdout) as Line[];
    // ticker.js's stdout lines are plain text (`ticker <pid> line <n>`): judged info
    expect(read.map((line) => line.l)).toEqual(['info', 'info', 'info']);
    expect(cli.map((line) => Object.keys(line).sort())).toEqual(read.map((line) => Object.keys(line).sort()));
  });
});

describe('a huge log line', () => {
  it('is cut in log_read and log_search answers, saying how much was left out', async () => {
    const message = `long:${'y'.repeat(LONG_CHARS)}:end`;
    const cut = `${message.slice(0, 2000)}… (${message.length - 2000} more characters)`;
    const read = await call('log_read', { target: 'huge', lines: 5 });
    expect(read.isError).toBe(false);
    expect(read.text.length).toBeLessThan(5000);
    expect((JSON.parse(read.text) as Line[]).map((line) => line.m)).toContain(cut);

    const found = await call('log_search', { target: 'huge', pattern: 'y{100}' });
    expect(found.text.length).toBeLessThan(5000);
    expect((JSON.parse(found.text) as { lines: Line[] }).lines.map((line) => line.m)).toEqual([cut]);

    // velos logs --ai cuts it the same way (it printed all 300 KB), --json gives it whole
    const [ai, json] = await Promise.all([
      velosOk(['logs', 'huge', '--lines', '5', '--ai'], { home }),
      velosOk(['logs', 'huge', '--lines', '5', '--json'], { home }),
    ]);
    expect(ai.stdout.length).toBeLessThan(5000);
    expect((JSON.parse(ai.stdout) as Line[]).map((line) => line.m)).toContain(cut);
    const whole = json.stdout.trim().split('\n');
    expect(whole.map((line) => (JSON.parse(line) as { line: string }).line)).toContain(message);
  });
});

describe('config_set', () => {
  it('does what the example of its changes argument says: one variable set, the others kept', async () => {
    const { tools } = await client.listTools();
    const changesField = tools.find((tool) => tool.name === 'config_set')?.inputSchema.properties?.changes;
    const description = (changesField as { description?: string } | undefined)?.description ?? '';
    const changes = JSON.parse(exampleOf(description)) as Record<string, unknown>;
    const answer = await ok<{ set: string[]; cfg: { env?: Record<string, string> } }>('config_set', {
      target: 'api',
      changes,
    });
    expect(answer.set).toEqual(Object.keys(changes));
    // the variable the example sets, beside the ones the app had
    expect(answer.cfg.env).toMatchObject({ KEEP_ME: 'yes', TICK_MS: '300', LOG_LEVEL: 'debug' });
    const toml = (await call('config_get', { target: 'api' })).text;
    expect(toml).toContain('KEEP_ME = "yes"');
  });

  it('refuses the **** config_get shows for a secret, sent back in its place, changing nothing', async () => {
    const secrets = { DB_PASSWORD: 'hunter2', DATABASE_URL: 'postgres://u:pw1@db/x' };
    await ok('config_set', { target: 'web', changes: { 'env.DB_PASSWORD': secrets.DB_PASSWORD } });
    await ok('config_set', { target: 'web', changes: { 'env.DATABASE_URL': secrets.DATABASE_URL } });
    const toml = (await call('config_get', { target: 'web' })).text;
    expect(toml).toContain('DB_PASSWORD = "****"');
    expect(toml).toContain('DATABASE_URL = "postgres://u:****@db/x"');
    // the table config_get showed, sent back with one variable added: every secret became ****
    const table = { DB_PASSWORD: '****', DATABASE_URL: 'postgres://u:****@db/x', NEW: 'x' };
    expect(await call('config_set', { target: 'web', changes: { env: table } })).toEqual({
      isError: true,
      text: 'INVALID_ARGUMENT: web: env.DB_PASSWORD, env.DATABASE_URL: their values hold the **** shown in place of a secret (config show, config_get, GET /config), not the secret, so nothing changed; set only the variables that change (env.KEY), which keeps the others, or give the real values (velos config show --show-secrets prints them)',
    });
    const edited = await call('config_set', {
      target: 'web',
      changes: { 'env.DATABASE_URL': 'postgres://u:****@db/y' },
    });
    expect(edited.text).toMatch(/^INVALID_ARGUMENT: web: env\.DATABASE_URL: its value holds the \*{4} /);
    const env = JSON.parse((await velosOk(['env', 'web', '--show-secrets', '--json'], { home })).stdout);
    expect(env).toMatchObject(secrets);
    expect(env.NEW).toBeUndefined();
  });

  it('process_restart and process_reload refuse the **** shown for a secret the app inherits, changing nothing', async () => {
    // given by a restart's env, API_TOKEN is inherited, not the app's own: a read shows it as ****
    await ok('process_restart', { target: 'web', env: { API_TOKEN: 'tok-1' } });
    const shown = JSON.parse((await velosOk(['env', 'web', '--json'], { home })).stdout);
    expect(shown.API_TOKEN).toBe('****');
    for (const tool of ['process_restart', 'process_reload']) {
      expect(await call(tool, { target: 'web', env: { API_TOKEN: '****' } }), tool).toEqual({
        isError: true,
        text: 'INVALID_ARGUMENT: web: env.API_TOKEN: its value holds the **** shown in place of a secret (config show, config_get, GET /config), not the secret, so nothing changed; set only the variables that change (env.KEY), which keeps the others, or give the real value (velos config show --show-secrets prints it)',
      });
    }
    const env = JSON.parse((await velosOk(['env', 'web', '--show-secrets', '--json'], { home })).stdout);
    expect(env.API_TOKEN).toBe('tok-1');
  });

  it('refuses a script that is not there as a start does, leaving the running app alone', async () => {
    const [before] = await ok<{ p: number }[]>('process_info', { target: 'api' });
    const refused = await call('config_set', { target: 'api', changes: { script: 'missing.js' } });
    expect(refused).toEqual({
      isError: true,
      text: `INVALID_ARGUMENT: api cannot start: script not found: ${join(home, 'missing.js')}`,
    });
    const [after] = await ok<{ p: number }[]>('process_info', { target: 'api' });
    expect(after!.p).toBe(before!.p);
  });
});

describe('metrics_snapshot', () => {
  it('matches a target as every other tool does: a name before a namespace of that name', async () => {
    const listed = await ok<Row[]>('process_info', { target: 'api' });
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.every((row) => row.n === 'api')).toBe(true);
    const snapshot = await ok<{ ps: { i: number; n: string }[] }>('metrics_snapshot', { target: 'api' });
    expect(snapshot.ps.map((p) => p.i)).toEqual(listed.map((row) => row.i));
  });

  it('names the app a misspelt target likely meant, in the words of every other tool', async () => {
    const info = await call('process_info', { target: 'hug' });
    expect(info.text).toMatch(
      /^TARGET_NOT_FOUND: no process matches 'hug' \(did you mean 'huge'\?\); processes: /,
    );
    expect(await call('metrics_snapshot', { target: 'hug' })).toEqual(info);
  });
});

describe('process_start and process_restart refuse what no app could run with', () => {
  it('refuses a script of whitespace and environment names with = or none, starting nothing', async () => {
    const before = await ok<Row[]>('process_list');
    const blank = await call('process_start', { script: '   ' });
    expect(blank).toEqual({
      isError: true,
      text: 'INVALID_ARGUMENT: script: expected a file, a program or a command line, got only whitespace',
    });
    const named = await call('process_start', { script: 'silent.js', name: 'eq', env: { 'A=B': 'x' } });
    expect(named).toEqual({
      isError: true,
      text: 'INVALID_ARGUMENT: env.A=B: expected a variable name (not empty, without = or NUL), got "A=B"',
    });
    const empty = await call('process_restart', { target: 'api', env: { '': 'x' } });
    expect(empty.isError).toBe(true);
    expect(empty.text).toContain('expected a variable name');
    const nul = await call('process_start', { script: 'silent.js', name: 'nul', env: { A: 'x\u0000y' } });
    expect(nul.text).toBe(
      'INVALID_ARGUMENT: env.A: expected a value without NUL characters, got "x\\u0000y"',
    );
    const after = await ok<Row[]>('process_list');
    expect(after.map((row) => [row.i, row.n])).toEqual(before.map((row) => [row.i, row.n]));
  });
});

describe('the logs of one instance of a cluster app', () => {
  type Summary = { app: string; shared?: number[]; n: number; top?: { t: string; c: number }[] };
  type Search = { shared?: number[]; lines: Line[] };

  it("are that instance's own with log_per_instance, and said to be every instance's when they share their files", async () => {
    const file = join(home, 'instances.toml');
    const app = (name: string, own: boolean) =>
      [
        '[[apps]]',
        `name = "${name}"`,
        `script = ${JSON.stringify(join(FIXTURES, 'instance-lines.js'))}`,
        'exec_mode = "cluster"',
        'instances = 2',
        ...(own ? ['log_per_instance = true'] : []),
        'env = { COUNT = "5" }',
        '',
      ].join('\n');
    writeFileSync(file, `${app('own', true)}\n${app('mixed', false)}`);
    const rows = await ok<Row[]>('process_start', { config: file });
    const idsOf = (name: string) => rows.filter((row) => row.n === name).map((row) => row.i);
    const [own0, own1] = idsOf('own');
    const mixed = idsOf('mixed');
    // every worker printed its 5 lines (i0 1 … i1 5) to the files
    await waitFor(
      async () =>
        (await ok<Search>('log_search', { target: 'own' })).lines.length === 10 &&
        (await ok<Search>('log_search', { target: 'mixed' })).lines.length === 10,
      { timeoutMs: 20_000, message: 'the lines of both apps in their files' },
    );

    // log_per_instance: each instance writes its own files, and the files of the instance are read (the
    // app's own-out.log, which nobody writes, was read: no line at all, health 100)
    const whole = await ok<Summary>('log_summary', { target: 'own' });
    expect(whole).toMatchObject({ app: 'own', n: 10 });
    expect(whole.shared).toBeUndefined();
    const one = await ok<Summary>('log_summary', { target: String(own1) });
    expect(one).toMatchObject({ app: 'own', n: 5, top: [{ t: 'i1 <num>', c: 5 }] });
    expect(one.shared).toBeUndefined();
    const found = await ok<Search>('log_search', { target: String(own0) });
    expect(found.lines.map((line) => line.m)).toEqual(['i0 1', 'i0 2', 'i0 3', 'i0 4', 'i0 5']);

    // shared files: the answer is of both instances, and says so
    const sharedSummary = await ok<Summary>('log_summary', { target: String(mixed[1]) });
    expect(sharedSummary).toMatchObject({ app: 'mixed', shared: mixed, n: 10 });
    const sharedSearch = await ok<Search>('log_search', { target: String(mixed[1]) });
    expect(sharedSearch.shared).toEqual(mixed);
    expect(sharedSearch.lines).toHaveLength(10);
    expect((await ok<Summary>('log_summary', { target: 'mixed' })).shared).toBeUndefined();
    await ok<Row[]>('process_delete', { target: 'own' });
    await ok<Row[]>('process_delete', { target: 'mixed' });
  }, 60_000);
});

describe('process_scale', () => {
  it('answers an added instance that crashes at once with its exit and err tail, not on', async () => {
    // a fork app on a fixed port: its second instance finds the port taken by the first. The answer
    // waits for an added instance's min_uptime, counted from its spawn: with the default 1 s a loaded
    // machine had not yet run the second's Node to its failed listen (answered `on`, as promised), so
    // the app asks for the 3 s the answer waits at most; and the scale waits for the first to listen.
    const port = await freePort();
    const config = join(home, 'fixed-port.toml');
    writeFileSync(
      config,
      [
        '[[apps]]',
        'name = "fixed-port"',
        `script = ${JSON.stringify(join(FIXTURES, 'server.js'))}`,
        'min_uptime = "3s"',
        `env = { PORT = "${port}" }`,
        '',
      ].join('\n'),
    );
    const [first] = await ok<(Row & { exit?: unknown })[]>('process_start', { config });
    expect(first).toMatchObject({ n: 'fixed-port', s: 'on' });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/`)).ok, {
      message: 'the first instance listening',
    });
    const rows = await ok<(Row & { exit?: { why: string }; tail?: string[] })[]>('process_scale', {
      name: 'fixed-port',
      instances: 2,
    });
    expect(rows).toHaveLength(2);
    expect(rows[0]!.exit, JSON.stringify(rows[0])).toBeUndefined();
    expect(rows[1], JSON.stringify(rows[1])).toMatchObject({ exit: { why: 'crash' } });
    // Node's message, not the last 5 lines of its output (the error's fields, a blank line, its version)
    expect(rows[1]!.tail?.[0]).toMatch(/^Error: listen EADDRINUSE/);
    await ok<Row[]>('process_delete', { target: 'fixed-port' });
  }, 60_000);
});
