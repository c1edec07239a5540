import type { ChildProcess } from 'node:child_process';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnVelos } from '../e2e/helpers.js';
import {
  cleanupHomes,
  expectHealthy,
  type FuzzDaemon,
  isAlive,
  killChild,
  rssMb,
  startFuzzDaemon,
} from './support/daemon.js';
import { edgeToolCalls, isInternal } from './support/edge-targets.js';
import { cases, runsFor, show } from './support/fuzz-config.js';
import { nest } from './support/schema-fuzz.js';

interface Tool {
  name: string;
  inputSchema: { properties?: Record<string, unknown> };
  annotations?: { readOnlyHint?: boolean };
}

interface Answer {
  jsonrpc?: string;
  id?: unknown;
  result?: { isError?: boolean; content?: { type: string; text: string }[]; tools?: Tool[] };
  error?: { code: number; message: string };
}

/** A line to write to the server's stdin; `id` is set when it is a request that must be answered. */
interface McpCase {
  kind: string;
  line: string;
  id: number | null;
}

/** `velos mcp` as a raw newline-delimited JSON-RPC peer. */
class McpPeer {
  readonly answers = new Map<unknown, Answer>();
  readonly badLines: string[] = [];
  private buffer = '';
  /** Waiters of `answer`, woken when an answer arrives. */
  private readonly arrived = new Set<() => void>();

  constructor(readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.buffer += chunk;
      const lines = this.buffer.split('\n');
      this.buffer = lines.pop()!;
      for (const line of lines) {
        if (!line.trim()) continue;
        try {
          const answer = JSON.parse(line) as Answer;
          this.answers.set(answer.id, answer);
          for (const wake of this.arrived) wake();
          this.arrived.clear();
        } catch {
          this.badLines.push(line);
        }
      }
    });
  }

  write(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  async answer(id: number, timeoutMs = 30_000): Promise<Answer> {
    const deadline = Date.now() + timeoutMs;
    while (!this.answers.has(id)) {
      if (this.child.exitCode !== null || this.child.signalCode !== null)
        throw new Error(`velos mcp exited (${this.child.exitCode ?? this.child.signalCode})`);
      if (Date.now() > deadline) throw new Error(`no answer to request ${id} within ${timeoutMs} ms`);
      // woken by the next answer (or after 50 ms, to look at the exit and the deadline again)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(wake, 50);
        function wake() {
          clearTimeout(timer);
          resolve();
        }
        this.arrived.add(wake);
      });
    }
    const answer = this.answers.get(id)!;
    this.answers.delete(id);
    return answer;
  }
}

const jsonWrong: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom<unknown>('', 'all', '-1', 'SIGKILL', 'x'.repeat(5000), null, 0, -1, 1e308, true, [], {}),
  fc.nat({ max: 40 }).map(nest),
);

function casesFor(
  tools: Tool[],
): fc.Arbitrary<Omit<McpCase, 'id'> & { request: boolean; build: (id: number) => string }> {
  const toolCall = fc.constantFrom(...tools).chain((tool) => {
    const keys = Object.keys(tool.inputSchema.properties ?? {});
    const key = keys.length
      ? fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 8 }))
      : fc.string({ maxLength: 8 });
    const args = fc.oneof(
      { arbitrary: fc.dictionary(key, jsonWrong, { maxKeys: 4 }), weight: 6 },
      { arbitrary: jsonWrong, weight: 2 },
      { arbitrary: fc.constant(undefined), weight: 1 },
    );
    const name = fc.oneof(
      { arbitrary: fc.constant(tool.name), weight: 8 },
      { arbitrary: fc.string({ maxLength: 20 }), weight: 1 },
    );
    return fc.tuple(name, args).map(([n, a]) => ({
      kind: 'tools/call',
      request: true,
      line: '',
      build: (id: number) =>
        JSON.stringify({
          jsonrpc: '2.0',
          id,
          method: 'tools/call',
          params: a === undefined ? { name: n } : { name: n, arguments: a },
        }),
    }));
  });
  const badRequest = fc
    .record({
      method: fc.oneof(
        fc.constantFrom(
          'tools/call',
          'tools/list',
          'resources/list',
          'prompts/get',
          'initialize',
          'logging/setLevel',
          'completion/complete',
          'ping',
        ),
        fc.string({ maxLength: 20 }),
      ),
      params: fc.option(jsonWrong, { nil: undefined }),
      jsonrpc: fc.constantFrom('2.0', '2.0', '1.0', 2, undefined),
    })
    .map((r) => ({
      kind: 'random method',
      // answered even when it is not valid JSON-RPC 2.0 (-32600 Invalid Request with its id)
      request: true,
      line: '',
      build: (id: number) => JSON.stringify({ ...r, id }),
    }));
  const garbage = fc
    .oneof(
      fc.string({ maxLength: 200 }),
      fc.constantFrom(
        '{',
        '{"jsonrpc":"2.0"',
        '[]',
        '[{}]',
        'null',
        '42',
        '"x"',
        '{"jsonrpc":"2.0","id":{},"method":"ping"}',
        '{"jsonrpc":"2.0","id":null,"method":"ping"}',
        '{"jsonrpc":"2.0","id":1.5,"method":"tools/list"}',
        '{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":99999}}',
        '\u0000\u0001',
        '{"__proto__":{"polluted":1}}',
      ),
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null'),
      fc.integer({ min: 100, max: 50_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
      fc.constant(`{"jsonrpc":"2.0","method":"ping","x":"${'x'.repeat(1024 * 1024)}"}`),
    )
    .filter((line) => !line.includes('\n') && !line.includes('\r'))
    .map((line) => ({ kind: 'garbage line', request: false, line, build: () => line }));
  return fc.oneof(
    { arbitrary: toolCall, weight: 6 },
    { arbitrary: badRequest, weight: 2 },
    { arbitrary: garbage, weight: 2 },
  );
}

let daemon: FuzzDaemon;
let peer: McpPeer;

beforeAll(async () => {
  daemon = await startFuzzDaemon();
  const child = spawnVelos(['mcp'], { home: daemon.home });
  child.stderr!.resume();
  peer = new McpPeer(child);
  peer.write(
    JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'fuzz', version: '1' } },
    }),
  );
  expect((await peer.answer(1)).result).toBeDefined();
  peer.write(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
});

