import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  clearApps,
  createHome,
  describeState,
  FIXTURES,
  killDaemon,
  listState,
  outLog,
  readLines,
  rowsNamed,
  sharedHome,
  velos,
  velosOk,
  waitFor,
  waitForStatus,
} from './helpers.js';

afterEach(cleanupHomes);

/** Writes a config file in its own directory under the home and returns its path. */
function writeConfig(home: string, file: string, text: string): string {
  const dir = join(home, 'project');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, file);
  writeFileSync(path, text);
  return path;
}

function fixture(home: string, name: string): string {
  return relative(join(home, 'project'), join(FIXTURES, name));
}

describe('config files (CFG-1)', () => {
  // One home and daemon for the file's tests: those of files that start apps begin and end without apps
  // (`clearApps`), so that each of the refused files can assert that nothing started.
  const shared = sharedHome();

  it('starts every [[apps]] of a TOML file, with env, args and relative paths', async () => {
    const home = shared();
    await clearApps(home);
    const config = writeConfig(
      home,
      'velos.toml',
      `[[apps]]
name = "echo"
script = "${fixture(home, 'echo-env.js')}"
args = ["--flag", "value"]
env = { SHOW_ENV = "FROM_CONFIG,FROM_SHELL", FROM_CONFIG = "toml" }

[[apps]]
name = "pair"
script = "${fixture(home, 'silent.js')}"
instances = 2
`,
    );
    await velosOk(['start', config], { home, env: { FROM_SHELL: 'inherited' } });
    await waitForStatus(home, 'echo', 'online');
    const pair = await waitFor(
      async () => {
        const rows = await rowsNamed(home, 'pair');
        return rows.length === 2 && rows.every((r) => r.status === 'online') ? rows : undefined;
      },
      { message: 'two pair instances' },
    );
    expect(new Set(pair.map((r) => r.pid)).size).toBe(2);
    const line = await waitFor(() => readLines(outLog(home, 'echo'))[0], { message: 'echo output' });
    const printed = JSON.parse(line) as { argv: string[]; cwd: string; env: Record<string, string | null> };
    expect(printed.argv).toEqual(['--flag', 'value']);
    expect(printed.env).toEqual({ FROM_CONFIG: 'toml', FROM_SHELL: 'inherited' });
    expect(realpathSync(printed.cwd)).toBe(realpathSync(join(home, 'project')));
    await clearApps(home);
  });

  it('starts the apps: list of a YAML file', async () => {
    const home = shared();
    await clearApps(home);
    const config = writeConfig(
      home,
      'apps.yaml',
      `apps:
  - name: yaml-one
    script: ${fixture(home, 'silent.js')}
  - name: yaml-two
    script: ${fixture(home, 'silent.js')}
`,
    );
    await velosOk(['start', config], { home });
    await waitForStatus(home, 'yaml-one', 'online');
    await waitForStatus(home, 'yaml-two', 'online');
    await clearApps(home);
  });

  it('starts the apps of a JSON file and applies its snake_case options', async () => {
    const home = shared();
    await clearApps(home);
    const config = writeConfig(
      home,
      'apps.json',
      JSON.stringify({
        apps: [
          {
            name: 'tuned',
            script: fixture(home, 'silent.js'),
            autorestart: false,
            max_restarts: 2,
            min_uptime: '2s',
            restart_delay: 300,
            exp_backoff_restart_delay: 150,
            stop_exit_codes: [0, 3],
            kill_timeout: '1500ms',
            log_format: 'json',
            time: true,
            merge_logs: true,
          },
        ],
      }),
    );
    await velosOk(['start', config], { home });
    await waitForStatus(home, 'tuned', 'online');
    // the spec the file gave, over the socket (the CLI under test is the start)
    const [detail] = await describeState(home, 'tuned');
    expect(detail?.spec).toMatchObject({
      autorestart: false,
      maxRestarts: 2,
      minUptimeMs: 2000,
      restartDelayMs: 300,
      expBackoffRestartDelayMs: 150,
      stopExitCodes: [0, 3],
      killTimeoutMs: 1500,
      logFormat: 'json',
      mergeLogs: true,
    });
    expect(typeof detail?.spec.logDateFormat).toBe('string');
    await clearApps(home);
  });

  it('rejects a bad value on one line naming file, path and expectation, and starts nothing', async () => {
    const home = shared();
    const config = writeConfig(
      home,
      'velos.toml',
      `[[apps]]
name = "good"
script = "${fixture(home, 'silent.js')}"

[[apps]]
name = "bad"
script = "${fixture(home, 'silent.js')}"
instances = "lots"
`,
    );
    const result = await velos(['start', config], { home });
    expect(result.code).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^velos: velos\.toml: apps\[1\]\.instances: \S/);
    expect(await listState(home)).toEqual([]);
  });

  it('rejects an unknown key, naming the option it was likely meant to be', async () => {
    const home = shared();
    const config = writeConfig(
      home,
      'velos.toml',
      `[[apps]]
name = "typo"
script = "${fixture(home, 'silent.js')}"
max_restart = 3
`,
    );
    const result = await velos(['start', config], { home });
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd()).toBe(
      'velos: velos.toml: apps[0]: unknown option "max_restart" (did you mean "max_restarts"?) (line 4)',
    );
    expect(await listState(home)).toEqual([]);
  });

  it('rejects a file that is not valid TOML', async () => {
    const home = shared();
    const config = writeConfig(home, 'velos.toml', '[[apps]\nname = \n');
    const result = await velos(['start', config], { home });
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^velos: velos\.toml: /);
    expect(await listState(home)).toEqual([]);
  });

  it('rejects a config file that does not exist', async () => {
    const home = shared();
    const result = await velos(['start', join(home, 'missing.toml')], { home });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/^velos: .*missing\.toml/);
    expect(await listState(home)).toEqual([]);
  });
});

