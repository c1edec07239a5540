import { isVelosError } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { parseServerArgv } from '../src/server-argv.js';

function messageOf(argv: string[]): string {
  try {
    parseServerArgv(argv, {});
  } catch (error) {
    if (isVelosError(error)) return error.message;
    throw error;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
}

describe('parseServerArgv', () => {
  it("words node:util's refusals as the other usage errors: flag first, no capital, no dot", () => {
    expect(messageOf(['--port'])).toBe('--port needs a value (see velos-server --help)');
    expect(messageOf(['--port', '--json'])).toBe(
      '--port needs a value, got an option (a value that starts with "-" goes as --port=<value>) (see velos-server --help)',
    );
    expect(messageOf(['--metrics-port', '-1'])).toMatch(/^--metrics-port needs a value, got an option/);
    expect(messageOf(['--json=yes'])).toBe('--json takes no value (see velos-server --help)');
    expect(messageOf(['--frobnicate'])).toBe('unknown option --frobnicate (see velos-server --help)');
  });

  it('takes --app-logs, off by default', () => {
    const on = parseServerArgv(['--app-logs'], {});
    const off = parseServerArgv([], {});
    expect(on.kind === 'serve' && on.isAppOutputShown).toBe(true);
    expect(off.kind === 'serve' && off.isAppOutputShown).toBe(false);
  });
});
