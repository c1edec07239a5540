// Time index growth (`.tidx`) of an app that alternates stdout and stderr lines: odd lines on stdout,
// even ones on stderr, through createLogPipeline into separate out and err files. Three ways: `note`
// (LINES lines, each a batch of its own, as fast as the pipeline takes them: every line switches
// stream), `note-1ms` (LINES / 5 lines, each a batch, two every millisecond: an app logging 2,000
// alternating lines a second, each read on its own) and `child` (LINES lines written by a child, one
// write per line, as fast as it can: the pipes batch them). Prints, per way, the bytes of the logs and
// of their time indexes, index bytes per 100k lines, and for the `note` ways how well a tail of the last
// TAIL lines (read mostly from the files: a ring of 100 lines) keeps the arrival order: the lines not
// where they arrived and the farthest one's distance in lines (each stream keeps its own order, so
// only the out/err interleaving can move). A child's order is the order its pipes were read in, not
// the one it wrote in, so it is not checked.
// Usage: pnpm --filter @velos/supervisor build && node bench/tidx-growth.mjs [lines] [tail]
// VELOS_SUPERVISOR_MODULE=<path or URL> imports createLogPipeline from another build.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const lines = Number(process.argv[2] ?? 100_000);
const tailCount = Number(process.argv[3] ?? 20_000);
const moduleUrl = process.env.VELOS_SUPERVISOR_MODULE
  ? pathToFileURL(process.env.VELOS_SUPERVISOR_MODULE).href
  : new URL('../packages/supervisor/dist/index.js', import.meta.url).href;
const { createLogPipeline } = await import(moduleUrl);

/** Line `i` (from 0): `out 1 xxx…`, `err 2 xxx…`, … */
const text = (i) => `${i % 2 === 0 ? 'out' : 'err'} ${i + 1} ${'x'.repeat(40)}\n`;

/** A child that writes `count` alternating lines as `text` does, one write each, as fast as it can. */
const writer = (count) => `
for (let i = 0; i < ${count}; i += 1) {
  const line = (i % 2 === 0 ? 'out ' : 'err ') + (i + 1) + ' ' + 'x'.repeat(40) + '\\n';
  (i % 2 === 0 ? process.stdout : process.stderr).write(line);
}
`;

async function run(way) {
  const dir = await mkdtemp(join(tmpdir(), 'velos-tidx-'));
  const outPath = join(dir, 'app-out.log');
  const errPath = join(dir, 'app-err.log');
  const pipeline = createLogPipeline({
    id: 0,
    name: 'app',
    outPath,
    errPath,
    format: 'plain',
    ringLines: 100,
  });
  const count = way === 'note-1ms' ? Math.round(lines / 5) : lines;
  const started = Date.now();
  if (way === 'note') {
    for (let i = 0; i < count; i += 1) pipeline.note(i % 2 === 0 ? 'out' : 'err', text(i));
  } else if (way === 'note-1ms') {
    for (let i = 0; i < count; i += 2) {
      pipeline.note('out', text(i));
      pipeline.note('err', text(i + 1));
      const at = Date.now();
      while (Date.now() === at) await new Promise((resolve) => setImmediate(resolve));
    }
  } else {
    const child = spawn(process.execPath, ['-e', writer(count)], { stdio: ['ignore', 'pipe', 'pipe'] });
    pipeline.attach(child.stdout, 'out', child.pid);
    pipeline.attach(child.stderr, 'err', child.pid);
    await new Promise((resolve) => child.once('close', resolve));
  }
  await pipeline.drained();
  const seconds = (Date.now() - started) / 1000;
  const tail = await pipeline.tail({ lines: Math.min(tailCount, count), stream: 'all' });
  let misplaced = 0;
  let farthest = 0;
  tail.forEach((line, i) => {
    const distance = Math.abs(Number(line.line.split(' ')[1]) - (count - tail.length + i + 1));
    if (distance > 0) misplaced += 1;
    farthest = Math.max(farthest, distance);
  });
  await pipeline.close();
  const size = async (path) => (await stat(path).catch(() => ({ size: 0 }))).size;
  const logBytes = (await size(outPath)) + (await size(errPath));
  const indexBytes = (await size(`${outPath}.tidx`)) + (await size(`${errPath}.tidx`));
  await rm(dir, { recursive: true, force: true });
  const per100k = Math.round((indexBytes * 100_000) / count);
  return { way, count, seconds, logBytes, indexBytes, per100k, misplaced, farthest, tail: tail.length };
}

for (const way of ['note', 'note-1ms', 'child']) {
  const r = await run(way);
  const order =
    way === 'child' ? '' : `; tail of ${r.tail}: ${r.misplaced} lines moved, by ${r.farthest} at most`;
  console.log(
    `${way.padEnd(8)} ${r.count} lines in ${r.seconds.toFixed(1)} s: logs ${r.logBytes} B, .tidx ${r.indexBytes} B ` +
      `(${r.per100k} B per 100k lines)${order}`,
  );
}
