import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  isAlive,
  killDaemon,
  listState,
  readPidFile,
  velos,
  velosOk,
  waitFor,
  waitForStatus,
} from './helpers.js';

afterEach(cleanupHomes);

/**
 * `velos kill` over the socket (helpers' `killDaemon`: the same request, no CLI process), and the pid
 * file's daemon gone.
 */
async function killAndWait(home: string): Promise<void> {
  const daemonPid = readPidFile(home);
  await killDaemon(home);
  await waitFor(() => !isAlive(daemonPid), { timeoutMs: 10_000, message: 'daemon gone' });
}

describe('state (SUP-13)', () => {
  it('kill saves state and the next daemon restores it: running apps restart, stopped ones stay stopped', async () => {
    const home = createHome();
    await velosOk(['start', 'fixtures/silent.js', '--name', 'keeper'], { home });
    await velosOk(['start', 'fixtures/silent.js', '--name', 'resting'], { home });
    const before = await waitForStatus(home, 'keeper', 'online');
    await waitForStatus(home, 'resting', 'online');
    await velosOk(['stop', 'resting'], { home });
    await waitForStatus(home, 'resting', 'stopped');

    await killAndWait(home);
    expect(existsSync(join(home, 'state.json'))).toBe(true);
    expect(isAlive(before.pid)).toBe(false);

    const after = await waitForStatus(home, 'keeper', 'online');
    expect(after.pid).not.toBe(before.pid);
    expect(isAlive(after.pid)).toBe(true);
    const rows = await listState(home);
    expect(rows.map((r) => r.name).sort()).toEqual(['keeper', 'resting']);
    expect(rows.find((r) => r.name === 'resting')?.status).toBe('stopped');
  });

  it('save, delete all and resurrect bring the apps back', async () => {
    const home = createHome();
    await velosOk(['start', 'fixtures/silent.js', '--name', 'one'], { home });
    await velosOk(['start', 'fixtures/silent.js', '--name', 'two', '-i', '2'], { home });
    await waitForStatus(home, 'one', 'online');
    await velosOk(['save'], { home });
    const saved = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')) as unknown;
    expect(JSON.stringify(saved)).toContain('"one"');

    const old = await listState(home);
    await velosOk(['delete', 'all'], { home });
    expect(await listState(home)).toEqual([]);
    await waitFor(() => old.every((r) => !isAlive(r.pid)), {
      timeoutMs: 10_000,
      message: 'old processes gone',
    });

    await velosOk(['resurrect'], { home });
    const back = await waitFor(
      async () => {
        const rows = await listState(home);
        return rows.length === 3 && rows.every((r) => r.status === 'online') ? rows : undefined;
      },
      { message: 'three apps online again' },
    );
    expect(back.filter((r) => r.name === 'two')).toHaveLength(2);
    for (const row of back) {
      expect(isAlive(row.pid)).toBe(true);
      expect(old.map((r) => r.pid)).not.toContain(row.pid);
    }
    // a second resurrect has nothing to bring back and says why
    const again = await velosOk(['resurrect'], { home });
    expect(again.stdout).toContain('2 saved apps are listed already, left as they are: one, two\n');
    expect((await listState(home)).map((r) => r.pid).sort()).toEqual(back.map((r) => r.pid).sort());
  });

  it('falls back to state.json.bak when state.json is corrupt, with a warning', async () => {
    const home = createHome();
    await velosOk(['start', 'fixtures/silent.js', '--name', 'survivor'], { home });
    await waitForStatus(home, 'survivor', 'online');
    await killAndWait(home);
    const state = join(home, 'state.json');
    copyFileSync(state, join(home, 'state.json.bak'));
    writeFileSync(state, '{"apps": [ this is not json');

    const result = await velos(['list', '--json'], { home });
    expect(result.code, result.stderr).toBe(0);
    const row = await waitForStatus(home, 'survivor', 'online');
    expect(isAlive(row.pid)).toBe(true);
    const daemonLog = existsSync(join(home, 'daemon.log'))
      ? readFileSync(join(home, 'daemon.log'), 'utf8')
      : '';
    const isFallbackWarning = (line: string) => line.includes('state.json') && line.includes('.bak');
    expect(daemonLog.split('\n').some(isFallbackWarning), 'daemon.log names the .bak fallback').toBe(true);
    const cliWarnings = result.stderr.trim().split('\n');
    expect(cliWarnings).toHaveLength(1);
    expect(cliWarnings[0]).toMatch(/^velos: warning: .*state\.json.*\.bak/);
    // kept for the user, and out of the way of the next save's rotation into state.json.bak
    const aside = readdirSync(home).filter((name) => name.startsWith('state.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(cliWarnings[0]).toContain(`kept as ${join(home, aside[0]!)}`);
    expect(readFileSync(join(home, aside[0]!), 'utf8')).toBe('{"apps": [ this is not json');
  });
});
