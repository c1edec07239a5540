import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { readIntoSharedBuffer } from '../../src/logs/shared-read-buffer.js';
import { exited, fileLines, firstMismatch, fixture, Harness, waitFor } from './helpers.js';

const harness = new Harness();
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await harness.cleanup();
});

const WIDTH = 100;
const expectedLine = (i: number): string => {
  const head = `line ${i + 1} `;
  return `${head}${'x'.repeat(WIDTH - 1 - head.length)}`;
};

describe('reads into one shared buffer (issue 17)', () => {
  it('switches a child pipe and a FIFO socket, and leaves other streams alone', async () => {
    const child = harness.spawn('line-per-write.js', { COUNT: '1' });
    const seen: string[] = [];
    expect(readIntoSharedBuffer(child.stdout!, (data) => seen.push(data.toString()))).toBe(true);
    await exited(child);
    await waitFor(() => seen.join('') === `${expectedLine(0)}\n`, 'the line read into the shared buffer');

    const dir = await harness.dir();
    const path = join(dir, 'out.fifo');
    execFileSync('mkfifo', ['-m', '600', path]);
    const writer = openSync(path, constants.O_RDWR);
    const socket = new Socket({
      fd: openSync(path, constants.O_RDONLY | constants.O_NONBLOCK),
      readable: true,
    });
    sockets.push(socket);
    const fromFifo: string[] = [];
    expect(readIntoSharedBuffer(socket, (data) => fromFifo.push(data.toString()))).toBe(true);
    execFileSync('sh', ['-c', 'printf "a\\nb\\n" >> "$0"', path]);
    await waitFor(() => fromFifo.join('') === 'a\nb\n', 'the FIFO read into the shared buffer');
    closeSync(writer);

    expect(readIntoSharedBuffer(new PassThrough(), () => undefined)).toBe(false);
  }, 30_000);

  it('passes on first what Node read before the switch, then the rest, in order', async () => {
    const dir = await harness.dir();
    const logs = harness.pipeline({
      id: 1,
      name: 'late',
      outPath: join(dir, 'out.log'),
      errPath: join(dir, 'err.log'),
      format: 'plain',
    });
    const count = 300;
    const child = harness.spawn('line-per-write.js', { COUNT: String(count), EVERY_MS: '2' });
    // the socket reads from its creation: let some lines wait in it before the pipeline attaches
    await waitFor(() => child.stdout!.readableLength > 0, 'lines buffered in the socket');
    harness.capture(logs, child);
    await exited(child);
    await logs.drained();
    expect(firstMismatch(await fileLines(join(dir, 'out.log')), count, expectedLine)).toBe(-1);
  }, 30_000);

  it('captures many children at once through pipes and FIFOs: every line once, in order, the ring intact', async () => {
    const dir = await harness.dir();
    const count = 20_000;
    const runs = Array.from({ length: 6 }, (_, i) => {
      const logs = harness.pipeline({
        id: i,
        name: `app${i}`,
        outPath: join(dir, `app${i}-out.log`),
        errPath: join(dir, `app${i}-err.log`),
        format: 'plain',
      });
      const env = { ...process.env, COUNT: String(count) };
      if (i % 2 === 0) {
        const child = harness.spawn('line-per-write.js', { COUNT: String(count) });
        harness.capture(logs, child);
        return { logs, child };
      }
      // a FIFO on stdout, as a later run of an app gets it
      const path = join(dir, `app${i}.fifo`);
      execFileSync('mkfifo', ['-m', '600', path]);
      const writeFd = openSync(path, constants.O_RDWR);
      const reader = new Socket({
        fd: openSync(path, constants.O_RDONLY | constants.O_NONBLOCK),
        readable: true,
      });
      sockets.push(reader);
      const child = spawn(process.execPath, [fixture('line-per-write.js')], {
        env,
        stdio: ['ignore', writeFd, 'ignore'],
      });
      closeSync(writeFd);
      logs.attach(reader, 'out', child.pid!);
      return { logs, child };
    });
    await Promise.all(runs.map(({ child }) => exited(child)));
    for (const [i, { logs }] of runs.entries()) {
      if (i % 2 === 0) await logs.drained();
      else
        await waitFor(
          async () => (await fileLines(join(dir, `app${i}-out.log`))).length === count,
          `app${i}'s log`,
        );
      expect(firstMismatch(await fileLines(join(dir, `app${i}-out.log`)), count, expectedLine)).toBe(-1);
      const tail = await logs.tail({ lines: 1000, stream: 'out' });
      expect(tail.map((line) => line.line)).toEqual(
        Array.from({ length: 1000 }, (_, k) => expectedLine(count - 1000 + k)),
      );
    }
  }, 120_000);
});
