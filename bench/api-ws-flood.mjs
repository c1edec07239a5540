#!/usr/bin/env node
// A 100k-line flood from fixtures/chatty.js followed live by 10 WebSocket clients of @velos/api
// (`{"type":"subscribe","topic":"logs","target":"flood","lines":0}`): every client must receive every
// line whole and in order. Reports the time from the first line written to the last client having all
// lines, the CPU of the API server (process.cpuUsage() of its own process) and of the daemon
// (/proc/<pid>/stat) over the flood, the clients' own CPU (this process), and the daemon's CPU for the
// same flood with no client at all.
// The server is the WebSocket part alone (registerWebSocket on a bare fastify, bundled from
// packages/api/test/ws-bench-server.ts), since createApiServer is not on this branch yet. Its
// maxBufferedBytes is 64 MiB here (--max-buffered-mb): with the default 4 MiB, a client process
// starved of CPU on a loaded machine is closed with 4508 (the slow-consumer policy), which is not
// what this measures.
// Usage: pnpm run build && node bench/api-ws-flood.mjs [--runs 5] [--lines 100000] [--clients 10]
//        [--max-buffered-mb 64]
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { readCpuSeconds, readPidFile, stopPids } from './lib/proc.mjs';
import { median } from './lib/stats.mjs';
import { epochMs, waitFor } from './lib/wait.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const API_DIR = join(REPO, 'packages/api');
const VELOS_BIN = join(REPO, 'apps/cli/bin/velos.js');
const FIXTURES = join(REPO, 'fixtures');
const TOKEN = 'bench-read-token';
// The app waits this long before its first line; a restart with DELAY_MS=0 starts the flood once
// every client has subscribed.
const PARKED_DELAY_MS = 3_600_000;

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    lines: { type: 'string', default: '100000' },
    clients: { type: 'string', default: '10' },
    'max-buffered-mb': { type: 'string', default: '64' },
  },
});
const runs = Number(values.runs);
const lineCount = Number(values.lines);
const clientCount = Number(values.clients);
const maxBufferedBytes = Number(values['max-buffered-mb']) * 1024 * 1024;
const requireFromApi = createRequire(join(API_DIR, 'package.json'));
const WebSocket = requireFromApi('ws');
const { createClient } = await import(pathToFileURL(join(REPO, 'packages/client/dist/index.js')).href);
const serverBundle = await bundleServer();

const flood = [];
const baseline = [];
for (let run = 0; run < runs; run += 1) {
  process.stderr.write(`run ${run + 1}/${runs}: ${clientCount} clients\n`);
  flood.push(await runFlood(clientCount));
  process.stderr.write(`run ${run + 1}/${runs}: no client (baseline)\n`);
  baseline.push(await runFlood(0));
}

const med = (samples, key) => median(samples.map((sample) => sample[key]));
const list = (samples, key, digits) => samples.map((sample) => sample[key].toFixed(digits)).join(', ');
console.log(`\nWebSocket log flood: ${lineCount} lines, ${clientCount} clients, ${runs} runs (medians)`);
console.log(`  every client got every line whole, in order  ${flood.every((s) => s.isComplete)}`);
console.log(
  `  first line written -> last client has all    ${med(flood, 'wallMs').toFixed(0)} ms (${list(flood, 'wallMs', 0)})`,
);
console.log(
  `  API server CPU over the flood                 ${med(flood, 'serverCpuS').toFixed(2)} s (${list(flood, 'serverCpuS', 2)})`,
);
console.log(
  `  daemon CPU over the flood                     ${med(flood, 'daemonCpuS').toFixed(2)} s (${list(flood, 'daemonCpuS', 2)})`,
);
console.log(
  `  daemon CPU, same flood, no client (baseline)  ${med(baseline, 'daemonCpuS').toFixed(2)} s (${list(baseline, 'daemonCpuS', 2)})`,
);
console.log(`  baseline: first line written -> all captured  ${med(baseline, 'wallMs').toFixed(0)} ms`);
console.log(
  `  the ${clientCount} clients' CPU (this process)            ${med(flood, 'clientsCpuS').toFixed(2)} s (${list(flood, 'clientsCpuS', 2)})`,
);
console.log(`  WebSocket messages per client (median)        ${med(flood, 'messages')}`);
const failures = flood.filter((sample) => !sample.isComplete);
for (const failure of failures) console.log(`  incomplete run: ${failure.problem}`);
if (failures.length > 0) process.exitCode = 1;

/** Bundles the server entry next to packages/api's node_modules, so its imports resolve. */
async function bundleServer() {
  const { build } = await import(pathToFileURL(requireFromRoot('tsup')).href);
  const outDir = join(API_DIR, 'node_modules/.velos-bench');
  mkdirSync(outDir, { recursive: true });
  await build({
    entry: { 'ws-bench-server': join(API_DIR, 'test/ws-bench-server.ts') },
    outDir,
    format: ['esm'],
    target: 'node20',
    dts: false,
    silent: true,
    config: false,
    external: [/^[^./]/],
  });
  return join(outDir, 'ws-bench-server.js');
}

function requireFromRoot(name) {
  return createRequire(join(REPO, 'package.json')).resolve(name);
}

