// Log capture throughput: `node fixtures/chatty.js` (COUNT lines at full speed) redirected straight to
// a file, against the same writer piped through the supervisor's createLogPipeline into a file.
// Then the live log engine (issue 9): the capture CPU of fixtures/chatty.js and fixtures/log-mix.js
// (20 % error lines) with the engine on (createLiveEngines, as the daemon wires it) against the app
// opted out (`log_engine = false`), medians of [runs] runs each, alternated.
// Then one write() per line (issue 17): fixtures/line-per-write.js (100-byte lines, console.log)
// through the pipeline, the capture CPU and the number of chunks read, medians of [runs] runs.
// Then size rotation (issue 15): the capture CPU with --log-max-size 10K and 1M, medians of [runs] runs.
// Usage: pnpm --filter @velos/supervisor build && node bench/log-capture.mjs [lines] [runs] [per-line|rotation]
// VELOS_SUPERVISOR_MODULE=<path or URL> imports createLogPipeline from another build.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const lines = Number(process.argv[2] ?? 1_000_000);
const runs = Number(process.argv[3] ?? 3);
/** `per-line` as the third argument: only the one-write()-per-line part. */
const perLineOnly = process.argv[4] === 'per-line';
/** `rotation` as the third argument: only the size rotation part. */
const rotationOnly = process.argv[4] === 'rotation';
const chatty = new URL('../fixtures/chatty.js', import.meta.url).pathname;
const moduleUrl = process.env.VELOS_SUPERVISOR_MODULE
  ? pathToFileURL(process.env.VELOS_SUPERVISOR_MODULE).href
  : new URL('../packages/supervisor/dist/index.js', import.meta.url).href;

let createLogPipeline;
let createLiveEngines;
try {
  ({ createLogPipeline, createLiveEngines } = await import(moduleUrl));
} catch (error) {
  console.error(`cannot import ${moduleUrl} (${error.message}); run: pnpm --filter @velos/supervisor build`);
  process.exit(1);
}
if (typeof createLogPipeline !== 'function') {
  console.error(`${moduleUrl} does not export createLogPipeline`);
  process.exit(1);
}

const env = { ...process.env, COUNT: String(lines), RATE: '0', LINE_BYTES: '100' };

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