describe('restart --update-env of an app from a config file (issue #19 item 8)', () => {
  /** The env the latest run of `name` printed (echo-env.js prints one JSON line per run). */
  async function lastEnv(home: string, name: string, runs: number): Promise<Record<string, string>> {
    const lines = await waitFor(
      () => {
        const printed = readLines(outLog(home, name)).filter((line) => line.startsWith('{'));
        return printed.length >= runs ? printed : undefined;
      },
      { message: `${runs} run(s) of ${name}` },
    );
    return (JSON.parse(lines.at(-1)!) as { env: Record<string, string> }).env;
  }

  it("keeps the config's env and env_<profile> and replaces only the inherited environment", async () => {
    const home = createHome();
    const config = writeConfig(
      home,
      'velos.toml',
      `[[apps]]
name = "envy"
script = "${fixture(home, 'echo-env.js')}"
env = { SHOW_ENV = "MODE,OWN,FROM_SHELL,GONE", MODE = "dev", OWN = "own" }
env_production = { MODE = "prod" }
`,
    );
    await velosOk(['start', config, '--env', 'production'], { home, env: { FROM_SHELL: 'one', GONE: 'x' } });
    expect(await lastEnv(home, 'envy', 1)).toEqual({
      MODE: 'prod',
      OWN: 'own',
      FROM_SHELL: 'one',
      GONE: 'x',
    });

    await velosOk(['restart', 'envy', '--update-env'], { home, env: { FROM_SHELL: 'two', MODE: 'shell' } });
    // The caller's environment replaces the inherited part (GONE is gone); the app's own env wins over it.
    expect(await lastEnv(home, 'envy', 2)).toEqual({
      MODE: 'prod',
      OWN: 'own',
      FROM_SHELL: 'two',
      GONE: null,
    });
  });

  it('still loads a state.json saved without ownEnv; --update-env then replaces the whole env', async () => {
    const home = createHome();
    await velosOk(['start', 'fixtures/echo-env.js', '--name', 'old'], {
      home,
      env: { SHOW_ENV: 'FROM_SHELL', FROM_SHELL: 'one' },
    });
    await velosOk(['save'], { home });
    // what `velos kill` sends (and it waits for the daemon to exit), without a CLI process
    await killDaemon(home);
    const path = join(home, 'state.json');
    const state = JSON.parse(readFileSync(path, 'utf8')) as { apps: { spec: Record<string, unknown> }[] };
    for (const app of state.apps) delete app.spec.ownEnv;
    writeFileSync(path, JSON.stringify(state));

    await waitForStatus(home, 'old', 'online');
    expect(await lastEnv(home, 'old', 2)).toEqual({ FROM_SHELL: 'one' });
    await velosOk(['restart', 'old', '--update-env'], {
      home,
      env: { SHOW_ENV: 'FROM_SHELL', FROM_SHELL: 'two' },
    });
    expect(await lastEnv(home, 'old', 3)).toEqual({ FROM_SHELL: 'two' });
  });
});
