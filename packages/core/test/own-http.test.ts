import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasOpenssl, makeSelfSigned } from '@velos/test-helpers';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DEFERRED_CA_VAR } from '../src/deferred-ca.js';
import { HttpTimeoutError, ownHttpRequest } from '../src/own-http.js';

const dir = mkdtempSync(join(tmpdir(), 'velos-own-http-'));
const servers: Server[] = [];
afterEach(async () => {
  delete process.env[DEFERRED_CA_VAR];
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function listen(server: Server, scheme: 'http' | 'https'): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const serve = (handler: RequestListener) => listen(createServer(handler), 'http');

describe('ownHttpRequest', () => {
  it('posts the body and returns any status with the body', async () => {
    let got = '';
    const url = await serve((req, res) => {
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (got += chunk));
      req.on('end', () => res.writeHead(418, { 'x-a': '1' }).end(`${req.headers['x-token']}:${got}`));
    });
    const answer = await ownHttpRequest(`${url}/hook`, {
      method: 'POST',
      headers: { 'x-token': 't' },
      body: '{"a":1}',
      timeoutMs: 2000,
      maxBytes: 100,
    });
    expect(answer.status).toBe(418);
    expect(answer.body.toString()).toBe('t:{"a":1}');
  });

  it('does not follow a redirect, and drops the body with maxBytes 0', async () => {
    const url = await serve((_req, res) => res.writeHead(302, { location: '/elsewhere' }).end('moved'));
    const answer = await ownHttpRequest(url, { method: 'GET', timeoutMs: 2000, maxBytes: 0 });
    expect(answer).toMatchObject({ status: 302, body: Buffer.alloc(0), headers: { location: '/elsewhere' } });
  });

  it('fails a body over the limit, declared or streamed', async () => {
    const declared = await serve((_req, res) => res.end('x'.repeat(200)));
    await expect(ownHttpRequest(declared, { method: 'GET', timeoutMs: 2000, maxBytes: 100 })).rejects.toThrow(
      'body of 200 bytes is over the limit of 100',
    );
    const streamed = await serve((_req, res) => {
      res.write('x'.repeat(80));
      res.end('y'.repeat(80));
    });
    await expect(ownHttpRequest(streamed, { method: 'GET', timeoutMs: 2000, maxBytes: 100 })).rejects.toThrow(
      'body over the limit of 100 bytes',
    );
  });

  it('times out a server that never answers, and names a refused connection by its code', async () => {
    const silent = await serve(() => undefined);
    const late = ownHttpRequest(silent, { method: 'GET', timeoutMs: 100, maxBytes: 10 });
    await expect(late).rejects.toBeInstanceOf(HttpTimeoutError);
    await expect(late).rejects.toThrow('timed out after 100 ms');
    const closed = await serve(() => undefined);
    const server = servers.pop()!;
    await new Promise((resolve) => server.close(resolve));
    await expect(
      ownHttpRequest(closed, { method: 'GET', timeoutMs: 2000, maxBytes: 10 }),
    ).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
    await expect(
      ownHttpRequest('ftp://127.0.0.1/', { method: 'GET', timeoutMs: 100, maxBytes: 0 }),
    ).rejects.toThrow('unsupported protocol ftp:');
  });

  it.runIf(hasOpenssl())('trusts a deferred NODE_EXTRA_CA_CERTS over HTTPS, and only then', async () => {
    const { certPath, keyPath } = makeSelfSigned(dir);
    const server = createHttpsServer(
      { cert: readFileSync(certPath), key: readFileSync(keyPath) },
      (_req, res) => res.end('secure'),
    );
    const url = await listen(server, 'https');
    await expect(
      ownHttpRequest(url, { method: 'GET', timeoutMs: 2000, maxBytes: 100 }),
    ).rejects.toMatchObject({
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
    process.env[DEFERRED_CA_VAR] = certPath;
    const answer = await ownHttpRequest(url, { method: 'GET', timeoutMs: 2000, maxBytes: 100 });
    expect(answer.body.toString()).toBe('secure');
  });
});
