import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileWriter } from '../../src/logs/file-writer.js';
import { createLineDecoder } from '../../src/logs/line-format.js';
import { listRotated, rotatedBefore, rotatedPath } from '../../src/logs/log-rotation.js';
import { type TailFile, type TailSnapshot, tailLines } from '../../src/logs/log-tail.js';
import { MAX_KNOWN_ROTATIONS } from '../../src/logs/writer-position.js';
import { Harness } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

/** `count` fake rotated files of `path`, oldest first, a second apart, the oldest `gzipped` of them as `.gz`. */
function fakeRotations(path: string, count: number, gzipped = 0): string[] {
  const start = Date.UTC(2026, 11, 1, 10, 0, 0);
  return Array.from({ length: count }, (_, i) => {
    const rotated = rotatedPath(path, new Date(start + i * 1000));
    const name = i < gzipped ? `${rotated}.gz` : rotated;
    writeFileSync(name, '');
    return name;
  });
}

describe('the notice of a tail of some instances past the rotated files the writer keeps the paths of', () => {
  it('finds a rotated file by the order of the names on disk (rotatedBefore)', async () => {
    const dir = await harness.dir();
    const path = join(dir, 'api-out.log');
    const files = fakeRotations(path, 70, 3);
    writeFileSync(join(dir, 'api-err.2026-12-01T09-00-00.000Z.log'), '');
    // files[69] is the newest: 0 is the one rotated just before it, the `.gz` of a compressed one
    expect(await rotatedBefore(path, files[69]!, 0)).toBe(files[68]);
    expect(await rotatedBefore(path, files[5]!, 3)).toBe(files[1]);
    expect(files[1]!.endsWith('.log.gz')).toBe(true);
    // given as plain though compressed since
    expect(await rotatedBefore(path, files[2]!.slice(0, -3), 0)).toBe(files[1]);
    // older than the oldest (pruned), or a newer file that is not there
    expect(await rotatedBefore(path, files[2]!, 2)).toBeNull();
    expect(await rotatedBefore(path, join(dir, 'api-out.2027-01-01T00-00-00.000Z.log'), 0)).toBeNull();
  });

  it('names the rotated file of the newest evicted line when it is older than the 65 the writer keeps the paths of', async () => {
    const dir = await harness.dir();
    const path = join(dir, 'api-out.log');
    // 80 rotated files of 10 lines each, then 5 lines in the current file: seq 0 … 804
    const files = fakeRotations(path, 80, 10).reverse();
    writeFileSync(path, '');
    const known = files.slice(0, MAX_KNOWN_ROTATIONS + 1).map((file) => ({ path: file, lines: 10 }));
    const out: TailFile = {
      path,
      endOffset: 0,
      acceptedLines: 805,
      settledLines: 805,
      writtenFrom: 0,
      fileLines: 5,
      previous: known[0]!,
      earlier: known.slice(1),
      forgotten: Array.from({ length: 80 - known.length }, () => 10),
      takenAt: Date.now(),
      earlierIn: null,
    };
    // the instance's ring starts at seq 75: its newest evicted line, 74, is in the 8th oldest file
    const snapshot: TailSnapshot = {
      sources: [
        {
          id: 1,
          name: 'api',
          batches: [
            { data: Buffer.from('mine\n'), lines: 1, ts: Date.now(), stream: 'out', pid: 7, seq: 75 },
          ],
        },
      ],
      writers: 3,
      decode: createLineDecoder({ format: 'plain' }),
      merged: false,
      hasStreamInFile: false,
      files: { out, err: { ...out, path: join(dir, 'api-err.log'), acceptedLines: 0, settledLines: 0 } },
    };
    const result = await tailLines(snapshot, 100, 'out');
    expect(result.lines.map((line) => line.line)).toEqual(['mine']);
    expect(result.unattributed).toEqual([files[72]]);
    // pruned since: no file is named
    const pruned = { ...snapshot, files: { ...snapshot.files, out: { ...out, forgotten: [10, 10] } } };
    expect((await tailLines(pruned, 100, 'out')).unattributed).toBeUndefined();
  });

  it('counts the lines of the files rotated past the paths it keeps', async () => {
    const dir = await harness.dir();
    const path = join(dir, 'app-out.log');
    const writer = new FileWriter({
      path,
      highWaterBytes: 1 << 20,
      rotation: { retain: 1000, compress: false },
    });
    try {
      const rotations = MAX_KNOWN_ROTATIONS + 6;
      for (let i = 1; i <= rotations; i += 1) {
        writer.write(Buffer.from('x\n'.repeat(i)), 'out', i, Date.now());
        await writer.rotate();
      }
      const position = writer.position();
      expect(position.previous?.lines.out).toBe(rotations);
      expect(position.earlier).toHaveLength(MAX_KNOWN_ROTATIONS);
      // newest first: the files rotated first, of 5, 4, … 1 lines
      expect(position.forgotten).toEqual([5, 4, 3, 2, 1]);
      const oldestKnown = position.earlier.at(-1)!.path;
      const found = await rotatedBefore(path, oldestKnown, 4);
      expect(found).toBe((await listRotated(path)).at(-1)!.path);
      expect(readFileSync(found!, 'utf8')).toBe('x\n');
    } finally {
      await writer.close();
    }
  });
});
