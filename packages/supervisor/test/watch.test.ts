import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSupervisor } from '../src/supervisor.js';
import { appSpec, FIXTURES, Harness, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

/** A supervisor on a fresh home and a project directory in it, with `silent.js` watching that directory. */
async function startWatched(overrides: Parameters<typeof appSpec>[1] | { name: string } = { name: 'web' }) {
  const home = harness.home();
  const project = join(home, 'project');
  mkdirSync(join(project, 'src'), { recursive: true });
  writeFileSync(join(project, 'src', 'main.js'), '// v1\n');
  const lines: string[] = [];
  const supervisor = harness.track(createSupervisor({ home, log: (line) => lines.push(line) }));
  const [started] = await supervisor.start([
    appSpec(home, {
      script: join(FIXTURES, 'silent.js'),
      cwd: project,
      watch: [project],
      watchDelayMs: 200,
      ...overrides,
    }),
  ]);
  const name = overrides.name;
  await waitFor(async () => (await supervisor.list())[0]?.watching, { what: 'the watcher to be ready' });
  const watchLines = () => lines.filter((line) => line.startsWith(`${name}: watch: `));
  return { home, project, supervisor, started: started!, watchLines };
}

function fsWatchHandles(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'FSEventWrap').length;
}

describe('watch mode (SUP-7)', () => {
  it('restarts the app once when a watched file changes, with reason watch', async () => {
    const { project, supervisor, started, watchLines } = await startWatched();
    writeFileSync(join(project, 'src', 'main.js'), '// v2\n');
    const info = await waitFor(
      async () => {
        const [row] = await supervisor.list();
        return row?.restarts === 1 && row.status === 'online' ? row : null;
      },
      { what: 'a watch restart' },
    );
    expect(info.pid).not.toBe(started.pid);
    expect(info.lastExitReason).toBe('watch');
    expect(watchLines()[0]).toContain(join(project, 'src', 'main.js'));
  });

  it('names in the daemon log a watched path that is missing, and whether it is waited for', async () => {
    const home = harness.home();
    const missing = join(home, 'lib');
    const orphan = join(home, 'nowhere', 'src');
    const lines: string[] = [];
    const supervisor = harness.track(createSupervisor({ home, log: (line) => lines.push(line) }));
    await supervisor.start([
      appSpec(home, { name: 'web', script: join(FIXTURES, 'silent.js'), watch: [home, missing, orphan] }),
    ]);
    await waitFor(async () => (await supervisor.list())[0]?.watching, { what: 'the watcher to be ready' });
    expect(lines).toContain(
      `web: watching ${home}, ${missing} (missing: watched for in its directory), ` +
        `${orphan} (missing, and so is its directory: not watched)`,
    );
  });

  it('gathers quick changes into one restart', async () => {
    const { project, supervisor, watchLines } = await startWatched();
    for (let i = 0; i < 5; i++) writeFileSync(join(project, 'src', `burst-${i}.js`), `${i}\n`);
    await waitFor(async () => (await supervisor.list())[0]?.restarts === 1, { what: 'the burst restart' });
    expect(watchLines()[0]).toMatch(/\((\d+) changes\)/);
    expect(Number(/\((\d+) changes\)/.exec(watchLines()[0]!)?.[1])).toBeGreaterThanOrEqual(5);
    // Positive control: a later change restarts again, and is the second batch (no second burst batch).
    const control = join(project, 'src', 'main.js');
    writeFileSync(control, '// control\n');
    await waitFor(async () => (await supervisor.list())[0]?.restarts === 2 && watchLines().length === 2, {
      what: 'the control restart',
    });
    expect(watchLines()[1]).toContain(`${control} changed`);
    const [row] = await supervisor.list();
    expect(row!.restarts).toBe(2);
  });

  it('ignores node_modules, *.log, custom globs and its own log files', async () => {
    const home = harness.home();
    const project = join(home, 'project');
    mkdirSync(join(project, 'node_modules', 'dep'), { recursive: true });
    mkdirSync(join(project, 'tmp'), { recursive: true });
    writeFileSync(join(project, 'main.js'), '// v1\n');
    const lines: string[] = [];
    const supervisor = harness.track(createSupervisor({ home, log: (line) => lines.push(line) }));
    // chatty.js writes 20 lines/s into its out file, inside the watched directory with no .log suffix.
    await supervisor.start([
      appSpec(home, {
        name: 'chat',
        script: join(FIXTURES, 'chatty.js'),
        cwd: project,
        env: { RATE: '20' },
        outFile: join(project, 'chat-out.txt'),
        watch: [project],
        ignoreWatch: ['**/node_modules/**', '**/*.log', 'tmp', '*.tmp'],
        watchDelayMs: 200,
      }),
    ]);
    await waitFor(async () => (await supervisor.list())[0]?.watching, { what: 'the watcher to be ready' });
    writeFileSync(join(project, 'node_modules', 'dep', 'x.js'), 'x\n');
    writeFileSync(join(project, 'debug.log'), 'x\n');
    writeFileSync(join(project, 'scratch.tmp'), 'x\n');
    writeFileSync(join(project, 'tmp', 'cache.bin'), 'x\n');
    const control = join(project, 'main.js');
    writeFileSync(control, '// v2\n');
    const watchLines = () => lines.filter((line) => line.startsWith('chat: watch: '));
    await waitFor(
      async () => {
        const [current] = await supervisor.list();
        return watchLines().length === 1 && current?.restarts === 1 && current.status === 'online';
      },
      { what: 'the control restart' },
    );
    expect(watchLines()[0]).toContain(`${control} changed (1 change)`);
    // The app keeps writing its log file during and after the restart: still one restart.
    await waitFor(async () => (await supervisor.logs({ target: 'chat', lines: 1 })).length > 0);
    const [row] = await supervisor.list();
    expect(row!.restarts).toBe(1);
    expect(row!.lastExitReason).toBe('watch');
  });

  it('is not restarted by the rotation of its own logs: rotated copies, their .gz and temp files (issue #19 item 5)', async () => {
    const home = harness.home();
    const project = join(home, 'project');
    mkdirSync(project, { recursive: true });
    const lines: string[] = [];
    const supervisor = harness.track(createSupervisor({ home, log: (line) => lines.push(line) }));
    // Both logs beside the code, one without the .log of the default ignore list; ~2K rotations several times a second.
    await supervisor.start([
      appSpec(home, {
        name: 'rot',
        script: join(FIXTURES, 'chatty.js'),
        cwd: project,
        env: { RATE: '100', PAD: '40' },
        outFile: join(project, 'rot.log'),
        errFile: join(project, 'rot-err.txt'),
        logMaxBytes: 2048,
        watch: [project],
        watchDelayMs: 100,
      }),
    ]);
    await waitFor(async () => (await supervisor.list())[0]?.watching, { what: 'the watcher to be ready' });
    const rotated = () => readdirSync(project).filter((name) => /^rot\..+\.log\.gz$/.test(name));
    await waitFor(() => rotated().length >= 3, { what: 'three compressed rotations of rot.log' });
    // Positive control: a real change restarts it, and it is the first and only watch restart.
    const control = join(project, 'main.js');
    writeFileSync(control, '// v2\n');
    const watchLines = () => lines.filter((line) => line.startsWith('rot: watch: '));
    await waitFor(() => watchLines().length > 0, { what: 'the control restart' });
    expect(watchLines()[0]).toContain(`${control} changed`);
    await waitFor(() => rotated().length >= 5, { what: 'two more rotations after the restart' });
    expect(watchLines()).toHaveLength(1);
    const [row] = await supervisor.list();
    expect(row!.restarts).toBe(1);
  });

  it('matches an ignore glob without a slash at any depth, as .gitignore does', async () => {
    const { project, supervisor, watchLines } = await startWatched({
      name: 'deep',
      ignoreWatch: ['*.tmp', 'cache'],
    });
    mkdirSync(join(project, 'src', 'cache'), { recursive: true });
    writeFileSync(join(project, 'src', 'deep.tmp'), 'x\n');
    writeFileSync(join(project, 'src', 'cache', 'entry.bin'), 'x\n');
    const control = join(project, 'src', 'main.js');
    writeFileSync(control, '// v2\n');
    await waitFor(async () => (await supervisor.list())[0]?.restarts === 1, { what: 'the control restart' });
    expect(watchLines()[0]).toContain(`${control} changed (1 change)`);
  });

  it('watches again when a saved running app is restored by a new daemon', async () => {
    const { home, project, supervisor } = await startWatched();
    await supervisor.save();
    await supervisor.close();
    const restored = harness.track(createSupervisor({ home }));
    await restored.restore();
    await waitFor(async () => (await restored.list())[0]?.watching, { what: 'the restored app to watch' });
    writeFileSync(join(project, 'src', 'main.js'), '// v3\n');
    const info = await waitFor(
      async () => {
        const [row] = await restored.list();
        return row?.restarts === 1 && row.status === 'online' ? row : null;
      },
      { what: 'a watch restart after restore' },
    );
    expect(info.lastExitReason).toBe('watch');
  });

  it('stops watching when the app is stopped: the handles close and a change does nothing', async () => {
    const before = fsWatchHandles();
    const { project, supervisor } = await startWatched();
    expect(fsWatchHandles()).toBeGreaterThan(before);
    await supervisor.stop('web');
    const [stopped] = await supervisor.list();
    expect(stopped!.watching).toBeUndefined();
    // the app keeps its watch mode while stopped: `velos list` shows it for every status
    expect(stopped!.hasWatch).toBe(true);
    await waitFor(() => fsWatchHandles() === before, { what: 'the fs.watch handles to close' });
    writeFileSync(join(project, 'src', 'main.js'), '// changed while stopped\n');
    // Starting it again watches again; the change made while stopped caused no restart.
    await supervisor.restart('web');
    await waitFor(async () => (await supervisor.list())[0]?.watching, { what: 'watching again' });
    const [row] = await supervisor.list();
    // as in PM2, a restart of a stopped app starts it: not counted
    expect(row!.restarts).toBe(0);
    expect(row!.lastExitReason).toBe('user');
    await supervisor.delete('web');
    await waitFor(() => fsWatchHandles() === before, { what: 'the handles to close on delete' });
  });

  it('starts again on a change a service whose run ended by itself (autorestart false), as nodemon does', async () => {
    // crash-after.js exits 0 at once: a script run once, then rerun at each edit
    const { project, supervisor, watchLines } = await startWatched({
      name: 'once',
      script: join(FIXTURES, 'crash-after.js'),
      args: ['0'],
      env: { EXIT_CODE: '0' },
      autorestart: false,
    });
    await waitFor(async () => (await supervisor.list())[0]?.status === 'stopped', { what: 'the run to end' });
    writeFileSync(join(project, 'src', 'main.js'), '// v2\n');
    await waitFor(async () => watchLines().length === 1, { what: 'a watch start' });
    expect(watchLines()[0]).toContain(`${join(project, 'src', 'main.js')} changed (1 change): restarting 1`);
    const [row] = await waitFor(
      async () => {
        const rows = await supervisor.list();
        return rows[0]?.status === 'stopped' && rows[0].lastExitReason === 'exit' ? rows : null;
      },
      { what: 'the second run to end' },
    );
    expect(row!.watching).toBe(true);
    // Negative control: `velos stop` ends watching, so a change starts nothing
    await supervisor.stop('once');
    const [stopped] = await supervisor.list();
    expect([stopped!.status, stopped!.lastExitReason, stopped!.watching]).toEqual([
      'stopped',
      'user',
      undefined,
    ]);
  });

  it('turns watch mode off and on in place (config set watch): same process, no restart', async () => {
    const before = fsWatchHandles();
    // ownEnv as a start from the CLI gives it (config set resolves it so): only watch changes
    const { project, supervisor, started, watchLines } = await startWatched({ name: 'web', ownEnv: {} });
    await supervisor.configSet('web', { watch: false });
    const [off] = await supervisor.list();
    expect(off).toMatchObject({ pid: started.pid, restarts: 0, status: 'online' });
    expect(off!.hasWatch).toBeUndefined();
    await waitFor(() => fsWatchHandles() === before, { what: 'the fs.watch handles to close' });
    writeFileSync(join(project, 'src', 'main.js'), '// changed while not watched\n');

    await supervisor.configSet('web', { watch: true });
    await waitFor(async () => (await supervisor.list())[0]?.watching, { what: 'watching again' });
    const [on] = await supervisor.list();
    expect(on).toMatchObject({ pid: started.pid, restarts: 0, hasWatch: true });
    expect(watchLines()).toEqual([]);
    // Positive control: a change now restarts it
    writeFileSync(join(project, 'src', 'main.js'), '// v2\n');
    await waitFor(async () => (await supervisor.list())[0]?.restarts === 1, { what: 'a watch restart' });
  });

  it('is watching before its first spawn: a write into its watched directory at start restarts it', async () => {
    const home = harness.home();
    const project = join(home, 'project');
    mkdirSync(project, { recursive: true });
    const script = join(project, 'once.js');
    // one write at start, then ready (wait_ready): the start answers after it, so a watcher set up after
    // the spawn never sees it (a cache or pid file written at start on a loaded machine, in CI)
    writeFileSync(
      script,
      "require('node:fs').writeFileSync(require('node:path').join(__dirname, 'cache.json'), String(Date.now()));\n" +
        "process.send?.('ready');\nsetInterval(() => {}, 60_000);\n",
    );
    const lines: string[] = [];
    const supervisor = harness.track(createSupervisor({ home, log: (line) => lines.push(line) }));
    await supervisor.start([
      appSpec(home, {
        name: 'once',
        script,
        cwd: project,
        watch: [project],
        watchDelayMs: 100,
        waitReady: true,
      }),
    ]);
    const row = await waitFor(
      async () => {
        const [info] = await supervisor.list();
        return (info?.restarts ?? 0) >= 1 ? info : null;
      },
      { what: 'a watch restart from the write at start' },
    );
    expect(row?.lastExitReason).toBe('watch');
    expect(lines.find((line) => line.startsWith('once: watch: '))).toContain(join(project, 'cache.json'));
    await supervisor.stop('once');
    // a stopped app's watcher is closed: the restart that starts it again watches before it spawns too
    const restarted = await supervisor.restart('once');
    expect(restarted[0]?.pid).toEqual(expect.any(Number));
    const again = await waitFor(
      async () => {
        const [info] = await supervisor.list();
        return info?.status === 'online' && info.pid !== restarted[0]?.pid ? info : null;
      },
      { what: 'a watch restart after velos restart of the stopped app' },
    );
    expect(again.lastExitReason).toBe('watch');
    await supervisor.stop('once');
  });

  it('says in the daemon log when an app restarts itself in a loop by writing into its watched directory', async () => {
    const home = harness.home();
    const project = join(home, 'project');
    mkdirSync(project, { recursive: true });
    const script = join(project, 'writer.js');
    // a cache written at each start and kept up to date, as a program keeping state beside its code does
    // (written again after the start: on a loaded machine the first start's write can come before the
    // daemon's watcher of the directory is set up, and nothing would restart it)
    writeFileSync(
      script,
      "const save = () => require('node:fs').writeFileSync(require('node:path').join(__dirname, 'cache.json'), String(Date.now()));\n" +
        'save();\nsetInterval(save, 250);\n',
    );
    const lines: string[] = [];
    const supervisor = harness.track(createSupervisor({ home, log: (line) => lines.push(line) }));
    await supervisor.start([
      appSpec(home, { name: 'loop', script, cwd: project, watch: [project], watchDelayMs: 100 }),
    ]);
    // five restarts, each a Node start: on a loaded CI machine that is well over the default 20 s
    const hint = await waitFor(() => lines.find((line) => line.includes('restarts itself in a loop')), {
      what: 'the loop hint',
      timeoutMs: 60_000,
    });
    expect(hint).toContain(`loop: watch: 5 restarts in a row`);
    expect(hint).toContain(join(project, 'cache.json'));
    await supervisor.stop('loop');
    // told once per loop
    expect(lines.filter((line) => line.includes('restarts itself in a loop'))).toHaveLength(1);
  }, 90_000);
});
