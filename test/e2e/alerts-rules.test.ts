import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome, FIXTURES, listJson, velos, velosOk } from './helpers.js';

afterEach(cleanupHomes);

describe('alert rules that could never do what they say are refused', () => {
  it('an escalation after N repeats of a rule without repeat (it would never escalate)', async () => {
    const home = createHome();
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
    const started = await velos(['start', file], { home });
    expect(started.code).toBe(1);
    expect(started.stderr).toContain(
      'app.toml: alerts[0].escalate.after_repeats: needs "repeat" on the rule',
    );
    // a bad rule starts nothing, and the daemon goes on
    expect(await listJson(home)).toEqual([]);
    expect((await velosOk(['alerts', '--json'], { home })).stdout.trim()).toBe('[]');

    // with repeat, the same rule is taken
    writeFileSync(
      file,
      `[[alerts]]\nname = "esc"\nwhen = "errored"\nrepeat = "1h"\n\n[alerts.escalate]\nafter_repeats = 1\n`,
    );
    await velosOk(['alerts', 'add', '--file', file], { home });
    expect((await velosOk(['alerts'], { home })).stdout).toMatch(/esc\s+errored/);
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
