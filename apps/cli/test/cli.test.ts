import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VELOS_VERSION } from '@velos/core';
import { homePids, killPid, killSpawned, runVelos, VELOS_BIN, waitFor } from '@velos/test-helpers';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CONFIG, deleteDemoApps } from '../../../scripts/lib/demo-apps.mjs';

const DIST = fileURLToPath(new URL('../dist/cli.cjs', import.meta.url));
const FAKE_DAEMON = fileURLToPath(new URL('./fixtures/fake-daemon.mjs', import.meta.url));
const FIXTURE_SERVER = fileURLToPath(new URL('../../../fixtures/server.js', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const homes: string[] = [];
const children: ChildProcess[] = [];

beforeAll(() => {
  if (!existsSync(DIST))
    throw new Error(`${DIST} is missing: build the CLI first (pnpm --filter velos build)`);
});

afterEach(() => {
  killSpawned();
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  for (const home of homes.splice(0)) {
    // A daemon the CLI started by mistake would outlive the test: stop it by the pid it recorded while that
    // pid is still the home's process (homePids), and whatever else runs there.
    for (const pid of homePids(home)) killPid(pid);
    rmSync(home, { recursive: true, force: true });
  }
});

function newHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'velos-cli-'));
  homes.push(home);
  return home;
}

async function velos(args: string[], home: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const colourless = { NO_COLOR: undefined, FORCE_COLOR: undefined, ...env };
  const { code, stdout, stderr } = await runVelos(args, { home, cwd: home, env: colourless });
  return { code, stdout, stderr };
}

/** Starts the fake daemon on `home` and resolves once it listens. */
function startFakeDaemon(home: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FAKE_DAEMON], {
      env: { ...process.env, VELOS_HOME: home },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    const timer = setTimeout(() => reject(new Error('the fake daemon did not start within 20 s')), 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('exit', (code) => reject(new Error(`the fake daemon exited with ${code}`)));
  });
}

function expectOneErrorLine(run: Run, message: string | RegExp, code: number): void {
  expect(run.code, run.stderr).toBe(code);
  const lines = run.stderr.split('\n').filter(Boolean);
  // the whole stderr in the message: a run that printed more (once 28 lines, on a loaded machine) says what
  expect(lines, run.stderr).toHaveLength(1);
  if (typeof message === 'string') expect(lines[0]).toBe(`velos: ${message}`);
  else expect(lines[0]).toMatch(message);
}

