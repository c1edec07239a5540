import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  FIXTURES,
  isAlive,
  SeenProcesses,
  velos,
  velosOk,
  waitFor,
} from './helpers.js';

const pids = new SeenProcesses();
afterEach(async () => {
  pids.killAll();
  await cleanupHomes();
});

describe('alert commands', () => {
  it('a command that exits 0 but leaves a program in the background is sent, not "timed out"', async () => {
    const home = createHome();
    const pidFile = join(home, 'background.pid');
    const file = join(home, 'rules.toml');
    // the shell script of many notify setups: hand the work to a background program and exit
    writeFileSync(
      file,
      `[[alerts]]
name = "bg"
when = "errored"
command = { run = ["sh", "-c", "sleep 30 & echo $! > ${pidFile}; echo queued >&2; exit 0"], timeout = "2s" }
`,
    );
    expect((await velos(['alerts', 'add', '--file', file], { home })).code).toBe(0);
    const started = Date.now();
    const result = await velos(['alerts', 'test', 'bg'], { home });
    const background = await waitFor(() => Number(readFileSync(pidFile, 'utf8')) || undefined, {
      message: 'the background pid',
    });
    pids.add(background);
    expect(result.stdout.trim()).toBe('sent command sh (1 attempt(s))');
    expect(result.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(2000);
    // what it left running is its own: not killed with it
    expect(isAlive(background)).toBe(true);
  });

  it('adds a rule whose app no process matches now, saying so with the app it was likely meant to be', async () => {
    const home = createHome();
    await velosOk(['start', join(FIXTURES, 'silent.js'), '--name', 'api', '--namespace', 'web'], { home });
    const typo = await velos(['alerts', 'add', 'typo', '--app', 'apj', '--when', 'errored'], { home });
    expect(typo.code).toBe(0);
    expect(typo.stderr.trim()).toBe(
      "velos: warning: alert rule 'typo': no process matches 'apj' now (did you mean 'api'?); the rule watches it once it runs",
    );
    // an app, a namespace or an id that matches: no warning
    for (const [name, app] of [
      ['by-name', 'api'],
      ['by-namespace', 'web'],
      ['by-id', '0'],
    ]) {
      const result = await velos(['alerts', 'add', name!, '--app', app!, '--when', 'errored'], { home });
      expect([result.code, result.stderr]).toEqual([0, '']);
    }
  });
  it('refuses a rule whose command the daemon cannot run (a typo would page no one), from alerts add and a config file alike', async () => {
    const home = createHome();
    const missing = await velos(
      ['alerts', 'add', 'pager', '--when', 'errored', '--command', 'page-oncal --team web'],
      {
        home,
      },
    );
    expect([missing.code, missing.stderr.trim()]).toEqual([
      1,
      "velos: alert rule 'pager': command: program not found: page-oncal (not on the daemon's PATH), so no notification could be sent",
    ]);
    const escalation = await velos(
      [
        'alerts',
        'add',
        'esc',
        '--when',
        'errored',
        '--escalate-after',
        '1h',
        '--escalate-command',
        join(home, 'page'),
      ],
      { home },
    );
    expect([escalation.code, escalation.stderr.trim()]).toEqual([
      1,
      `velos: alert rule 'esc': escalate.command: program not found: ${join(home, 'page')}, so no notification could be sent`,
    ]);
    // a config file with such a rule starts nothing, as a bad rule does
    const file = join(home, 'app.toml');
    writeFileSync(
      file,
      `[[apps]]
name = "api"
script = "${join(FIXTURES, 'silent.js')}"

[[alerts]]
name = "api-errored"
app = "api"
when = "errored"
command = ["${home}"]
`,
    );
    const start = await velos(['start', file], { home });
    expect([start.code, start.stderr.trim()]).toEqual([
      1,
      `velos: ${file}: alerts[0] (api-errored): command: not a file: ${home}, so no notification could be sent`,
    ]);
    const state = await velosOk(['alerts', '--json'], { home });
    expect(JSON.parse(state.stdout)).toEqual([]);
    expect((await velosOk(['list', '--json'], { home })).stdout.trim()).toBe('[]');
    // a program on the daemon's PATH is found
    expect(
      (await velos(['alerts', 'add', 'logged', '--when', 'errored', '--command', 'sh -c true'], { home }))
        .code,
    ).toBe(0);
  });
});
