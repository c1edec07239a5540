import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes } from '@velos/core';
import { encodeFrame } from '@velos/core/codec';
import { makeTempHome } from '@velos/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { Connection } from '../src/connection.js';
import { openHandleSocket } from '../src/handle-socket.js';
import { nodeBinding } from '../src/node-binding.js';
import { type FrameServer, rejection, startFrameServer, waitFor } from './frame-server.js';

let server: FrameServer | null = null;
const connections: Connection[] = [];
const cleanups: (() => void)[] = [];

afterEach(async () => {
  await Promise.all(connections.splice(0).map((connection) => connection.close()));
  await server?.close();
  server = null;
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function connectOver(found: FrameServer): Promise<Connection> {
  const path = join(found.home, 'velos.sock');
  const socket = await openHandleSocket(path);
  if (socket === null) throw new Error('this Node gave out no pipe handle');
  const connection = Connection.over(socket, path);
  connections.push(connection);
  return connection;
}

describe('a Connection over the pipe handle (the quick paths, issue 17)', () => {
  it('sends requests and matches their answers, ok and error, as over net', async () => {
    server = await startFrameServer((request, reply) => {
      if (request.cmd === 'list') reply({ id: request.id, status: 'ok', payload: { processes: [] } });
      else reply({ id: request.id, status: 'error', payload: { code: 'NAME_IN_USE', message: 'taken' } });
    });
    const connection = await connectOver(server);
    expect(await connection.request('list', {})).toEqual({ processes: [] });
    const error = await rejection(connection.request('start', { apps: [] }));
    expect([error.code, error.message]).toEqual([ErrorCodes.NAME_IN_USE, 'taken']);
    expect(server.received.map((request) => [request.id, request.cmd])).toEqual([
      [1, 'list'],
      [2, 'start'],
    ]);
  });

  it('puts together an answer that arrives in many reads (1 MB)', async () => {
    const big = 'x'.repeat(1024 * 1024);
    server = await startFrameServer((request, reply) =>
      reply({ id: request.id, status: 'ok', payload: { big } }),
    );
    const connection = await connectOver(server);
    expect(((await connection.request('list', {})) as { big: string }).big).toBe(big);
  });

  it('rejects what is pending with CONNECTION_CLOSED when the daemon goes away', async () => {
    server = await startFrameServer((_request, _reply, socket) => socket.destroy());
    const connection = await connectOver(server);
    const error = await rejection(connection.request('list', {}));
    expect(error.code).toBe(ErrorCodes.CONNECTION_CLOSED);
    expect(error.message).toMatch(/^the connection to the Velos daemon closed while waiting for "list"/);
    expect(connection.isClosed).toBe(true);
  });

  it('reads the answer a daemon sent before closing when the write finds it gone (BUSY, not EPIPE)', async () => {
    server = await startFrameServer(() => {});
    const path = join(server.home, 'velos.sock');
    const socket = await openHandleSocket(path);
    if (socket === null) throw new Error('this Node gave out no pipe handle');
    // a client too slow to send (a loaded machine): it reads nothing before the daemon refuses and closes
    socket.pause();
    const connection = Connection.over(socket, path);
    connections.push(connection);
    await waitFor(() => server?.sockets.size === 1);
    const [peer] = [...server.sockets];
    const busy = { code: ErrorCodes.BUSY, message: 'the daemon already serves 256 connections' };
    peer?.end(encodeFrame({ id: 0, status: 'error', payload: busy }), () => peer.destroy());
    await waitFor(() => server?.sockets.size === 0);
    const error = await rejection(connection.request('list', {}));
    expect([error.code, error.message]).toEqual([busy.code, busy.message]);
    await waitFor(() => connection.isClosed);
  });

  it('closes: the daemon sees the end of its connection', async () => {
    server = await startFrameServer((request, reply) => reply({ id: request.id, status: 'ok', payload: {} }));
    const connection = await connectOver(server);
    await connection.request('ping', {});
    expect(server.sockets.size).toBe(1);
    await connection.close();
    const [socket] = [...server.sockets];
    if (socket) await new Promise((resolve) => socket.once('close', resolve));
    expect(server.sockets.size).toBe(0);
  });

  it('gives null (the caller then uses net) when nobody listens or the path is no socket', async () => {
    const { path: home, cleanup } = makeTempHome('velos-handle-');
    cleanups.push(() => void cleanup());
    expect(await openHandleSocket(join(home, 'velos.sock'))).toBeNull();
    writeFileSync(join(home, 'file.sock'), '');
    expect(await openHandleSocket(join(home, 'file.sock'))).toBeNull();
  });

  it('is not used when Node would print a deprecation warning for process.binding()', () => {
    const before = process.env.NODE_PENDING_DEPRECATION;
    cleanups.push(() => {
      if (before === undefined) delete process.env.NODE_PENDING_DEPRECATION;
      else process.env.NODE_PENDING_DEPRECATION = before;
    });
    expect(nodeBinding('pipe_wrap')).not.toBeNull();
    process.env.NODE_PENDING_DEPRECATION = '1';
    expect(nodeBinding('pipe_wrap')).toBeNull();
  });
});
