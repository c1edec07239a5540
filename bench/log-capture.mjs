// Log capture throughput: `node fixtures/chatty.js` (COUNT lines at full speed) redirected straight to
// a file, against the same writer piped through the supervisor's createLogPipeline into a file.
// Usage: pnpm --filter @velos/supervisor build && node bench/log-capture.mjs [lines] [runs]
// VELOS_SUPERVISOR_MODULE=<path or URL> imports createLogPipeline from another build.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const lines = Number(process.argv[2] ?? 1_000_000);
const runs = Number(process.argv[3] ?? 3);
const chatty = new URL('../fixtures/chatty.js', import.meta.url).pathname;
const moduleUrl = process.env.VELOS_SUPERVISOR_MODULE
  ? pathToFileURL(process.env.VELOS_SUPERVISOR_MODULE).href
  : new URL('../packages/supervisor/dist/index.js', import.meta.url).href;

let createLogPipeline;
try {
  ({ createLogPipeline } = await import(moduleUrl));
} catch (error) {
  console.error(`cannot import ${moduleUrl} (${error.message}); run: pnpm --filter @velos/supervisor build`);
  process.exit(1);
}
if (typeof createLogPipeline !== 'function') {
  console.error(`${moduleUrl} does not export createLogPipeline`);
  process.exit(1);
}

const env = { ...process.env, COUNT: String(lines), RATE: '0' };

function exited(child) {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`chatty exited with ${code}`))));
  });
}

async function direct(dir) {
  const path = join(dir, 'direct.log');
  const fd = openSync(path, 'w');
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [chatty], { env, stdio: ['ignore', fd, 'ignore'] });
  closeSync(fd);
  await exited(child);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { ms, bytes: (await stat(path)).size };
}

async function piped(dir, options) {
  const outPath = join(dir, `piped-${options.format}${options.dateFormat ? '-dated' : ''}.log`);
  const pipeline = createLogPipeline({
    id: 0,
    name: 'bench',
    outPath,
    errPath: join(dir, 'err.log'),
    ...options,
  });
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [chatty], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  pipeline.attach(child.stdout, 'out', child.pid);
  pipeline.attach(child.stderr, 'err', child.pid);
  await exited(child);
  await pipeline.drained();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const used = process.cpuUsage(cpu);
  const counters = pipeline.counters();
  await pipeline.close();
  if (counters.out !== lines) throw new Error(`captured ${counters.out} of ${lines} lines`);
  return { ms, cpuMs: (used.user + used.system) / 1000, bytes: (await stat(outPath)).size };
}

function best(results) {
  return results.reduce((a, b) => (b.ms < a.ms ? b : a));
}

const dir = await mkdtemp(join(tmpdir(), 'velos-bench-logs-'));
try {
  const cases = [
    ['pipeline plain', { format: 'plain' }],
    // the daemon scans every captured chunk for app events (OBS-2, docs/events.md)
    ['pipeline plain + app events', { format: 'plain', onAppEventLine: () => undefined }],
    ['pipeline plain + iso date', { format: 'plain', dateFormat: 'iso' }],
    ['pipeline json', { format: 'json' }],
  ];
  const directRuns = [];
  for (let i = 0; i < runs; i += 1) directRuns.push(await direct(dir));
  const baseline = best(directRuns);
  const rate = (ms) => Math.round(lines / (ms / 1000)).toLocaleString('en-US');
  console.log(`${lines.toLocaleString('en-US')} lines, best of ${runs} runs (node ${process.version})`);
  console.log(
    `direct redirect to a file      ${baseline.ms.toFixed(0).padStart(6)} ms  ${rate(baseline.ms)} lines/s`,
  );
  for (const [label, options] of cases) {
    const results = [];
    for (let i = 0; i < runs; i += 1) results.push(await piped(dir, options));
    const result = best(results);
    const ratio = (result.ms / baseline.ms).toFixed(2);
    const cpu = `capture CPU ${result.cpuMs.toFixed(0)} ms (${((result.cpuMs / result.ms) * 100).toFixed(0)}% of a core)`;
    console.log(
      `${label.padEnd(30)} ${result.ms.toFixed(0).padStart(6)} ms  ${rate(result.ms)} lines/s  x${ratio}  ${cpu}`,
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
