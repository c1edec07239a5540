import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FileWriter } from '../../src/logs/file-writer.js';
import type { LineBatch } from '../../src/logs/line-batch.js';
import { PARTIAL_LINE_QUIET_MS, PipeCapture } from '../../src/logs/pipe-capture.js';

/** A pipe captured into `texts`, with a file writer that is never full. */
function capture() {
  const stream = new PassThrough();
  const writer = { isFull: false, onDrain: () => {} } as unknown as FileWriter;
  const texts: string[] = [];
  const accept = (batch: LineBatch) => texts.push(...batch.data.toString('utf8').slice(0, -1).split('\n'));
  const pipe = new PipeCapture(stream, 'out', 42, 1024 * 1024, writer, accept);
  return { stream, pipe, texts };
}

/** The quiet time passes and the cut's turn of the event loop ends. */
async function quietPasses(): Promise<void> {
  await vi.advanceTimersByTimeAsync(PARTIAL_LINE_QUIET_MS + 10);
}

describe('PipeCapture: a partial line cut after its pipe was quiet', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([
    ['2-byte', 'é'],
    ['3-byte', '€'],
    ['4-byte', '😀'],
  ])('is cut before a %s character whose rest comes later, never inside it', async (_, char) => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'Date'] });
    const bytes = Buffer.from(char);
    const { stream, pipe, texts } = capture();
    stream.write(Buffer.concat([Buffer.from('Loading '), bytes.subarray(0, 1)]));
    await quietPasses();
    expect(texts).toEqual(['Loading ']);
    stream.write(Buffer.concat([bytes.subarray(1), Buffer.from(' done\n')]));
    await vi.advanceTimersByTimeAsync(1);
    expect(texts).toEqual(['Loading ', `${char} done`]);
    pipe.detach();
  });

  it('writes the bytes of a character that never completes once the pipe stays quiet', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'Date'] });
    const { stream, pipe, texts } = capture();
    stream.write(Buffer.from([0x61, 0xf0, 0x9f]));
    await quietPasses();
    expect(texts).toEqual(['a']);
    await quietPasses();
    expect(texts).toEqual(['a', '\ufffd']);
    pipe.detach();
  });
});
