import { createRecordParser } from '@velos/log-engine';
import { describe, expect, it } from 'vitest';
import { MAX_REPLAY_LINES, ParseGaps } from '../../src/log-insights/parse-gaps.js';

/** The lines of `lines` as one buffer, with the start of each. */
function bufferOf(lines: string[]): { data: Buffer; starts: number[] } {
  const starts: number[] = [];
  let text = '';
  for (const line of lines) {
    starts.push(Buffer.byteLength(text));
    text += `${line}\n`;
  }
  return { data: Buffer.from(text), starts };
}

/** Parses the lines at `picked` only, with `ParseGaps`; the replayed lines and each picked line's judgement. */
function pass(lines: string[], picked: number[], base = 0) {
  const { data, starts } = bufferOf(lines);
  const parse = createRecordParser();
  const replayed: string[] = [];
  const gaps = new ParseGaps(
    (text) => text,
    (line) => {
      replayed.push(line);
      parse({ line, stream: 'out' });
    },
  );
  const judged = picked.map((i) => {
    const line = lines[i]!;
    const start = starts[i]!;
    const end = start + Buffer.byteLength(line);
    gaps.before(data, start, base + start, line);
    const parsed = parse({ line, stream: 'out' });
    gaps.parsed(data, start, end, base + start);
    return parsed.isContinuation;
  });
  return { replayed, judged };
}

const LINES = [
  'INFO start', // 0
  'ERROR payment failed', // 1
  'INFO retrying', // 2
  'ValueError: alone', // 3: its own event
  'ERROR payment failed again', // 4
  'ValueError: logged', // 5: continues line 4
  '    at f (a.js:1:1)', // 6
];

describe('ParseGaps', () => {
  it('parses nothing again for a line that starts an event alone, or the next line', () => {
    expect(pass(LINES, [0, 1, 2, 4, 5]).replayed).toEqual([]);
  });

  it('parses the lines left out again back to one that starts an event alone', () => {
    const { replayed, judged } = pass(LINES, [1, 3, 5]);
    expect(replayed).toEqual(['INFO retrying', 'ERROR payment failed again']);
    expect(judged).toEqual([false, false, true]);
  });

  it('stops at the last line parsed', () => {
    const { replayed, judged } = pass(LINES, [4, 6]);
    expect(replayed).toEqual(['ValueError: logged']);
    expect(judged).toEqual([false, true]);
  });

  it(`parses at most ${MAX_REPLAY_LINES} lines again`, () => {
    const frames = Array.from({ length: MAX_REPLAY_LINES + 5 }, (_, i) => `    at f${i} (a.js:1:1)`);
    const lines = ['ERROR x', ...frames, 'ValueError: y'];
    expect(pass(lines, [lines.length - 1], 4096).replayed).toHaveLength(MAX_REPLAY_LINES);
  });
});
