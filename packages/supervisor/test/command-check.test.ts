import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCodes, isVelosError } from '@velos/core';
import { afterAll, describe, expect, it } from 'vitest';
import { checkCommands, commandProblem, type NamedCommandSpec } from '../src/command-check.js';

const dir = mkdtempSync(join(tmpdir(), 'velos-command-check-'));
const emptyPath = mkdtempSync(join(dir, 'bin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'server.js'), '');
writeFileSync(join(dir, 'worker.py'), '');
mkdirSync(join(dir, 'lib'));

function app(name: string, script: string, overrides: Partial<NamedCommandSpec> = {}): NamedCommandSpec {
  return { name, script, args: [], cwd: dir, interpreterArgs: [], env: { PATH: emptyPath }, ...overrides };
}

const INTERPRETER_HINT = '(install it, or give its path: --interpreter <path>, interpreter in a config file)';

function refusal(specs: NamedCommandSpec[]): { code: string; message: string; data: unknown } {
  try {
    checkCommands(specs);
  } catch (error) {
    if (isVelosError(error)) return { code: error.code, message: error.message, data: error.data };
    throw error;
  }
  throw new Error('checkCommands did not refuse');
}

describe('checkCommands', () => {
  it('names every app whose script or interpreter is not there, in one line after the count', () => {
    const error = refusal([
      app('web', 'server.js'),
      app('api', 'api.js'),
      app('worker', 'server.js', { interpreter: 'python9' }),
    ]);
    expect(error.code).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(error.message).toBe(
      `2 apps cannot start: api: script not found: ${join(dir, 'api.js')}; ` +
        `worker: interpreter python9 not found on the app's PATH or in node_modules/.bin ${INTERPRETER_HINT}`,
    );
    expect(error.data).toEqual({
      apps: [
        { name: 'api', problem: `script not found: ${join(dir, 'api.js')}` },
        { name: 'worker', problem: expect.stringMatching(/^interpreter python9 not found/) },
      ],
      // the option the message names, for REST and MCP to say their own way (spellOptions)
      options: [{ option: 'interpreter', value: '<path>', text: '--interpreter <path>', trail: ', ' }],
    });
  });

  it('says one app as one, with the file one or two edits away and the interpreter of the extension', () => {
    expect(refusal([app('web', 'sever.js')]).message).toBe(
      `web cannot start: script not found: ${join(dir, 'sever.js')} (did you mean server.js?)`,
    );
    expect(refusal([app('jobs', 'worker.py')]).message).toBe(
      `jobs cannot start: interpreter python3 (of its .py extension) not found on the app's PATH ${INTERPRETER_HINT}`,
    );
    expect(refusal([app('lib', './lib')]).message).toBe(
      `lib cannot start: script is a directory: ${join(dir, 'lib')}`,
    );
  });

  it('names a program on no directory of the app PATH as a script not found', () => {
    expect(refusal([app('cache', 'velos-no-such-program')]).message).toBe(
      `cache cannot start: script not found: velos-no-such-program (not a file in ${dir}, or a program on the app's PATH)`,
    );
    expect(commandProblem(app('shell', 'sh', { env: { PATH: '/usr/bin:/bin' } }))).toBeNull();
  });

  it('names a cwd that is not there (a deploy to a new path) or is a file, whatever its script', () => {
    expect(refusal([app('api', 'server.js', { cwd: join(dir, 'gone') })]).message).toBe(
      `api cannot start: cwd not found: ${join(dir, 'gone')}`,
    );
    expect(commandProblem(app('deep', 'server.js', { cwd: join(dir, 'server.js', 'x') }))).toBe(
      `cwd not found: ${join(dir, 'server.js', 'x')}`,
    );
    expect(commandProblem(app('flat', 'velos-no-such-program', { cwd: join(dir, 'server.js') }))).toBe(
      `cwd is not a directory: ${join(dir, 'server.js')}`,
    );
  });

  it("looks the program of an app without a PATH up on the daemon's, and the spawn's default PATH", () => {
    const daemonBin = mkdtempSync(join(dir, 'daemon-bin-'));
    writeFileSync(join(daemonBin, 'velos-daemon-tool'), '#!/bin/sh\n', { mode: 0o755 });
    const options = { daemonPath: daemonBin };
    expect(commandProblem(app('tool', 'velos-daemon-tool', { env: {} }), options)).toBeNull();
    // the app's own PATH is the one it runs with, not the daemon's
    expect(commandProblem(app('tool', 'velos-daemon-tool'), options)).toBe(
      `script not found: velos-daemon-tool (not a file in ${dir}, or a program on the app's PATH)`,
    );
    // without a PATH in its env, a spawn searches /usr/bin:/bin, whatever the daemon's PATH
    expect(commandProblem(app('shell', 'sh', { env: {} }), { daemonPath: emptyPath })).toBeNull();
    // by default the daemon's PATH is this process's
    expect(refusal([app('cache', 'velos-no-such-program', { env: {} })]).message).toBe(
      `cache cannot start: script not found: velos-no-such-program (not a file in ${dir}, or a program on the app's PATH)`,
    );
  });

  it('leaves the programs and interpreters of an app without a PATH to the daemon where its PATH is not known', () => {
    const options = { daemonPath: null };
    expect(commandProblem(app('cache', 'velos-no-such-program', { env: {} }), options)).toBeNull();
    expect(commandProblem(app('jobs', 'worker.py', { env: {} }), options)).toBeNull();
    // its files are checked all the same
    expect(commandProblem(app('api', 'api.js', { env: {} }), options)).toBe(
      `script not found: ${join(dir, 'api.js')}`,
    );
  });

  it('passes a script that is there, a command line', () => {
    expect(() =>
      checkCommands([app('web', 'server.js'), app('line', 'velos-no-such-program --flag')]),
    ).not.toThrow();
    expect(commandProblem(app('web', join(dir, 'server.js')))).toBeNull();
  });
});
