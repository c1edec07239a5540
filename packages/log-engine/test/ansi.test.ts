import { describe, expect, it } from 'vitest';
import { stripAnsi } from '../src/ansi.js';
import { classifyLine } from '../src/classifier.js';
import { isContinuationLine } from '../src/continuation.js';
import { createRecordParser, messageOf } from '../src/log-record.js';
import { normalizeLine } from '../src/normalizer.js';
import { TemplateMiner } from '../src/template-miner.js';

describe('colour codes', () => {
  it('strips SGR, other CSI and OSC sequences', () => {
    expect(stripAnsi('\x1b[31mERROR\x1b[39m boom')).toBe('ERROR boom');
    expect(stripAnsi('\x1b[1;38;5;208mx\x1b[0m\x1b[2K')).toBe('x');
    expect(stripAnsi('\x1b]8;;https://x.dev\x07link\x1b]8;;\x07')).toBe('link');
    const plain = 'no colour here';
    expect(stripAnsi(plain)).toBe(plain);
  });

  it('strips the same sequences begun by a C1 control (CSI U+009B, OSC U+009D) and the other C1 controls', () => {
    expect(stripAnsi('\u009b31mERROR\u009b39m boom')).toBe('ERROR boom');
    expect(stripAnsi('\u009b1;38;5;208mx\u009b0m\u009b2K')).toBe('x');
    expect(stripAnsi('\u009b2K\u009d8;;https://x.dev\u009clink\u009d8;;\u0007')).toBe('link');
    // ESC @ … ESC _ are the C1 controls in two characters: both forms go
    expect(stripAnsi('\u009b0ma\u0085b\u0090c\x1bEd')).toBe('abcd');
    expect(stripAnsi('\x1b]0;title\u009cafter')).toBe('after');
  });

  it('gives a line coloured with CSI the template and the level of the same line coloured with ESC [', () => {
    const esc = '\x1b[2m2024-12-04T10:00:00.000Z\x1b[0m \x1b[33mWARN\x1b[0m pool at 91%';
    const c1 = '\u009b2m2024-12-04T10:00:00.000Z\u009b0m \u009b33mWARN\u009b0m pool at 91%';
    expect(createRecordParser()(c1)).toEqual(createRecordParser()(esc));
    expect(messageOf(c1)).toBe('WARN pool at 91%');
    expect(classifyLine(c1)).toBe('warn');
    expect(isContinuationLine('\u009b31mERROR\u009b39m boom')).toBe(false);
    expect(isContinuationLine('\u009b90m    at f (a.js:1:2)\u009b39m')).toBe(true);
    const miner = new TemplateMiner();
    const ids = ['db timeout after 1 ms', 'db timeout after 2 ms'].flatMap((text) => [
      miner.add(messageOf(`\x1b[31mERROR\x1b[0m ${text}`)),
      miner.add(messageOf(`\u009b31mERROR\u009b0m ${text}`)),
    ]);
    expect(new Set(ids).size).toBe(1);
  });

  it('keeps a lone C1 control (a line without ESC or CSI) out of templates and normalised lines', () => {
    const miner = new TemplateMiner();
    const lone = miner.add('job\u0085 42 done in 5 ms');
    // as a line with a colour leaves it (stripAnsi takes its C1 controls out)
    expect(miner.add(messageOf('\x1b[32mjob\u0085 43 done in 6 ms\x1b[0m'))).toBe(lone);
    expect(miner.add('job 44 done in 7 ms')).toBe(lone);
    expect(miner.template(lone)).toBe('job <num> done in <dur>');
    // a C1 control alone between spaces is no word of the template; one inside a quoted value split into
    // its words goes too
    const alone = miner.add('cache \u0090 miss for key 7');
    expect(miner.add('cache miss for key 8')).toBe(alone);
    expect(miner.template(alone)).toBe('cache miss for key <num>');
    const quoted = miner.add('GET "/a\u009a b" ok');
    expect(miner.template(quoted)).toBe('GET "/a b" ok');
    expect(miner.match('GET "/a\u009a b" ok')).toMatchObject({ templateId: quoted, params: [] });
    expect(normalizeLine('user\u0085 7 left')).toBe('user <num> left');
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