describe('without a daemon', () => {
  it("prints the version for PM2's -V too, as JSON with --json, and refuses other arguments", async () => {
    const home = newHome();
    // -V was an unknown option, --json printed a bare version and a stray argument was ignored
    expect(await velos(['-V'], home)).toEqual({ code: 0, stdout: `${VELOS_VERSION}\n`, stderr: '' });
    const json = await velos(['version', '--json'], home);
    expect(JSON.parse(json.stdout)).toEqual({ version: VELOS_VERSION });
    expectOneErrorLine(await velos(['version', 'now'], home), /^velos: version: unexpected argument now/, 2);
    for (const words of [
      ['version', '--help'],
      ['-v', '-h'],
      ['help', 'version'],
    ]) {
      const help = await velos(words, home);
      expect(help.code, words.join(' ')).toBe(0);
      expect(help.stdout, words.join(' ')).toMatch(/^Usage: velos version \[options\]/);
    }
  });

  it("puts the error's code in its line for --ai, as the MCP tools do (before any --)", async () => {
    const home = newHome();
    expectOneErrorLine(
      await velos(['scale', 'api', '--ai'], home),
      /^velos: INVALID_ARGUMENT: velos scale needs <app> <n\|\+n\|-n>/,
      2,
    );
    expectOneErrorLine(await velos(['scale', 'api'], home), /^velos: velos scale needs/, 2);
    expectOneErrorLine(
      await velos(['config', 'validate', join(home, 'none.toml'), '--ai'], home),
      /^velos: INVALID_ARGUMENT: .*none\.toml: no such file$/,
      2,
    );
  });

  it('prints the version and a help that lists the commands', async () => {
    const home = newHome();
    const version = await velos(['--version'], home);
    expect(version).toEqual({ code: 0, stdout: `${VELOS_VERSION}\n`, stderr: '' });
    const help = await velos(['--help'], home);
    expect(help.code).toBe(0);
    for (const command of [
      'start',
      'stop',
      'restart',
      'delete',
      'list|ls',
      'describe|show',
      'logs',
      'flush',
    ]) {
      expect(help.stdout).toMatch(new RegExp(`^ {2}${command.replace('|', '\\|')}\\b`, 'm'));
    }
    expect(help.stdout).not.toMatch(/^ {2}daemon/m);
  });

  it('documents every start option in velos start --help', async () => {
    const help = await velos(['start', '--help'], newHome());
    expect(help.code).toBe(0);
    for (const option of [
      '-n, --name <name>',
      '-i, --instances <n|max>',
      '--restart-delay <ms>',
      '--max-restarts <n>',
      '--min-uptime <ms>',
      '--exp-backoff-restart-delay <ms>',
      '--kill-timeout <ms>',
      '--stop-exit-codes <codes>',
      '--no-autorestart',
      '--cwd <dir>',
      '--interpreter <cmd>',
      '--interpreter-args <args>',
      '--namespace <ns>',
      '--log-format <plain|json>',
      '--time',
      '--log-date-format <format>',
      '--merge-logs',
      '--merge-streams',
      '-l, --log [file]',
      '-o, --output <file>',
      '-e, --error <file>',
      '--json',
      '--ai',
    ]) {
      expect(help.stdout).toContain(option);
    }
  });

  it('reports usage errors on one line with exit code 2', async () => {
    const home = newHome();
    expectOneErrorLine(await velos(['bogus'], home), 'unknown command "bogus" (see velos --help)', 2);
    expectOneErrorLine(
      await velos(['stpo', 'api'], home),
      'unknown command "stpo"; did you mean "stop"? (see velos --help)',
      2,
    );
    // a command and its subcommand typed as one word
    expectOneErrorLine(
      await velos(['import-pm2'], home),
      'unknown command "import-pm2"; did you mean "velos import pm2"? (see velos --help)',
      2,
    );
    // PM2's global --no-daemon (pm2 --no-daemon start app.js) is start's flag here
    expectOneErrorLine(
      await velos(['--no-daemon', 'start', 'app.js'], home),
      'unknown option --no-daemon before the command; it goes after it: velos start <file> --no-daemon (see velos --help)',
      2,
    );
    // a PM2 command Velos has not: what to run instead, not a Velos command that looks like it
    expectOneErrorLine(
      await velos(['deepUpdate'], home),
      'unknown command "deepUpdate"; PM2\'s deepUpdate installs the latest PM2, then updates the daemon: install the new velos (npm i -g velos), then run velos update (see velos --help)',
      2,
    );
    expectOneErrorLine(
      await velos(['list', '--colour'], home),
      'unknown option --colour for velos list (see velos list --help)',
      2,
    );
    expectOneErrorLine(
      await velos(['stop'], home),
      'velos stop needs <target...> (see velos stop --help)',
      2,
    );
    expectOneErrorLine(
      await velos(['list', '--json', '--ai'], home),
      'INVALID_ARGUMENT: --json and --ai cannot be used together (see velos list --help)',
      2,
    );
    expect(readdirSync(home)).toEqual([]);
  });

  it('refuses a missing script and a bad config file without starting a daemon', async () => {
    const home = newHome();
    writeFileSync(join(home, 'velos.toml'), '[[apps]]\nscript = "app.js"\ninstances = "lots"\n');
    writeFileSync(join(home, 'broken.yaml'), 'apps: [\n');
    // side by side: one after another, four cold CLI starts took 8-13 s each on a loaded machine (the
    // test's 30 s ran out), and none of them writes anything the others read
    const [missing, badToml, badYaml, badFlag] = await Promise.all([
      velos(['start', './missing.js'], home),
      velos(['start', 'velos.toml'], home),
      velos(['start', 'broken.yaml'], home),
      velos(['start', FIXTURE_SERVER, '--max-restarts', 'many'], home),
    ]);
    expectOneErrorLine(missing, 'script not found: ./missing.js', 1);
    expectOneErrorLine(
      badToml,
      'velos.toml: apps[0].instances: expected a whole number, "max", 0 (one per CPU) or -n (CPUs minus n), got "lots" (line 3)',
      1,
    );
    expectOneErrorLine(badYaml, /^velos: broken\.yaml: not valid YAML: /, 1);
    expectOneErrorLine(badFlag, '--max-restarts: expected an integer, 0 or more, got "many"', 2);
    expect(readdirSync(home).sort()).toEqual(['broken.yaml', 'velos.toml']);
  });

  it('--dry-run prints the resolved app: flags, -- args and the caller environment', async () => {
    const home = newHome();
    const run = await velos(
      [
        'start',
        FIXTURE_SERVER,
        '--name',
        'web',
        '-i',
        '2',
        '--kill-timeout',
        '2s',
        '--dry-run',
        '--',
        '--port',
        '0',
      ],
      home,
      { VELOS_TEST_MARK: 'inherited' },
    );
    expect(run.code).toBe(0);
    const [spec] = JSON.parse(run.stdout);
    expect(spec).toMatchObject({
      name: 'web',
      script: FIXTURE_SERVER,
      args: ['--port', '0'],
      cwd: home,
      instances: 2,
      killTimeoutMs: 2000,
    });
    expect(spec.envKeys).toContain('VELOS_TEST_MARK');
    expect(spec.env).toBeUndefined();
    expect(readdirSync(home)).toEqual([]);
  });

  it('--dry-run loads every app of a config file', async () => {
    const home = newHome();
    // scripts that are there: a dry run refuses a missing one, as the start does
    for (const script of ['a.js', 'b.js']) writeFileSync(join(home, script), '');
    writeFileSync(
      join(home, 'apps.json'),
      JSON.stringify({ apps: [{ script: 'a.js' }, { name: 'b', script: 'b.js', env: { TOKEN: 's3cret' } }] }),
    );
    const run = await velos(['start', 'apps.json', '--dry-run'], home);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).map((s: { name: string }) => s.name)).toEqual(['a', 'b']);
    // env values are never printed, the app's own ones (ownEnv) included
    expect(run.stdout).not.toContain('s3cret');
    expect(JSON.parse(run.stdout)[1].envKeys).toContain('TOKEN');
  });

  it('kill says there is no daemon, exits 0 and starts none', async () => {
    const home = newHome();
    const run = await velos(['kill'], home);
    expect(run).toEqual({ code: 0, stdout: `no Velos daemon is running (home ${home})\n`, stderr: '' });
    expect(readdirSync(home)).toEqual([]);
  });
});