async function piped(dir, options, script = chatty) {
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
  const child = spawn(process.execPath, [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let reads = 0;
  child.stdout.on('data', () => {
    reads += 1;
  });
  pipeline.attach(child.stdout, 'out', child.pid);
  pipeline.attach(child.stderr, 'err', child.pid);
  await exited(child);
  await pipeline.drained();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const used = process.cpuUsage(cpu);
  const counters = pipeline.counters();
  await pipeline.close();
  if (counters.out + counters.err !== lines)
    throw new Error(`captured ${counters.out + counters.err} of ${lines} lines`);
  return { ms, cpuMs: (used.user + used.system) / 1000, bytes: (await stat(outPath)).size, reads };
}

function median(values) {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

function best(results) {
  return results.reduce((a, b) => (b.ms < a.ms ? b : a));
}

/** One write() per line: capture CPU and chunks read, as the daemon wires a pipeline (events, metrics, engine). */
async function perLineCost(dir) {
  const script = new URL('../fixtures/line-per-write.js', import.meta.url).pathname;
  const engines = createLiveEngines({ publish: () => undefined, log: () => undefined });
  const results = [];
  for (let i = 0; i < runs; i += 1) {
    const name = `per-line-${i}`;
    const options = {
      format: 'plain',
      onAppEventLine: () => undefined,
      onAppMetricLine: () => undefined,
      onLines: engines.sinkFor({ spec: { name } }, 0),
    };
    results.push(await piped(dir, options, script));
    engines.forget(name);
  }
  engines.close();
  const cpu = results.map((r) => r.cpuMs);
  const reads = results.map((r) => r.reads);
  const ms = results.map((r) => r.ms);
  console.log(
    `\none write() per line (fixtures/line-per-write.js, 100-byte lines), median of ${runs}: capture CPU ${median(cpu).toFixed(0)} ms (${cpu.map((v) => v.toFixed(0)).join(', ')}), chunks read ${median(reads)} (${reads.join(', ')}), wall ${median(ms).toFixed(0)} ms`,
  );
}

const dir = await mkdtemp(join(tmpdir(), 'velos-bench-logs-'));
try {
  const cases = [
    ['pipeline plain', { format: 'plain' }],
    // the daemon scans every captured chunk for app events (OBS-2, docs/events.md)
    ['pipeline plain + app events', { format: 'plain', onAppEventLine: () => undefined }],
    // and for custom metrics (OBS-6, docs/custom-metrics.md): one search finds both keys
    [
      'pipeline plain + events + metrics',
      { format: 'plain', onAppEventLine: () => undefined, onAppMetricLine: () => undefined },
    ],
    ['pipeline plain + iso date', { format: 'plain', dateFormat: 'iso' }],
    ['pipeline json', { format: 'json' }],
  ];
  if (!perLineOnly && !rotationOnly) {
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
      const medians = `median of ${runs}: ${median(results.map((r) => r.ms)).toFixed(0)} ms, CPU ${median(results.map((r) => r.cpuMs)).toFixed(0)} ms`;
      console.log(
        `${label.padEnd(30)} ${result.ms.toFixed(0).padStart(6)} ms  ${rate(result.ms)} lines/s  x${ratio}  ${cpu}; ${medians}`,
      );
    }
    await liveEngineCost(dir);
  }
  if (!rotationOnly) await perLineCost(dir);
  if (!perLineOnly) await rotationCost(dir);
} finally {
  await rm(dir, { recursive: true, force: true });
}

/** Capture CPU with the live log engine on and opted out, alternated, medians. */
async function liveEngineCost(dir) {
  const logMix = new URL('../fixtures/log-mix.js', import.meta.url).pathname;
  const events = [];
  const engines = createLiveEngines({ publish: (event) => events.push(event), log: () => undefined });
  // the engine module loads once per daemon, and its code is warm in a daemon that runs: do both first
  const warm = engines.sinkFor({ spec: { name: 'warm' } }, 0);
  const batch = (ts) => ({
    data: Buffer.from('ERROR warm up failed\nline 2\n'.repeat(2000)),
    lines: 4000,
    ts,
    stream: 'out',
    pid: 1,
  });
  warm(batch(Date.now()));
  await new Promise((resolve) => setTimeout(resolve, 500));
  for (let i = 0; i < 200; i += 1) warm(batch(Date.now() + i * 10));
  engines.forget('warm');
  events.length = 0;
  console.log(`\nlive log engine, capture CPU, median of ${runs} runs (engine on / opted out, alternated):`);
  for (const [label, script] of [
    ['chatty.js (no errors)', chatty],
    ['log-mix.js (20% errors)', logMix],
  ]) {
    const on = [];
    const off = [];
    for (let i = 0; i < runs; i += 1) {
      off.push((await piped(dir, { format: 'plain' }, script)).cpuMs);
      const name = `app-${i}`;
      on.push(
        (await piped(dir, { format: 'plain', onLines: engines.sinkFor({ spec: { name } }, 0) }, script))
          .cpuMs,
      );
      engines.forget(name);
    }
    const ratio = (median(on) / median(off)).toFixed(2);
    console.log(
      `${label.padEnd(26)} opted out ${median(off).toFixed(0).padStart(5)} ms (${off.map((v) => v.toFixed(0)).join(', ')})  engine on ${median(on).toFixed(0).padStart(5)} ms (${on.map((v) => v.toFixed(0)).join(', ')})  x${ratio}`,
    );
  }
  engines.close();
  console.log(`events raised during the runs: ${events.map((event) => event.kind).join(', ') || 'none'}`);
}

/** Capture CPU of chatty.js with size rotation (rotated files kept plain, 2 of them), medians. */
async function rotationCost(dir) {
  console.log(`\nsize rotation, capture CPU, median of ${runs} runs:`);
  for (const [label, maxBytes] of [
    ['--log-max-size 10K', 10 * 1024],
    ['--log-max-size 1M', 1024 * 1024],
  ]) {
    const results = [];
    for (let i = 0; i < runs; i += 1) {
      results.push(await piped(dir, { format: 'plain', rotation: { maxBytes, retain: 2, compress: false } }));
    }
    const cpu = results.map((r) => r.cpuMs);
    const ms = results.map((r) => r.ms);
    console.log(
      `${label.padEnd(20)} capture CPU ${median(cpu).toFixed(0).padStart(5)} ms (${cpu.map((v) => v.toFixed(0)).join(', ')}), wall ${median(ms).toFixed(0)} ms`,
    );
  }
}
