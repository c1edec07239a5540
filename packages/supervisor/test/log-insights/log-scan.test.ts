import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createChunkBuffers,
  listLogSources,
  scanSource,
  VISIT_NEXT,
} from '../../src/log-insights/log-scan.js';

const dir = mkdtempSync(join(tmpdir(), 'velos-scan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every line `scanSource` visits in the out file holding `lines`. */
async function scanned(file: string, lines: string[], newline = '\n', ending = newline): Promise<string[]> {
  const outPath = join(dir, `${file}.log`);
  writeFileSync(outPath, `${lines.join(newline)}${ending}`);
  const [source] = await listLogSources({ outPath, errPath: join(dir, `${file}-err.log`) }, {});
  const seen: string[] = [];
  await scanSource(source!, { deadline: Date.now() + 60_000 }, (data, start, end) => {
    seen.push(data.toString('latin1', start, end));
  });
  return seen;
}

describe('scanSource', () => {
  it('reads lines that cross its 1 MiB chunks whole, long ones too, in order', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 60_000; i += 1) lines.push(`line ${i} ${'x'.repeat(i % 61)}`);
    // a line of 700 KB (more than half a chunk) and one of 3 MB (several chunks), among short ones
    lines.splice(20_000, 0, `long ${'a'.repeat(700_000)}`);
    lines.splice(40_000, 0, `longer ${'b'.repeat(3_000_000)}`);
    expect(await scanned('chunks', lines)).toEqual(lines);
  });

  it('ends a pass at a watched line that answers VISIT_NEXT, and only then', async () => {
    const outPath = join(dir, 'pass.log');
    writeFileSync(outPath, `${['a', 'ERROR b', 'frame c', 'd', 'ERROR e', 'f', 'g', 'h'].join('\n')}\n`);
    const [source] = await listLogSources({ outPath, errPath: join(dir, 'pass-err.log') }, {});
    const seen: string[] = [];
    // the first line passes over all the others; the watch points at the ERROR lines
    const watch = (data: Buffer) => [...data.toString('latin1').matchAll(/ERROR/g)].map((m) => m.index);
    await scanSource(
      source!,
      { deadline: Date.now() + 60_000 },
      (data, start, end, _ts, isPassedOver) => {
        const line = data.toString('latin1', start, end);
        seen.push(`${isPassedOver ? 'passed' : 'visited'} ${line}`);
        if (line === 'a') return 100;
        return line === 'ERROR b' ? VISIT_NEXT : 100;
      },
      watch,
    );
    expect(seen).toEqual(['visited a', 'passed ERROR b', 'visited frame c', 'passed ERROR e']);
  });

  it('reads CRLF lines without their CR, and leaves out a last line that has no newline yet', async () => {
    expect(await scanned('crlf', ['a', 'b', 'c'], '\r\n')).toEqual(['a', 'b', 'c']);
    expect(await scanned('partial', ['one', 'two', 'half'], '\n', '')).toEqual(['one', 'two']);
  });

  it('reads into the chunk buffers it is given, one pair for scan after scan, each file whole', async () => {
    const buffers = createChunkBuffers();
    const pools = new Set(buffers.map((buffer) => buffer.buffer));
    for (const [file, count] of [
      ['reuse-a', 50_000],
      ['reuse-b', 30_000],
    ] as const) {
      // ~1.7 MB and ~1 MB: lines cross the 1 MiB chunks
      const lines = Array.from({ length: count }, (_, i) => `${file} line ${i} ${'y'.repeat(i % 29)}`);
      const outPath = join(dir, `${file}.log`);
      writeFileSync(outPath, `${lines.join('\n')}\n`);
      const [source] = await listLogSources({ outPath, errPath: join(dir, `${file}-err.log`) }, {});
      const seen: string[] = [];
      let isElsewhere = false;
      const range = { deadline: Date.now() + 60_000 };
      await scanSource(
        source!,
        range,
        (data, start, end) => {
          if (!pools.has(data.buffer)) isElsewhere = true;
          seen.push(data.toString('latin1', start, end));
        },
        undefined,
        undefined,
        buffers,
      );
      expect(seen).toEqual(lines);
      expect(isElsewhere).toBe(false);
    }
  });

  it("with lineTimes 'written' filters by the time written in each line, a line without one taking the one before's", async () => {
    const outPath = join(dir, 'written.log');
    const lines = [
      'no time yet',
      '2026-12-01T10:00:00Z INFO first',
      '    at continued (x.js:1:1)',
      '2026-12-01T12:00:00Z INFO late',
      '2026-12-01T10:30:00Z INFO from a second log, earlier',
      '{"time":"2026-12-01T11:00:00Z","msg":"json"}',
    ];
    const content = `${lines.join('\n')}\n`;
    writeFileSync(outPath, content);
    const files = { outPath, errPath: outPath, lineTimes: 'written' as const };
    /** The indexes in `lines` of the lines scanned in `range`, each with its time. */
    const scan = async (range: { since?: number; until?: number }, part?: { from: number; to: number }) => {
      // the file's mtime (now) does not leave it out of a range in the past
      const [source] = await listLogSources(files, range);
      const found: [number, number | undefined][] = [];
      const visit = (data: Buffer, start: number, end: number, ts: number | undefined) => {
        found.push([lines.indexOf(data.toString('utf8', start, end)), ts]);
      };
      await scanSource(source!, { ...range, deadline: Date.now() + 60_000 }, visit, undefined, part);
      return found;
    };
    const at = (time: string) => Date.parse(`2026-12-01T${time}Z`);
    // a line later than `until` does not end the read: written times may go back
    expect(await scan({ since: at('10:00:00'), until: at('11:00:00') })).toEqual([
      [1, at('10:00:00')],
      [2, at('10:00:00')],
      [4, at('10:30:00')],
      [5, at('11:00:00')],
    ]);
    expect(await scan({ until: at('10:00:00') })).toEqual([
      [1, at('10:00:00')],
      [2, at('10:00:00')],
    ]);
    // a part starting at the continued line: the line before it (read behind its start) gives its time
    const from = content.indexOf('    at');
    expect(await scan({ since: at('09:00:00') }, { from, to: content.indexOf('2026-12-01T12') })).toEqual([
      [2, at('10:00:00')],
    ]);
  });
});
