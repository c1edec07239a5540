import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { hasOpenssl, makeSelfSigned } from '@velos/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './free-port.js';
import {
  cleanupHomes,
  clearApps,
  createHome,
  deleteApps,
  FIXTURES,
  homeEnv,
  isAlive,
  REPO_ROOT,
  readPidFile,
  sharedHome,
  spawnVelos,
  VELOS_BIN,
  velos,
  velosOk,
  waitFor,
  waitForStatus,
} from './helpers.js';

afterEach(async () => {
  await cleanupHomes();
});

/** Starts `velos serve --port 0 --json …extra` and resolves its stdout line and the process. */
async function serve(home: string, extra: string[] = [], env: Record<string, string> = {}) {
  const child = spawnVelos(['serve', '--port', '0', '--json', ...extra], { home, env });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const line = await waitFor(() => stdout.split('\n').find((l) => l.startsWith('{')), {
    timeoutMs: 30_000,
    message: `velos serve to print its URL (stderr: ${stderr})`,
  });
  const info = JSON.parse(line) as { url: string; tokenFile: string | null };
  return { child, info, exited, stderr: () => stderr };
}

function tokenOf(tokenFile: string, scope: 'admin' | 'read'): string {
  const line = readFileSync(tokenFile, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${scope} `));
  return line!.slice(scope.length + 1).trim();
}

describe('velos serve (API-1…4)', () => {
  // One home and daemon for the tests that need only a running daemon (each finds no app, and stops the
  // API it started): a daemon of their own each cost ~0.5 s of CPU. Those that stop the daemon, must see
  // none started, or start it with a config of their own keep a home each.
  const shared = sharedHome();
  const clearedHome = async (): Promise<string> => {
    const home = shared();
    await clearApps(home);
    return home;
  };

  it('serves the daemon over HTTP with tokens from the home, and stops on SIGTERM', async () => {
    const home = await clearedHome();
    await velosOk(['start', join(FIXTURES, 'silent.js'), '--name', 'quiet'], { home });
    const row = await waitForStatus(home, 'quiet', 'online');
    const { child, info, exited, stderr } = await serve(home);
    expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.tokenFile).toBe(join(home, 'api-tokens'));
    expect(statSync(info.tokenFile!).mode & 0o777).toBe(0o600);
    const admin = tokenOf(info.tokenFile!, 'admin');
    // the token itself is never printed unless asked
    expect(stderr()).not.toContain(admin);

    const health = await fetch(`${info.url}/api/v1/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: expect.stringMatching(/^(healthy|degraded)$/) });

    const anonymous = await fetch(`${info.url}/api/v1/processes`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBeTypeOf('string');

    for (const scope of ['admin', 'read'] as const) {
      const response = await fetch(`${info.url}/api/v1/processes`, {
        headers: { authorization: `Bearer ${tokenOf(info.tokenFile!, scope)}` },
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { processes: { name: string; pid: number }[] };
      expect(body.processes.map((p) => [p.name, p.pid])).toEqual([['quiet', row.pid]]);
    }

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await expect(fetch(`${info.url}/api/v1/health`)).rejects.toThrow();
    // the daemon and its app outlive the API
    expect(isAlive(row.pid)).toBe(true);
    await deleteApps(home, ['quiet']);
  });

  it('answers 503 while no daemon runs and never starts one itself', async () => {
    const home = createHome();
    const { child, info, exited } = await serve(home);
    await velosOk(['kill'], { home });
    const down = await fetch(`${info.url}/api/v1/health`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: 'unreachable' });
    const listed = await fetch(`${info.url}/api/v1/processes`, {
      headers: { authorization: `Bearer ${tokenOf(info.tokenFile!, 'read')}` },
    });
    expect(listed.status).toBe(503);
    expect(readPidFile(home)).toBeNull();
    // a daemon started by someone else is found again
    await velosOk(['ping'], { home });
    await waitFor(async () => (await fetch(`${info.url}/api/v1/health`)).status === 200, {
      message: 'the API to reach the new daemon',
    });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('answers 504 TIMEOUT while the daemon is stopped, within VELOS_API_READ_TIMEOUT_MS, and 200 once it runs again', async () => {
    // a daemon of its own: the stop shows as event-loop lag in the daemon's self-health for a while,
    // so the shared daemon's /health would answer the next tests 503 (unhealthy)
    const home = createHome();
    await velosOk(['ping'], { home });
    const { child, info, exited } = await serve(home, [], { VELOS_API_READ_TIMEOUT_MS: '400' });
    const headers = { authorization: `Bearer ${tokenOf(info.tokenFile!, 'read')}` };
    const daemonPid = readPidFile(home)!;
    process.kill(daemonPid, 'SIGSTOP');
    try {
      const startedAt = Date.now();
      const stuck = await fetch(`${info.url}/api/v1/processes`, { headers });
      expect(stuck.status).toBe(504);
      expect(await stuck.json()).toEqual({
        error: { code: 'TIMEOUT', message: 'the Velos daemon did not answer "list" within 0.4 s' },
      });
      expect(Date.now() - startedAt).toBeLessThan(5000);
      // an action's bound is read from its targets first: a daemon that does not answer that read is
      // not sent the action (it waited VELOS_API_ACTION_TIMEOUT_MS, 5 minutes)
      const stopAt = Date.now();
      const stop = await fetch(`${info.url}/api/v1/processes/any/stop`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokenOf(info.tokenFile!, 'admin')}` },
      });
      expect(stop.status).toBe(504);
      expect(await stop.json()).toEqual({
        error: {
          code: 'TIMEOUT',
          message: 'the Velos daemon did not answer "describe" within 0.4 s, so "stop" was not sent',
        },
      });
      expect(Date.now() - stopAt).toBeLessThan(5000);
    } finally {
      process.kill(daemonPid, 'SIGCONT');
    }
    // the late answer to the request given up is dropped; the next one is answered
    const listed = await fetch(`${info.url}/api/v1/processes`, { headers });
    expect(listed.status).toBe(200);
    expect(await listed.json()).toEqual({ processes: [] });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('reads --token-file and serves without auth on loopback with --no-auth', async () => {
    const home = await clearedHome();
    const tokenFile = join(home, 'my-tokens');
    writeFileSync(tokenFile, 'only-an-admin-token-0123456789abcdef\n', { mode: 0o600 });
    const withFile = await serve(home, ['--token-file', tokenFile, '--show-token']);
    expect(withFile.info.tokenFile).toBe(tokenFile);
    // asked for: the admin token on stderr
    await waitFor(() => withFile.stderr().includes('admin token only-an-admin-token-0123456789abcdef'), {
      message: 'the admin token on stderr',
    });
    const ok = await fetch(`${withFile.info.url}/api/v1/processes`, {
      headers: { authorization: 'Bearer only-an-admin-token-0123456789abcdef' },
    });
    expect(ok.status).toBe(200);
    withFile.child.kill('SIGTERM');
    expect(await withFile.exited).toBe(0);

    const shared = join(home, 'shared-tokens');
    writeFileSync(shared, 'only-an-admin-token-0123456789abcdef\n', { mode: 0o600 });
    chmodSync(shared, 0o644);
    const refused = await velos(['serve', '--port', '0', '--token-file', shared], { home });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toBe(
      `velos: ${shared} is readable by others (mode 644); run chmod 600 ${shared}\n`,
    );

    const open = await serve(home, ['--no-auth']);
    expect(open.info.tokenFile).toBeNull();
    expect((await fetch(`${open.info.url}/api/v1/processes`)).status).toBe(200);
    open.child.kill('SIGINT');
    expect(await open.exited).toBe(0);
  });

  it('refuses --no-auth on 0.0.0.0 and bad flags with one line and a non-zero exit', async () => {
    const home = createHome();
    const noAuth = await velos(['serve', '--host', '0.0.0.0', '--no-auth', '--port', '0'], { home });
    expect(noAuth.code).toBe(2);
    expect(noAuth.stderr).toMatch(/^velos: --no-auth is allowed on a loopback address only.*\n$/);
    for (const args of [
      ['--port', '99999'],
      ['--rate-limit', 'fast'],
      ['--cors', 'not a url'],
      ['--tls-cert', 'cert.pem'],
      ['--frobnicate'],
    ]) {
      const result = await velos(['serve', ...args], { home });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    // token and TLS files are read before the daemon starts: a bad one leaves none behind
    const shortToken = join(home, 'short-tokens');
    writeFileSync(shortToken, 'admin short\n', { mode: 0o600 });
    for (const [args, message] of [
      [
        ['--token-file', shortToken],
        'short-tokens: line 1: expected a token of 16 or more printable characters',
      ],
      [
        ['--token-file', join(home, 'none')],
        `cannot read the token file ${join(home, 'none')}: it does not exist (ENOENT); create it with an admin token of 16 or more printable characters: (umask 077; echo "admin $(openssl rand -base64 32)" > ${join(home, 'none')}), or name no token file to use $VELOS_HOME/api-tokens, made at the first start`,
      ],
      [
        ['--tls-cert', join(home, 'no.pem'), '--tls-key', shortToken],
        `--tls-cert: cannot read ${join(home, 'no.pem')} (ENOENT)`,
      ],
    ] as const) {
      const result = await velos(['serve', '--port', '0', ...args], { home });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toBe(`velos: ${message}\n`);
    }
    // a file that is no PEM is refused as it is read, naming it, not with OpenSSL's code once serving
    const notPem = await velos(['serve', '--port', '0', '--tls-cert', shortToken, '--tls-key', shortToken], {
      home,
    });
    expect(notPem.code).toBe(2);
    expect(notPem.stderr).toMatch(/^velos: --tls-cert: \S+short-tokens is not a PEM certificate \(.+\)\n$/);
    expect(existsSync(join(home, 'velos.pid'))).toBe(false);
  });

  it('warns once on a non-loopback bind without TLS', async () => {
    const home = await clearedHome();
    const exposed = await serve(home, ['--host', '0.0.0.0']);
    await waitFor(() => exposed.stderr().includes('without TLS'), { message: 'the exposure warning' });
    expect(exposed.stderr().match(/without TLS/g)).toHaveLength(1);
    exposed.child.kill('SIGTERM');
    expect(await exposed.exited).toBe(0);
  });

  it.runIf(hasOpenssl())(
    'serves HTTPS from --tls-cert/--tls-key, on 0.0.0.0 without the warning',
    async () => {
      const home = await clearedHome();
      const { certPath: cert, keyPath: key } = makeSelfSigned(home);
      const missing = await velos(['serve', '--tls-cert', join(home, 'nope.pem'), '--tls-key', key], {
        home,
      });
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toMatch(/^velos: --tls-cert: cannot read .*nope\.pem \(ENOENT\)\n$/);

      const secure = await serve(home, ['--host', '0.0.0.0', '--tls-cert', cert, '--tls-key', key]);
      expect(secure.info.url).toMatch(/^https:\/\/0\.0\.0\.0:\d+$/);
      const port = new URL(secure.info.url).port;
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            path: '/api/v1/health',
            servername: 'localhost',
            ca: readFileSync(cert),
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(200);
      expect(secure.stderr()).not.toContain('without TLS');
      secure.child.kill('SIGTERM');
      expect(await secure.exited).toBe(0);
    },
  );

  it('leaves the daemon without the API while config.toml has no [api] table', async () => {
    const home = createHome();
    const moduleLog = join(home, 'modules.log');
    const hook = join(REPO_ROOT, 'bench/fixtures/module-log-register.mjs');
    execFileSync(process.execPath, ['--import', hook, VELOS_BIN, 'ping'], {
      env: homeEnv(home, { VELOS_MODULE_LOG: moduleLog }),
    });
    const daemonPid = readPidFile(home);
    const loaded = readFileSync(moduleLog, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith(`${daemonPid} `));
    expect(loaded.length).toBeGreaterThan(0);
    expect(loaded.filter((l) => /\/host-[^/]*\.c?js$|packages\/api\/|fastify/.test(l))).toEqual([]);
  });

  it('is served by the daemon while config.toml has an [api] table', async () => {
    const home = createHome();
    const port = await freePort();
    writeFileSync(join(home, 'config.toml'), `[api]\nport = ${port}\ncors = ["https://ops.example.com"]\n`);
    await velosOk(['ping'], { home });
    const url = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${url}/api/v1/health`)).ok, {
      message: 'the daemon to serve the API',
    });
    const token = tokenOf(join(home, 'api-tokens'), 'read');
    const listed = await fetch(`${url}/api/v1/processes`, { headers: { authorization: `Bearer ${token}` } });
    expect(listed.status).toBe(200);

    // a bad table is refused by the reload, naming the key, and changes nothing; a reload without the table closes the API
    writeFileSync(join(home, 'config.toml'), '[api]\nport = "many"\n');
    const refused = await velos(['config', 'reload'], { home });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/config\.toml: api\.port: .*\(line 2\)/);
    expect((await fetch(`${url}/api/v1/health`)).status).toBe(200);
    writeFileSync(join(home, 'config.toml'), '[defaults]\n');
    const closed = await velosOk(['config', 'reload'], { home });
    // what the API did is printed, as the [metrics] endpoint's is
    expect(closed.stdout).toContain(`api: stopped serving ${url}`);
    await waitFor(
      () =>
        fetch(`${url}/api/v1/health`).then(
          () => false,
          () => true,
        ),
      { message: 'the API to close' },
    );
    await velosOk(['ping'], { home });
  });
});
