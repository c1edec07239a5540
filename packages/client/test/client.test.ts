import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandEntries, ErrorCodes, type ProcessInfo, VelosError } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, type VelosClient } from '../src/index.js';
import { type FrameServer, rejection, startFrameServer, waitFor } from './frame-server.js';

let server: FrameServer | null = null;
let client: VelosClient | null = null;
const dirs: string[] = [];

afterEach(async () => {
  await client?.close();
  await server?.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  client = null;
  server = null;
});

function row(id: number, name: string): ProcessInfo {
  return {
    id,
    name,
    namespace: 'default',
    instance: 0,
    pid: 1000 + id,
    status: 'online',
    restarts: 0,
    unstableRestarts: 0,
    cpu: 0,
    memory: 0,
    uptime: 0,
    startedAt: null,
    createdAt: 0,
    exitCode: null,
    signal: null,
    lastExitReason: null,
    restartAt: null,
    execMode: 'fork',
    type: 'service',
  };
}

describe('requests', () => {
  it('matches many requests in flight to responses that arrive out of order', async () => {
    const held: {
      id: number;
      target: string;
      reply: (r: { id: number; status: 'ok'; payload: unknown }) => void;
    }[] = [];
    server = await startFrameServer((request, reply) => {
      held.push({ id: request.id, target: (request.payload as { target: string }).target, reply });
      if (held.length === 10) {
        for (const h of [...held].reverse()) {
          h.reply({ id: h.id, status: 'ok', payload: { processes: [row(h.id, h.target)] } });
        }
      }
    });
    client = createClient({ home: server.home });
    const targets = Array.from({ length: 10 }, (_, i) => `app-${i}`);
    const results = await Promise.all(targets.map((t) => client!.stop(t)));
    expect(results.map((r) => r[0]!.name)).toEqual(targets);
    const ids = server.received.map((r) => r.id);
    expect(new Set(ids).size).toBe(10);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(server.sockets.size).toBe(1);
  });

  it('sends the protocol payloads of the VelosControl methods', async () => {
    server = await startFrameServer((request, reply) => {
      const payloads: Record<string, unknown> = {
        ping: { version: '0.1.0', pid: 42, uptimeMs: 5, home: '/h', processes: 0 },
        flush: { flushed: ['/h/logs/a-out.log'] },
        logs: { lines: [{ ts: 1, stream: 'out', id: 0, name: 'a', pid: 1, line: 'hello' }] },
      };
      reply({ id: request.id, status: 'ok', payload: payloads[request.cmd] ?? { processes: [] } });
    });
    client = createClient({ home: server.home });
    expect((await client.ping()).pid).toBe(42);
    expect(await client.flush('a')).toEqual(['/h/logs/a-out.log']);
    expect((await client.logs({ target: 'a', lines: 5 }))[0]!.line).toBe('hello');
    await client.restart('a', { env: { A: '1' } });
    expect(server.received.map((r) => [r.cmd, r.payload])).toEqual([
      ['ping', {}],
      ['flush', { target: 'a' }],
      ['logs', { target: 'a', lines: 5 }],
      ['restart', { target: 'a', env: { A: '1' } }],
    ]);
  });

  it('has a method for every command of the table, sent under the command name', async () => {
    const result = { processes: [], flushed: [], reopened: [], runs: [], lines: [] };
    server = await startFrameServer((request, reply) =>
      reply({ id: request.id, status: 'ok', payload: result }),
    );
    client = createClient({ home: server.home });
    const methods = client as unknown as Record<string, unknown>;
    for (const entry of commandEntries()) {
      const views = entry.kind === 'request' ? Object.keys(entry.views ?? {}) : [];
      for (const method of [entry.method, ...views]) expect(typeof methods[method], method).toBe('function');
    }
    expect(await client.list()).toEqual([]);
    expect(await client.resurrect()).toEqual(result);
    expect(await client.reloadLogs()).toEqual([]);
    expect(await client.runs('job', 2)).toEqual([]);
    expect(await client.scale('api', '-1')).toEqual([]);
    expect(server.received.map((r) => [r.cmd, r.payload])).toEqual([
      ['list', {}],
      ['resurrect', {}],
      ['reloadLogs', {}],
      ['runs', { target: 'job', limit: 2 }],
      ['scale', { name: 'api', instances: '-1' }],
    ]);
  });

  it('rebuilds error responses into VelosError with code, message and data', async () => {
    server = await startFrameServer((request, reply) => {
      const payload =
        request.cmd === 'stop'
          ? { code: 'TARGET_NOT_FOUND', message: 'no process matches "ghost"', data: { target: 'ghost' } }
          : { code: 'SOMETHING_NEW', message: 'a code this client does not know' };
      reply({ id: request.id, status: 'error', payload });
    });
    client = createClient({ home: server.home });
    const error = await rejection(client.stop('ghost'));
    expect(error).toBeInstanceOf(VelosError);
    expect(error.code).toBe(ErrorCodes.TARGET_NOT_FOUND);
    expect(error.message).toBe('no process matches "ghost"');
    expect(error.data).toEqual({ target: 'ghost' });
    const unknown = await rejection(client.list());
    expect(unknown.code).toBe(ErrorCodes.INTERNAL);
    expect(unknown.message).toBe('a code this client does not know');
  });

  it('rejects with TIMEOUT when the daemon does not answer in time', async () => {
    server = await startFrameServer(() => {});
    client = createClient({ home: server.home, timeoutMs: 100 });
    const error = await rejection(client.list());
    expect(error.code).toBe(ErrorCodes.TIMEOUT);
    expect(error.message).toContain('"list"');
  });

  it('gives each command the bound a timeoutMs function names, and drops a late answer', async () => {
    const answers = new Map<string, () => void>();
    server = await startFrameServer((request, reply) => {
      const payload = request.cmd === 'ping' ? { pid: 1 } : { processes: [] };
      answers.set(request.cmd, () => reply({ id: request.id, status: 'ok', payload }));
    });
    const asked: string[] = [];
    client = createClient({
      home: server.home,
      timeoutMs: (cmd) => {
        asked.push(cmd);
        return cmd === 'list' ? 100 : 0;
      },
    });
    const error = await rejection(client.list());
    expect([error.code, error.message]).toEqual([
      ErrorCodes.TIMEOUT,
      'the Velos daemon did not answer "list" within 0.1 s',
    ]);
    // a bound of 0 waits: the ping is answered after the list's late answer, which is dropped
    const ping = client.request('ping', {});
    await waitFor(() => answers.has('ping'));
    answers.get('list')!();
    answers.get('ping')!();
    expect(await ping).toMatchObject({ pid: 1 });
    expect(asked).toEqual(['list', 'ping']);
  });
});

