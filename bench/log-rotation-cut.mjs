// Size rotation at line boundaries (issue 15): the capture CPU of a pipeline fed in-process with
// fixed 64 KiB chunks of 100-byte lines (a flood as the daemon reads it under load), without a child
// process, so that the chunk sizes and the number of rotations do not depend on scheduling. Rotated
// files are kept plain (retain 2). Prints per limit: CPU median of [runs] runs, files written
// (rotations + 1), and the largest file seen.
// Usage: pnpm --filter @velos/supervisor build && node bench/log-rotation-cut.mjs [megabytes] [runs]
// VELOS_SUPERVISOR_MODULE=<path> imports createLogPipeline from another build (to compare two builds).
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';

const megabytes = Number(process.argv[2] ?? 100);
const runs = Number(process.argv[3] ?? 5);
const moduleUrl = process.env.VELOS_SUPERVISOR_MODULE
  ? pathToFileURL(process.env.VELOS_SUPERVISOR_MODULE).href
  : new URL('../packages/supervisor/dist/index.js', import.meta.url).href;
const { createLogPipeline } = await import(moduleUrl);

const LINE = 100;
const CHUNK = 64 * 1024 - ((64 * 1024) % LINE);
const chunk = Buffer.alloc(CHUNK, 'x');
for (let at = LINE - 1; at < CHUNK; at += LINE) chunk[at] = 10;
const chunks = Math.ceil((megabytes * 1024 * 1024) / CHUNK);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function once(dir, maxBytes) {
  const outPath = join(dir, 'cut-out.log');
  let largest = 0;
  let files = 1;
  const pipeline = createLogPipeline({
    id: 0,
    name: 'cut',
    outPath,
    errPath: join(dir, 'cut-err.log'),
    format: 'plain',
    ...(maxBytes === undefined ? {} : { rotation: { maxBytes, retain: 2, compress: false } }),
  });
  const source = new PassThrough({ highWaterMark: CHUNK });
  const cpu = process.cpuUsage();
  pipeline.attach(source, 'out', 1);
  for (let i = 0; i < chunks; i += 1) {
    if (!source.write(chunk)) await new Promise((resolve) => source.once('drain', resolve));
  }
  source.end();
  await pipeline.drained();
  const used = process.cpuUsage(cpu);
  await pipeline.close();
  for (const name of await readdir(dir)) {
    if (!name.startsWith('cut-out') || name.endsWith('.tidx')) continue;
    largest = Math.max(largest, (await stat(join(dir, name))).size);
  }
  if (maxBytes !== undefined) files = Math.round((chunks * CHUNK) / Math.max(1, largest));
  await rm(dir, { recursive: true, force: true });
  return { cpuMs: (used.user + used.system) / 1000, largest, files };
}

console.log(
  `${megabytes} MB in ${CHUNK}-byte chunks of ${LINE}-byte lines, median of ${runs} runs (${moduleUrl})`,
);
for (const [label, maxBytes] of [
  ['no rotation', undefined],
  ['--log-max-size 10K', 10 * 1024],
  ['--log-max-size 1M', 1024 * 1024],
]) {
  const results = [];
  for (let run = 0; run < runs; run += 1)
    results.push(await once(await mkdtemp(join(tmpdir(), 'velos-cut-')), maxBytes));
  const cpu = results.map((r) => r.cpuMs);
  console.log(
    `${label.padEnd(20)} capture CPU ${median(cpu).toFixed(0).padStart(5)} ms (${cpu.map((v) => v.toFixed(0)).join(', ')}), largest file ${results[0].largest} B${maxBytes === undefined ? '' : `, ~${results[0].files} files`}`,
  );
}