afterAll(async () => {
  killChild(peer?.child);
  await daemon?.client.close();
  await cleanupHomes();
});

describe('MCP fuzzing: malformed JSON-RPC lines and tool calls with wrong arguments (#15)', () => {
  it('every valid request is answered (tool errors as isError, bad calls as JSON-RPC errors); velos mcp stays up, the daemon untouched', async () => {
    peer.write(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }));
    const tools = (await peer.answer(2)).result!.tools!;
    expect(tools.length).toBeGreaterThan(10);
    const total = runsFor(0.15);
    const before = rssMb(daemon.pid);
    const counts = new Map<string, number>();
    let nextId = 100;
    let tried = 0;
    /** Requests written and not yet checked, oldest first; a ping's item is null. */
    const pending: { id: number; item: string | null }[] = [];
    const internal: string[] = [];
    const toolInternal: string[] = [];
    const check = async ({ id, item }: { id: number; item: string | null }) => {
      if (item === null) {
        // a ping written after a batch: the server read past the batch and still answers
        expect((await peer.answer(id)).result).toBeDefined();
        return;
      }
      let answer: Answer;
      try {
        answer = await peer.answer(id);
      } catch (error) {
        throw new Error(`${(error as Error).message}; case: ${item}`);
      }
      const outcome = answer.error
        ? `error ${answer.error.code}`
        : answer.result?.isError
          ? 'isError'
          : 'result';
      counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
      expect(answer.jsonrpc).toBe('2.0');
      if (answer.error) expect(typeof answer.error.message).toBe('string');
      if (answer.error?.code === -32603 && internal.length < 5)
        internal.push(`${answer.error.message.slice(0, 200)} ← ${item.slice(0, 200)}`);
      // a tool error is the answer to input the tool refuses, never an INTERNAL failure of its own
      const text = answer.result?.isError ? (answer.result.content?.[0]?.text ?? '') : '';
      if (isInternal(text) && toolInternal.length < 5)
        toolInternal.push(`${text.slice(0, 200)} ← ${item.slice(0, 200)}`);
    };
    // the edge calls first, each checked like a random case (this daemon runs no app: every target
    // selects nothing)
    const edges = edgeToolCalls(tools);
    for (const call of edges) {
      const id = nextId++;
      const line = `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":${JSON.stringify(call)}}`;
      peer.write(line);
      await check({ id, item: line });
    }
    // Requests are pipelined: at most BATCH of them wait for their answers, and a ping follows every BATCH
    // requests. (Waiting for a whole batch's answers before writing the next left the server idle.)
    const BATCH = 20;
    let sincePing = 0;
    for (const item of cases(casesFor(tools), total, 0x5b)) {
      const id = nextId++;
      peer.write(item.build(id));
      tried += 1;
      counts.set(item.kind, (counts.get(item.kind) ?? 0) + 1);
      if (!item.request) continue;
      pending.push({ id, item: show(item.build(id)) });
      sincePing += 1;
      if (sincePing === BATCH) {
        const ping = nextId++;
        peer.write(JSON.stringify({ jsonrpc: '2.0', id: ping, method: 'ping' }));
        pending.push({ id: ping, item: null });
        sincePing = 0;
      }
      while (pending.length > BATCH) await check(pending.shift()!);
    }
    const ping = nextId++;
    peer.write(JSON.stringify({ jsonrpc: '2.0', id: ping, method: 'ping' }));
    pending.push({ id: ping, item: null });
    while (pending.length > 0) await check(pending.shift()!);
    expect(peer.badLines).toEqual([]);
    expect(isAlive(peer.child.pid!)).toBe(true);
    await expectHealthy(daemon);
    const after = rssMb(daemon.pid);
    console.log(
      `fuzz mcp: ${tried} lines and ${edges.length} edge calls (${[...counts].map(([k, n]) => `${k} ${n}`).join(', ')}); velos mcp RSS ${rssMb(peer.child.pid!).toFixed(1)} MB; daemon RSS ${before.toFixed(1)} → ${after.toFixed(1)} MB`,
    );
    // -32603 is the SDK's answer to params it cannot read: bad input must get -32600/-32602 or a tool error
    expect(internal, 'internal errors').toEqual([]);
    expect(toolInternal, 'INTERNAL tool errors').toEqual([]);
    expect(tried).toBe(total);
  });
});
