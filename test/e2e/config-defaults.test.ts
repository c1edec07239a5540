import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  describeJson,
  FIXTURES,
  velos,
  velosOk,
  waitForStatus,
} from './helpers.js';

afterEach(cleanupHomes);

const SILENT = join(FIXTURES, 'silent.js');

/** A file with `[defaults]` (its `kill_timeout` and `env` given) and two apps; `b` sets its own kill_timeout. */
function fileText(killTimeout: string, mode: string): string {
  return `[defaults]
kill_timeout = "${killTimeout}"
max_restarts = 4
env = { MODE = "${mode}" }

[[apps]]
name = "a"
script = "${SILENT}"

[[apps]]
name = "b"
script = "${SILENT}"
kill_timeout = "1s"
`;
}

function writeConfig(home: string, text: string): string {
  const dir = join(home, 'project');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'velos.toml');
  writeFileSync(file, text);
  return file;
}

describe('[defaults] in a velos.toml (CFG-1)', () => {
  it('starts the apps with [defaults] under their own keys; a reload applies a change of [defaults]', async () => {
    const home = createHome();
    // config.toml's [defaults] lie under the file's: max_restarts is the file's, min_uptime config.toml's
    writeFileSync(
      join(home, 'config.toml'),
      '[defaults]\nmax_restarts = 9\nmin_uptime = "3s"\n[reload]\ngrace = "300ms"\n',
    );
    const file = writeConfig(home, fileText('7s', 'one'));
    await velosOk(['start', file], { home });
    await waitForStatus(home, 'a', 'online');
    await waitForStatus(home, 'b', 'online');
    const [a] = await describeJson(home, 'a');
    const [b] = await describeJson(home, 'b');
    expect(a?.spec).toMatchObject({ killTimeoutMs: 7000, maxRestarts: 4, minUptimeMs: 3000 });
    expect(b?.spec).toMatchObject({ killTimeoutMs: 1000, maxRestarts: 4, minUptimeMs: 3000 });
    expect(a?.spec.envKeys).toContain('MODE');

    // a change of [defaults] reaches the apps that take the key from there, and only them
    writeConfig(home, fileText('9s', 'one'));
    const reload = await velosOk(['config', 'reload', file, '--json'], { home });
    expect(JSON.parse(reload.stdout).files[0]).toMatchObject({ updated: ['a'], unchanged: ['b'] });
    expect((await describeJson(home, 'a'))[0]?.spec).toMatchObject({ killTimeoutMs: 9000 });
    expect((await describeJson(home, 'b'))[0]?.spec).toMatchObject({ killTimeoutMs: 1000 });

    // a spawn key of [defaults] (env) restarts both apps
    writeConfig(home, fileText('9s', 'two'));
    const restart = await velosOk(['config', 'reload', file, '--json'], { home });
    expect(JSON.parse(restart.stdout).files[0]).toMatchObject({ changed: ['a', 'b'] });

    // a bad [defaults] value changes nothing, named with the file, the key and its line
    writeConfig(home, fileText('soon', 'two'));
    const bad = await velos(['config', 'reload', file], { home });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /velos\.toml: defaults\.kill_timeout: expected a duration .*"soon" \(line 2\)/,
    );
    expect((await describeJson(home, 'a'))[0]?.spec).toMatchObject({ killTimeoutMs: 9000 });
  });
});
