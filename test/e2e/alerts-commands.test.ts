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
});
