import { describe, expect, it } from 'vitest';
import { runsPython, withUnbufferedPython } from '../src/python-output.js';

const command = (file: string, args: string[] = [], shell = false) => ({ file, args, shell });

describe('runsPython', () => {
  it('tells Python by the program, the program env runs, or the first word of a command line', () => {
    expect(runsPython(command('python3', ['/srv/app.py']))).toBe(true);
    expect(runsPython(command('/srv/venv/bin/python', ['app.py']))).toBe(true);
    expect(runsPython(command('python3.12', ['app.py']))).toBe(true);
    expect(runsPython(command('/usr/bin/env', ['python3', '/srv/worker']))).toBe(true);
    expect(runsPython(command('/bin/sh', ['-c', 'python3 app.py | tee x'], true))).toBe(true);
    expect(runsPython(command('/bin/sh', ['-c', '/opt/py/bin/python -m http.server'], true))).toBe(true);
  });

  it('is false for other programs, even ones named after Python', () => {
    expect(runsPython(command(process.execPath, ['/srv/python.js']))).toBe(false);
    expect(runsPython(command('/usr/bin/env', ['node', '/srv/www']))).toBe(false);
    expect(runsPython(command('/bin/sh', ['-c', 'echo python3 x'], true))).toBe(false);
    expect(runsPython(command('/srv/python-tool'))).toBe(false);
  });
});

describe('withUnbufferedPython', () => {
  it('sets PYTHONUNBUFFERED=1 for Python unless the environment sets it, even empty', () => {
    const env: Record<string, string> = {};
    withUnbufferedPython(command('python3', ['app.py']), env);
    expect(env.PYTHONUNBUFFERED).toBe('1');
    const own = { PYTHONUNBUFFERED: '' };
    withUnbufferedPython(command('python3', ['app.py']), own);
    expect(own.PYTHONUNBUFFERED).toBe('');
    const node: Record<string, string> = {};
    withUnbufferedPython(command(process.execPath, ['app.js']), node);
    expect(node).toEqual({});
  });
});