describe('against a daemon', () => {
  it('--dry-run refuses an increment_var on no whole number with the line a real start refuses it with', async () => {
    const home = newHome();
    writeFileSync(join(home, 'a.js'), '');
    writeFileSync(
      join(home, 'inc.toml'),
      '[[apps]]\nname = "inc"\nscript = "a.js"\nincrement_var = "VELOS_TEST_BASE"\n',
    );
    const line =
      "velos: inc: increment_var VELOS_TEST_BASE: expected VELOS_TEST_BASE in the app's env to be a whole number, got nothing\n";
    // the defect: the dry run printed the app, exit 0, where the start is refused
    const dryRun = await velos(['start', 'inc.toml', '--dry-run'], home);
    expect(dryRun).toEqual({ code: 1, stdout: '', stderr: line });
    expect(readdirSync(home).sort()).toEqual(['a.js', 'inc.toml']);
    const start = await velos(['start', 'inc.toml'], home);
    expect([start.code, start.stderr]).toEqual([1, line]);
  });

  it('list prints a table, full JSON, and the compact --ai form', async () => {
    const home = newHome();
    await startFakeDaemon(home);
    const table = await velos(['list'], home);
    expect(table.code).toBe(0);
    const rows = table.stdout.trimEnd().split('\n');
    expect(rows[0]!.split(/\s+/)).toEqual([
      'id',
      'name',
      'pid',
      'status',
      'cpu',
      'memory',
      'uptime',
      'restarts',
    ]);
    expect(rows[1]!.trim().split(/\s+/)).toEqual(['0', 'api', '4242', 'online', '1.3%', '30M', '1m', '0']);
    expect(table.stdout).not.toContain('\x1b[');

    const json = await velos(['ls', '--json'], home);
    const processes = JSON.parse(json.stdout);
    expect(processes.map((p: { name: string }) => p.name)).toEqual(['api', 'worker']);
    for (const key of ['id', 'name', 'pid', 'status', 'restarts', 'cpu', 'memory', 'uptime']) {
      expect(processes[0]).toHaveProperty(key);
    }
    const ai = await velos(['list', '--ai'], home);
    expect(ai.stdout).toBe(
      '[{"i":0,"n":"api","s":"on","p":4242,"c":1.3,"m":"30M","u":"1m","r":0},{"i":1,"n":"worker","s":"stopped","r":1}]\n',
    );
  });

  it('colours only when asked by FORCE_COLOR and never with NO_COLOR', async () => {
    const home = newHome();
    await startFakeDaemon(home);
    expect((await velos(['list'], home, { FORCE_COLOR: '1' })).stdout).toContain('\x1b[');
    expect((await velos(['list'], home, { FORCE_COLOR: '1', NO_COLOR: '1' })).stdout).not.toContain('\x1b[');
  });

  it('an unknown target fails on one line with exit 1; known targets still act and print the list', async () => {
    const home = newHome();
    await startFakeDaemon(home);
    const ghost = await velos(['stop', 'ghost'], home);
    expectOneErrorLine(ghost, 'no process matches "ghost"', 1);
    expect(ghost.stdout).toBe('');
    const mixed = await velos(['restart', 'api', 'ghost', '--ai'], home);
    expect(mixed.code).toBe(1);
    expect(mixed.stderr).toBe(
      'velos: others: 1 (velos list --ai lists them)\nvelos: TARGET_NOT_FOUND: no process matches "ghost"\n',
    );
    expect(JSON.parse(mixed.stdout).map((p: { n: string }) => p.n)).toEqual(['api']);
  });

  it('answers an action with --ai by the processes it acted on (as MCP), the table and --json with the list', async () => {
    const home = newHome();
    await startFakeDaemon(home);
    const ai = await velos(['stop', 'worker', '--ai'], home);
    expect(ai).toEqual({
      code: 0,
      stdout: '[{"i":1,"n":"worker","s":"stopped","r":1}]\n',
      stderr: 'velos: others: 1 (velos list --ai lists them)\n',
    });
    const all = await velos(['restart', 'all', '--ai'], home);
    expect(all.stderr).toBe('');
    expect(JSON.parse(all.stdout).map((p: { n: string }) => p.n)).toEqual(['api', 'worker']);
    const json = await velos(['stop', 'worker', '--json'], home);
    expect(JSON.parse(json.stdout).map((p: { name: string }) => p.name)).toEqual(['api', 'worker']);
    const table = await velos(['stop', 'worker'], home);
    expect(table.stdout.trimEnd().split('\n')).toHaveLength(3);
  });

  it('logs prints "<name> | line", raw lines, or JSON lines, filtered by stream', async () => {
    const home = newHome();
    await startFakeDaemon(home);
    expect((await velos(['logs', 'api'], home)).stdout).toBe(
      'api | listening on 3000\napi | warning: slow\n',
    );
    expect((await velos(['logs', '--err', '--raw'], home)).stdout).toBe('warning: slow\n');
    const json = await velos(['logs', '--out', '--json'], home);
    expect(JSON.parse(json.stdout)).toMatchObject({ stream: 'out', line: 'listening on 3000' });
    expectOneErrorLine(
      await velos(['logs', '--lines', 'ten'], home),
      /--lines: expected a number of lines/,
      2,
    );
    // over the protocol's bound: a usage error too (it was the daemon's refusal, exit 1)
    expectOneErrorLine(
      await velos(['logs', '--lines', '99999999999'], home),
      /--lines: expected a number of lines from 0 to 1000000, got "99999999999"/,
      2,
    );
  });

  it('ping shows the daemon, and kill stops it and waits until its process is gone', async () => {
    const home = newHome();
    const daemon = await startFakeDaemon(home);
    const ping = await velos(['ping', '--json'], home);
    expect(JSON.parse(ping.stdout)).toMatchObject({ version: 'fake', pid: daemon.pid, processes: 2 });
    const kill = await velos(['kill'], home);
    expect(kill).toEqual({
      code: 0,
      stdout: `stopped 1 process and the daemon (pid ${daemon.pid})\n`,
      stderr: '',
    });
    await waitFor(() => daemon.exitCode !== null, 'the fake daemon to exit', 10_000);
    expect(daemon.exitCode).toBe(0);
  });
});

