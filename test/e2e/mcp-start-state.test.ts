import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  deleteApps,
  FIXTURES,
  killChild,
  listState,
  readPidFile,
  spawnVelos,
  velosOk,
  waitFor,
} from './helpers.js';
import { connectMcpStdio, type McpSession } from './mcp-stdio.js';

/** What a call may take here: far below the `listen_timeout` of the app that never gets ready. */
const ANSWER_TIMEOUT_MS = 15_000;
const NEVER_READY_TIMEOUT_MS = 120_000;

type Row = {
  i: number;
  n: string;
  s: string;
  p?: number;
  u?: string;
  r: number;
  exit?: { code: number | null; sig?: string; why: string };
  tail?: string[];
};

const mcpSessions: McpSession[] = [];

afterEach(async () => {
  for (const session of mcpSessions.splice(0)) session.kill();
  await cleanupHomes();
}, 60_000);

/** The SDK's client on `velos mcp` over stdio, for `home`; its pid is killed after the test. */
async function connect(home: string): Promise<Client> {
  const session = await connectMcpStdio(home, 'velos-e2e-start-state', ANSWER_TIMEOUT_MS);
  mcpSessions.push(session);
  return session.client;
}

/** A tool's answer, parsed; fails on a tool error or when it takes longer than `ANSWER_TIMEOUT_MS`. */
async function ok<T>(client: Client, name: string, args: Record<string, unknown> = {}): Promise<T> {
  const begun = Date.now();
  const result = (await client
    .callTool({ name, arguments: args }, undefined, { timeout: ANSWER_TIMEOUT_MS })
    .catch((error: unknown) => {
      // the SDK's timeout names no call: which one took too long is what tells a slow machine from a hang
      throw new Error(`${name} ${JSON.stringify(args)} after ${Date.now() - begun} ms: ${String(error)}`);
    })) as { content: { text: string }[]; isError?: boolean };
  const text = result.content[0]?.text ?? '';
  if (result.isError) throw new Error(`${name} failed: ${text}`);
  return JSON.parse(text) as T;
}

