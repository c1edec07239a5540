import { once } from 'node:events';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { makeTempHome, type TempHome } from '@velos/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { listenOnPipe } from '../src/listen-pipe.js';

const homes: TempHome[] = [];
const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) server.close();
  for (const home of homes.splice(0)) await home.cleanup();
});

function tempDir(): string {
  const home = makeTempHome('velos-listen-pipe-');
  homes.push(home);
  return home.path;
}

describe('listenOnPipe', () => {
  it('listens on the socket path as listen() does: listening, the path as address, connections served', async () => {
    const path = join(tempDir(), 'test.sock');
    const server = createServer((socket) => socket.end('hello'));
    servers.push(server);
    listenOnPipe(server, path);
    await once(server, 'listening');
    expect(server.address()).toBe(path);
    const client = connect(path);
    client.setEncoding('utf8');
    let answer = '';
    client.on('data', (chunk: string) => {
      answer += chunk;
    });
    await once(client, 'end');
    expect(answer).toBe('hello');
  });

  it('reports a path it cannot listen on as listen() does: an error event after returning', async () => {
    const path = join(tempDir(), 'missing-dir', 'test.sock');
    const server = createServer();
    servers.push(server);
    listenOnPipe(server, path);
    expect(server.listening).toBe(false);
    const [error] = (await once(server, 'error')) as [NodeJS.ErrnoException];
    const byListen = createServer();
    servers.push(byListen);
    byListen.listen(path);
    const [listenError] = (await once(byListen, 'error')) as [NodeJS.ErrnoException];
    // libuv's bind into a missing directory (EACCES on Linux)
    expect(error.code).toBe(listenError.code);
    expect(error.message).toBe(listenError.message);
    expect(server.listening).toBe(false);
  });

  it('reports a path in use as EADDRINUSE', async () => {
    const path = join(tempDir(), 'test.sock');
    const first = createServer();
    servers.push(first);
    listenOnPipe(first, path);
    await once(first, 'listening');
    const second = createServer();
    servers.push(second);
    listenOnPipe(second, path);
    const [error] = (await once(second, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toBe('EADDRINUSE');
  });
});
