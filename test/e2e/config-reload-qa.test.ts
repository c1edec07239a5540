import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  clearApps,
  createHome,
  FIXTURES,
  isAlive,
  killDaemon,
  readLines,
  sharedHome,
  velosOk,
  waitFor,
  withClient,
} from './helpers.js';

afterEach(cleanupHomes);

/**
 * One daemon for the tests that need no restart of it, its config.toml written before it starts (a
 * short grace: a changed app is watched this long before a reload answers). Each test starts and ends
 * without apps (`clearApps`), and reads only its own lines of daemon.log.
 */
const shared = sharedHome();
beforeAll(() => {
  writeFileSync(join(shared(), 'config.toml'), '[reload]\ngrace = "300ms"\n');
});

/** The value of `key` in the environment `velos env <name>` prints (its spec's env), over the socket. */
async function envValue(home: string, name: string, key: string): Promise<string | undefined> {
  return (await withClient(home, (client) => client.configGet(name))).env?.[key];
}

/** Writes `text` to the file `name` in `home`'s folder `project` (made if missing); its path. */
function writeProjectFile(home: string, name: string, text: string): string {
  const dir = join(home, 'project');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** Writes a PM2 process file (ecosystem.json) of one app with `extra` keys; its path. */
function writeEcosystem(home: string, extra: Record<string, unknown>): string {
  return writeProjectFile(
    home,
    'ecosystem.json',
    JSON.stringify({ apps: [{ name: 'eco', script: join(FIXTURES, 'silent.js'), ...extra }] }),
  );
}

describe('config reload of a PM2 process file', () => {
  it('prints the warnings velos start prints (an unknown key, a PM2 option Velos ignores)', async () => {
    const home = shared();
    await clearApps(home);
    const file = writeEcosystem(home, { env: { A: '1' } });
    await velosOk(['start', file], { home });
    writeEcosystem(home, { env: { A: '2' }, kill_timout: 3000 });
    const reload = await velosOk(['config', 'reload', file], { home });
    // the typo was dropped without a word: the reload said only "changed eco"
    expect(reload.stdout).toBe(
      `${file}: changed eco\n  warning: ecosystem.json: apps[0] (eco): unknown option "kill_timout" (did you mean "kill_timeout"?) ignored\n`,
    );
    const json = JSON.parse((await velosOk(['config', 'reload', file, '--json'], { home })).stdout);
    expect(json.files[0].warnings).toEqual([
      'ecosystem.json: apps[0] (eco): unknown option "kill_timout" (did you mean "kill_timeout"?) ignored',
    ]);
    // a reload by SIGHUP or --watch-config has no one to print to: daemon.log has them
    expect(readLines(join(home, 'daemon.log'))).toContainEqual(
      expect.stringContaining(
        `config ${file}: warning: ecosystem.json: apps[0] (eco): unknown option "kill_timout"`,
      ),
    );
    await clearApps(home);
  });

  it('tells the warnings of the apps its --only selection takes, not of the others', async () => {
    const home = shared();
    await clearApps(home);
    const write = (a: string) =>
      writeProjectFile(
        home,
        'ecosystem.json',
        JSON.stringify({
          apps: [
            { name: 'eco', script: join(FIXTURES, 'silent.js'), env: { A: a }, kill_timout: 3000 },
            { name: 'left', script: join(FIXTURES, 'silent.js'), frob: 1, vizion: false },
          ],
        }),
      );
    const file = write('1');
    const start = await velosOk(['start', file, '--only', 'eco'], { home });
    expect(start.stderr).toContain('"kill_timout"');
    expect(start.stderr).not.toMatch(/frob|vizion/);
    write('2');
    const json = JSON.parse((await velosOk(['config', 'reload', file, '--json'], { home })).stdout);
    expect(json.files[0].warnings).toEqual([
      'ecosystem.json: apps[0] (eco): unknown option "kill_timout" (did you mean "kill_timeout"?) ignored',
    ]);
    await clearApps(home);
  });
});

describe('--watch-config across a daemon restart', () => {
  it('applies an edit made while the daemon was down (velos kill, a reboot), not only the next one', async () => {
    const home = createHome();
    writeFileSync(join(home, 'config.toml'), '[reload]\ngrace = "300ms"\n');
    const write = (value: string) =>
      writeProjectFile(
        home,
        'app.toml',
        `[[apps]]\nname = "w"\nscript = "${join(FIXTURES, 'silent.js')}"\nenv = { V = "${value}" }\n`,
      );
    const file = write('1');
    await velosOk(['start', file, '--watch-config'], { home });
    // what `velos kill` sends (and it waits for the daemon to exit), without a CLI process
    await killDaemon(home);
    write('2');
    // the next command starts the daemon, which restores w with V=1 from state.json
    await velosOk(['list'], { home });
    // the defect: V stayed 1 (the watch saw no change) until the file was edited again
    // polled over the socket: what `velos env w` prints of V
    await waitFor(async () => (await envValue(home, 'w', 'V')) === '2', {
      message: 'the edit made while the daemon was down to apply',
    });
    expect(readLines(join(home, 'daemon.log'))).toContainEqual(
      expect.stringContaining(`config ${file}: watched, read again at daemon start`),
    );
  });
});

describe('--watch-config and env_file', () => {
  it("an edit of an app's env_file reloads the file, as an edit of the file does", async () => {
    const home = shared();
    await clearApps(home);
    const file = writeProjectFile(
      home,
      'app.toml',
      `[[apps]]\nname = "w"\nscript = "${join(FIXTURES, 'silent.js')}"\nenv_file = ".env"\n`,
    );
    const envFile = writeProjectFile(home, '.env', 'V=1\n');
    await velosOk(['start', file, '--watch-config'], { home });
    // the defect: the file alone was watched, the new value waited for an edit of it or a config reload
    writeProjectFile(home, '.env', 'V=2\n');
    await waitFor(async () => (await envValue(home, 'w', 'V')) === '2', {
      message: 'the edit of .env to apply',
    });
    expect(readLines(join(home, 'daemon.log'))).toContainEqual(
      expect.stringContaining(`config ${file}: its env_file ${envFile} changed`),
    );
    await clearApps(home);
  });
});

describe('config reload during a velos stop', () => {
  it('leaves the app stopped: the stop under way stands, the app only takes the new spec', async () => {
    const home = shared();
    await clearApps(home);
    // it ignores SIGTERM: a stop takes its whole kill_timeout
    const write = (value: string) =>
      writeProjectFile(
        home,
        'app.toml',
        `[[apps]]\nname = "slow"\nscript = "${join(FIXTURES, 'ignore-sigterm.js')}"\nkill_timeout = "1500ms"\nenv = { V = "${value}" }\n`,
      );
    const file = write('1');
    await velosOk(['start', file], { home });
    const [first] = await withClient(home, (client) => client.list());
    const stopping = withClient(home, (client) => client.stop('slow'));
    await waitFor(async () => (await withClient(home, (client) => client.list()))[0]?.status === 'stopping', {
      message: 'slow to be stopping',
    });
    write('2');
    // the defect: the reload took the stopping app for a running one and started it again with V=2
    const reloaded = await withClient(home, (client) => client.configReload(file));
    await stopping;
    expect(reloaded.files.find((f) => f.file === file)?.changed).toEqual(['slow']);
    const rows = await withClient(home, (client) => client.list());
    expect(rows.map((p) => [p.name, p.status, p.pid ?? null])).toEqual([['slow', 'stopped', null]]);
    expect(isAlive(first!.pid!)).toBe(false);
    expect(await envValue(home, 'slow', 'V')).toBe('2');
    await clearApps(home);
  });
});

describe('config reload of an app a start refuses', () => {
  it('is rejected before any step: the running app is not stopped, nothing changes', async () => {
    const home = shared();
    await clearApps(home);
    const write = (env: string) =>
      writeProjectFile(
        home,
        'app.toml',
        `[[apps]]\nname = "inc"\nscript = "${join(FIXTURES, 'silent.js')}"\ninstances = 2\nincrement_var = "PORT"\nenv = { ${env} }\n`,
      );
    const file = write('PORT = "3000", V = "1"');
    await velosOk(['start', file], { home });
    const pids = (await withClient(home, (client) => client.list())).map((p) => p.pid);
    // PORT gone: increment_var has no whole number to raise, which a start refuses
    write('V = "2"');
    const refusal = await withClient(home, (client) => client.configReload(file)).catch(
      (error: Error) => error,
    );
    // the defect: both instances were stopped and started again (the start refused, the reload rolled back)
    expect(String(refusal)).toContain(
      "inc: increment_var PORT: expected PORT in the app's env to be a whole number, got nothing",
    );
    const rows = await withClient(home, (client) => client.list());
    expect(rows.map((p) => [p.status, p.pid, p.restarts])).toEqual(pids.map((pid) => ['online', pid, 0]));
    expect(await envValue(home, 'inc', 'V')).toBe('1');
    // so is velos config set: it stopped both instances and left them stopped
    const setRefusal = await withClient(home, (client) =>
      client.configSet('inc', { 'env.PORT': 'abc' }),
    ).catch((error: Error) => error);
    expect(String(setRefusal)).toContain('expected PORT in the app\'s env to be a whole number, got "abc"');
    const after = await withClient(home, (client) => client.list());
    expect(after.map((p) => [p.status, p.pid, p.restarts])).toEqual(pids.map((pid) => ['online', pid, 0]));
    await clearApps(home);
  });
});
