import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  FIXTURES,
  isAlive,
  killPid,
  readPidFile,
  VELOS_BIN,
  velosOk,
  waitFor,
} from './helpers.js';

// What an AI agent meets over a whole MCP session (docs/mcp.md): the daemon going away under it,
// apps that never get ready, and the answers it acts on without another call.

interface Session {
  client: Client;
  pid: number | undefined;
}

const sessions: Session[] = [];

async function openSession(home: string): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [VELOS_BIN, 'mcp'],
    env: { ...(process.env as Record<string, string>), VELOS_HOME: home },
    cwd: FIXTURES,
    stderr: 'pipe',
  });
  const client = new Client({ name: 'velos-agent-e2e', version: '1.0.0' });
  await client.connect(transport);
  sessions.push({ client, pid: transport.pid ?? undefined });
  return client;
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
    killPid(session.pid);
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
