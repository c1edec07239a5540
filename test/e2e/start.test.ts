import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  clearApps,
  deleteApps,
  describeJson,
  describeState,
  errLog,
  homeProcesses,
  isAlive,
  listJson,
  listState,
  outLog,
  readLines,
  readPidFile,
  rowsNamed,
  sharedHome,
  startApps,
  velos,
  velosOk,
  waitFor,
  waitForSampled,
  waitForStatus,
  withClient,
} from './helpers.js';

afterEach(cleanupHomes);

function cmdlineOf(pid: number | null): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/**
 * The command line of `pid` once it names `text`. A process is listed online as soon as `spawn` returns,
 * which Node does once the child's exec is past its point of no return: until the kernel has set up the
 * new program's arguments, /proc/<pid>/cmdline reads empty (seen once in a CI run, for python3).
 */
async function cmdlineNaming(pid: number | null, text: string): Promise<string> {
  await waitFor(() => cmdlineOf(pid).includes(text), { timeoutMs: 5000, message: `${text} in the cmdline` });
  return cmdlineOf(pid);
}

/** Spins until this process has used 40 ms more CPU, pauses 60 ms, and again (a tree that is visibly busy). */
const DUTY_CYCLE_SCRIPT =
  'const spin = () => { const t = process.cpuUsage(); let u; do u = process.cpuUsage(t); while (u.user + u.system < 40e3); setTimeout(spin, 60); }; spin();';

