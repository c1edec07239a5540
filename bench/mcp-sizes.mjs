#!/usr/bin/env node
// MCP-1 token economy and start-up. With the same APPS apps (default 10, fixtures/silent.js) under
// Velos and under PM2 (pm2@6 installed with npm into a temp prefix, its own PM2_HOME): the bytes of
// `pm2 jlist` against the bytes of the `process_list` answer of `velos mcp`; then a table of every
// tool's answer in bytes and estimated tokens (bytes / 4); then the start-up: spawn of `velos mcp` to
// its first `tools/list` answer against the wall time of `velos list`, medians of RUNS (default 9).
// Usage: pnpm run build && node bench/mcp-sizes.mjs [--apps 10] [--runs 9] [--no-pm2] [--show (print each answer)]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { runChecked } from './lib/exec.mjs';
import { createPm2Driver, installPm2 } from './lib/pm2-driver.mjs';
import { median } from './lib/stats.mjs';
import { createVelosDriver, VELOS_BIN } from './lib/velos-driver.mjs';

const { values } = parseArgs({
  options: {
    apps: { type: 'string', default: '10' },
    runs: { type: 'string', default: '9' },
    'no-pm2': { type: 'boolean', default: false },
    show: { type: 'boolean', default: false },
  },
});
const APPS = Number(values.apps);
if (!(APPS >= 3)) throw new Error('--apps: expected 3 or more');
const RUNS = Number(values.runs);
const repo = fileURLToPath(new URL('..', import.meta.url));
const runId = `mcp-${process.pid}`;
const tmp = mkdtempSync(join(tmpdir(), 'velos-bench-mcp-'));
const apps = Array.from({ length: APPS }, (_, i) => ({
  name: `app-${i}`,
  script: join(repo, 'fixtures/silent.js'),
  env: { VELOS_BENCH_RUN: runId },
}));
const velos = createVelosDriver({ home: join(tmp, 'velos'), runId });
let pm2 = null;
let mcp = null;

try {
  await velos.ensureDaemon();
  await velos.startConfig(velos.writeConfig(tmp, apps));
  await velos.waitOnline(apps.map((app) => app.name));
  let jlistBytes = null;
  if (!values['no-pm2']) {
    const install = await installPm2({ log: (line) => console.error(line) });
    pm2 = createPm2Driver({ install, home: join(tmp, 'pm2'), runId });
    await pm2.ensureDaemon();
    const pm2Dir = mkdtempSync(join(tmp, 'pm2-config-'));
    await pm2.startConfig(pm2.writeConfig(pm2Dir, apps));
    await pm2.waitOnline(apps.map((app) => app.name));
    jlistBytes = Buffer.byteLength((await pm2.run(['jlist'])).stdout);
  }

  mcp = await connect();
  const sizes = await measureTools(mcp.client);
  const list = sizes.find((row) => row.tool === 'process_list');
  console.log(`\n## process_list vs pm2 jlist (${APPS} apps)\n`);
  console.log('| answer | bytes | est. tokens |\n|---|---:|---:|');
  if (jlistBytes !== null) console.log(`| pm2 jlist | ${jlistBytes} | ${Math.round(jlistBytes / 4)} |`);
  console.log(`| velos process_list | ${list.bytes} | ${Math.round(list.bytes / 4)} |`);
  if (jlistBytes !== null)
    console.log(`\nratio: 1/${Math.round(jlistBytes / list.bytes)} (target: at most 1/50)`);
  console.log(`\n## Every tool's answer (${APPS} apps; bytes of the text block)\n`);
  console.log('| tool | arguments | bytes | est. tokens |\n|---|---|---:|---:|');
  for (const row of sizes)
    console.log(
      `| ${row.tool} | \`${JSON.stringify(row.args)}\` | ${row.bytes} | ${Math.round(row.bytes / 4)} |`,
    );
  await mcp.client.close();
  mcp = null;

  const startup = await measureStartup();
  console.log(`\n## Start-up (median of ${RUNS}, interleaved)\n`);
  console.log('| what | ms |\n|---|---:|');
  console.log(`| node -e 0 | ${startup.floor.toFixed(0)} |`);
  console.log(`| velos list | ${startup.list.toFixed(0)} |`);
  console.log(`| velos mcp: spawn to first tools/list answer | ${startup.mcp.toFixed(0)} |`);
  console.log(`\nratio mcp/list: ${(startup.mcp / startup.list).toFixed(2)} (target: at most 1.5)`);
} finally {
  if (mcp) await mcp.client.close().catch(() => {});
  await velos.deleteAll().catch(() => {});
  await velos.shutdown().catch(() => {});
  if (pm2) {
    await pm2.deleteAll().catch(() => {});
    await pm2.shutdown().catch(() => {});
  }
  rmSync(tmp, { recursive: true, force: true });
}

