import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CliResult, REPO_ROOT, runNode } from '@velos/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  FIXTURES,
  homeEnv,
  registerHome,
  rowsNamed,
  VELOS_BIN,
  velos,
  velosOk,
  waitFor,
  waitForSampled,
  waitForStatus,
} from './helpers.js';

// Issue 17: `velos list|ls|l|status [--json|--ai]` runs from dist/velos.cjs (CommonJS, the client's
// small MessagePack codec, src/quick-run.ts); its output, errors and exit codes are those of the full
// CLI (dist/cli.cjs), which these tests run directly for the same lines.

/** tmux servers started by this file, each on its own socket; killed by socket name in teardown. */
const sockets: string[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) spawnSync('tmux', ['-L', socket, 'kill-server']);
  await cleanupHomes();
});

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux && process.env.CI) {
  throw new Error('tmux is not installed: the terminal-width test needs it (apt-get install -y tmux)');
}

const FULL_CLI = join(REPO_ROOT, 'apps/cli/dist/cli.cjs');

/** The same command line through the full CLI, bypassing the binary's routing. */
function fullCli(args: string[], home: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runNode(FULL_CLI, args, { cwd: REPO_ROOT, env: { ...process.env, VELOS_HOME: home, ...env } });
}

/** Output with what differs between two calls a moment apart blanked: numbers and their units (usage, uptime). */
function stable(text: string): string {
  // a cell not measured yet (`-`: CPU and memory before a run's first sample) is a number in the other;
  // a cut name ends one character earlier or later as the other cells' widths differ (uptime 9s, 10s)
  return text
    .replace(/\S*…/g, '…')
    .replace(/\d+(\.\d+)?[A-Za-z%]*/g, '#')
    .replace(/(?<= )-(?= |$)/gm, '#')
    .replace(/ +/g, ' ');
}

describe('velos list from the quick CommonJS entry (issue 17)', () => {
  it('prints what the full CLI prints, in every form and alias', async () => {
    const home = createHome();
    await velosOk(['start', 'fixtures/silent.js', '--name', 'quick-a'], { home });
    await velosOk(['start', 'fixtures/silent.js', '--name', 'quick-b', '--', 'x'], { home });
    // sampled: an --ai row has no c or m before the first sample, which may come between the two calls
    await waitForSampled(home, 'quick-a');
    await waitForSampled(home, 'quick-b');
    const lines = [['list'], ['ls'], ['l'], ['status'], ['list', '--json'], ['ls', '--ai']];
    for (const line of lines) {
      const [quick, full] = [await velos(line, { home }), await fullCli(line, home)];
      expect([quick.code, quick.stderr], line.join(' ')).toEqual([0, '']);
      expect([full.code, full.stderr], line.join(' ')).toEqual([0, '']);
      expect(stable(quick.stdout), line.join(' ')).toBe(stable(full.stdout));
      expect(quick.stdout).toContain('quick-b');
    }
    const colour = { FORCE_COLOR: '1' };
    const [quick, full] = [
      await velos(['list'], { home, env: colour }),
      await fullCli(['list'], home, colour),
    ];
    expect(quick.stdout).toContain('\x1b[');
    expect(stable(quick.stdout)).toBe(stable(full.stdout));
  });

  it('starts the daemon when none runs, as the full CLI does', async () => {
    const quickHome = createHome();
    const fullHome = createHome();
    const [quick, full] = [
      await velos(['list', '--json'], { home: quickHome }),
      await fullCli(['list', '--json'], fullHome),
    ];
    expect([quick.code, quick.stdout, quick.stderr]).toEqual([0, '[]\n', '']);
    expect([full.code, full.stdout, full.stderr]).toEqual([0, '[]\n', '']);
    // the started daemon serves the next call
    expect((await velos(['list'], { home: quickHome })).code).toBe(0);
  });

  it('fails or recovers as the full CLI does: unsafe home, a socket path that is no socket', async () => {
    const cases: Array<[(home: string) => void, boolean]> = [
      [(home) => chmodSync(home, 0o777), true],
      [(home) => writeFileSync(join(home, 'velos.sock'), 'not a socket'), false],
    ];
    for (const [prepare, fails] of cases) {
      const quickHome = registerHome(`${createHome()}/h`);
      const fullHome = registerHome(`${createHome()}/h`);
      mkdirSync(quickHome, { mode: 0o700 });
      mkdirSync(fullHome, { mode: 0o700 });
      prepare(quickHome);
      prepare(fullHome);
      const [quick, full] = [await velos(['list'], { home: quickHome }), await fullCli(['list'], fullHome)];
      expect(quick.code !== 0).toBe(fails);
      expect([quick.code, quick.stdout]).toEqual([full.code, full.stdout]);
      expect(quick.stderr.replaceAll(quickHome, 'HOME')).toBe(full.stderr.replaceAll(fullHome, 'HOME'));
    }
  });

  it('hands any other list line to the full CLI', async () => {
    const home = createHome();
    const line = ['list', '--colour'];
    const [quick, full] = [await velos(line, { home }), await fullCli(line, home)];
    expect(quick.code).toBe(2);
    expect([quick.code, quick.stdout, quick.stderr]).toEqual([full.code, full.stdout, full.stderr]);
  });
});

