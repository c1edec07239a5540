import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeenProcesses } from '@velos/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runCaptured } from '../../scripts/lib/pack-install.mjs';
import { isAlive, stopAll, waitFor } from './processes.js';
import { installedTree } from './tree.js';

// `npm i velos` alone: the velos tarball and only the workspace packages its `dependencies` name (the
// rest is bundled into its dist), installed outside the workspace (the project's one install of that
// tree, global-setup.ts). Every command family must run from that tree: a bundled module that is not
// installed fails here, not in a user's terminal.
const work = mkdtempSync(join(tmpdir(), 'velos-alone-'));
let appDir: string;
let bin: string;
const home = join(work, 'home');
/** OTLP/HTTP requests the daemon sent to the receiver below, by path. */
const received: string[] = [];
let receiver: Server;
let env: NodeJS.ProcessEnv;
const pids = new SeenProcesses();

function velos(args: string[], timeoutMs = 90_000) {
  return runCaptured(bin, args, { cwd: appDir, env, timeoutMs });
}

/** Bytes of the files under `dir` (what `du` counts, without its block rounding). */
function bytesUnder(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += bytesUnder(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    received.push(req.url ?? '');
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  env = cleanEnv({
    VELOS_HOME: home,
    // the daemon loads its bundled OpenTelemetry SDK only when an endpoint is set
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`,
    OTEL_METRIC_EXPORT_INTERVAL: '1000',
  });
  appDir = await installedTree('alone');
  bin = join(appDir, 'node_modules', '.bin', 'velos');
});

afterAll(async () => {
  await stopAll(home, pids);
  await new Promise((resolve) => receiver?.close(resolve));
  rmSync(work, { recursive: true, force: true });
  // the tree is this file's alone: removed here, beside the other files' tests, not at the run's end
  if (appDir) rmSync(appDir, { recursive: true, force: true });
});

describe('velos installed on its own', () => {
  it('installs @velos/api and what it needs, none of what the bundles carry (ink, react, commander, OpenTelemetry)', () => {
    const installed = readdirSync(join(appDir, 'node_modules'));
    const scoped = (scope: string) =>
      installed.includes(scope) ? readdirSync(join(appDir, 'node_modules', scope)) : [];
    for (const bundled of ['ink', 'react', 'commander', 'picocolors', 'chokidar']) {
      expect(installed, bundled).not.toContain(bundled);
    }
    // only the API that prom-client (of @velos/metrics) depends on; the SDK and exporters are bundled
    expect(scoped('@opentelemetry')).toEqual(
      expect.not.arrayContaining(['sdk-metrics', 'sdk-trace-base', 'core']),
    );
    expect(scoped('@opentelemetry').filter((name) => name !== 'api')).toEqual([]);
    expect(scoped('@velos').sort()).toEqual(['api', 'core', 'log-engine', 'mcp', 'metrics']);
    const megabytes = bytesUnder(join(appDir, 'node_modules')) / 1024 / 1024;
    console.log(
      `velos installed alone: ${megabytes.toFixed(1)} MB in node_modules, ${installed.length} entries`,
    );
  });

  it('prints its version and the help of every command family', async () => {
    const manifest = JSON.parse(readFileSync(join(appDir, 'node_modules', 'velos', 'package.json'), 'utf8'));
    expect((await velos(['--version'])).stdout).toBe(`${manifest.version}\n`);
    for (const command of ['monit', 'mcp', 'serve', 'start', 'logs', 'runs', 'startup', 'metrics']) {
      const help = await velos([command, '--help']);
      expect(help.stderr, command).toBe('');
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toContain(`velos ${command}`);
    }
  });

  it('starts a service and a job, lists them, reads and summarises logs, exports OTLP, stops and deletes', async () => {
    writeFileSync(
      join(appDir, 'tick.js'),
      "let n = 0;\nsetInterval(() => console.log('alone tick ' + n++), 100);\n",
    );
    writeFileSync(join(appDir, 'job.js'), "console.log('job ran');\n");
    expect((await velos(['start', 'tick.js', '--name', 'tick'])).code).toBe(0);
    expect((await velos(['start', 'job.js', '--name', 'job', '--every', '1h'])).code).toBe(0);
    const rows = await waitFor(async () => {
      const list = await velos(['list', '--json']);
      const parsed =
        list.code === 0
          ? (JSON.parse(list.stdout) as { name: string; pid: number | null; status: string }[])
          : [];
      return parsed.find((row) => row.name === 'tick' && row.status === 'online' && row.pid)
        ? parsed
        : undefined;
    });
    for (const row of rows) if (row.pid) pids.add(row.pid);
    const logs = await waitFor(async () => {
      const result = await velos(['logs', 'tick', '--lines', '5', '--raw']);
      return result.stdout.includes('alone tick') ? result : undefined;
    });
    expect(logs.stderr).toBe('');
    const summary = await velos(['logs', 'tick', '--summary', '--json']);
    expect(summary.code).toBe(0);
    expect(JSON.parse(summary.stdout).summary.lines).toBeGreaterThan(0);
    const runs = await waitFor(async () => {
      const result = await velos(['runs', 'job', '--json']);
      const parsed = result.code === 0 ? (JSON.parse(result.stdout) as { outcome: string }[]) : [];
      return parsed.some((run) => run.outcome === 'ok') ? parsed : undefined;
    });
    expect(runs[0]!.outcome).toBe('ok');
    await waitFor(() => received.some((path) => path === '/v1/metrics'), 30_000);
    expect((await velos(['stop', 'tick'])).code).toBe(0);
    expect((await velos(['delete', 'all'])).code).toBe(0);
  });

  it('serves the HTTP API and MCP over HTTP and stdio', async () => {
    const serve = spawn(bin, ['serve', '--port', '0', '--json'], {
      cwd: appDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    pids.add(serve.pid!);
    try {
      let stdout = '';
      serve.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
      });
      const line = await waitFor(() => stdout.split('\n').find((l) => l.startsWith('{')));
      const info = JSON.parse(line) as { url: string; tokenFile: string };
      const url = info.url.replace(/\/$/, '');
      const admin = /^admin (\S+)$/m.exec(readFileSync(info.tokenFile, 'utf8'))![1]!;
      expect(await (await fetch(`${url}/api/v1/health`)).json()).toEqual({
        status: expect.stringMatching(/^(healthy|degraded)$/),
      });
      const mcp = await fetch(`${url}/mcp`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${admin}`,
          accept: 'application/json, text/event-stream',
          'content-type': 'application/json',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
      expect(mcp.status).toBe(200);
      expect(((await mcp.json()) as { result: { tools: unknown[] } }).result.tools.length).toBeGreaterThan(
        10,
      );
    } finally {
      serve.kill('SIGTERM');
      await waitFor(() => !isAlive(serve.pid!), 10_000);
    }

    const stdio = spawn(bin, ['mcp'], { cwd: appDir, env, stdio: ['pipe', 'pipe', 'pipe'] });
    pids.add(stdio.pid!);
    try {
      let out = '';
      stdio.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
      });
      const init = {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'pack', version: '1' },
      };
      stdio.stdin!.write(
        `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: init })}\n`,
      );
      stdio.stdin!.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
      const call = { name: 'process_list', arguments: {} };
      stdio.stdin!.write(
        `${JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: call })}\n`,
      );
      const answer = await waitFor(() => out.split('\n').find((l) => l.includes('"id":2')), 30_000);
      expect(JSON.parse(answer).result.isError).not.toBe(true);
    } finally {
      stdio.kill('SIGTERM');
      await waitFor(() => !isAlive(stdio.pid!), 10_000);
    }
    expect((await velos(['kill'])).code).toBe(0);
  });
});
