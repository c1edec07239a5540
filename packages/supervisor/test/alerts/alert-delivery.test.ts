import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlertRule } from '@velos/core';
import { hasOpenssl, makeSelfSigned, SeenProcesses } from '@velos/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { deliver, retryAfterOf, retryDelayMs } from '../../src/alerts/alert-delivery.js';
import type { AlertNotification } from '../../src/alerts/alert-payload.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const rule: AlertRule = {
  name: 'r',
  when: { kind: 'errored' },
  severity: 'error',
  forMs: 0,
  resolveAfterMs: 1000,
  channels: [],
  source: 'runtime',
};
const notification: AlertNotification = {
  status: 'firing',
  rule,
  key: 'api',
  severity: 'error',
  message: '$(touch /tmp/velos-never) `id` "quoted"',
  since: 1,
  at: 2,
  repeat: 0,
  isEscalated: false,
};

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'velos-delivery-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('alert delivery', () => {
  it('runs a command without a shell: the alert on stdin and in VELOS_ALERT_* variables', async () => {
    const out = join(tempDir(), 'got.json');
    const script = `let t='';process.stdin.on('data',d=>t+=d).on('end',()=>require('fs').writeFileSync(${JSON.stringify(out)},JSON.stringify({stdin:JSON.parse(t),msg:process.env.VELOS_ALERT_MESSAGE,sev:process.env.VELOS_ALERT_SEVERITY,args:process.argv.slice(1)})))`;
    const result = await deliver(
      { type: 'command', command: [process.execPath, '-e', script, '$HOME'], timeoutMs: 5000 },
      notification,
    );
    expect(result).toMatchObject({ isOk: true, attempts: 1 });
    const got = JSON.parse(readFileSync(out, 'utf8'));
    expect(got).toMatchObject({ msg: notification.message, sev: 'error', args: ['$HOME'] });
    expect(got.stdin).toMatchObject({
      status: 'firing',
      rule: 'r',
      app: 'api',
      message: notification.message,
    });
  });

  it('reports a command that fails or outlives its timeout', async () => {
    const failed = await deliver(
      {
        type: 'command',
        command: [process.execPath, '-e', 'console.error("no such team"); process.exit(3)'],
        timeoutMs: 5000,
      },
      notification,
    );
    expect(failed.isOk).toBe(false);
    expect(failed.error).toMatch(/^exit code 3 after \d+ ms: no such team$/);
    const slow = await deliver(
      { type: 'command', command: [process.execPath, '-e', 'setTimeout(() => {}, 60000)'], timeoutMs: 200 },
      notification,
    );
    expect(slow).toMatchObject({ isOk: false, error: 'timed out after 200 ms' });
    const missing = await deliver(
      { type: 'command', command: ['/nonexistent/notify'], timeoutMs: 1000 },
      notification,
    );
    expect(missing.error).toContain('ENOENT');
  });

  it('takes a command that exits 0 in time as sent, though a program it left in the background holds stderr', async () => {
    const pidFile = join(tempDir(), 'background.pid');
    // the background program inherits the command's stderr (`notify … &` in a shell script does)
    const script = `const c=require('child_process').spawn('sleep',['30'],{stdio:['ignore','ignore','inherit'],detached:true});require('fs').writeFileSync(${JSON.stringify(pidFile)},String(c.pid));c.unref();console.error('queued');process.exit(0)`;
    const started = Date.now();
    const result = await deliver(
      { type: 'command', command: [process.execPath, '-e', script], timeoutMs: 1500 },
      notification,
    );
    const background = Number(readFileSync(pidFile, 'utf8'));
    const left = new SeenProcesses();
    left.add(background);
    cleanups.push(() => left.killAll());
    expect(result).toMatchObject({ isOk: true, attempts: 1 });
    expect(Date.now() - started).toBeLessThan(1500);
    // what it left running is not killed with it
    expect(() => process.kill(background, 0)).not.toThrow();
  });

  it('keeps the last stderr line of a command that timed out', async () => {
    const slow = await deliver(
      {
        type: 'command',
        // sh, not node: it prints within the timeout on a loaded machine too (node took > 500 ms to start)
        command: ['/bin/sh', '-c', 'echo "waiting for the pager" >&2; exec sleep 60'],
        timeoutMs: 500,
      },
      notification,
    );
    expect(slow).toMatchObject({ isOk: false, error: 'timed out after 500 ms: waiting for the pager' });
  });

  it('does not retry a webhook answered 4xx (other than 429), and retries a refused connection', async () => {
    let hits = 0;
    const server = createServer((_req, res) => {
      hits += 1;
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
    const notFound = await deliver(
      { type: 'webhook', url, timeoutMs: 1000, retries: 3, backoffMs: 10 },
      notification,
    );
    expect(notFound).toMatchObject({ isOk: false, attempts: 1, error: 'HTTP 404' });
    expect(hits).toBe(1);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await deliver(
      {
        type: 'webhook',
        url: `http://127.0.0.1:${closedPort}/x`,
        timeoutMs: 1000,
        retries: 2,
        backoffMs: 10,
      },
      notification,
    );
    expect(refused).toMatchObject({ isOk: false, attempts: 3, error: 'ECONNREFUSED' });
  });

  it.runIf(hasOpenssl())('does not retry a certificate or a protocol TLS refuses, and says why', async () => {
    const { certPath, keyPath } = makeSelfSigned(tempDir());
    let hits = 0;
    const tls = createHttpsServer(
      { cert: readFileSync(certPath), key: readFileSync(keyPath) },
      (_req, res) => {
        hits += 1;
        res.writeHead(200).end();
      },
    );
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => tls.close(() => resolve())));
    const port = (tls.address() as AddressInfo).port;
    const selfSigned = await deliver(
      { type: 'webhook', url: `https://127.0.0.1:${port}/x`, timeoutMs: 2000, retries: 3, backoffMs: 10 },
      notification,
    );
    expect(selfSigned).toMatchObject({
      isOk: false,
      attempts: 1,
      error: 'DEPTH_ZERO_SELF_SIGNED_CERT (the TLS handshake failed: not retried)',
    });
    expect(hits).toBe(0);
    // plain HTTP where https:// was written
    const plain = createServer((_req, res) => res.writeHead(200).end());
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => plain.close(() => resolve())));
    const wrong = await deliver(
      {
        type: 'webhook',
        url: `https://127.0.0.1:${(plain.address() as AddressInfo).port}/x`,
        timeoutMs: 2000,
        retries: 3,
        backoffMs: 10,
      },
      notification,
    );
    expect(wrong).toMatchObject({ isOk: false, attempts: 1 });
    expect(wrong.error).toBe('EPROTO: wrong version number (the TLS handshake failed: not retried)');
  });

  it('waits out a timeout longer than a Node timer holds (30 days) instead of timing out at once', async () => {
    const thirtyDaysMs = 30 * 24 * 3600 * 1000;
    const server = createServer((_req, res) => {
      setTimeout(() => res.writeHead(200).end(), 50);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
    const hook = await deliver(
      { type: 'webhook', url, timeoutMs: thirtyDaysMs, retries: 0, backoffMs: 0 },
      notification,
    );
    expect(hook).toMatchObject({ isOk: true, attempts: 1 });
    const command = await deliver(
      {
        type: 'command',
        command: [process.execPath, '-e', 'setTimeout(() => {}, 50)'],
        timeoutMs: thirtyDaysMs,
      },
      notification,
    );
    expect(command).toMatchObject({ isOk: true });
  });

  it('says that a 3xx is a redirect it does not follow, and does not retry it', async () => {
    let hits = 0;
    const server = createServer((_req, res) => {
      hits += 1;
      res.writeHead(301, { location: 'https://example.com/hook' }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
    const moved = await deliver(
      { type: 'webhook', url, timeoutMs: 1000, retries: 3, backoffMs: 10 },
      notification,
    );
    expect(moved).toMatchObject({ isOk: false, attempts: 1, error: 'HTTP 301 (a redirect: not followed)' });
    expect(hits).toBe(1);
  });

  it("waits what a 429's Retry-After asks when that is longer than the backoff, at most 60 s", () => {
    const now = Date.UTC(2026, 11, 6, 12);
    expect(retryAfterOf('30', now)).toBe(30_000);
    expect(retryAfterOf('1.5', now)).toBe(1500);
    expect(retryAfterOf(new Date(now + 7000).toUTCString(), now)).toBe(7000);
    expect(retryAfterOf(undefined, now)).toBeNull();
    expect(retryAfterOf('soon', now)).toBeNull();
    expect(retryDelayMs(1, 1000, null)).toBe(1000);
    expect(retryDelayMs(3, 1000, null)).toBe(4000);
    expect(retryDelayMs(1, 1000, 30_000)).toBe(30_000);
    expect(retryDelayMs(3, 1000, 500)).toBe(4000);
    expect(retryDelayMs(1, 1000, 3_600_000)).toBe(60_000);
  });

  it('retries a 429 and is sent once the receiver takes it', async () => {
    let hits = 0;
    const server = createServer((_req, res) => {
      hits += 1;
      if (hits === 1) res.writeHead(429, { 'retry-after': '0' }).end();
      else res.writeHead(200).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
    const sent = await deliver(
      { type: 'webhook', url, timeoutMs: 1000, retries: 3, backoffMs: 10 },
      notification,
    );
    expect(sent).toMatchObject({ isOk: true, attempts: 2 });
  });

  it('takes a 2xx as sent at its status, though its body never ends (no timeout, no duplicate)', async () => {
    let hits = 0;
    const server = createServer((_req, res) => {
      hits += 1;
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('ok, and more to come');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
    const sent = await deliver(
      { type: 'webhook', url, timeoutMs: 1000, retries: 2, backoffMs: 10 },
      notification,
    );
    expect(sent).toMatchObject({ isOk: true, attempts: 1 });
    expect(hits).toBe(1);
  });
});
