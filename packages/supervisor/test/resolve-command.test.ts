import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_DEFAULTS, ErrorCodes } from '@velos/core';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterCommand } from '../src/cluster/exec-mode.js';
import { type CommandSpec, findOnPath, resolveCommand } from '../src/resolve-command.js';
import { FIXTURES } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'velos-cmd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function spec(script: string, overrides: Partial<CommandSpec> = {}): CommandSpec {
  return specOf(script, overrides);
}

function specOf(script: string, overrides: Partial<CommandSpec> = {}): CommandSpec {
  return {
    script,
    args: [],
    cwd: FIXTURES,
    interpreterArgs: [],
    env: { PATH: process.env.PATH ?? '' },
    ...overrides,
  };
}

describe('resolveCommand', () => {
  it('runs .js with this node, interpreter args before the script and args after', () => {
    const command = resolveCommand(
      spec('server.js', { args: ['--port', '0'], interpreterArgs: ['--no-warnings'] }),
    );
    expect(command).toEqual({
      file: process.execPath,
      args: ['--no-warnings', join(FIXTURES, 'server.js'), '--port', '0'],
      shell: false,
    });
  });

  it('ends Node’s options before the script when an app argument is an --env-file Node would read', () => {
    const script = join(dir, 'argv.js');
    writeFileSync(script, 'console.log(JSON.stringify(process.argv.slice(2)));\n');
    for (const args of [['--env-file', 'x.env'], ['a', '--env-file=x.env'], ['--env-file-if-exists=x']]) {
      const command = resolveCommand(spec(script, { args, interpreterArgs: ['--no-warnings'] }));
      expect(command.args).toEqual(['--no-warnings', '--', script, ...args]);
      // the app's argv is the same: the script run prints it
      const printed = execFileSync(command.file, command.args, { cwd: dir, timeout: 10_000 }).toString();
      expect(JSON.parse(printed)).toEqual(args);
    }
    // an interpreter's own --env-file stays Node's, and an app without one gets no `--`
    expect(resolveCommand(spec(script, { interpreterArgs: ['--env-file=.env'] })).args).toEqual([
      '--env-file=.env',
      script,
    ]);
    const cluster = clusterCommand({
      ...APP_DEFAULTS,
      ...spec(script, { args: ['--env-file', 'x.env'] }),
      name: 'c',
      execMode: 'cluster',
    });
    expect(cluster).toEqual({ exec: script, args: ['--env-file', 'x.env'], execArgv: ['--'] });
  });

  it('names a script file that is not there by its path from the cwd, not as a program (server.js of a config file)', () => {
    expect(resolveCommand(spec('server.js', { cwd: dir, args: ['x'] }))).toEqual({
      file: join(dir, 'server.js'),
      args: ['x'],
      shell: false,
    });
    // a program on PATH is still one, and so is a word with no script extension
    expect(resolveCommand(spec('node')).file).toBe(findOnPath('node', process.env.PATH ?? ''));
    expect(resolveCommand(spec('velos-qa-no-such-program', { cwd: dir })).file).toBe(
      'velos-qa-no-such-program',
    );
  });

  it('resolves the script against cwd, also for .mjs and .cjs', () => {
    writeFileSync(join(dir, 'a.mjs'), '');
    writeFileSync(join(dir, 'b.cjs'), '');
    expect(resolveCommand(spec('a.mjs', { cwd: dir })).args).toEqual([join(dir, 'a.mjs')]);
    expect(resolveCommand(spec('./b.cjs', { cwd: dir })).file).toBe(process.execPath);
  });

  it('runs .py with python3 and .sh with bash, .rb with ruby, .pl with perl and .php with php', () => {
    // each interpreter on the app's PATH, installed here or not
    const bin = mkdtempSync(join(dir, 'interpreters-'));
    for (const name of ['python3', 'bash', 'ruby', 'perl', 'php']) {
      writeFileSync(join(bin, name), '#!/bin/sh\n');
      chmodSync(join(bin, name), 0o755);
    }
    const spec = (script: string, overrides: Partial<CommandSpec> = {}): CommandSpec =>
      specOf(script, { env: { PATH: bin }, ...overrides });
    expect(resolveCommand(spec('app.py'))).toEqual({
      file: 'python3',
      args: [join(FIXTURES, 'app.py')],
      shell: false,
    });
    expect(resolveCommand(spec('script.sh')).file).toBe('bash');
    writeFileSync(join(dir, 'x.rb'), '');
    writeFileSync(join(dir, 'x.pl'), '');
    expect(resolveCommand(spec('x.rb', { cwd: dir })).file).toBe('ruby');
    expect(resolveCommand(spec('x.pl', { cwd: dir })).file).toBe('perl');
    writeFileSync(join(dir, 'worker.php'), '<?php\n');
    expect(resolveCommand(spec('worker.php', { cwd: dir }))).toEqual({
      file: 'php',
      args: [join(dir, 'worker.php')],
      shell: false,
    });
  });

  it("names an interpreter found on the daemon's PATH by its path for an app without a PATH", () => {
    const bin = mkdtempSync(join(dir, 'daemon-path-'));
    writeFileSync(join(bin, 'velos-fake-python'), '#!/bin/sh\n', { mode: 0o755 });
    const saved = process.env.PATH;
    process.env.PATH = `${bin}:${saved ?? ''}`;
    try {
      // its spawn, without PATH in the env, would look on /usr/bin:/bin only (ENOENT)
      expect(resolveCommand(spec('app.py', { env: {}, interpreter: 'velos-fake-python' })).file).toBe(
        join(bin, 'velos-fake-python'),
      );
      // with a PATH of its own, the spawn looks it up there
      expect(
        resolveCommand(spec('app.py', { env: { PATH: bin }, interpreter: 'velos-fake-python' })).file,
      ).toBe('velos-fake-python');
    } finally {
      if (saved === undefined) delete process.env.PATH;
      else process.env.PATH = saved;
    }
  });

  it('refuses an interpreter given by a path that is not there, before any start', () => {
    expect(() => resolveCommand(spec('app.py', { interpreter: '/usr/bin/velos-no-such-python' }))).toThrow(
      'interpreter /usr/bin/velos-no-such-python not found (no such file: install it, or give the path of one that is there)',
    );
    // a relative path is the app's cwd's, as its spawn reads it
    writeFileSync(join(dir, 'noext-interp'), '');
    expect(() => resolveCommand(spec('noext-interp', { cwd: dir, interpreter: 'venv/bin/python' }))).toThrow(
      `interpreter ${join(dir, 'venv/bin/python')} not found`,
    );
  });

  it('honours an explicit interpreter, and `node` means this node', () => {
    expect(resolveCommand(spec('app.py', { interpreter: '/usr/bin/env' })).file).toBe('/usr/bin/env');
    writeFileSync(join(dir, 'noext'), '');
    expect(resolveCommand(spec('noext', { cwd: dir, interpreter: 'node' })).file).toBe(process.execPath);
  });

  it('execs the file itself with interpreter none or an unknown extension', () => {
    const sh = join(FIXTURES, 'script.sh');
    expect(resolveCommand(spec('script.sh', { interpreter: 'none', args: ['x'] }))).toEqual({
      file: sh,
      args: ['x'],
      shell: false,
    });
    writeFileSync(join(dir, 'tool.bin'), '');
    expect(resolveCommand(spec('tool.bin', { cwd: dir })).file).toBe(join(dir, 'tool.bin'));
  });

  it('runs an extensionless script whose #! is node with this node, executable or not (Express ./bin/www)', () => {
    mkdirSync(join(dir, 'bin'), { recursive: true });
    const www = join(dir, 'bin', 'www');
    writeFileSync(www, '#!/usr/bin/env node\nrequire("../app");\n');
    expect(resolveCommand(spec('./bin/www', { cwd: dir, args: ['x'] }))).toEqual({
      file: process.execPath,
      args: [www, 'x'],
      shell: false,
    });
    writeFileSync(join(dir, 'direct'), '#!/usr/local/bin/node --no-warnings\n');
    expect(resolveCommand(spec('direct', { cwd: dir })).file).toBe(process.execPath);
    // so it can run in cluster mode, as PM2 runs it
    const app = {
      ...APP_DEFAULTS,
      name: 'www',
      script: './bin/www',
      cwd: dir,
      env: {},
      execMode: 'cluster' as const,
    };
    expect(clusterCommand(app)).toEqual({ exec: www, args: [], execArgv: [] });
    // another interpreter, or none, is left to the kernel
    writeFileSync(join(dir, 'tool'), '#!/bin/sh\necho hi\n');
    chmodSync(join(dir, 'tool'), 0o755);
    expect(resolveCommand(spec('tool', { cwd: dir })).file).toBe(join(dir, 'tool'));
    writeFileSync(join(dir, 'nodey.txt'), '#!/usr/bin/env node\n');
    chmodSync(join(dir, 'nodey.txt'), 0o755);
    expect(resolveCommand(spec('nodey.txt', { cwd: dir })).file).toBe(join(dir, 'nodey.txt'));
  });

  it('runs a script that is not executable by its #! line, as the kernel would run it executable', () => {
    const worker = join(dir, 'worker');
    writeFileSync(worker, '#!/usr/bin/env python3\nprint("hi")\n');
    chmodSync(worker, 0o644);
    expect(resolveCommand(spec('worker', { cwd: dir, args: ['--x'] }))).toEqual({
      file: '/usr/bin/env',
      args: ['python3', worker, '--x'],
      shell: false,
    });
    // the rest of the line is one argument (Linux's), and a CRLF checkout's \r is not part of it
    writeFileSync(worker, '#! /bin/bash -eu \r\necho hi\n');
    expect(resolveCommand(spec('worker', { cwd: dir }))).toEqual({
      file: '/bin/bash',
      args: ['-eu', worker],
      shell: false,
    });
    // an executable one is the kernel's to run; interpreter none means exec it, whatever its bits
    chmodSync(worker, 0o755);
    expect(resolveCommand(spec('worker', { cwd: dir })).file).toBe(worker);
    chmodSync(worker, 0o644);
    expect(resolveCommand(spec('worker', { cwd: dir, interpreter: 'none' })).file).toBe(worker);
    // no #! line: nothing to go by, the spawn says EACCES
    writeFileSync(join(dir, 'plain'), 'echo hi\n');
    expect(resolveCommand(spec('plain', { cwd: dir })).file).toBe(join(dir, 'plain'));
  });

  it('runs a command line with spaces or shell syntax under /bin/sh -c', () => {
    const line = 'python3 app.py > /tmp/app.log 2>&1';
    expect(resolveCommand(spec(line))).toEqual({ file: '/bin/sh', args: ['-c', line], shell: true });
    expect(resolveCommand(spec('echo $HOME')).shell).toBe(true);
    expect(resolveCommand(spec('a|b')).shell).toBe(true);
  });

  it('ends a command line with the app’s args, each quoted as one word of it', () => {
    const command = resolveCommand(
      spec('node server.js > /tmp/x.log', { args: ['--port', '3000', '--msg', "it's a b", '$HOME'] }),
    );
    expect(command.args).toEqual([
      '-c',
      `node server.js > /tmp/x.log --port 3000 --msg 'it'\\''s a b' '$HOME'`,
    ]);
    const echoed = execFileSync(
      '/bin/sh',
      resolveCommand(spec('printf "%s|"', { args: ["it's", 'a b', '$HOME', '*'] })).args,
    );
    expect(echoed.toString()).toBe("it's|a b|$HOME|*|");
  });

  it('looks a bare word up on the PATH of the app', () => {
    const sleep = findOnPath('sleep', process.env.PATH ?? '');
    expect(sleep).toMatch(/\/sleep$/);
    expect(resolveCommand(spec('sleep', { args: ['5'] }))).toEqual({
      file: sleep,
      args: ['5'],
      shell: false,
    });
    expect(resolveCommand(spec('sleep', { env: { PATH: dir } })).file).toBe('sleep');
  });

  it('keeps a missing path as a path (the spawn reports it), without a PATH lookup', () => {
    expect(resolveCommand(spec('./missing.js')).file).toBe(join(FIXTURES, 'missing.js'));
  });

  it('runs TypeScript with --experimental-strip-types on Node 22.6', () => {
    writeFileSync(join(dir, 'app.ts'), '');
    const command = resolveCommand(spec('app.ts', { cwd: dir }), { nodeVersion: '22.6.0' });
    expect(command).toEqual({
      file: process.execPath,
      args: ['--experimental-strip-types', join(dir, 'app.ts')],
      shell: false,
    });
  });

  it('runs TypeScript with the full transform (enums, namespaces) from Node 22.7, unless the app chose a mode', () => {
    writeFileSync(join(dir, 'app.ts'), '');
    for (const nodeVersion of ['22.7.0', '24.22.3']) {
      expect(resolveCommand(spec('app.ts', { cwd: dir }), { nodeVersion }).args).toEqual([
        '--experimental-transform-types',
        '--disable-warning=ExperimentalWarning',
        join(dir, 'app.ts'),
      ]);
    }
    const own = resolveCommand(
      spec('app.ts', { cwd: dir, interpreterArgs: ['--experimental-strip-types'] }),
      {
        nodeVersion: '24.0.0',
      },
    );
    expect(own.args).toEqual(['--experimental-strip-types', join(dir, 'app.ts')]);
  });

  it('gives TypeScript the same Node flags with `interpreter: node` (a PM2 file habit) as without', () => {
    writeFileSync(join(dir, 'app.ts'), '');
    const byExtension = resolveCommand(spec('app.ts', { cwd: dir }), { nodeVersion: '22.6.0' });
    for (const interpreter of ['node', process.execPath]) {
      const explicit = resolveCommand(spec('app.ts', { cwd: dir, interpreter }), { nodeVersion: '22.6.0' });
      expect(explicit).toEqual(byExtension);
    }
    expect(byExtension.args).toEqual(['--experimental-strip-types', join(dir, 'app.ts')]);
  });

  it('runs TypeScript with tsx from PATH on older Node, else fails with SPAWN_FAILED', () => {
    writeFileSync(join(dir, 'app.mts'), '');
    const bin = mkdtempSync(join(dir, 'bin-'));
    expect(() =>
      resolveCommand(spec('app.mts', { cwd: dir, env: { PATH: bin } }), { nodeVersion: '20.1.0' }),
    ).toThrow(
      expect.objectContaining({ code: ErrorCodes.SPAWN_FAILED, message: expect.stringMatching(/tsx/) }),
    );
    writeFileSync(join(bin, 'tsx'), '#!/bin/sh\n');
    chmodSync(join(bin, 'tsx'), 0o755);
    const command = resolveCommand(spec('app.mts', { cwd: dir, env: { PATH: bin } }), {
      nodeVersion: '20.1.0',
    });
    expect(command).toEqual({ file: join(bin, 'tsx'), args: [join(dir, 'app.mts')], shell: false });
  });

  it('runs TypeScript with the project’s own tsx (node_modules/.bin, nearest first) before the one on PATH', () => {
    const project = mkdtempSync(join(dir, 'project-'));
    const src = join(project, 'src');
    mkdirSync(join(project, 'node_modules', '.bin'), { recursive: true });
    mkdirSync(src);
    writeFileSync(join(src, 'app.ts'), '');
    const local = join(project, 'node_modules', '.bin', 'tsx');
    writeFileSync(local, '#!/bin/sh\n');
    chmodSync(local, 0o755);
    const bin = mkdtempSync(join(dir, 'bin-'));
    writeFileSync(join(bin, 'tsx'), '#!/bin/sh\n');
    chmodSync(join(bin, 'tsx'), 0o755);
    // the script in src/, started from elsewhere: the project is found from the script's directory up
    const command = resolveCommand(spec(join(src, 'app.ts'), { cwd: dir, env: { PATH: bin } }), {
      nodeVersion: '20.1.0',
    });
    expect(command).toEqual({ file: local, args: [join(src, 'app.ts')], shell: false });
  });

  it('runs TypeScript before Node 22.6 with the project’s ts-node when it has no tsx (a NestJS project)', () => {
    const project = mkdtempSync(join(dir, 'project-'));
    mkdirSync(join(project, 'node_modules', '.bin'), { recursive: true });
    writeFileSync(join(project, 'main.ts'), '');
    const tsNode = join(project, 'node_modules', '.bin', 'ts-node');
    writeFileSync(tsNode, '#!/bin/sh\n');
    chmodSync(tsNode, 0o755);
    const empty = mkdtempSync(join(dir, 'bin-'));
    const command = resolveCommand(spec('main.ts', { cwd: project, env: { PATH: empty } }), {
      nodeVersion: '20.1.0',
    });
    expect(command.file).toBe(tsNode);
    // with a tsx there too, tsx
    const tsx = join(project, 'node_modules', '.bin', 'tsx');
    writeFileSync(tsx, '#!/bin/sh\n');
    chmodSync(tsx, 0o755);
    expect(
      resolveCommand(spec('main.ts', { cwd: project, env: { PATH: empty } }), { nodeVersion: '20.1.0' }).file,
    ).toBe(tsx);
  });

  it('looks a bare interpreter that is not on PATH up in the project’s node_modules/.bin', () => {
    const project = mkdtempSync(join(dir, 'project-'));
    mkdirSync(join(project, 'node_modules', '.bin'), { recursive: true });
    writeFileSync(join(project, 'app.ts'), '');
    const local = join(project, 'node_modules', '.bin', 'ts-node');
    writeFileSync(local, '#!/bin/sh\n');
    chmodSync(local, 0o755);
    const empty = mkdtempSync(join(dir, 'bin-'));
    const app = spec('app.ts', { cwd: project, env: { PATH: empty }, interpreter: 'ts-node' });
    expect(resolveCommand(app).file).toBe(local);
    // not found anywhere: refused before it starts, as PM2 refuses it (the spawn failed at each start)
    expect(() => resolveCommand({ ...app, interpreter: 'missing' })).toThrow(
      "interpreter missing not found on the app's PATH or in node_modules/.bin (install it, or give its path: --interpreter <path>, interpreter in a config file)",
    );
  });

  it("refuses a script whose interpreter by extension is not on the app's PATH, naming it", () => {
    const empty = mkdtempSync(join(dir, 'bin-'));
    const noPython = spec('app.py', { env: { PATH: empty } });
    expect(() => resolveCommand(noPython)).toThrow(
      "interpreter python3 (of its .py extension) not found on the app's PATH (install it, or give its path: --interpreter <path>, interpreter in a config file)",
    );
    let caught: unknown = null;
    try {
      resolveCommand(noPython);
    } catch (error) {
      caught = error;
    }
    expect((caught as { code?: string } | null)?.code).toBe(ErrorCodes.SPAWN_FAILED);
    // a path, `node` and `none` are not looked up
    expect(resolveCommand({ ...noPython, interpreter: '/usr/bin/env' }).file).toBe('/usr/bin/env');
    expect(resolveCommand({ ...noPython, interpreter: 'node' }).file).toBe(process.execPath);
  });
});