describe('velos start --no-daemon (a container command)', () => {
  it('exits 0 on a SIGTERM that comes before its daemon runs (docker stop right after the start)', async () => {
    const home = newHome();
    // a socket that takes the CLI's probe and never answers holds it before its daemon starts
    const probes: Socket[] = [];
    const socket = createServer((connection) => probes.push(connection));
    await new Promise<void>((resolve) => socket.listen(join(home, 'velos.sock'), resolve));
    try {
      const child = spawn(process.execPath, [VELOS_BIN, 'start', FIXTURE_SERVER, '--no-daemon'], {
        env: { ...process.env, VELOS_HOME: home },
        stdio: 'ignore',
      });
      children.push(child);
      const exited = new Promise<number | string>((resolve) =>
        child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
      );
      await waitFor(() => probes.length > 0, 'the CLI to probe the home', 20_000);
      child.kill('SIGTERM');
      // it was killed by the signal (status 143)
      expect(await exited).toBe(0);
    } finally {
      for (const probe of probes) probe.destroy();
      await new Promise((resolve) => socket.close(resolve));
    }
  });
});

describe('npm run demo', () => {
  it("deletes the demo's apps a previous run left in VELOS_HOME, and no app of the user's own", async () => {
    const home = newHome();
    expect((await velos(['start', FIXTURE_SERVER, '--name', 'mine', '--json'], home)).code).toBe(0);
    expect((await velos(['start', DEMO_CONFIG, '--only', 'web', '--json'], home)).code).toBe(0);
    // it ran `velos delete all` in the VELOS_HOME the user set
    deleteDemoApps(VELOS_BIN, { ...process.env, VELOS_HOME: home });
    const listed = JSON.parse((await velos(['list', '--json'], home)).stdout) as { name: string }[];
    expect(listed.map((p) => p.name)).toEqual(['mine']);
  });
});
