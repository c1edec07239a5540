import { describe, expect, it } from 'vitest';
import { stripAnsi } from '../src/ansi.js';
import { classifyLine } from '../src/classifier.js';
import { isContinuationLine } from '../src/continuation.js';
import { createRecordParser, messageOf } from '../src/log-record.js';

describe('colour codes', () => {
  it('strips SGR, other CSI and OSC sequences', () => {
    expect(stripAnsi('\x1b[31mERROR\x1b[39m boom')).toBe('ERROR boom');
    expect(stripAnsi('\x1b[1;38;5;208mx\x1b[0m\x1b[2K')).toBe('x');
    expect(stripAnsi('\x1b]8;;https://x.dev\x07link\x1b]8;;\x07')).toBe('link');
    const plain = 'no colour here';
    expect(stripAnsi(plain)).toBe(plain);
  });

  it('does not hide a label, the time or the start of the line', () => {
    expect(classifyLine('\x1b[33mWARN\x1b[39m disk at 91%')).toBe('warn');
    expect(classifyLine('\x1b[32minfo\x1b[39m: retrying failed webhook')).toBe('info');
    const line =
      '\x1b[2m2024-12-04T10:00:00.000Z\x1b[0m \x1b[31mERROR\x1b[0m \x1b[2mapi\x1b[0m: pool exhausted';
    const parsed = createRecordParser()(line);
    expect(parsed).toMatchObject({
      ts: Date.UTC(2024, 11, 4, 10),
      level: 'error',
      isContinuation: false,
      line: '2024-12-04T10:00:00.000Z ERROR api: pool exhausted',
      message: 'ERROR api: pool exhausted',
    });
    expect(messageOf(line)).toBe('ERROR api: pool exhausted');
    // a coloured line starts with ESC, which is no white space: it starts an event
    expect(isContinuationLine(stripAnsi(line))).toBe(false);
  });
});

describe('isContinuationLine with colour codes', () => {
  it('judges the coloured text, not the escape character', () => {
    expect(isContinuationLine('\x1b[31mERROR\x1b[39m boom')).toBe(false);
    expect(isContinuationLine('\x1b[90m    at f (a.js:1:2)\x1b[39m')).toBe(true);
    expect(isContinuationLine('\x1b[0m')).toBe(true);
    expect(isContinuationLine('\x1bz not a sequence')).toBe(false);
  });
});
