import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  clearApps,
  createHome,
  FIXTURES,
  listState,
  readPidFile,
  sharedHome,
  velos,
  velosOk,
  waitFor,
  withClient,
} from './helpers.js';

afterEach(cleanupHomes);

/**
 * One daemon for the tests that need no config.toml of their own: each starts from a daemon without
 * apps or alert rules (`resetShared`), the ones a failed test before it may have left.
 */
const shared = sharedHome();

/** Deletes every app and alert rule of the shared home's daemon, when it runs. */
async function resetShared(home: string): Promise<void> {
  if (!existsSync(join(home, 'velos.sock'))) return;
  await clearApps(home);
  await withClient(home, async (client) => {
    for (const alert of await client.alerts()) await client.removeAlert(alert.rule.name);
  });
}

describe('alert rules that could never do what they say are refused', () => {
  it('an escalation after N repeats of a rule without repeat (it would never escalate)', async () => {
    const home = shared();
    await resetShared(home);
    const added = await velos(['alerts', 'add', 'esc', '--when', 'errored', '--escalate-repeats', '2'], {
      home,
    });
    expect(added.code).toBe(2);
    expect(added.stderr.trim()).toBe(
      'velos: alerts add: --escalate-repeats: needs "repeat" on the rule: without it the alert is sent once, never repeats, so it never escalates',
    );

    const file = join(home, 'app.toml');
    writeFileSync(
      file,
      `[[apps]]
name = "ticker"
script = "${join(FIXTURES, 'ticker.js')}"

[[alerts]]
name = "esc"
when = "errored"

[alerts.escalate]
after_repeats = 1
severity = "critical"
`,
    );
    const daemonBefore = readPidFile(home);
    const started = await velos(['start', file], { home });
    expect(started.code).toBe(1);
    expect(started.stderr).toContain(
      'app.toml: alerts[0].escalate.after_repeats: needs "repeat" on the rule',
    );
    // the file is refused before the CLI talks to a daemon: it starts none (none runs yet when this test
    // is the first on the shared home), one already running goes on, and no app nor rule of the file
    // reaches it (its state over the socket: the CLI's answer is the refusal above)
    expect(readPidFile(home)).toBe(daemonBefore);
    expect(await listState(home)).toEqual([]);
    expect(await withClient(home, (client) => client.alerts())).toEqual([]);

    // with repeat, the same rule is taken
    writeFileSync(
      file,
      `[[alerts]]\nname = "esc"\nwhen = "errored"\nrepeat = "1h"\n\n[alerts.escalate]\nafter_repeats = 1\n`,
    );
    await velosOk(['alerts', 'add', '--file', file], { home });
    expect((await velosOk(['alerts'], { home })).stdout).toMatch(/esc\s+errored/);
    await resetShared(home);
  });

  it('velos alerts add --file with a rule whose name is taken adds none of the file (not the rules before it)', async () => {
    const home = shared();
    await resetShared(home);
    await velosOk(['alerts', 'add', 'taken', '--when', 'daemon degraded'], { home });
    const file = join(home, 'rules.toml');
    writeFileSync(
      file,
      '[[alerts]]\nname = "fresh"\nwhen = "errored"\n\n[[alerts]]\nname = "taken"\nwhen = "errored"\n',
    );
    const added = await velos(['alerts', 'add', '--file', file], { home });
    expect([added.code, added.stderr.trim()]).toEqual([
      1,
      "velos: an alert rule called 'taken' exists already (from runtime); remove it first",
    ]);
    const rules = await withClient(home, (client) => client.alerts());
    expect(rules.map((row) => [row.rule.name, row.rule.when.kind])).toEqual([['taken', 'daemon_degraded']]);
    await resetShared(home);
  });

  it("velos alerts remove of a file's rule says that the file still has it (config reload brought it back unsaid)", async () => {
    const home = createHome();
    writeFileSync(join(home, 'config.toml'), '[[alerts]]\nname = "from-file"\nwhen = "errored"\n');
    await velosOk(['alerts', 'add', 'by-hand', '--when', 'errored'], { home });
    expect((await velosOk(['alerts'], { home })).stdout).toMatch(/from-file\s+errored/);

    expect((await velosOk(['alerts', 'remove', 'by-hand'], { home })).stdout.trim()).toBe(
      'removed alert rule by-hand',
    );
    const removed = (await velosOk(['alerts', 'remove', 'from-file'], { home })).stdout.trim();
    expect(removed).toBe(
      `removed alert rule from-file; it is still in ${join(home, 'config.toml')} and comes back when that file is read again (velos start, velos config reload, a daemon start for config.toml): remove it there too`,
    );
    await velosOk(['config', 'reload'], { home });
    expect((await velosOk(['alerts'], { home })).stdout).toMatch(/from-file\s+errored/);
  });
});

describe("a config file's [[alerts]]", () => {
  it('are in before its apps start or a reload adds them: an app that exits at once is seen by an event rule', async () => {
    const home = shared();
    await resetShared(home);
    // a rule of another source first: the engine runs already, and a late rule would miss the exit
    await velosOk(['alerts', 'add', 'keep', '--when', 'daemon degraded'], { home });
    const file = join(home, 'quick.toml');
    const quick = (name: string) =>
      `[[apps]]\nname = "${name}"\nscript = "false"\nautorestart = false\n\n[[alerts]]\nname = "${name}-exits"\nwhen = "event exited"\napp = "${name}"\n`;
    // what `velos alerts --json` prints of the rule, polled over the socket
    const isFiring = async (rule: string) => {
      const rows = await withClient(home, (client) => client.alerts());
      return rows.find((row) => row.rule.name === rule)?.phase === 'firing';
    };
    writeFileSync(file, quick('a'));
    await velosOk(['start', file], { home });
    await waitFor(() => isFiring('a-exits'), { message: 'the exit of a fires its rule', timeoutMs: 5000 });
    writeFileSync(file, `${quick('a')}\n${quick('b')}`);
    await velosOk(['config', 'reload', file], { home });
    await waitFor(() => isFiring('b-exits'), { message: 'the exit of b fires its rule', timeoutMs: 5000 });
    await resetShared(home);
  });

  it('startOrReload/startOrRestart of a TOML file apply its [[alerts]] as velos start does, and change nothing when a script is missing', async () => {
    const home = shared();
    await resetShared(home);
    const file = join(home, 'app.toml');
    const app = (script: string) => `[[apps]]\nname = "tick"\nscript = "${join(FIXTURES, script)}"\n`;
    writeFileSync(file, `${app('ticker.js')}\n[[alerts]]\nname = "down"\nwhen = "errored"\n`);
    await velosOk(['startOrReload', file], { home });
    expect((await velosOk(['alerts'], { home })).stdout).toMatch(/down\s+errored/);
    // the file without rules and with its script gone is refused whole: the rules and the app stay
    writeFileSync(file, app('gone.js'));
    const restart = await velos(['startOrRestart', file], { home });
    expect([restart.code, restart.stderr.trim()]).toEqual([
      1,
      `velos: app.toml: tick cannot start: script not found: ${join(FIXTURES, 'gone.js')}`,
    ]);
    expect((await velosOk(['alerts'], { home })).stdout).toMatch(/down\s+errored/);
    // the file without rules drops them
    writeFileSync(file, app('ticker.js'));
    await velosOk(['startOrRestart', file], { home });
    expect((await velosOk(['alerts'], { home })).stdout).toMatch(/^no alert rules/);
    await resetShared(home);
  });
});
