import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/logs/line-splitter.js';

function collect(maxLineBytes: number) {
  const emitted: { text: string; lines: number }[] = [];
  const splitter = new LineSplitter(maxLineBytes, (data, lines) => {
    expect(data.at(-1)).toBe(10);
    emitted.push({ text: data.toString('utf8'), lines });
  });
  const lines = () => emitted.flatMap((entry) => entry.text.slice(0, -1).split('\n'));
  return { splitter, emitted, lines };
}

describe('LineSplitter', () => {
  const text = 'alpha\n\nbeta gamma\r\ndelta\nepsilon';

  it('gives the same lines wherever the chunks are cut', () => {
    const bytes = Buffer.from(text);
    for (let a = 0; a <= bytes.length; a += 1) {
      for (let b = a; b <= bytes.length; b += 1) {
        const { splitter, emitted, lines } = collect(1024);
        splitter.push(bytes.subarray(0, a));
        splitter.push(bytes.subarray(a, b));
        splitter.push(bytes.subarray(b));
        splitter.end();
        expect(lines()).toEqual(['alpha', '', 'beta gamma\r', 'delta', 'epsilon']);
        expect(emitted.reduce((sum, entry) => sum + entry.lines, 0)).toBe(5);
      }
    }
  });

  it('passes complete lines of a chunk on as one slice', () => {
    const { splitter, emitted } = collect(1024);
    splitter.push(Buffer.from('a\nb\nc\npart'));
    expect(emitted).toEqual([{ text: 'a\nb\nc\n', lines: 3 }]);
    expect(splitter.pendingBytes).toBe(4);
  });

  it('cuts lines over the maximum into pieces on character boundaries, keeping every byte', () => {
    const line = 'é'.repeat(7) + 'x'.repeat(9);
    for (const chunkSize of [1, 3, 7, 100]) {
      const { splitter, emitted, lines } = collect(6);
      const bytes = Buffer.from(`${line}\nok\n${line}`);
      for (let i = 0; i < bytes.length; i += chunkSize) splitter.push(bytes.subarray(i, i + chunkSize));
      splitter.end();
      const pieces = lines();
      expect(pieces.every((piece) => Buffer.byteLength(piece) <= 6 && !piece.includes('\ufffd'))).toBe(true);
      expect(pieces.join('')).toBe(`${line}ok${line}`);
      expect(pieces).toContain('ok');
      expect(emitted.reduce((sum, entry) => sum + entry.lines, 0)).toBe(pieces.length);
    }
  });

  it.each([
    ['2-byte', 'é'],
    ['3-byte', '€'],
    ['4-byte', '😀'],
  ])('cuts a line over the maximum before a %s character that would cross it', (_, char) => {
    const size = Buffer.byteLength(char);
    for (let before = 1; before <= 8; before += 1) {
      const { splitter, lines } = collect(8);
      const line = `${'x'.repeat(before)}${char}${char}y`;
      splitter.push(Buffer.from(`${line}\n`));
      const pieces = lines();
      expect(pieces.join('')).toBe(line);
      expect(pieces.every((piece) => !piece.includes('\ufffd') && Buffer.byteLength(piece) <= 8)).toBe(true);
      expect(size).toBeGreaterThan(1);
    }
  });

  it.each([
    ['2-byte', 'é'],
    ['3-byte', '€'],
    ['4-byte', '😀'],
  ])(
    'cuts a partial line before a %s character whose rest has not come, which starts the next piece',
    (_, char) => {
      const bytes = Buffer.from(char);
      for (let held = 1; held < bytes.length; held += 1) {
        const { splitter, lines } = collect(1024);
        splitter.push(Buffer.concat([Buffer.from('Loading '), bytes.subarray(0, held)]));
        const started = splitter.partialsStarted;
        splitter.cutPartial();
        expect(lines()).toEqual(['Loading ']);
        expect(splitter.pendingBytes).toBe(held);
        expect(splitter.partialsStarted).toBe(started + 1);
        splitter.push(Buffer.concat([bytes.subarray(held), Buffer.from(' done\n')]));
        expect(lines()).toEqual(['Loading ', `${char} done`]);
      }
    },
  );

  it('cuts a partial line of whole characters whole, and bytes that never complete as they are', () => {
    const whole = collect(1024);
    whole.splitter.push(Buffer.from('ready €'));
    whole.splitter.cutPartial();
    expect(whole.lines()).toEqual(['ready €']);
    expect(whole.splitter.pendingBytes).toBe(0);
    const broken = collect(1024);
    broken.splitter.push(Buffer.from([0xe2, 0x82]));
    broken.splitter.cutPartial();
    expect(broken.emitted).toHaveLength(1);
    expect(broken.splitter.pendingBytes).toBe(0);
  });

  it('writes nothing at end when no partial line is pending', () => {
    const { splitter, emitted } = collect(1024);
    splitter.push(Buffer.from('done\n'));
    splitter.end();
    expect(emitted).toEqual([{ text: 'done\n', lines: 1 }]);
  });

  it('keeps a partial line when the chunk it came in is overwritten by the next read', () => {
    const { splitter, lines } = collect(1024);
    const reused = Buffer.alloc(64);
    const text = 'first line\nsecond, over three reads\nthird\nlast without newline';
    for (let i = 0; i < text.length; i += 13) {
      const length = reused.write(text.slice(i, i + 13));
      splitter.push(reused.subarray(0, length));
      reused.fill(0x23);
    }
    splitter.end();
    expect(lines()).toEqual(['first line', 'second, over three reads', 'third', 'last without newline']);
  });

  it('puts a partial line in the headroom before the next chunk, so both go out as one batch', () => {
    const { splitter, emitted } = collect(1024);
    const buffer = Buffer.alloc(64, 0x2e);
    const read = (text: string) => {
      const length = buffer.write(text, 16);
      splitter.push(buffer.subarray(16, 16 + length), 16);
      buffer.fill(0x2e);
    };
    read('a\nbeginning of');
    read(' the line\nnext\ntail');
    expect(emitted).toEqual([
      { text: 'a\n', lines: 1 },
      { text: 'beginning of the line\nnext\n', lines: 2 },
    ]);
    // a partial line longer than the headroom goes out on its own
    read('w'.repeat(20));
    read('y\nz\n');
    expect(emitted.slice(2)).toEqual([
      { text: `tail${'w'.repeat(20)}y\n`, lines: 1 },
      { text: 'z\n', lines: 1 },
    ]);
  });
});
