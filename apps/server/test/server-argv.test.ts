import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { isVelosError } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { parseServerArgv } from '../src/server-argv.js';

function messageOf(argv: string[], env: NodeJS.ProcessEnv = {}): string {
  try {
    parseServerArgv(argv, env);
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

  it('refuses a relative VELOS_HOME as velos does, naming the absolute path meant; --home is any path', () => {
    // it was taken from the current folder: each folder velos-server ran in had a home and a daemon of its own
    expect(messageOf([], { VELOS_HOME: 'run' })).toBe(
      `VELOS_HOME=run is a relative path (each folder would have its own daemon); set it to an absolute one: VELOS_HOME=${resolve('run')}`,
    );
    expect(messageOf([], { VELOS_HOME: '~/.velos' })).toMatch(
      new RegExp(`an absolute one: VELOS_HOME=${join(homedir(), '.velos')}$`),
    );
    const flag = parseServerArgv(['--home', 'here'], { VELOS_HOME: 'run' });
    expect(flag.kind === 'serve' && flag.home).toBe(resolve('here'));
    const unset = parseServerArgv([], { VELOS_HOME: '' });
    expect(unset.kind === 'serve' && unset.home).toBe(join(homedir(), '.velos'));
  });

  it('takes --app-logs, off by default', () => {
    const on = parseServerArgv(['--app-logs'], {});
    const off = parseServerArgv([], {});
    expect(on.kind === 'serve' && on.isAppOutputShown).toBe(true);
    expect(off.kind === 'serve' && off.isAppOutputShown).toBe(false);
  });
});