async function connect() {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [VELOS_BIN, 'mcp'],
    env: velos.env,
    cwd: tmp,
    stderr: 'inherit',
  });
  const client = new Client({ name: 'velos-bench', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport };
}

/** Calls each tool on the running apps (and on a scratch app for the mutating ones); bytes of each answer. */
async function measureTools(client) {
  const job = join(tmp, 'job.toml');
  writeFileSync(
    job,
    `[[apps]]\nname = "nightly"\nscript = "${join(repo, 'fixtures/silent.js')}"\ntype = "job"\nschedule = "0 3 * * *"\n`,
  );
  const mix = { name: 'mix', script: join(repo, 'fixtures/log-mix.js') };
  const calls = [
    ['process_start', { script: mix.script, name: mix.name, env: { COUNT: '5000', STAY: '1' } }],
    ['process_start', { config: job }],
    ['process_list', {}],
    ['process_list', { detail: 'full' }],
    ['process_info', { target: 'app-0' }],
    ['process_info', { target: 'app-0', detail: 'full' }],
    ['health_check', {}],
    ['metrics_snapshot', {}],
    ['metrics_snapshot', { target: 'app-0' }],
    ['metrics_history', { target: 'app-0' }],
    ['log_read', { target: 'mix', lines: 20 }],
    ['log_search', { target: 'mix', pattern: 'ECONNREFUSED', limit: 10 }],
    ['log_summary', { target: 'mix', period: '1h' }],
    ['events_list', { limit: 20 }],
    ['alerts_list', {}],
    ['job_trigger', { target: 'nightly' }],
    ['job_runs', { target: 'nightly' }],
    ['config_get', { target: 'app-0' }],
    ['config_set', { target: 'app-1', changes: { max_memory: '200M' } }],
    ['process_restart', { target: 'app-0' }],
    ['process_reload', { target: 'app-0' }],
    ['process_scale', { name: 'app-1', instances: '2' }],
    ['process_stop', { target: 'app-2' }],
    ['process_delete', { target: 'nightly' }],
  ];
  const rows = [];
  for (const [tool, args] of calls) {
    if (tool === 'log_read') await waitForLines(client);
    const result = await client.callTool({ name: tool, arguments: args });
    const text = result.content[0]?.text ?? '';
    if (result.isError) throw new Error(`${tool} failed: ${text}`);
    rows.push({ tool, args, bytes: Buffer.byteLength(text) });
    if (values.show) console.log(`\n### ${tool} ${JSON.stringify(args)}\n${text}`);
  }
  await client.callTool({ name: 'process_delete', arguments: { target: 'mix' } });
  return rows;
}

async function waitForLines(client) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const result = await client.callTool({ name: 'process_info', arguments: { target: 'mix' } });
    const [info] = JSON.parse(result.content[0].text);
    if (info.lines.out + info.lines.err >= 5000) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('mix did not write its 5000 lines in 30 s');
}

/** Medians of: `node -e 0`, `velos list`, and `velos mcp` from spawn to the first tools/list answer. */
async function measureStartup() {
  const samples = { floor: [], list: [], mcp: [] };
  await runChecked(process.execPath, [VELOS_BIN, 'list'], { env: velos.env }).catch(() => {});
  for (let i = 0; i < RUNS; i += 1) {
    samples.floor.push((await runChecked(process.execPath, ['-e', '0'])).ms);
    samples.list.push((await runChecked(process.execPath, [VELOS_BIN, 'list'], { env: velos.env })).ms);
    samples.mcp.push(await firstToolsList());
  }
  return { floor: median(samples.floor), list: median(samples.list), mcp: median(samples.mcp) };
}

/** Spawns `velos mcp`, sends initialize, then initialized and tools/list as an agent does; ms to that answer. */
function firstToolsList() {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [VELOS_BIN, 'mcp'], {
      env: velos.env,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let buffer = '';
    const send = (message) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('velos mcp did not answer tools/list in 30 s'));
    }, 30_000);
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      for (let at = buffer.indexOf('\n'); at >= 0; at = buffer.indexOf('\n')) {
        const message = JSON.parse(buffer.slice(0, at));
        buffer = buffer.slice(at + 1);
        if (message.id === 1) {
          send({ method: 'notifications/initialized' });
          send({ id: 2, method: 'tools/list' });
        } else if (message.id === 2) {
          const ms = performance.now() - started;
          clearTimeout(timer);
          child.stdin.end();
          child.once('exit', () => resolve(ms));
          setTimeout(() => child.kill('SIGKILL'), 5000).unref();
        }
      }
    });
    send({
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'bench', version: '1' },
      },
    });
  });
}