describe('velos mcp while apps start (the SDK client over stdio)', () => {
  it("answers the session's first calls while a restored wait_ready app is not ready yet", async () => {
    const home = createHome();
    // saved while it waits for a 'ready' that never comes (its start goes on in the background)
    const start = spawnVelos(
      [
        'start',
        join(FIXTURES, 'wait-ready.js'),
        '--name',
        'slow',
        '--wait-ready',
        '--listen-timeout',
        String(NEVER_READY_TIMEOUT_MS),
      ],
      { home, env: { NEVER_READY: '1' } },
    );
    await waitFor(async () => (await listState(home)).some((row) => row.name === 'slow' && row.pid), {
      message: 'slow spawned',
    });
    await velosOk(['save'], { home });
    const oldDaemon = readPidFile(home);
    await velosOk(['kill'], { home });
    killChild(start);

    // the session's first connection starts the daemon, which restores `slow`
    const client = await connect(home);
    const rows = await ok<Row[]>(client, 'process_list');
    expect(readPidFile(home)).not.toBe(oldDaemon);
    const slow = rows.find((row) => row.n === 'slow');
    expect(slow).toMatchObject({ s: 'start' });
    expect(slow?.p).toBeGreaterThan(0);
    const health = await ok<{ bad?: { n: string; issues: string[] }[] }>(client, 'health_check');
    expect(health.bad?.find((entry) => entry.n === 'slow')?.issues.join('; ')).toMatch(/starting/);
    await client.close();
  }, 60_000);

  it('answers a process_start of an app that exits at once with its exit and the tail of its err log', async () => {
    const home = createHome();
    // min_uptime 3 s: on a loaded machine Node alone may take over the default 1 s to reach its exit
    const file = join(home, 'velos.toml');
    writeFileSync(
      file,
      `[[apps]]\nname = "crashy"\nscript = ${JSON.stringify(join(FIXTURES, 'crash-after.js'))}\nmin_uptime = 3000\nenv = { CRASH_AFTER_MS = "0", EXIT_CODE = "3" }\n`,
    );
    const client = await connect(home);
    const [crashed] = await ok<Row[]>(client, 'process_start', { config: file });
    expect(crashed).toMatchObject({ n: 'crashy', exit: { code: 3, why: 'crash' } });
    // it ran again since (r) or waits to: never an `on` without a word of the crash
    expect(crashed!.r >= 1 || crashed!.s !== 'on').toBe(true);
    expect(crashed!.tail?.join('\n')).toContain('crashing with exit code 3');
    // answered: its crash loop (a Node start every few hundred ms) would only load the machine from here on
    await deleteApps(home, ['crashy']);

    // in cluster mode too: its workers start without a pid until the primary forks them (it answered
    // `start` at once, with neither exit nor tail); on a loaded machine the primary may fork them only
    // after 3 s, and one was answered `on` (u 0s) then (the wait is for the workers' own uptime now);
    // min_uptime 3 s, as crashy's, for the time a loaded worker takes from online to its exit
    const clusterFile = join(home, 'cluster.toml');
    writeFileSync(
      clusterFile,
      `[[apps]]\nname = "crashy-cluster"\nscript = ${JSON.stringify(join(FIXTURES, 'crash-after.js'))}\nexec_mode = "cluster"\ninstances = 2\nmin_uptime = 3000\nenv = { CRASH_AFTER_MS = "0", EXIT_CODE = "4" }\n`,
    );
    const workers = await ok<Row[]>(client, 'process_start', { config: clusterFile });
    expect(workers).toHaveLength(2);
    for (const worker of workers) {
      expect(worker, JSON.stringify(worker)).toMatchObject({
        n: 'crashy-cluster',
        exit: { code: 4, why: 'crash' },
      });
      expect(worker.tail?.join('\n')).toContain('crashing with exit code 4');
    }
    await deleteApps(home, ['crashy-cluster']);

    // an app that stays up is answered `on` once it ran its min_uptime, without exit
    const [up] = await ok<Row[]>(client, 'process_start', { script: 'ticker.js', name: 'up' });
    expect(up).toMatchObject({ n: 'up', s: 'on', r: 0 });
    expect(up!.exit).toBeUndefined();
    expect(up!.u).not.toBe('0s');

    // a restart is waited for the same way: an app that crashes at once after a change (its code
    // broken meanwhile) is told, not answered `on`
    const broken = join(home, 'broken');
    const script = join(home, 'fixed.js');
    writeFileSync(
      script,
      `if (require('node:fs').existsSync(${JSON.stringify(broken)})) {\n  console.error('crashing with exit code 5');\n  process.exit(5);\n}\nsetInterval(() => {}, 1000);\n`,
    );
    // min_uptime 3 s, as crashy's: a loaded machine's Node may take over 1 s to reach its exit
    const fixedFile = join(home, 'fixed.toml');
    writeFileSync(
      fixedFile,
      `[[apps]]\nname = "fixed"\nscript = ${JSON.stringify(script)}\nmin_uptime = 3000\n`,
    );
    const [first] = await ok<Row[]>(client, 'process_start', { config: fixedFile });
    expect(first).toMatchObject({ n: 'fixed', s: 'on' });
    writeFileSync(broken, '');
    const [again] = await ok<Row[]>(client, 'process_restart', { target: 'fixed' });
    expect(again, JSON.stringify(again)).toMatchObject({ n: 'fixed', exit: { code: 5, why: 'crash' } });
    expect(again!.tail?.join('\n')).toContain('crashing with exit code 5');
    await deleteApps(home, ['fixed']);
    const [fine] = await ok<Row[]>(client, 'process_restart', {
      target: 'up',
    });
    expect(fine).toMatchObject({ n: 'up', s: 'on' });
    expect(fine!.exit).toBeUndefined();
    expect(fine!.u).not.toBe('0s');
    await client.close();
  }, 90_000);
});
