import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  describeJson,
  listJson,
  listState,
  outLog,
  sharedHome,
  velos,
  velosOk,
  waitFor,
  waitForStatus,
} from './helpers.js';

afterEach(cleanupHomes);

// Every test starts apps of its own name from a directory of its own (`workDir`): they share one home
// and daemon (a daemon each cost ~0.3 s of CPU).
const shared = sharedHome();

/** A directory of the shared home for one test's files, to start from: no test sees another's files. */
function workDir(name: string): string {
  const dir = join(shared(), 'work', name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Node's own TypeScript support (22.6+): there the project's tsx is not needed for a `.ts` script. */
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const hasStripTypes = major > 22 || (major === 22 && minor >= 6);

/**
 * A project whose dev dependency put a program in node_modules/.bin (a stand-in for tsx: it says what
 * it was asked to run, then waits), with `src/app.ts` to run.
 */
function project(root: string, binName: string): { dir: string; app: string } {
  const dir = join(root, 'project');
  mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
  mkdirSync(join(dir, 'src'));
  const bin = join(dir, 'node_modules', '.bin', binName);
  writeFileSync(bin, `#!/bin/sh\necho "${binName} ran $1"\nexec sleep 600\n`);
  chmodSync(bin, 0o755);
  const app = join(dir, 'src', 'app.ts');
  writeFileSync(app, 'console.log("app.ts ran"); setInterval(() => {}, 1000);\n');
  return { dir, app };
}

function outText(home: string, name: string): string {
  return existsSync(outLog(home, name)) ? readFileSync(outLog(home, name), 'utf8') : '';
}

describe('velos start: TypeScript and interpreters from the project’s node_modules/.bin', () => {
  it('runs a .ts script with the project’s own tsx before Node 22.6 (with Node’s own support after)', async () => {
    const home = shared();
    const { dir, app } = project(workDir('ts'), 'tsx');
    // started from another directory, naming the script in src/: the project is found from the script up
    await velosOk(['start', 'project/src/app.ts', '--name', 'ts'], { home, cwd: workDir('ts') });
    await waitForStatus(home, 'ts', 'online');
    const [detail] = await describeJson(home, 'ts');
    if (hasStripTypes) {
      expect(detail!.command.file).toBe(process.execPath);
      await waitFor(() => outText(home, 'ts').includes('app.ts ran'), { message: 'app.ts to run' });
    } else {
      expect(detail!.command.file).toBe(join(dir, 'node_modules', '.bin', 'tsx'));
      await waitFor(() => outText(home, 'ts').includes(`tsx ran ${app}`), {
        message: 'the local tsx to run',
      });
    }
  });

  it('takes a bare --interpreter that is not on PATH from the project’s node_modules/.bin', async () => {
    const home = shared();
    const { dir, app } = project(workDir('runner'), 'velos-qa-runner');
    await velosOk(['start', 'src/app.ts', '--name', 'runner', '--interpreter', 'velos-qa-runner'], {
      home,
      cwd: dir,
    });
    await waitForStatus(home, 'runner', 'online');
    await waitFor(() => outText(home, 'runner').includes(`velos-qa-runner ran ${app}`), {
      message: 'the local interpreter to run',
    });
  });

  it('refuses a script whose interpreter is not on PATH in one line, leaving no errored app behind', async () => {
    const home = shared();
    const dir = workDir('no-python');
    writeFileSync(join(dir, 'worker.py'), 'print("hi")\n');
    const result = await velos(['start', 'worker.py', '--name', 'nopy'], {
      home,
      cwd: dir,
      env: { PATH: workDir('empty-path') },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "velos: nopy cannot start: interpreter python3 (of its .py extension) not found on the app's PATH (install it, or give its path: --interpreter <path>, interpreter in a config file)\n",
    );
    expect((await listJson(home)).map((row) => row.name)).not.toContain('nopy');
  });
});

describe('velos start "command line"', () => {
  it('refuses one whose program is not on PATH, as it refuses a missing bare program, starting nothing', async () => {
    const home = shared();
    const result = await velos(['start', 'velos-qa-no-such-program run main.ts', '--name', 'missing'], {
      home,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('program not found: velos-qa-no-such-program');
    expect((await listJson(home)).map((row) => row.name)).not.toContain('missing');
  });

  it('refuses a process file whose app has one, naming it, before anything of the file starts', async () => {
    const home = shared();
    const dir = workDir('process-file');
    writeFileSync(
      join(dir, 'ecosystem.config.js'),
      "module.exports = { apps: [{ name: 'fine', script: 'sleep 600' }, { name: 'web', script: 'velos-qa-no-such-program run start' }] };\n",
    );
    const names = (rows: { name: string }[]) => rows.map((row) => row.name);
    const before = names(await listState(home));
    const result = await velos(['start', 'ecosystem.config.js'], { home, cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'ecosystem.config.js: apps[1] (web).script: program not found: velos-qa-no-such-program',
    );
    expect(names(await listJson(home))).toEqual(before);
  });

  it('gives it the args after --, each one word, at the end of the line', async () => {
    const home = shared();
    const dir = workDir('argv');
    writeFileSync(
      join(dir, 'argv.js'),
      'console.log(JSON.stringify(process.argv.slice(2))); setInterval(() => {}, 1000);\n',
    );
    await velosOk(['start', 'node argv.js --first', '--name', 'argv', '--', '--msg', "it's a b", '$HOME'], {
      home,
      cwd: dir,
    });
    await waitForStatus(home, 'argv', 'online');
    await waitFor(() => outText(home, 'argv').includes('["--first","--msg","it\'s a b","$HOME"]'), {
      message: () => `the args in the log: ${outText(home, 'argv')}`,
    });
  });

  it('still runs one that starts with a shell word or an assignment', async () => {
    const home = shared();
    await velosOk(['start', "GREETING=hi exec sh -c 'echo $GREETING; exec sleep 600'", '--name', 'sh'], {
      home,
    });
    await waitForStatus(home, 'sh', 'online');
    await waitFor(() => outText(home, 'sh').includes('hi'), { message: 'the command line to print' });
  });
});

describe('velos start: a script that is not executable', () => {
  it('runs by its #! line, as it would run executable (a checkout or a copy that lost its x bit)', async () => {
    const home = shared();
    const worker = join(workDir('worker'), 'worker');
    writeFileSync(
      worker,
      '#!/usr/bin/env python3\nimport sys, time\nprint("worker", sys.argv[1:], flush=True)\ntime.sleep(600)\n',
    );
    chmodSync(worker, 0o644);
    await velosOk(['start', worker, '--', 'a b'], { home });
    await waitForStatus(home, 'worker', 'online');
    await waitFor(() => outText(home, 'worker').includes("worker ['a b']"), {
      message: 'the worker to print',
    });
  });
});

describe('velos start: a Python app', () => {
  it('has its print()s in the log as they are made, without flush=True or python -u', async () => {
    const home = shared();
    const app = join(workDir('quiet'), 'quiet.py');
    writeFileSync(app, 'import time\nprint("started")\nwhile True:\n    time.sleep(60)\n');
    // not from this shell: CI machines often set it, which hides the 8 KiB block buffering of a pipe
    await velosOk(['start', app], { home, env: { PYTHONUNBUFFERED: undefined } });
    await waitForStatus(home, 'quiet', 'online');
    await waitFor(() => outText(home, 'quiet').includes('started'), {
      timeoutMs: 10_000,
      message: 'the first line of the Python app in its log',
    });
  });
});

describe('velos start in a directory reached through a symlink', () => {
  // a deploy puts each release in releases/<n> and swaps `current` to it, then restarts the app
  it('keeps the path as the shell names it: a restart after the link moved runs the new release', async () => {
    const home = shared();
    const deploy = join(workDir('rel'), 'deploy');
    for (const release of ['1', '2']) {
      mkdirSync(join(deploy, 'releases', release), { recursive: true });
      writeFileSync(
        join(deploy, 'releases', release, 'app.js'),
        `console.log('release ${release}'); setInterval(() => {}, 1000);\n`,
      );
    }
    const current = join(deploy, 'current');
    symlinkSync('releases/1', current);
    // as a shell's `cd current && velos start app.js`: its PWD keeps the link, getcwd() does not
    await velosOk(['start', 'app.js', '--name', 'rel'], { home, cwd: current, env: { PWD: current } });
    await waitFor(() => outText(home, 'rel').includes('release 1'), { message: 'release 1 to run' });
    symlinkSync('releases/2', join(deploy, 'next'));
    renameSync(join(deploy, 'next'), current);
    await velosOk(['restart', 'rel'], { home });
    await waitFor(() => outText(home, 'rel').includes('release 2'), { message: 'release 2 to run' });
    const [detail] = await describeJson(home, 'rel');
    expect(detail!.spec.script).toBe(join(current, 'app.js'));
  });
});

describe('velos start without a target', () => {
  it('starts ./ecosystem.config.js, as pm2 start does, and says what it needs when there is none', async () => {
    const home = shared();
    const dir = workDir('eco');
    const empty = await velos(['start'], { home, cwd: dir });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain(
      'velos start needs <script|"command line"|config file>; without one it starts ./ecosystem.config.js, as pm2 start does, or ./velos.toml, and there is neither here',
    );
    writeFileSync(
      join(dir, 'ecosystem.config.js'),
      "module.exports = { apps: [{ name: 'eco', script: 'sleep 600' }] };\n",
    );
    await velosOk(['start'], { home, cwd: dir });
    await waitForStatus(home, 'eco', 'online');
  });

  it('starts ./velos.toml when there is no ecosystem.config.js, as process-compose starts its own file', async () => {
    const home = shared();
    const dir = workDir('toml');
    writeFileSync(join(dir, 'velos.toml'), '[[apps]]\nname = "deftoml"\nscript = "sleep 600"\n');
    await velosOk(['start'], { home, cwd: dir });
    await waitForStatus(home, 'deftoml', 'online');
  });
});
