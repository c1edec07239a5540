import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { LogLine, LogsResult, LogsSearchResult, VelosControl, VelosEvent } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { ANSWER_BYTES_MAX, newestThatFit } from '../src/answer-budget.js';
import { createVelosMcpServer } from '../src/server.js';

const LINES = 5000;
const AT = 1_800_000_000_000;

/** `count` lines of app `api`, oldest first, each about 200 characters. */
function manyLines(count: number): LogLine[] {
  return Array.from({ length: count }, (_, n) => ({
    ts: AT + n,
    stream: 'out' as const,
    id: 0,
    name: 'api',
    pid: null,
    line: `line ${n} ${'x'.repeat(190)}`,
  }));
}

/** Calls `tool` with `args` on a server over `control`; gives the text of the answer. */
async function call(control: Partial<VelosControl>, tool: string, args: Record<string, unknown>) {
  const server = createVelosMcpServer({ control: control as VelosControl });
  const client = new Client({ name: 't', version: '1' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  await client.connect(clientSide);
  try {
    const result = (await client.callTool({ name: tool, arguments: args })) as {
      content: { text: string }[];
      isError?: boolean;
    };
    expect(result.isError).toBeFalsy();
    return result.content[0]!.text;
  } finally {
    await client.close();
    await server.close();
  }
}

describe('newestThatFit', () => {
  it('keeps the newest items that fit and counts the older ones it left out', () => {
    const items = ['aaaa', 'bbbb', 'cccc'];
    // each is 6 bytes of JSON and a comma
    expect(newestThatFit(items, 14)).toEqual({ kept: ['bbbb', 'cccc'], dropped: 1 });
    expect(newestThatFit(items, 100)).toEqual({ kept: items, dropped: 0 });
  });

  it('keeps the newest item even when it alone is over the budget', () => {
    expect(newestThatFit(['a', 'b'.repeat(50)], 10)).toEqual({ kept: ['b'.repeat(50)], dropped: 1 });
  });
});

describe('answers of many lines or events', () => {
  it('log_search keeps the newest matches that fit and says how many older ones it left out', async () => {
    const lines = manyLines(LINES);
    const searchLogs = async (): Promise<LogsSearchResult> => ({
      lines,
      scanned: { lines: 20_000, files: [] },
      cut: { maxBytes: 1 << 20, omittedLines: 7, files: [] },
    });
    const text = await call({ searchLogs }, 'log_search', { target: 'api', limit: 10_000 });
    expect(Buffer.byteLength(text)).toBeLessThan(ANSWER_BYTES_MAX + 200);
    const answer = JSON.parse(text) as { lines: { m: string }[]; omitted: number; scanned: number };
    expect(answer.lines.at(-1)!.m).toMatch(`line ${LINES - 1} `);
    expect(answer.omitted).toBe(LINES - answer.lines.length + 7);
    expect(answer.scanned).toBe(20_000);
  });

  it('log_read keeps the newest lines that fit and says how many it left out', async () => {
    const logsResult = async (): Promise<LogsResult> => ({ lines: manyLines(LINES) });
    const text = await call({ logsResult }, 'log_read', { target: 'api', lines: 1000 });
    expect(Buffer.byteLength(text)).toBeLessThan(ANSWER_BYTES_MAX + 200);
    const answer = JSON.parse(text) as { lines: { m: string }[]; omitted: number };
    expect(answer.lines.at(-1)!.m).toMatch(`line ${LINES - 1} `);
    expect(answer.omitted).toBe(LINES - answer.lines.length);
  });

  it('events_list keeps the newest events that fit and says more', async () => {
    const events: VelosEvent[] = Array.from({ length: 1000 }, (_, n) => ({
      seq: n,
      at: AT + n * 1000,
      kind: 'app.deploy',
      severity: 'info',
      app: 'api',
      message: `event ${n} ${'y'.repeat(190)}`,
    }));
    const text = await call({ events: async () => ({ events, hasMore: false }) }, 'events_list', {
      limit: 1000,
    });
    expect(Buffer.byteLength(text)).toBeLessThan(ANSWER_BYTES_MAX + 200);
    const answer = JSON.parse(text) as { ev: { m: string }[]; more?: boolean };
    expect(answer.ev.at(-1)!.m).toMatch('event 999 ');
    expect(answer.more).toBe(true);
  });

  it("log_read of one instance sharing its app's files says where its older lines are", async () => {
    const logsResult = async (): Promise<LogsResult> => ({
      lines: manyLines(3),
      unattributed: ['/home/u/.velos/logs/api-out.log'],
    });
    const answer = JSON.parse(await call({ logsResult }, 'log_read', { target: '2', lines: 50 }));
    expect(answer).toMatchObject({ olderIn: ['/home/u/.velos/logs/api-out.log'] });
    expect(answer.lines).toHaveLength(3);
  });

  it('log_read of a target whose log file was removed under the daemon names it (missing)', async () => {
    const logsResult = async (): Promise<LogsResult> => ({
      lines: manyLines(3),
      missingFiles: ['/home/u/.velos/logs/api-out.log'],
      missingHeldLines: [3],
    });
    const answer = JSON.parse(await call({ logsResult }, 'log_read', { target: 'api', lines: 500 }));
    expect(answer).toMatchObject({ missing: ['/home/u/.velos/logs/api-out.log'] });
    expect(answer.lines).toHaveLength(3);
  });

  it('a small answer is left whole', async () => {
    const logsResult = async (): Promise<LogsResult> => ({ lines: manyLines(3) });
    const answer = JSON.parse(await call({ logsResult }, 'log_read', { target: 'api' })) as unknown[];
    expect(answer).toHaveLength(3);
  });
});
