import { execFileSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { SeenProcesses } from '@velos/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import {
  adminToken,
  cleanup,
  FIXTURES,
  firstJsonLine,
  isAlive,
  processesIn,
  spawnServer,
  tempDir,
  VELOS_BIN,
  waitFor,
} from './server-process.js';

interface Row {
  name: string;
  pid: number | null;
  status: string;
}

/** The apps the tests saw, killed in teardown while they still run. */
const seenApps = new SeenProcesses();

afterEach(() => {
  cleanup(seenApps);
});

/** A config file with two apps of the fixtures. */
function writeConfig(dir: string): string {
  const file = join(dir, 'velos.toml');
  writeFileSync(
    file,
    [
      '[[apps]]',
      'name = "web"',
      `script = "${join(FIXTURES, 'ticker.js')}"`,
      '',
      '[[apps]]',
      'name = "quiet"',
      `script = "${join(FIXTURES, 'silent.js')}"`,
      'instances = 2',
      'exec_mode = "fork"',
      '',
    ].join('\n'),
  );
  return file;
}

describe('velos-server', () => {
  it('starts the apps of its config, serves them over HTTP and the socket, and stops them all on SIGTERM', async () => {
    const home = tempDir();
    const config = writeConfig(tempDir('velos-config-'));
    const server = spawnServer([config, '--home', home, '--port', '0', '--json']);
    const { url, tokenFile } = await firstJsonLine<{ url: string; tokenFile: string }>(server);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(tokenFile).toBe(join(home, 'api-tokens'));
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const token = adminToken(tokenFile);

    const health = await fetch(`${url}/api/v1/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: expect.stringMatching(/^(healthy|degraded)$/) });
    expect((await fetch(`${url}/api/v1/processes`)).status).toBe(401);

    const rows = await waitFor(
      async () => {
        const response = await fetch(`${url}/api/v1/processes`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const body = (await response.json()) as { processes: Row[] };
        const online = body.processes.filter((p) => p.status === 'online' && p.pid !== null);
        return online.length === 3 ? body.processes : undefined;
      },
      { message: 'three processes online over HTTP' },
    );
    expect(rows.map((r) => r.name).sort()).toEqual(['quiet', 'quiet', 'web']);
    const pids = rows.map((r) => r.pid!);
    for (const pid of pids) seenApps.add(pid);

    const auth = { authorization: `Bearer ${token}` };
    const prometheus = await fetch(`${url}/api/v1/metrics/prometheus`, { headers: auth });
    expect(prometheus.status).toBe(200);
    expect(await prometheus.text()).toMatch(/velos_process_\w+\{[^}]*name="web"/);
    const mcp = await fetch(`${url}/mcp`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    });
    expect(mcp.status).toBe(200);
    expect(JSON.stringify(await mcp.json())).toContain('process_list');
    // the in-process control validates as the socket does: a bad scale is a 400 naming the field
    const badScale = await fetch(`${url}/api/v1/processes/quiet/scale`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ instances: 'many' }),
    });
    expect(badScale.status).toBe(400);
    expect(((await badScale.json()) as { error: { code: string } }).error.code).toBe('INVALID_ARGUMENT');

    // the IPC socket of the home answers the velos CLI
    const listed = JSON.parse(
      execFileSync(process.execPath, [VELOS_BIN, 'list', '--json'], {
        env: { ...process.env, VELOS_HOME: home },
        encoding: 'utf8',
      }),
    ) as Row[];
    expect(listed.map((r) => r.pid).sort()).toEqual([...pids].sort());

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    // without --app-logs stdout holds the JSON line only
    expect(server.stdout().trim().split('\n')).toHaveLength(1);
    for (const pid of pids) expect(isAlive(pid), `app pid ${pid} after SIGTERM`).toBe(false);
    await expect(fetch(`${url}/api/v1/health`)).rejects.toThrow();
  });

  it('started again on the same home and file, brings the restored apps in line instead of starting them twice', async () => {
    const home = tempDir();
    const config = writeConfig(tempDir('velos-config-'));
    const onlineRows = async (url: string, token: string) => {
      const response = await fetch(`${url}/api/v1/processes`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const { processes } = (await response.json()) as { processes: Row[] };
      return processes.filter((p) => p.status === 'online' && p.pid !== null).length === 3
        ? processes
        : undefined;
    };
    for (let round = 0; round < 2; round++) {
      const server = spawnServer([config, '--home', home, '--port', '0', '--json']);
      const { url, tokenFile } = await firstJsonLine<{ url: string; tokenFile: string }>(server);
      const rows = await waitFor(() => onlineRows(url, adminToken(tokenFile)), {
        message: () => `three processes online (round ${round}); stderr: ${server.stderr()}`,
      });
      expect(rows).toHaveLength(3);
      for (const row of rows) seenApps.add(row.pid);
      // the first time by SIGTERM, the second by `velos kill` on its socket
      if (round === 0) server.child.kill('SIGTERM');
      else execFileSync(process.execPath, [VELOS_BIN, 'kill'], { env: { ...process.env, VELOS_HOME: home } });
      expect(await server.exited).toBe(0);
      for (const row of rows) expect(isAlive(row.pid!), `pid ${row.pid} after round ${round}`).toBe(false);
    }
  });

  it('serves a token-free Prometheus /metrics with --metrics-port', async () => {
    const home = tempDir();
    const config = writeConfig(tempDir('velos-config-'));
    const server = spawnServer([
      config,
      '--home',
      home,
      '--port',
      '0',
      '--metrics-port',
      '0',
      '--json',
      '--app-logs',
    ]);
    const { metricsUrl } = await firstJsonLine<{ metricsUrl: string }>(server);
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const text = await waitFor(
      async () => {
        const body = await (await fetch(metricsUrl)).text();
        return body.includes('name="web"') ? body : undefined;
      },
      { message: 'the web app in /metrics' },
    );
    expect(text).toMatch(/^velos_process_\w+\{[^}]*name="quiet"/m);
    // --app-logs: the apps' output on stdout beside the JSON line, from the first line on
    await waitFor(() => /^web \(err\) \| ticker \d+ err 5$/m.test(server.stdout()), {
      message: () => `web's err line 5 on stdout: ${server.stdout()}`,
    });
    expect(server.stdout()).toMatch(/^web \| ticker \d+ listening on \d+$/m);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    await expect(fetch(metricsUrl)).rejects.toThrow();
  });

  it('refuses bad arguments and a bad config file with one line and exit status 2', async () => {
    const home = tempDir();
    const dir = tempDir('velos-config-');
    const bad = join(dir, 'bad.toml');
    writeFileSync(bad, '[[apps]]\nname = "x"\ninstances = -3\n');
    // each refusal is a process of its own that exits at once: they run side by side
    const shortToken = join(dir, 'tokens');
    writeFileSync(shortToken, 'admin short\n', { mode: 0o600 });
    const [badPort, noAuth, version, badMetrics, unknown, badConfig, badTokens, noCert, relativeHome] = [
      spawnServer(['--home', home, '--port', 'http']),
      spawnServer(['--home', home, '--host', '0.0.0.0', '--no-auth']),
      spawnServer(['--version']),
      spawnServer(['--home', home, '--metrics-port', 'x']),
      spawnServer(['--home', home, '--frobnicate']),
      spawnServer([bad, '--home', home, '--port', '0']),
      spawnServer([writeConfig(dir), '--home', home, '--port', '0', '--token-file', shortToken]),
      spawnServer(['--home', home, '--port', '0', '--tls-cert', join(dir, 'no.pem'), '--tls-key', bad]),
      spawnServer(['--port', '0'], { VELOS_HOME: 'relative-home' }),
    ];
    expect(await badPort.exited).toBe(2);
    expect(badPort.stderr()).toMatch(/^velos-server: --port: expected a TCP port 0-65535, got "http".*\n$/);

    expect(await noAuth.exited).toBe(2);
    expect(noAuth.stderr()).toContain('--no-auth is allowed on a loopback address only');

    expect(await version.exited).toBe(0);
    expect(version.stdout()).toMatch(/^\d+\.\d+\.\d+\n$/);

    expect(await badMetrics.exited).toBe(2);
    expect(badMetrics.stderr()).toContain('--metrics-port: expected a TCP port');

    expect(await unknown.exited).toBe(2);
    expect(unknown.stderr().trim().split('\n')).toHaveLength(1);

    expect(await badConfig.exited).toBe(2);
    expect(badConfig.stderr()).toContain('bad.toml');

    // the token and TLS files are read before the daemon starts: nothing ran, no app, no state
    expect(await badTokens.exited).toBe(2);
    expect(badTokens.stderr()).toBe(
      'velos-server: tokens: line 1: expected a token of 16 or more printable characters\n',
    );
    expect(await noCert.exited).toBe(2);
    expect(noCert.stderr()).toMatch(/^velos-server: --tls-cert: cannot read .*no\.pem \(ENOENT\)\n$/);
    expect(existsSync(join(home, 'velos.pid')) || existsSync(join(home, 'state.json'))).toBe(false);
    // as velos refuses it: taken from the current folder, each folder had a daemon of its own
    expect(await relativeHome.exited).toBe(2);
    expect(relativeHome.stderr()).toBe(
      `velos-server: VELOS_HOME=relative-home is a relative path (each folder would have its own daemon); set it to an absolute one: VELOS_HOME=${join(FIXTURES, 'relative-home')}\n`,
    );
    expect(existsSync(join(FIXTURES, 'relative-home'))).toBe(false);
  });

  it('exits 1 naming the app whose script is missing, with no app of the file started', async () => {
    const appDir = tempDir('velos-app-');
    const config = join(appDir, 'velos.toml');
    writeFileSync(
      config,
      [
        '[[apps]]',
        'name = "gone"',
        'script = "no-such-script.js"',
        `cwd = "${appDir}"`,
        '[[apps]]',
        'name = "web"',
        `script = "${join(FIXTURES, 'silent.js')}"`,
        `cwd = "${appDir}"`,
        '',
      ].join('\n'),
    );
    // it served on with the app errored, and its log said "apps: started 2"
    const server = spawnServer([config, '--home', tempDir(), '--port', '0']);
    try {
      await waitFor(() => server.child.exitCode !== null || server.child.signalCode !== null, {
        message: () => `velos-server to exit; stderr: ${server.stderr()}`,
      });
    } finally {
      // an app a server that serves on left running is stopped in teardown
      for (const pid of processesIn(appDir)) seenApps.add(pid);
    }
    expect(await server.exited).toBe(1);
    // the missing script is named by the path it was looked for at, and refuses the whole file
    expect(server.stderr()).toContain(
      `\nvelos-server: gone cannot start: script not found: ${join(appDir, 'no-such-script.js')}\n`,
    );
    expect(server.stderr()).not.toContain('apps: started');
    expect(processesIn(appDir)).toEqual([]);
  });

  it('exits 0 on a SIGTERM that comes while it is still starting (docker stop right after the start)', async () => {
    const dir = tempDir('velos-config-');
    // a FIFO for a certificate holds the server in its start-up, before the daemon, until a writer comes
    const cert = join(dir, 'cert.pem');
    execFileSync('mkfifo', [cert]);
    const server = spawnServer(['--home', tempDir(), '--port', '0', '--tls-cert', cert, '--tls-key', cert]);
    // this open returns once the server opened the FIFO to read it: its code is loaded, it reads its files
    const writer = await open(cert, 'w');
    try {
      server.child.kill('SIGTERM');
      // Its exit waits for a read of the FIFO already under way in libuv's thread pool (the pool's threads
      // are joined at exit): given 5 s to answer the signal, the server then gets the FIFO's end and exits.
      await Promise.race([server.exited, new Promise((resolveWait) => setTimeout(resolveWait, 5_000))]);
    } finally {
      await writer.close();
    }
    // it was killed by the signal (status 143) before its code had loaded
    expect(await server.exited).toBe(0);
  });

  it('exits 1 when the port is taken, stopping the apps it started', async () => {
    const first = spawnServer(['--home', tempDir(), '--port', '0', '--json']);
    const { url } = await firstJsonLine<{ url: string }>(first);
    const appDir = tempDir('velos-app-');
    const config = join(appDir, 'velos.toml');
    writeFileSync(
      config,
      `[[apps]]\nname = "web"\nscript = "${join(FIXTURES, 'silent.js')}"\ncwd = "${appDir}"\n`,
    );
    const second = spawnServer([config, '--home', tempDir(), '--port', new URL(url).port]);
    expect(await second.exited).toBe(1);
    expect(second.stderr()).toMatch(/velos-server: .*(EADDRINUSE|in use)/);
    // the app had started before the API failed: it is stopped with the server
    expect(second.stderr()).toContain('apps: started 1');
    expect(processesIn(appDir)).toEqual([]);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
  });
});
