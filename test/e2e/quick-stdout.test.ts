import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, runNode } from '@velos/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  homeEnv,
  killChild,
  sharedHome,
  trackHomeChild,
  VELOS_BIN,
  velos,
  velosOk,
  waitForSampled,
  waitForStatus,
} from './helpers.js';

// Issue 17: the quick paths (`velos list`, `velos start <script>`) talk to the daemon over Node's pipe
// handle and write stdout with writeSync when it is no terminal, so `net` and the stream classes never
// load (packages/client/src/handle-socket.ts, apps/cli/src/quick-stdout.ts). What they write and how
// they exit must stay those of the full CLI wherever stdout goes.

afterEach(cleanupHomes);

const FULL_CLI = join(REPO_ROOT, 'apps/cli/dist/cli.cjs');

/** Output with what differs between two calls a moment apart blanked: numbers and their units. */
function stable(text: string): string {
  // a cell not measured yet (`-`: CPU and memory before a run's first sample) is a number in the other
  return text
    .replace(/\d+(\.\d+)?[A-Za-z%]*/g, '#')
    .replace(/(?<= )-(?= |$)/gm, '#')
    .replace(/ +/g, ' ');
}

/** `node <entry> …args` with stdout sent to `file` by the shell; its exit code and stderr. */
function toFile(
  entry: string,
  args: string[],
  home: string,
  file: string,
): { code: number | null; stderr: string } {
  const result = spawnSync('/bin/sh', ['-c', '"$@" > "$OUT_FILE"', 'sh', process.execPath, entry, ...args], {
    cwd: REPO_ROOT,
    env: homeEnv(home, { OUT_FILE: file }),
    encoding: 'utf8',
  });
  return { code: result.status, stderr: result.stderr };
}

