import { describe, expect, it } from 'vitest';
import { fitLine, logColor, logText } from '../../src/monit/format.js';

describe('logText', () => {
  it('takes off colour codes and escapes the other control characters', () => {
    expect(logText('\u001b[32minfo\u001b[39m ok')).toBe('info ok');
    expect(logText('a \u001b[2J b \u0007')).toBe('a \\x1b[2J b \\x07');
    expect(logText('plain')).toBe('plain');
    expect(logText('\u009b32minfo\u009b39m ok \u009b2J')).toBe('info ok \\x9b2J');
  });

  it('writes a tab as the spaces to the next tab stop (every 8 columns), as a terminal shows it', () => {
    expect(logText('\tat Foo.bar(Foo.java:42)')).toBe(`${' '.repeat(8)}at Foo.bar(Foo.java:42)`);
    expect(logText('id\tname\tstatus')).toBe('id      name    status');
    expect(logText('注文\tok')).toBe('注文    ok');
    expect(logText('\u001b[31merror\u001b[39m\tdb')).toBe('error   db');
  });

  it('lets the level of a coloured label colour the line', () => {
    expect(logColor(undefined, logText('\u001b[31merror\u001b[39m: db down'), 'out')).toBe('red');
    expect(logColor(undefined, logText('\u001b[33mwarn\u001b[39m slow'), 'out')).toBe('yellow');
  });
});

describe('fitLine', () => {
  it('cuts a line to the columns the terminal draws, a wide character counting two', () => {
    expect(fitLine('日本語', 5)).toBe('日本…');
    expect(fitLine('日本語', 6)).toBe('日本語');
    expect(fitLine('a日本', 4)).toBe('a日…');
    expect(fitLine(`big ${'y'.repeat(300_000)}`, 10)).toBe('big yyyyy…');
    expect(fitLine('🚀'.repeat(1000), 10)).toBe('🚀🚀🚀🚀… ');
    expect(fitLine('anything', 0)).toBe('');
  });
});
