import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { LogLine } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { tailLines } from '../../src/logs/log-tail.js';
import { Harness, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

/** `bad \xff\xfe end`: bytes that are not valid UTF-8. */
const invalid = (tag: string) =>
  Buffer.concat([Buffer.from(`${tag} `), Buffer.from([0xff, 0xfe]), Buffer.from(' end')]);

describe('lines that are not valid UTF-8', () => {
  for (const dateFormat of [undefined, 'iso']) {
    it(`keep their bytes for a tail that asks, from the ring and the files (${dateFormat ?? 'no'} date prefix)`, async () => {
      const dir = await harness.dir();
      const outPath = join(dir, 'out.log');
      // an earlier run's line, beyond the ring
      const stamp = dateFormat === undefined ? '' : `${new Date().toISOString()} `;
      await writeFile(outPath, Buffer.concat([Buffer.from(stamp), invalid('file'), Buffer.from('\ngood\n')]));
      const logs = harness.pipeline({
        id: 1,
        name: 'raw',
        outPath,
        errPath: join(dir, 'err.log'),
        format: 'plain',
        ringLines: 2,
        ...(dateFormat === undefined ? {} : { dateFormat }),
      });
      const live: LogLine[] = [];
      logs.subscribe((lines) => live.push(...lines));
      const pipe = new PassThrough();
      logs.attach(pipe, 'out', 42);
      pipe.end(Buffer.concat([invalid('ring'), Buffer.from('\n\u00fc \ufffd\n')]));
      await logs.drained();
      await waitFor(() => live.length === 2, 'the live lines');

      const { lines } = await tailLines(logs.tailSnapshot(), 10, 'all', Number.POSITIVE_INFINITY, true);
      expect(lines.map((line) => line.line)).toEqual([
        'file \ufffd\ufffd end',
        'good',
        'ring \ufffd\ufffd end',
        '\u00fc \ufffd',
      ]);
      expect(lines.map((line) => line.bytes && Buffer.from(line.bytes))).toEqual([
        invalid('file'),
        undefined,
        invalid('ring'),
        undefined,
      ]);
      expect(live[0]!.bytes && Buffer.from(live[0]!.bytes)).toEqual(invalid('ring'));
      expect(live[1]!.bytes).toBeUndefined();
      // without asking, lines are text only
      const plain = await tailLines(logs.tailSnapshot(), 10, 'all');
      expect(plain.lines.every((line) => line.bytes === undefined)).toBe(true);
    });
  }
});
