import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/api-server.js';
import { startDaemon, type TestDaemon } from './support/daemon.js';
import { TestSocket } from './ws-test-client.js';

let daemon: TestDaemon;
let open: TestServer;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  daemon = await startDaemon();
  open = await startServer(daemon.client, { auth: { disabled: true } });
});
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((socket) => socket.close()));
});
afterAll(async () => {
  await open?.server.close();
  await daemon?.stop();
});

async function connect(): Promise<TestSocket> {
  const socket = await TestSocket.open(`${open.url.replace(/^http/, 'ws')}/api/v1/ws`);
  sockets.push(socket);
  return socket;
}

describe('the WebSocket without auth', () => {
  it('is ready at once as admin and subscribes without an auth message', async () => {
    const socket = await connect();
    expect(await socket.take((m) => m.type === 'ready', 'ready')).toEqual({ type: 'ready', scope: 'admin' });
    socket.send({ type: 'subscribe', topic: 'processes' });
    await socket.take((m) => m.type === 'processes', 'a processes message');
    socket.send({ type: 'ping' });
    await socket.take((m) => m.type === 'pong', 'pong');
    expect(socket.closeState).toBeNull();
  });

  it('takes an auth message harmlessly, whatever its token', async () => {
    const socket = await connect();
    socket.send({ type: 'auth', token: 'anything' });
    await socket.take((m) => m.type === 'ready', 'ready');
    expect(await socket.take((m) => m.type === 'ready', 'ready again')).toEqual({
      type: 'ready',
      scope: 'admin',
    });
    socket.send({ type: 'subscribe', topic: 'processes' });
    await socket.take((m) => m.type === 'processes', 'a processes message');
    expect(socket.messages.some((m) => m.type === 'error')).toBe(false);
  });
});
