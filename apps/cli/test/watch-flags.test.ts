import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as config from '@velos/core/config';
import { afterAll, describe, expect, it } from 'vitest';
import { findCommand } from '../src/command-table.js';
import { globList, specsFromFlags } from '../src/commands/start-spec.js';
import { parseCommandArgs } from '../src/parse-argv.js';

const dir = mkdtempSync(join(tmpdir(), 'velos-watch-flags-'));
writeFileSync(join(dir, 'app.js'), '');
const where = { cwd: dir, env: { PATH: '/usr/bin' }, cpuCount: 2 };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function specFor(argv: string[]) {
  const input = parseCommandArgs(findCommand('start')!, ['app.js', ...argv]);
  return specsFromFlags(join(dir, 'app.js'), input, where, config)[0]!;
}

describe('--watch and --ignore-watch lists (SUP-7)', () => {
  it('keep a brace glob whole: its commas are alternatives, not separators', () => {
    expect(specFor(['--watch', 'src/**/*.{js,ts},config']).watch).toEqual([
      join(dir, 'src/**/*.{js,ts}'),
      join(dir, 'config'),
    ]);
    expect(specFor(['--watch', 'src', '--ignore-watch', '*.{log,tmp} dist']).ignoreWatch).toEqual(
      expect.arrayContaining(['*.{log,tmp}', 'dist']),
    );
  });

  it('globList splits outside braces only, nested ones too, and drops empty items', () => {
    expect(globList('a,{b,c},d/{e,{f,g}}/*,', /,/)).toEqual(['a', '{b,c}', 'd/{e,{f,g}}/*']);
    expect(globList(' x  y,{1, 2} ', /[,\s]/)).toEqual(['x', 'y', '{1, 2}']);
    expect(globList('unclosed{a,b', /,/)).toEqual(['unclosed{a,b']);
  });
});
