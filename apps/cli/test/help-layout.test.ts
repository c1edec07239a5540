import { describe, expect, it } from 'vitest';
import { findCommand } from '../src/command-table.js';
import { renderCommandHelp, renderGlobalHelp } from '../src/help.js';
import { alignRows, fitLines } from '../src/help-layout.js';

const longest = (lines: string[]) => Math.max(...lines.map((line) => line.length));

describe('alignRows', () => {
  const rows: [string, string][] = [
    ['-a', 'short'],
    ['--bee', 'a description of many words that goes well past forty columns of text'],
  ];

  it('keeps each row on its line without a width (a pipe), the descriptions in one column', () => {
    expect(alignRows(rows)).toEqual([
      '  -a     short',
      '  --bee  a description of many words that goes well past forty columns of text',
    ]);
  });

  it('wraps a description under its first line at word boundaries to fit the width', () => {
    const lines = alignRows(rows, 50).join('\n').split('\n');
    expect(lines).toEqual([
      '  -a     short',
      '  --bee  a description of many words that goes',
      '         well past forty columns of text',
    ]);
  });

  it('puts the descriptions under the names when too little room is left beside them', () => {
    const wide: [string, string][] = [['startOrGracefulReload|start-or-graceful-reload <file>', 'reload']];
    expect(alignRows(wide, 60)).toEqual([
      '  startOrGracefulReload|start-or-graceful-reload <file>\n      reload',
    ]);
  });

  it('keeps the line breaks a description has', () => {
    expect(alignRows([['-x', 'one\ntwo']], 80)).toEqual(['  -x  one\n      two']);
  });
});

describe('help on a terminal', () => {
  it('fits velos --help to 80 columns (the commands were 190 characters wide), and to none on a pipe', () => {
    expect(longest(renderGlobalHelp('0.1.0', 80).split('\n'))).toBeLessThanOrEqual(80);
    expect(longest(renderGlobalHelp('0.1.0').split('\n'))).toBeGreaterThan(80);
    expect(fitLines(['a b c'], 3)).toEqual(['a b', 'c']);
  });

  it("fits a command's options to the width", () => {
    const options = renderCommandHelp(findCommand('start')!, 'start', 100).split('\nOptions:\n')[1]!;
    expect(longest(options.split('\n'))).toBeLessThanOrEqual(100);
  });
});