async function runFlood(clients) {
  const home = mkdtempSync(join(tmpdir(), 'velos-ws-flood-'));
  const startFile = join(home, 'flood-start');
  const env = {
    ...process.env,
    VELOS_HOME: home,
    COUNT: String(lineCount),
    RATE: '0',
    STAY: '1',
    DELAY_MS: String(PARKED_DELAY_MS),
    START_FILE: startFile,
  };
  const velos = (args) => execFileSync(process.execPath, [VELOS_BIN, ...args], { env, encoding: 'utf8' });
  const control = createClient({ home, timeoutMs: 30_000 });
  let daemonPid = null;
  let appPid = null;
  let server = null;
  const sockets = [];
  try {
    velos(['start', join(FIXTURES, 'chatty.js'), '--name', 'flood']);
    daemonPid = readPidFile(join(home, 'velos.pid'));
    server = clients > 0 ? await startServer(home) : null;
    const readers = [];
    for (let i = 0; i < clients; i += 1) {
      const reader = await openReader(server.port);
      sockets.push(reader.ws);
      readers.push(reader);
    }
    const daemonBefore = readCpuSeconds(daemonPid);
    const serverBefore = server ? await server.cpu() : null;
    const clientsBefore = process.cpuUsage();
    const subscribedAt = epochMs();
    // a restart's env replaces the app's whole environment
    await control.restart('flood', { env: { ...stringValues(env), DELAY_MS: '0' } });
    await waitFor(() => existsSync(startFile) && readFileSync(startFile, 'utf8').length > 0, {
      timeoutMs: 30_000,
      what: 'the flood to start',
    });
    const firstWriteAt = Number(readFileSync(startFile, 'utf8'));
    appPid = (await control.describe('flood'))[0].pid;
    if (firstWriteAt < subscribedAt) throw new Error('the flood started before the clients subscribed');
    const doneAt = await waitFor(
      async () => {
        if (readers.length > 0) {
          const failed = readers.find((reader) => reader.problem);
          if (failed) return { at: epochMs(), problem: failed.problem };
          return readers.every((reader) => reader.next > lineCount)
            ? { at: Math.max(...readers.map((r) => r.doneAt)) }
            : null;
        }
        const [detail] = await control.describe('flood');
        return detail.logLines.out >= lineCount ? { at: epochMs() } : null;
      },
      { timeoutMs: 180_000, intervalMs: 20, what: 'every line at every client' },
    );
    const serverAfter = server ? await server.cpu() : null;
    const clientsCpu = process.cpuUsage(clientsBefore);
    return {
      isComplete: !doneAt.problem,
      problem: doneAt.problem,
      wallMs: doneAt.at - firstWriteAt,
      daemonCpuS: readCpuSeconds(daemonPid) - daemonBefore,
      serverCpuS: server
        ? (serverAfter.user + serverAfter.system - serverBefore.user - serverBefore.system) / 1e6
        : 0,
      clientsCpuS: (clientsCpu.user + clientsCpu.system) / 1e6,
      messages: readers.length > 0 ? median(readers.map((reader) => reader.messages)) : 0,
    };
  } finally {
    for (const ws of sockets) ws.terminate();
    await server?.stop();
    await control.close();
    try {
      velos(['kill']);
    } catch {
      // a daemon that died is stopped below by pid
    }
    await stopPids([daemonPid, appPid, server?.pid].filter((pid) => pid !== null && pid !== undefined));
    rmSync(home, { recursive: true, force: true });
  }
}

function stringValues(record) {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => typeof value === 'string'));
}

/** Starts the API server process on `home`; resolves its port, a CPU probe and a stop. */
async function startServer(home) {
  const child = spawn(process.execPath, [serverBundle, home, TOKEN, String(maxBufferedBytes)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const waiting = [];
  lines.on('line', (line) => waiting.shift()?.(JSON.parse(line)));
  const nextLine = () => new Promise((resolve) => waiting.push(resolve));
  const { port } = await nextLine();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    pid: child.pid,
    port,
    cpu() {
      const answer = nextLine();
      child.stdin.write('cpu\n');
      return answer;
    },
    async stop() {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A client subscribed to the flood's logs that checks each line is the next one, whole. */
async function openReader(port) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/ws`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  const reader = { ws, next: 1, messages: 0, problem: null, doneAt: 0 };
  ws.on('message', (data) => {
    const message = JSON.parse(String(data));
    if (message.type === 'error') reader.problem ??= `error ${message.code}: ${message.message}`;
    if (message.type !== 'logs') return;
    reader.messages += 1;
    for (const { line } of message.lines) {
      if (line !== `line ${reader.next}`)
        reader.problem ??= `expected "line ${reader.next}", got "${line.slice(0, 40)}"`;
      reader.next += 1;
    }
    if (reader.next > lineCount && !reader.doneAt) reader.doneAt = epochMs();
  });
  ws.on('close', (code) => {
    if (reader.next <= lineCount) reader.problem ??= `closed with ${code} after ${reader.next - 1} lines`;
  });
  await new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.on('message', function onReady(data) {
      if (JSON.parse(String(data)).type !== 'ready') return;
      ws.off('message', onReady);
      ws.send(JSON.stringify({ type: 'subscribe', topic: 'logs', target: 'flood', lines: 0 }));
      resolve();
    });
  });
  return reader;
}