describe('connection failures', () => {
  it('rejects every pending request when the daemon closes the connection mid-request', async () => {
    server = await startFrameServer((request, _reply, socket) => {
      if (request.cmd === 'kill') socket.destroy();
    });
    client = createClient({ home: server.home });
    const list = client.list();
    const stream = client.followLogs({ target: 'all' });
    const iterated = (async () => {
      for await (const _ of stream) {
        // no items are sent
      }
    })();
    await waitFor(() => server!.received.length === 2);
    const kill = client.kill();
    for (const pending of [list, kill, iterated]) {
      const error = await rejection(pending);
      expect(error.code).toBe(ErrorCodes.CONNECTION_CLOSED);
      expect(error.message).toMatch(
        /^the connection to the Velos daemon closed while waiting for "(list|kill|logs.follow)"/,
      );
    }
  });

  it('rejects everything pending on an id-0 error frame (the daemon could not read a frame)', async () => {
    server = await startFrameServer((request, reply) => {
      if (request.cmd === 'save') {
        reply({
          id: 0,
          status: 'error',
          payload: { code: 'PROTOCOL_ERROR', message: 'bad frame: wrong magic bytes' },
        });
      }
    });
    client = createClient({ home: server.home });
    const list = client.list();
    const stream = client.followLogs({});
    const next = stream[Symbol.asyncIterator]().next();
    await waitFor(() => server!.received.length === 2);
    const save = client.save();
    for (const pending of [list, next, save]) {
      const error = await rejection(pending);
      expect(error.code).toBe(ErrorCodes.PROTOCOL_ERROR);
      expect(error.message).toBe('bad frame: wrong magic bytes');
    }
  });

  it('reconnects on the next request after the connection was lost', async () => {
    server = await startFrameServer((request, reply, socket) => {
      if (request.cmd === 'kill') socket.destroy();
      else reply({ id: request.id, status: 'ok', payload: { processes: [row(1, 'a')] } });
    });
    client = createClient({ home: server.home });
    expect((await rejection(client.kill())).code).toBe(ErrorCodes.CONNECTION_CLOSED);
    expect((await client.list())[0]!.name).toBe('a');
  });

  it('sends a request again on a new connection when the daemon was gone before it was written', async () => {
    server = await startFrameServer((request, reply) =>
      reply({ id: request.id, status: 'ok', payload: { processes: [row(1, 'a')] } }),
    );
    client = createClient({ home: server.home });
    await client.list();
    expect(server.sockets.size).toBe(1);
    // the daemon's end of the connection closes, and the request is written before the client can see it
    for (const socket of server.sockets) socket.destroy();
    expect((await client.list())[0]!.name).toBe('a');
    expect(server.received.map((request) => request.cmd)).toEqual(['list', 'list']);
  });

  it('reports a missing socket as DAEMON_UNAVAILABLE without starting anything', async () => {
    const home = mkdtempSync(join(tmpdir(), 'velos-client-'));
    dirs.push(home);
    client = createClient({ home });
    const error = await rejection(client.list());
    expect(error.code).toBe(ErrorCodes.DAEMON_UNAVAILABLE);
    expect(error.message).toBe(`cannot reach the Velos daemon at ${join(home, 'velos.sock')}: ENOENT`);
  });

  it('reports a socket nobody listens on as DAEMON_UNAVAILABLE (ECONNREFUSED)', async () => {
    const home = mkdtempSync(join(tmpdir(), 'velos-client-'));
    dirs.push(home);
    writeFileSync(join(home, 'velos.sock'), '');
    client = createClient({ home, autoStart: false });
    const error = await rejection(client.ping());
    expect(error.code).toBe(ErrorCodes.DAEMON_UNAVAILABLE);
    expect(error.message).toMatch(/: ECONNREFUSED$/);
  });
});