describe('the velos list table', () => {
  it.skipIf(!hasTmux)(
    'fits a 60-column terminal (tmux), from both entries; a pipe gets it whole',
    async () => {
      const home = createHome();
      const long = 'payments-reconciliation-worker-eu-west';
      await velosOk(['start', join(FIXTURES, 'silent.js'), '--name', long], { home });
      await velosOk(['start', join(FIXTURES, 'silent.js'), '--name', 'api', '--namespace', 'web'], { home });
      await waitForStatus(home, long, 'online');
      await waitForStatus(home, 'api', 'online');

      const socket = `velos-list-${process.pid}-${sockets.length}-${Date.now()}`;
      sockets.push(socket);
      const node = `'${process.execPath}'`;
      // the pane stays once both have printed (`sleep`), so the screen can be read
      const command = `${node} '${VELOS_BIN}' ls; echo '<full>'; ${node} '${FULL_CLI}' ls; echo '<end>'; sleep 600`;
      const started = spawnSync(
        'tmux',
        ['-L', socket, '-f', '/dev/null', 'new-session', '-d', '-x', '60', '-y', '24', command],
        { env: homeEnv(home, { TERM: 'xterm-256color' }), encoding: 'utf8' },
      );
      expect(started.status, started.stderr).toBe(0);
      const screen = () =>
        spawnSync('tmux', ['-L', socket, 'capture-pane', '-p'], { encoding: 'utf8' }).stdout;
      const text = await waitFor(() => (screen().includes('<end>') ? screen() : null), {
        timeoutMs: 20_000,
        message: () => `both tables; screen:\n${screen()}`,
      });
      const [quick, full] = text
        .split('<end>')[0]!
        .split('<full>')
        .map((part) => part.trim());
      for (const line of text.split('\n')) expect([...line].length, text).toBeLessThanOrEqual(60);
      expect(quick, text).toMatch(/^id +name +status\b/);
      expect(quick, text).toMatch(/^ *\d+ +payments-\S*… +online\b/m);
      expect(quick, text).toMatch(/^ *\d+ +api +online\b/m);
      expect(stable(quick!)).toBe(stable(full!));

      // not a terminal: the table as it always was, whole names and every column
      const piped = (await velosOk(['ls'], { home })).stdout;
      expect(piped).toMatch(new RegExp(`^ *\\d+ +${long} +default +\\d+ +online\\b`, 'm'));
      expect(piped.split('\n')[0]!.split(/\s+/)).toEqual([
        'id',
        'name',
        'namespace',
        'pid',
        'status',
        'cpu',
        'memory',
        'uptime',
        'restarts',
      ]);
      expect(stable((await fullCli(['ls'], home)).stdout)).toBe(stable(piped));
    },
  );

  it('shows the watch flag of a stopped app, and no cpu or memory for it in --ai', async () => {
    const home = createHome();
    const project = join(home, 'project');
    mkdirSync(project);
    await velosOk(['start', join(FIXTURES, 'silent.js'), '--name', 'web', '--cwd', project, '--watch'], {
      home,
    });
    await velosOk(['start', join(FIXTURES, 'silent.js'), '--name', 'plain'], { home });
    await waitFor(async () => ((await rowsNamed(home, 'web'))[0] as { watching?: boolean })?.watching, {
      message: 'web to be watching',
    });
    await velosOk(['stop', 'web'], { home });
    await waitForStatus(home, 'web', 'stopped');
    await waitForSampled(home, 'plain');

    const table = (await velos(['ls'], { home })).stdout;
    expect(table.split('\n')[0]).toMatch(/ watch$/);
    expect(table).toMatch(/^ *\d+ +web +- +stopped +- +- +- +\d+ +on$/m);
    expect(table).toMatch(/^ *\d+ +plain +\d+ +online .* -$/m);
    expect(stable((await fullCli(['ls'], home)).stdout)).toBe(stable(table));

    for (const line of [
      ['ls', '--ai'],
      ['describe', 'web', '--ai'],
    ]) {
      const [web] = (JSON.parse((await velosOk(line, { home })).stdout) as Record<string, unknown>[]).filter(
        (p) => p.n === 'web',
      );
      expect(web, line.join(' ')).toMatchObject({ s: 'stopped', w: 1 });
      for (const key of ['p', 'c', 'm', 'u'])
        expect(web, `${line.join(' ')}: ${key}`).not.toHaveProperty(key);
    }
    const [plain] = (
      JSON.parse((await velosOk(['ls', '--ai'], { home })).stdout) as Record<string, unknown>[]
    ).filter((p) => p.n === 'plain');
    expect(plain).toHaveProperty('c');
    expect(plain).toHaveProperty('m');
    expect(plain).not.toHaveProperty('w');
  });
});