describe('velos start (SUP-2)', () => {
  // One home and daemon for every test: those that only touch their own app (by name) leave the others
  // be; those that look at the whole list or every process of the home delete every app first (a daemon
  // of their own each cost ~0.4 s of CPU).
  const shared = sharedHome();
  const clearedHome = async (): Promise<string> => {
    const home = shared();
    await clearApps(home);
    return home;
  };

  // first: the shared home is still untouched, and this `list` starts its daemon
  it('lists nothing on a home where nothing was started', async () => {
    expect(await listJson(shared())).toEqual([]);
  });

  it('starts a node script and lists it online with its pid', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/silent.js', '--name', 'quiet'], { home });
    const row = await waitForStatus(home, 'quiet', 'online');
    expect(typeof row.id).toBe('number');
    expect(isAlive(row.pid)).toBe(true);
    expect(await cmdlineNaming(row.pid, 'silent.js')).toContain('silent.js');
    expect(row.restarts).toBe(0);
    expect(typeof row.cpu).toBe('number');
    expect(typeof row.uptime).toBe('number');
    // What the CLI prints is the daemon's row (the helpers poll the daemon over its socket).
    const [printed] = (await listJson(home)).filter((r) => r.name === 'quiet');
    expect(printed).toMatchObject({ id: row.id, pid: row.pid, status: 'online', restarts: 0 });
  });

  it('names the app after the script when --name is not given', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/silent.js'], { home });
    await waitForStatus(home, 'silent', 'online');
  });

  it('shows the app in the table of list and ls', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/silent.js', '--name', 'table-app'], { home });
    const row = await waitForStatus(home, 'table-app', 'online');
    for (const verb of ['list', 'ls']) {
      const result = await velosOk([verb], { home });
      expect(result.stdout).toContain('table-app');
      expect(result.stdout).toContain(String(row.pid));
      expect(result.stdout).toContain('online');
    }
  });

  it('prints the compact --ai form', async () => {
    const home = await clearedHome();
    await velosOk(['start', 'fixtures/silent.js', '--name', 'api'], { home });
    const row = await waitForSampled(home, 'api');
    const result = await velosOk(['list', '--ai'], { home });
    const items = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(items).toHaveLength(1);
    const item = items[0]!;
    expect(Object.keys(item).sort()).toEqual(['c', 'i', 'm', 'n', 'p', 'r', 's', 'u']);
    expect(item).toMatchObject({ i: row.id, n: 'api', s: 'on', p: row.pid, r: 0 });
    expect(typeof item.c).toBe('number');
    expect(item.m).toMatch(/^\d+(\.\d+)?[BKMG]$/);
    expect(typeof item.u).toBe('string');
  });

  it('passes the environment of the start call, the args after -- (an --env-file too) and --cwd', async () => {
    const home = shared();
    const cwd = realpathSync(home);
    await velosOk(
      // `--env-file` of the app's own: Node would read it as its option, even after the script
      [
        'start',
        'fixtures/echo-env.js',
        '--name',
        'env',
        '--cwd',
        cwd,
        '--',
        '--port',
        '3000',
        'x y',
        '--env-file',
        'missing.env',
      ],
      {
        home,
        env: { SHOW_ENV: 'E2E_MARKER,VELOS_HOME', E2E_MARKER: 'marker-42' },
      },
    );
    const line = await waitFor(() => readLines(outLog(home, 'env'))[0], { message: 'echo-env output' });
    const printed = JSON.parse(line) as { argv: string[]; cwd: string; env: Record<string, string | null> };
    expect(printed.argv).toEqual(['--port', '3000', 'x y', '--env-file', 'missing.env']);
    expect(realpathSync(printed.cwd)).toBe(cwd);
    expect(printed.env.E2E_MARKER).toBe('marker-42');
  });

  it("adds the variables of --env-file (over the shell's) and refuses a bad file before starting anything", async () => {
    const home = shared();
    const file = join(home, 'app.env');
    writeFileSync(file, '# the app\nE2E_MARKER=from-file\nexport E2E_QUOTED="a b"\n');
    await velosOk(['start', 'fixtures/echo-env.js', '--name', 'env-file', '--env-file', file], {
      home,
      env: { SHOW_ENV: 'E2E_MARKER,E2E_QUOTED', E2E_MARKER: 'from-shell' },
    });
    const line = await waitFor(() => readLines(outLog(home, 'env-file'))[0], { message: 'echo-env output' });
    expect(JSON.parse(line).env).toEqual({ E2E_MARKER: 'from-file', E2E_QUOTED: 'a b' });

    const bad = join(home, 'bad.env');
    writeFileSync(bad, 'E2E_OK=1\nnot a variable\n');
    const refused = await velos(['start', 'fixtures/echo-env.js', '--name', 'env-bad', `--env-file=${bad}`], {
      home,
    });
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toBe(
      `velos: --env-file: ${bad} line 2: expected KEY=VALUE with KEY a variable name, got "not a variable"`,
    );
    expect((await rowsNamed(home, 'env-bad')).length).toBe(0);
  });

  it('uses --interpreter for a script without a known extension', async () => {
    const home = shared();
    const script = join(home, 'worker');
    writeFileSync(script, "console.log('interpreted by node'); setInterval(() => {}, 1000);\n");
    await velosOk(['start', script, '--name', 'interp', '--interpreter', 'node'], { home });
    await waitFor(() => readLines(outLog(home, 'interp')).includes('interpreted by node'), {
      message: 'output of the interpreted script',
    });
  });

  it('starts 3 instances with -i 3, with distinct ids and pids, and targets one by id', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/silent.js', '--name', 'cluster', '-i', '3'], { home });
    const rows = await waitFor(
      async () => {
        const r = await rowsNamed(home, 'cluster');
        return r.length === 3 && r.every((x) => x.status === 'online') ? r : undefined;
      },
      { message: '3 online instances' },
    );
    expect(new Set(rows.map((r) => r.id)).size).toBe(3);
    expect(new Set(rows.map((r) => r.pid)).size).toBe(3);
    for (const r of rows) expect(isAlive(r.pid)).toBe(true);

    const victim = rows[1]!;
    await velosOk(['stop', String(victim.id)], { home });
    const after = await waitFor(
      async () => {
        const r = await rowsNamed(home, 'cluster');
        return r.find((x) => x.id === victim.id)?.status === 'stopped' ? r : undefined;
      },
      { message: 'one instance stopped' },
    );
    expect(after.filter((x) => x.status === 'online')).toHaveLength(2);
    await waitFor(() => !isAlive(victim.pid), { timeoutMs: 10_000, message: 'stopped instance gone' });
  });

  it('shows CPU and the RSS of a running app', async () => {
    const home = shared();
    // started over the socket: what is checked is the daemon's figures, not the CLI's start
    await startApps(home, [{ script: 'fixtures/chatty.js', name: 'busy' }], { RATE: '200' });
    await waitForStatus(home, 'busy', 'online');
    const row = await waitFor(
      async () => {
        const r = (await rowsNamed(home, 'busy'))[0];
        return r && r.memory > 0 ? r : undefined;
      },
      { timeoutMs: 20_000, message: 'memory > 0' },
    );
    expect(row.memory).toBeGreaterThan(1024 * 1024);
    expect(row.cpu).toBeGreaterThanOrEqual(0);
    await deleteApps(home, ['busy']); // its output would load the shared daemon
  });

  it('measures the CPU of the whole tree (sh -c and its busy node child)', async () => {
    const home = shared();
    // The child is busy for 40 ms of CPU in every ~100 ms (~40 % of a core, ~30 % on a loaded machine):
    // the figure needs two samples 2 s apart after the scan that finds the child, and a child busy all
    // along burned a core for those ~4 s. The shell only waits for its child (its own figure is 0 %), so
    // any 5 % is the child's: at a load of 30-40 on 2 cores the child got too little of a core to show
    // the 20 % this asked for, and the test timed out.
    const child = `node -e "${DUTY_CYCLE_SCRIPT}"`;
    await velosOk(['start', `${child}; exit 0`, '--name', 'burner'], { home });
    await waitForStatus(home, 'burner', 'online');
    try {
      const row = await waitFor(
        async () => {
          const r = (await rowsNamed(home, 'burner'))[0];
          return r && r.cpu >= 5 ? r : undefined;
        },
        { timeoutMs: 20_000, message: 'cpu >= 5%' },
      );
      expect(row.cpu).toBeLessThanOrEqual(220);
      expect(row.memory).toBeGreaterThan(1024 * 1024);
    } finally {
      await deleteApps(home, ['burner']);
    }
  });

  it('describes an app with its log paths, line counts and peaks', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/chatty.js', '--name', 'counted', '--no-autorestart'], {
      home,
      env: { COUNT: '10', RATE: '0' },
    });
    // polled over the socket; then what `describe --json` prints
    await waitFor(
      async () => {
        const [d] = await describeState(home, 'counted');
        return d && d.pid === null && d.logLines?.out === 10;
      },
      { message: '10 counted lines after exit' },
    );
    const [detail] = await describeJson(home, 'counted');
    if (!detail) throw new Error('describe --json printed no process');
    expect(detail.name).toBe('counted');
    expect(detail.outLogPath).toBe(outLog(home, 'counted'));
    expect(detail.errLogPath).toBe(errLog(home, 'counted'));
    expect(detail.logLines).toEqual({ out: 10, err: 0 });
    expect(detail.exitCode).toBe(0);
    expect(typeof detail.cpuPeak).toBe('number');
    expect(typeof detail.memoryPeak).toBe('number');
    const text = await velosOk(['describe', 'counted'], { home });
    expect(text.stdout).toContain('counted');
    expect(text.stdout).toContain(outLog(home, 'counted'));
  });

  it('stop all, restart all and delete by id act on the right apps', async () => {
    const home = await clearedHome();
    // started over the socket (the CLI's start is checked above)
    await startApps(home, [
      { script: 'fixtures/silent.js', name: 'a' },
      { script: 'fixtures/silent.js', name: 'b' },
    ]);
    const a = await waitForStatus(home, 'a', 'online');
    const b = await waitForStatus(home, 'b', 'online');
    await velosOk(['stop', 'all'], { home });
    await waitForStatus(home, 'a', 'stopped');
    await waitForStatus(home, 'b', 'stopped');
    await waitFor(() => !isAlive(a.pid) && !isAlive(b.pid), { timeoutMs: 10_000, message: 'both gone' });

    await velosOk(['restart', 'all'], { home });
    const a2 = await waitForStatus(home, 'a', 'online');
    const b2 = await waitForStatus(home, 'b', 'online');
    expect(isAlive(a2.pid) && isAlive(b2.pid)).toBe(true);

    await velosOk(['delete', String(a2.id)], { home });
    expect((await listState(home)).map((r) => r.name)).toEqual(['b']);
    await waitFor(() => !isAlive(a2.pid), { timeoutMs: 10_000, message: 'deleted app gone' });
    expect(isAlive(b2.pid)).toBe(true);
  });

  it('several targets naming one process act on it once, as PM2 matches them all first', async () => {
    const home = await clearedHome();
    // started over the socket (the CLI's start is checked above)
    await startApps(home, [
      { script: 'fixtures/silent.js', name: 'a' },
      { script: 'fixtures/silent.js', name: 'c', instances: 2, exec_mode: 'fork' },
    ]);
    const a = await waitForStatus(home, 'a', 'online');
    await waitFor(
      async () => (await rowsNamed(home, 'c')).filter((r) => r.status === 'online').length === 2,
      {
        message: 'both instances of c online',
      },
    );
    const restartsOf = async (name: string) => (await rowsNamed(home, name)).map((r) => r.restarts);
    for (const command of ['restart', 'reload']) {
      const before = (await restartsOf('a'))[0]!;
      const twice = await velos([command, 'a', String(a.id), 'a'], { home });
      expect([twice.code, twice.stderr]).toEqual([0, '']);
      expect(await restartsOf('a')).toEqual([before + 1]);
    }
    const stop = await velos(['stop', String(a.id), 'a'], { home });
    expect([stop.code, stop.stderr]).toEqual([0, '']);
    await waitForStatus(home, 'a', 'stopped');
    // it deleted the process and then said the later targets matched nothing (exit 1)
    const deleted = await velos(['delete', String(a.id), String(a.id), 'a'], { home });
    expect([deleted.code, deleted.stderr]).toEqual([0, '']);
    const [, second] = await rowsNamed(home, 'c');
    const instance = await velos(['delete', 'c', String(second!.id)], { home });
    expect([instance.code, instance.stderr]).toEqual([0, '']);
    expect(await listState(home)).toEqual([]);
  });

  it('start of existing apps takes every target kind: a namespace, /regex/, all (PM2 start all)', async () => {
    const home = await clearedHome();
    const none = await velos(['start', 'all'], { home });
    expect(none.code).toBe(1);
    expect(none.stderr.trim()).toBe("velos: no process matches 'all': there are none");
    // the apps started over the socket: what is checked is the CLI's start of apps already listed
    await startApps(
      home,
      [
        ['a', 'jobs'],
        ['b', 'jobs'],
        ['c', 'default'],
      ].map(([name, namespace]) => ({ script: 'fixtures/silent.js', name, namespace })),
    );
    const statuses = async (): Promise<string> =>
      (await listState(home))
        .sort((x, y) => x.name.localeCompare(y.name))
        .map((row) => `${row.name}:${row.status}`)
        .join(' ');
    const stopAll = () => withClient(home, (client) => client.stop('all'));
    await stopAll(); // (`stop all` of the CLI is tested above)
    await velosOk(['start', 'jobs'], { home });
    expect(await statuses()).toBe('a:online b:online c:stopped');
    await stopAll();
    await velosOk(['start', '/^[ac]$/'], { home });
    expect(await statuses()).toBe('a:online b:stopped c:online');
    await velosOk(['start', 'all'], { home });
    expect(await statuses()).toBe('a:online b:online c:online');
    const miss = await velos(['start', '/^z/'], { home });
    expect(miss.code).toBe(1);
    expect(miss.stderr.trim()).toBe('velos: no process name matches /^z/');
    // describe, env and flush take a /regex/ as well (they answered "no process matches '/^[ab]$/'")
    const details = JSON.parse((await velosOk(['describe', '/^[ab]$/', '--json'], { home })).stdout) as {
      name: string;
    }[];
    expect(details.map((d) => d.name)).toEqual(['a', 'b']);
    expect((await velosOk(['env', '/^c$/'], { home })).stdout).toMatch(/^VELOS_NAME: c$/m);
    const flushed = JSON.parse((await velosOk(['flush', '/^[ab]$/', '--json'], { home })).stdout) as string[];
    expect(flushed.map((path) => path.replace(/.*\//, ''))).toEqual([
      'a-out.log',
      'a-err.log',
      'b-out.log',
      'b-err.log',
    ]);
    for (const command of ['describe', 'env', 'flush']) {
      const none = await velos([command, '/^z/'], { home });
      expect([command, none.code, none.stderr.trim()]).toEqual([
        command,
        1,
        'velos: no process name matches /^z/',
      ]);
    }
  });

  it("refuses a /regex/ target the daemon refuses, in the daemon's words, and expands the others as before", async () => {
    const home = await clearedHome();
    await startApps(
      home,
      ['api-a', 'api-b', 'web'].map((name) => ({ script: 'fixtures/silent.js', name })),
    );
    const statuses = async (): Promise<string> =>
      (await listState(home))
        .sort((x, y) => x.name.localeCompare(y.name))
        .map((row) => `${row.name}:${row.status}`)
        .join(' ');
    // the CLI ran a lookaround (`/(?=web)/` stopped web) and a backreference, which REST and MCP are
    // refused, and expanded a pattern longer than a target can be
    for (const target of ['/(?=web)/', '/(w)\\1*eb/', `/${'w'.repeat(199)}|web/`]) {
      const daemonSays = await withClient(home, (client) => client.stop(target)).then(
        () => 'stopped',
        (error: Error) => error.message,
      );
      const cli = await velos(['stop', target], { home });
      expect([target, cli.code, cli.stderr.trim()]).toEqual([target, 1, `velos: ${daemonSays}`]);
    }
    // a regex of invalid syntax: the daemon's words too, with the exit code of a usage error
    const daemonSays = await withClient(home, (client) => client.stop('/(/')).then(
      () => 'stopped',
      (error: Error) => error.message,
    );
    expect(daemonSays).toMatch(/^target \/\(\/: invalid regular expression "\(": /);
    const cli = await velos(['stop', '/(/'], { home });
    expect([cli.code, cli.stderr.trim()]).toEqual([2, `velos: ${daemonSays}`]);
    expect(await statuses()).toBe('api-a:online api-b:online web:online');
    await velosOk(['stop', '/api-.*/'], { home });
    expect(await statuses()).toBe('api-a:stopped api-b:stopped web:online');
  });

  it('targets an app whose name starts with "-" after -- (issue #8: an app named -rf)', async () => {
    const home = await clearedHome();
    await velosOk(['start', 'fixtures/silent.js', '--name', '-rf'], { home });
    const row = await waitForStatus(home, '-rf', 'online');
    const refused = await velos(['stop', '-rf'], { home });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('put it after --: velos stop -- -rf');
    expect(isAlive(row.pid)).toBe(true);

    await velosOk(['stop', '--', '-rf'], { home });
    await waitForStatus(home, '-rf', 'stopped');
    await velosOk(['restart', '--', '-rf'], { home });
    await waitForStatus(home, '-rf', 'online');
    await velosOk(['delete', '--', '-rf'], { home });
    expect(await listState(home)).toEqual([]);
  });

  it('runs a Python app and stops it cleanly', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/app.py', '--name', 'py'], { home, env: { INTERVAL: '0.1' } });
    const row = await waitForStatus(home, 'py', 'online');
    expect(await cmdlineNaming(row.pid, 'python3')).toContain('python3');
    await waitFor(() => readLines(outLog(home, 'py')).includes('tick 3'), { message: 'python ticks' });
    await waitFor(() => readLines(errLog(home, 'py')).some((l) => l.startsWith('warning: tick 5')), {
      message: 'python stderr',
    });
    await velosOk(['stop', 'py'], { home });
    await waitForStatus(home, 'py', 'stopped');
    await waitFor(() => !isAlive(row.pid), { timeoutMs: 10_000, message: 'python gone' });
  });

  it('runs a shell script and stops it cleanly with SIGTERM', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/script.sh', '--name', 'sh'], { home });
    const row = await waitForStatus(home, 'sh', 'online');
    await waitFor(() => readLines(outLog(home, 'sh')).includes('shell tick 1'), { message: 'shell ticks' });
    await velosOk(['stop', 'sh'], { home });
    const stopped = await waitForStatus(home, 'sh', 'stopped');
    expect(stopped.pid).toBeNull();
    await waitFor(() => !isAlive(row.pid), { timeoutMs: 10_000, message: 'bash gone' });
    await waitFor(() => readLines(outLog(home, 'sh')).includes('script.sh stopping'), {
      timeoutMs: 5000,
      message: 'the TERM trap output',
    });
    const [detail] = await describeState(home, 'sh');
    expect(detail?.exitCode).toBe(0);
  });

  it('runs a command line with a redirect through sh -c and stops it cleanly', async () => {
    const home = await clearedHome();
    const target = join(home, 'redirected.txt');
    await velosOk(['start', `node fixtures/chatty.js > ${target} 2>&1`, '--name', 'shell-line'], {
      home,
      env: { RATE: '20' },
    });
    await waitForStatus(home, 'shell-line', 'online');
    await waitFor(() => readLines(target).includes('line 5'), { message: 'redirected output' });
    const [detail] = await describeState(home, 'shell-line');
    expect(detail?.command.shell).toBe(true);

    await velosOk(['stop', 'shell-line'], { home });
    await waitForStatus(home, 'shell-line', 'stopped');
    const daemonPid = readPidFile(home);
    await waitFor(() => homeProcesses(home).every((p) => p.pid === daemonPid), {
      timeoutMs: 10_000,
      message: 'sh and node gone',
    });
    const lines = readLines(target);
    expect(lines.length).toBeGreaterThanOrEqual(5);
    expect(readLines(outLog(home, 'shell-line'))).not.toContain('line 1');
  });

  it('records every flag in the spec shown by describe', async () => {
    const home = shared();
    await velosOk(
      [
        'start',
        'fixtures/silent.js',
        '--name',
        'flags',
        '--restart-delay',
        '250',
        '--max-restarts',
        '4',
        '--min-uptime',
        '700',
        '--exp-backoff-restart-delay',
        '100',
        '--kill-timeout',
        '1200',
        '--stop-exit-codes',
        '0,3',
        '--no-autorestart',
        '--interpreter',
        'node',
        '--log-format',
        'json',
        '--merge-streams',
        '--time',
      ],
      { home },
    );
    await waitForStatus(home, 'flags', 'online');
    const [detail] = await describeJson(home, 'flags');
    expect(detail?.spec).toMatchObject({
      name: 'flags',
      restartDelayMs: 250,
      maxRestarts: 4,
      minUptimeMs: 700,
      expBackoffRestartDelayMs: 100,
      killTimeoutMs: 1200,
      stopExitCodes: [0, 3],
      autorestart: false,
      interpreter: 'node',
      logFormat: 'json',
      mergeLogs: true,
    });
    expect(typeof detail?.spec.logDateFormat).toBe('string');
    expect(detail?.spec.script).toContain('silent.js');
    expect(detail?.command.shell).toBe(false);
    expect(detail?.command.args.some((a) => a.endsWith('silent.js'))).toBe(true);
    expect(Array.isArray(detail?.spec.envKeys)).toBe(true);
    expect(JSON.stringify(detail)).not.toContain('"env":{');
  });
});
