import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_DEFAULTS, isVelosError } from '@velos/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkCommandLine,
  checkCommandLines,
  commandLineProgram,
} from '../src/commands/command-line-program.js';

const bin = mkdtempSync(join(tmpdir(), 'velos-cmdline-'));
afterAll(() => rmSync(bin, { recursive: true, force: true }));
writeFileSync(join(bin, 'bun'), '#!/bin/sh\n');
chmodSync(join(bin, 'bun'), 0o755);

describe('commandLineProgram', () => {
  it('names the program a command line starts with when the shell looks it up on PATH', () => {
    expect(commandLineProgram('bun run start')).toBe('bun');
    expect(commandLineProgram('  python3 app.py > /tmp/app.log 2>&1')).toBe('python3');
    expect(commandLineProgram('node-22 app.js')).toBe('node-22');
  });

  it('names none for shell words, paths, assignments, expansions and other syntax', () => {
    for (const line of [
      'cd api && npm start',
      'exec node app.js',
      'while true; do date; sleep 1; done',
      '. ./env.sh; node app.js',
      'FOO=1 node app.js',
      '$RUNNER app.js',
      './run.sh --fast',
      '/usr/bin/python3 app.py',
      '(cd api; npm start)',
      'node;date',
    ]) {
      expect(commandLineProgram(line), line).toBeNull();
    }
  });
});

describe('checkCommandLine', () => {
  it('refuses a command line whose program is on no directory of the app’s PATH, naming it', () => {
    let message = '';
    try {
      checkCommandLine('deno run main.ts', { PATH: bin });
    } catch (error) {
      if (isVelosError(error)) message = error.message;
    }
    expect(message).toMatch(/^program not found: deno \(the first word of "deno run main.ts"/);
  });

  it('refuses bash’s source where /bin/sh is dash (Debian, Ubuntu), which has only .', () => {
    const line = 'source venv/bin/activate && python app.py';
    let message = '';
    try {
      checkCommandLine(line, { PATH: bin }, 'dash');
    } catch (error) {
      if (isVelosError(error)) message = error.message;
    }
    expect(message).toMatch(/^source: \/bin\/sh is dash here, .*use \. instead/);
    expect(() => checkCommandLine(line, { PATH: bin }, 'bash')).not.toThrow();
    expect(() =>
      checkCommandLine('cd api && source .venv/bin/activate && bun x', { PATH: bin }, 'dash'),
    ).toThrow(/^source: /);
    expect(() => checkCommandLine('bun echo source x', { PATH: bin }, 'dash')).not.toThrow();
    expect(() =>
      checkCommandLine('. venv/bin/activate && python app.py', { PATH: bin }, 'dash'),
    ).not.toThrow();
  });

  it('accepts one on PATH, a shell word, and any line when the app has no PATH of its own', () => {
    expect(() => checkCommandLine('bun run start', { PATH: bin })).not.toThrow();
    expect(() => checkCommandLine('exec deno run main.ts', { PATH: bin })).not.toThrow();
    expect(() => checkCommandLine('deno run main.ts', {})).not.toThrow();
  });
});

describe('checkCommandLines', () => {
  const app = (name: string, script: string, PATH?: string) => ({
    ...APP_DEFAULTS,
    name,
    script,
    cwd: bin,
    env: (PATH === undefined ? {} : { PATH }) as Record<string, string>,
  });

  it('names every app of a file whose command line’s program is missing, in one error', () => {
    let error: unknown;
    try {
      checkCommandLines(
        [
          app('web', 'bun run start', bin),
          app('api', 'deno run main.ts', bin),
          app('worker', 'bun', bin),
          app('cron', 'velos-qa-missing --x', bin),
        ],
        'velos.toml',
      );
    } catch (caught) {
      error = caught;
    }
    expect(isVelosError(error) && error.code).toBe('INVALID_CONFIG');
    expect(isVelosError(error) && error.message).toMatch(
      /^velos\.toml: apps\[1\] \(api\)\.script: program not found: deno .*; apps\[3\] \(cron\)\.script: program not found: velos-qa-missing /,
    );
  });

  it('leaves alone a script file whose name has a space, and apps without a PATH', () => {
    writeFileSync(join(bin, 'my app.sh'), '');
    expect(() => checkCommandLines([app('a', 'my app.sh', bin), app('b', 'deno run x')], 'f')).not.toThrow();
  });
});
