import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isVelosError } from '@velos/core';
import * as config from '@velos/core/config';
import { afterAll, describe, expect, it } from 'vitest';
import { findCommand } from '../src/command-table.js';
import { specsFromFlags } from '../src/commands/start-spec.js';
import { renderCommandHelp } from '../src/help.js';
import { parseCommandArgs } from '../src/parse-argv.js';

const dir = mkdtempSync(join(tmpdir(), 'velos-watch-flags-'));
writeFileSync(join(dir, 'app.js'), '');
const where = { cwd: dir, env: { PATH: process.env.PATH }, cpuCount: 2 };
const start = findCommand('start')!;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function specOf(argv: string[]) {
  const input = parseCommandArgs(start, argv);
  return specsFromFlags(join(dir, input.args[0]!), input, where, config)[0]!;
}

describe('velos start watch flags (SUP-7)', () => {
  it('--watch alone watches the cwd and does not take the next argument as its value', () => {
    const input = parseCommandArgs(start, ['--watch', 'app.js']);
    expect(input.args).toEqual(['app.js']);
    expect(input.options.watch).toBe(true);
    expect(specOf(['--watch', 'app.js']).watch).toEqual([dir]);
  });

  it("PM2's forms: --watch <path> after the script, --ignore-watch with spaces", () => {
    const input = parseCommandArgs(start, [
      'app.js',
      '--watch',
      'src',
      '--ignore-watch',
      'node_modules logs',
    ]);
    expect(input.args).toEqual(['app.js']);
    expect(input.options.watch).toBe('src');
    const spec = specOf(['app.js', '--watch', 'src', '--ignore-watch', 'node_modules logs,*.tmp']);
    expect(spec.watch).toEqual([join(dir, 'src')]);
    expect(spec.ignoreWatch).toEqual(['node_modules', 'logs', '*.tmp']);
    // before the script, the next word is the script
    expect(parseCommandArgs(start, ['--watch', 'app.js', '--name', 'x']).options).toEqual({
      watch: true,
      name: 'x',
    });
  });

  it('--watch=paths, --ignore-watch and --watch-delay fill the spec', () => {
    const spec = specOf([
      'app.js',
      '--watch=src, lib',
      '--ignore-watch',
      'dist,*.tmp',
      '--watch-delay',
      '2s',
    ]);
    expect(spec.watch).toEqual([join(dir, 'src'), join(dir, 'lib')]);
    expect(spec.ignoreWatch).toEqual(['dist', '*.tmp']);
    expect(spec.watchDelayMs).toBe(2000);
    expect(specOf(['app.js']).watch).toBeUndefined();
  });

  it('reads a bare --watch-delay as seconds, as PM2 does', () => {
    expect(specOf(['app.js', '--watch', '--watch-delay', '4']).watchDelayMs).toBe(4000);
    expect(specOf(['app.js', '--watch', '--watch-delay', '0.5']).watchDelayMs).toBe(500);
    expect(specOf(['app.js', '--watch', '--watch-delay', '4000ms']).watchDelayMs).toBe(4000);
  });

  it('names the flag of a bad delay, and shows the optional value in help', () => {
    let message = '';
    try {
      specOf(['app.js', '--watch', '--watch-delay', 'later']);
    } catch (error) {
      if (isVelosError(error)) message = error.message;
    }
    expect(message).toMatch(/^--watch-delay: expected a duration/);
    expect(renderCommandHelp(start)).toContain('--watch [paths]');
  });
});
