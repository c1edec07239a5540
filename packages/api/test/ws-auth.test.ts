import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWsHarness, TOKENS, type WsHarness } from './ws-harness.js';
import { TestSocket } from './ws-test-client.js';

let harness: WsHarness;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  harness = await startWsHarness({ ws: { authTimeoutMs: 400, pingIntervalMs: 250, pongTimeoutMs: 300 } });
});
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((socket) => socket.close()));
});
afterAll(async () => {
  await harness?.close();
});

async function open(token?: string): Promise<TestSocket> {
  const socket = await TestSocket.open(harness.wsUrl, token === undefined ? {} : { token });
  sockets.push(socket);
  return socket;
}

describe('WebSocket authentication', () => {
  it('answers a plain GET (no Upgrade) with 426 in the error shape, saying what the URL is', async () => {
    const answer = await fetch(harness.wsUrl.replace(/^ws:/, 'http:'));
    expect(answer.status).toBe(426);
    expect(answer.headers.get('upgrade')).toBe('websocket');
    const body = (await answer.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('INVALID_ARGUMENT');
    expect(body.error.message).toMatch(/^\/api\/v1\/ws is a WebSocket: connect with a WebSocket client/);
  });

  it('accepts a token in the Authorization header and tells its scope', async () => {
    const admin = await open(TOKENS.admin);
    expect(await admin.take((m) => m.type === 'ready', 'ready')).toEqual({ type: 'ready', scope: 'admin' });
    const read = await open(TOKENS.read);
    expect(await read.take((m) => m.type === 'ready', 'ready')).toEqual({ type: 'ready', scope: 'read' });
    read.send({ type: 'ping' });
    await read.take((m) => m.type === 'pong', 'pong');
  });

  it('accepts the token in a first auth message (browsers)', async () => {
    const socket = await open();
    socket.send({ type: 'auth', token: TOKENS.read });
    expect(await socket.take((m) => m.type === 'ready', 'ready')).toEqual({ type: 'ready', scope: 'read' });
    socket.send({ type: 'auth', token: TOKENS.read });
    const error = await socket.take((m) => m.type === 'error', 'an error');
    expect(error.message).toMatch(/already authenticated/);
  });

  it('closes with 4401 for a wrong header token, a wrong auth message or another first message', async () => {
    const wrongHeader = await open('not-a-token');
    expect((await wrongHeader.closed).code).toBe(4401);
    const wrongMessage = await open();
    wrongMessage.send({ type: 'auth', token: 'not-a-token' });
    expect((await wrongMessage.closed).code).toBe(4401);
    const early = await open();
    early.send({ type: 'subscribe', topic: 'processes' });
    expect((await early.closed).code).toBe(4401);
    const garbage = await open();
    garbage.send('not json at all');
    expect((await garbage.closed).code).toBe(4401);
    for (const socket of [wrongHeader, wrongMessage, early, garbage]) {
      expect(socket.messages.some((m) => m.type === 'ready' || m.type === 'processes')).toBe(false);
    }
  });

  it('closes with 4401 when no auth message comes in time', async () => {
    // timed from before the connection: the server's 300 ms start at its upgrade, and the client's open
    // event may come late on a loaded machine (167 ms were left of them once)
    const started = Date.now();
    const socket = await open();
    const { code } = await socket.closed;
    expect(code).toBe(4401);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });
});

describe('pings', () => {
  it('answers an app-level ping and closes with 4408 a client that does not answer protocol pings', async () => {
    const answering = await open(TOKENS.read);
    const silent = await TestSocket.open(harness.wsUrl, { token: TOKENS.read, autoPong: false });
    sockets.push(silent);
    const pinged: number[] = [];
    silent.ws.on('ping', () => pinged.push(Date.now()));
    expect((await silent.closed).code).toBe(4408);
    expect(pinged.length).toBeGreaterThanOrEqual(1);
    answering.send({ type: 'ping' });
    expect(await answering.take((m) => m.type === 'pong', 'pong')).toEqual({ type: 'pong' });
    expect(answering.closeState).toBeNull();
  });
});
