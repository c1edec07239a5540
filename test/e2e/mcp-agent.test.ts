import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './free-port.js';
import { cleanupHomes, createHome, FIXTURES, isAlive, readPidFile, velosOk, waitFor } from './helpers.js';
import { connectMcpStdio } from './mcp-stdio.js';

// What an AI agent meets over a whole MCP session (docs/mcp.md): the daemon going away under it,
// apps that never get ready, and the answers it acts on without another call.

interface Session {
  client: Client;
  kill: () => void;
}

const sessions: Session[] = [];

async function openSession(home: string): Promise<Client> {
  const session = await connectMcpStdio(home, 'velos-agent-e2e');
  sessions.push(session);
  return session.client;
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = (await client.callTool({ name, arguments: args })) as {
    content: { type: string; text: string }[];
    isError?: boolean;
  };
  return { text: result.content[0]?.text ?? '', isError: result.isError === true };
}

async function ok<T>(client: Client, name: string, args: Record<string, unknown> = {}): Promise<T> {
  const answer = await call(client, name, args);
  if (answer.isError) throw new Error(`${name} failed: ${answer.text}`);
  return JSON.parse(answer.text) as T;
}

type Row = { i: number; n: string; s: string; p?: number; m?: string };

afterEach(async () => {
  for (const session of sessions.splice(0)) {
    await session.client.close().catch(() => undefined);
    session.kill();
  }
  await cleanupHomes();
}, 60_000);

describe('velos mcp and the daemon of its home', () => {
  it('starts the daemon for the first call, and never again once the user stopped it', async () => {
    const home = createHome();
    const client = await openSession(home);
    expect(readPidFile(home)).toBeNull();
    expect(await ok<Row[]>(client, 'process_list')).toEqual([]);
    const daemonPid = readPidFile(home);
    expect(daemonPid).not.toBeNull();

    await ok<Row[]>(client, 'process_start', { script: join(FIXTURES, 'ticker.js'), name: 'tick' });
    await velosOk(['kill'], { home });
    await waitFor(() => !isAlive(daemonPid!), { message: 'the daemon gone after velos kill' });

    const answer = await call(client, 'process_list');
    expect(answer.isError).toBe(true);
    expect(answer.text).toMatch(/^DAEMON_UNAVAILABLE: .*not running.*velos resurrect/);
    expect(answer.text).not.toContain('\n');
    // a daemon started behind the user's back would have restored `tick`
    expect(readPidFile(home)).toBeNull();

    // once the user starts it again, the session reconnects
    await velosOk(['resurrect'], { home });
    const rows = await waitFor(async () => {
      const list = await call(client, 'process_list');
      return list.isError ? null : (JSON.parse(list.text) as Row[]);
    });
    expect(rows.map((row) => row.n)).toEqual(['tick']);
  }, 90_000);
});

describe('an app held back by a dependency that never gets healthy', () => {
  it('health_check names what it waits for, process_info its depends_on; replace applies an edited file', async () => {
    const home = createHome();
    const port = await freePort();
    const dir = join(home, 'project');
    mkdirSync(dir);
    const config = join(dir, 'velos.json');
    const apps = (webEnv: Record<string, string>) => ({
      apps: [
        {
          name: 'db',
          script: join(FIXTURES, 'health-server.js'),
          env: { PORT: String(port), READY_FAIL: '1' },
          readiness_probe: {
            http: `http://127.0.0.1:${port}/ready`,
            interval: '200ms',
            failure_threshold: 1,
          },
        },
        {
          name: 'web',
          script: join(FIXTURES, 'ticker.js'),
          env: webEnv,
          depends_on: { db: 'healthy' },
        },
      ],
    });
    writeFileSync(config, JSON.stringify(apps({})));
    const client = await openSession(home);
    const started = await ok<Row[]>(client, 'process_start', { config });
    expect(started.map((row) => row.n).sort()).toEqual(['db', 'web']);
    // a process not sampled yet has no memory figure, not "0B"
    for (const row of started) expect(row.m).not.toBe('0B');

    type Health = { s: string; bad?: { n: string; issues: string[] }[]; ok?: string[] };
    const health = await waitFor(async () => {
      const answer = await ok<Health>(client, 'health_check');
      return answer.bad?.some((p) => p.n === 'db' && p.issues.includes('not ready')) ? answer : null;
    });
    expect(health.ok ?? []).not.toContain('web');
    expect(health.bad?.find((p) => p.n === 'web')?.issues).toEqual(['not started: waiting for db (healthy)']);
    const [web] = await ok<{ s: string; dep?: Record<string, string> }[]>(client, 'process_info', {
      target: 'web',
    });
    expect(web).toMatchObject({ s: 'start', dep: { db: 'healthy' } });
    // a misspelt target comes back with the name it was likely meant to be and the names there are
    expect(await call(client, 'process_info', { target: 'wbe' })).toEqual({
      isError: true,
      text: "TARGET_NOT_FOUND: no process matches 'wbe' (did you mean 'web'?); processes: db, web",
    });
    // the events filter too, though it also looks among the events held
    expect(await call(client, 'events_list', { target: 'wbe' })).toEqual({
      isError: true,
      text: "TARGET_NOT_FOUND: no process matches 'wbe', and no event names it (did you mean 'web'?); processes: db, web",
    });

    // the file edited: a second start is refused with what to do, and replace applies it
    writeFileSync(config, JSON.stringify(apps({ EDITED: '1' })));
    const refused = await call(client, 'process_start', { config });
    expect(refused.isError).toBe(true);
    expect(refused.text).toMatch(/^NAME_IN_USE: .*call again with replace: true/);
    const replaced = await ok<Row[]>(client, 'process_start', { config, replace: true });
    expect(replaced.map((row) => row.n).sort()).toEqual(['db', 'web']);
    const [full] = await ok<{ spec: { env?: Record<string, string>; envKeys?: string[] } }[]>(
      client,
      'process_info',
      { target: 'web', detail: 'full' },
    );
    expect(full!.spec.envKeys).toContain('EDITED');
  }, 90_000);
});