/** `node <entry> …args` whose stdout reader has gone before it writes (EPIPE): its exit code and stderr. */
function withReaderGone(
  entry: string,
  args: string[],
  home: string,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args], {
      cwd: REPO_ROOT,
      env: homeEnv(home),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    trackHomeChild(child, home);
    // closes this end of the pipe now, long before the command has its answer to print
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      killChild(child);
      reject(new Error(`${args.join(' ')} did not exit`));
    }, 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('the quick paths write stdout as the full CLI does (issue 17)', () => {
  // one home and daemon for the block: each test starts apps of its own names; the outputs compared
  // (quick against full) list the same table
  const shared = sharedHome();

  it('to a file: the same bytes, exit 0', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/silent.js', '--name', 'out-a'], { home });
    // sampled: an --ai row has no c or m before the first sample, which may come between the two calls
    await waitForSampled(home, 'out-a');
    for (const line of [['list'], ['list', '--json'], ['status', '--ai']]) {
      const quick = toFile(VELOS_BIN, line, home, join(home, 'quick.txt'));
      const full = toFile(FULL_CLI, line, home, join(home, 'full.txt'));
      expect([quick.code, quick.stderr], line.join(' ')).toEqual([0, '']);
      expect([full.code, full.stderr], line.join(' ')).toEqual([0, '']);
      const written = readFileSync(join(home, 'quick.txt'), 'utf8');
      expect(written).toContain('out-a');
      expect(stable(written), line.join(' ')).toBe(stable(readFileSync(join(home, 'full.txt'), 'utf8')));
    }
  });

  it('to a terminal: colours and indented JSON, as the full CLI', async () => {
    const script = spawnSync('script', ['--version'], { encoding: 'utf8' });
    if (script.error) {
      // util-linux's script (Debian: bsdutils, an essential package) gives the command a terminal
      if (process.env.CI === 'true')
        throw new Error('the `script` command (util-linux) is needed for this test');
      return;
    }
    const home = shared();
    await velosOk(['start', 'fixtures/silent.js', '--name', 'tty-a'], { home });
    await waitForStatus(home, 'tty-a', 'online');
    const inTerminal = (entry: string, line: string) =>
      spawnSync('script', ['-qec', `"${process.execPath}" "${entry}" ${line}`, '/dev/null'], {
        cwd: REPO_ROOT,
        env: homeEnv(home, { NO_COLOR: '', FORCE_COLOR: '', TERM: 'xterm' }),
        encoding: 'utf8',
      });
    const quickOut: Record<string, string> = {};
    for (const line of ['list', 'list --json']) {
      const quick = inTerminal(VELOS_BIN, line);
      const full = inTerminal(FULL_CLI, line);
      expect([quick.status, full.status], line).toEqual([0, 0]);
      expect(stable(quick.stdout), line).toBe(stable(full.stdout));
      quickOut[line] = quick.stdout;
    }
    expect(quickOut.list).toContain('\x1b[');
    expect(quickOut['list --json']).toContain('[\r\n  {');
  });

  it('to a pipe whose reader has gone: exit 0 and nothing on stderr (EPIPE)', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/silent.js', '--name', 'gone-a'], { home });
    for (const line of [['list', '--json'], ['list']]) {
      expect(await withReaderGone(VELOS_BIN, line, home), line.join(' ')).toEqual({ code: 0, stderr: '' });
      expect(await withReaderGone(FULL_CLI, line, home), line.join(' ')).toEqual({ code: 0, stderr: '' });
    }
    const start = ['start', 'fixtures/silent.js', '--name', 'gone-b'];
    expect(await withReaderGone(VELOS_BIN, start, home)).toEqual({ code: 0, stderr: '' });
    await waitForStatus(home, 'gone-b', 'online');
  });

  it('load neither net nor the stream classes, for a pipe or a file (what they are for)', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/silent.js', '--name', 'light-a'], { home });
    await waitForStatus(home, 'light-a', 'online');
    // preloaded: at exit, the built-in modules of interest that were loaded, on stderr
    const probe = join(home, 'probe.cjs');
    writeFileSync(
      probe,
      "process.on('exit', () => require('node:fs').writeSync(2, JSON.stringify(process.moduleLoadList.filter((m) => /^NativeModule (net|stream|tty)$/.test(m)))));",
    );
    const lines = [['list'], ['list', '--json'], ['start', 'fixtures/silent.js', '--name', 'light-b']];
    for (const line of lines) {
      const piped = await velos(line, { home, env: { NODE_OPTIONS: `--require ${probe}` } });
      expect([piped.code, piped.stderr], line.join(' ')).toEqual([0, '[]']);
    }
    const toFileProbe = spawnSync(
      '/bin/sh',
      ['-c', '"$@" > "$OUT_FILE"', 'sh', process.execPath, '--require', probe, VELOS_BIN, 'list'],
      {
        cwd: REPO_ROOT,
        env: homeEnv(home, { OUT_FILE: join(home, 'out.txt') }),
        encoding: 'utf8',
      },
    );
    expect([toFileProbe.status, toFileProbe.stderr]).toEqual([0, '[]']);
  });

  it('prints no deprecation warning when Node is asked for pending ones', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/silent.js', '--name', 'dep-a'], { home });
    const environments = [{ NODE_OPTIONS: '--pending-deprecation' }, { NODE_PENDING_DEPRECATION: '1' }];
    for (const env of environments) {
      const quick = await velos(['list', '--json'], { home, env });
      const full = await runNode(FULL_CLI, ['list', '--json'], {
        cwd: REPO_ROOT,
        env: { ...process.env, VELOS_HOME: home, ...env },
      });
      expect([quick.code, quick.stderr], JSON.stringify(env)).toEqual([0, '']);
      expect(stable(quick.stdout)).toBe(stable(full.stdout));
      const started = await velos(
        ['start', 'fixtures/silent.js', '--name', `dep-${env.NODE_OPTIONS ? 'b' : 'c'}`],
        {
          home,
          env,
        },
      );
      expect([started.code, started.stderr], JSON.stringify(env)).toEqual([0, '']);
    }
  });
});