describe('streams', () => {
  it('delivers stream items in order and ends on "end"', async () => {
    server = await startFrameServer((request, reply) => {
      for (let i = 0; i < 3; i++) {
        const line = { ts: i, stream: 'out', id: 0, name: 'a', pid: 1, line: `line ${i}` };
        reply({ id: request.id, status: 'stream', payload: { lines: [line] } });
      }
      reply({ id: request.id, status: 'end' });
    });
    client = createClient({ home: server.home });
    const seen: string[] = [];
    for await (const lines of client.followLogs({ target: 'a', lines: 0 }))
      seen.push(...lines.map((l) => l.line));
    expect(seen).toEqual(['line 0', 'line 1', 'line 2']);
    expect(server.received[0]).toMatchObject({ cmd: 'logs.follow', payload: { target: 'a', lines: 0 } });
  });

  it('cancel() sends a cancel frame naming the stream and ends the iteration', async () => {
    let streamId = -1;
    server = await startFrameServer((request, reply) => {
      if (request.cmd !== 'logs.follow') return;
      streamId = request.id;
      reply({ id: request.id, status: 'stream', payload: { lines: [] } });
      reply({ id: request.id, status: 'stream', payload: { lines: [] } });
    });
    client = createClient({ home: server.home });
    const subscription = client.stream('logs.follow', {});
    let items = 0;
    for await (const _ of subscription) {
      items += 1;
      if (items === 2) subscription.cancel();
    }
    expect(items).toBe(2);
    await waitFor(() => server!.received.some((r) => r.cmd === 'cancel'));
    const cancel = server.received.find((r) => r.cmd === 'cancel')!;
    expect(cancel.payload).toEqual({ id: streamId });
    expect(cancel.id).not.toBe(streamId);
  });

  it('leaving a for-await loop early cancels the stream', async () => {
    server = await startFrameServer((request, reply) => {
      if (request.cmd === 'logs.follow') reply({ id: request.id, status: 'stream', payload: { lines: [] } });
    });
    client = createClient({ home: server.home });
    for await (const _ of client.followLogs({})) break;
    await waitFor(() => server!.received.some((r) => r.cmd === 'cancel'));
    expect(server.received.map((r) => r.cmd)).toEqual(['logs.follow', 'cancel']);
  });

  it('throws the rebuilt error when the stream ends with an error', async () => {
    server = await startFrameServer((request, reply) => {
      reply({ id: request.id, status: 'stream', payload: { lines: [] } });
      reply({
        id: request.id,
        status: 'error',
        payload: { code: 'TARGET_NOT_FOUND', message: 'no process "x"' },
      });
    });
    client = createClient({ home: server.home });
    let items = 0;
    const iterate = async () => {
      for await (const _ of client!.followLogs({ target: 'x' })) items += 1;
    };
    const error = await rejection(iterate());
    expect(items).toBe(1);
    expect(error.code).toBe(ErrorCodes.TARGET_NOT_FOUND);
  });

  it('lets requests run beside an open stream on the same connection', async () => {
    server = await startFrameServer((request, reply) => {
      if (request.cmd === 'list')
        reply({ id: request.id, status: 'ok', payload: { processes: [row(3, 'b')] } });
    });
    client = createClient({ home: server.home });
    const subscription = client.followLogs({});
    const first = subscription[Symbol.asyncIterator]().next();
    expect((await client.list())[0]!.name).toBe('b');
    subscription.cancel();
    expect(await first).toEqual({ done: true, value: undefined });
    expect(server.sockets.size).toBe(1);
  });
});
