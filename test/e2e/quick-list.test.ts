import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CliResult, REPO_ROOT, runNode } from '@velos/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome, registerHome, velos, velosOk, waitForStatus } from './helpers.js';

// Issue 17: `velos list|ls|l|status [--json|--ai]` runs from dist/velos.cjs (CommonJS, the client's
// small MessagePack codec, src/quick-run.ts); its output, errors and exit codes are those of the full
// CLI (dist/cli.js), which these tests run directly for the same lines.

afterEach(cleanupHomes);

const FULL_CLI = join(REPO_ROOT, 'apps/cli/dist/cli.js');

/** The same command line through the full CLI, bypassing the binary's routing. */
function fullCli(args: string[], home: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runNode(FULL_CLI, args, { cwd: REPO_ROOT, env: { ...process.env, VELOS_HOME: home, ...env } });
}

/** Output with what differs between two calls a moment apart blanked: numbers and their units (usage, uptime). */
function stable(text: string): string {
  return text.replace(/\d+(\.\d+)?[A-Za-z%]*/g, '#').replace(/ +/g, ' ');
}

describe('velos list from the quick CommonJS entry (issue 17)', () => {
  it('prints what the full CLI prints, in every form and alias', async () => {
    const home = createHome();
    await velosOk(['start', 'fixtures/silent.js', '--name', 'quick-a'], { home });
    await velosOk(['start', 'fixtures/silent.js', '--name', 'quick-b', '--', 'x'], { home });
    await waitForStatus(home, 'quick-b', 'online');
    const lines = [['list'], ['ls'], ['l'], ['status'], ['list', '--json'], ['ls', '--ai']];
    for (const line of lines) {
      const [quick, full] = [await velos(line, { home }), await fullCli(line, home)];
      expect([quick.code, quick.stderr], line.join(' ')).toEqual([0, '']);
      expect([full.code, full.stderr], line.join(' ')).toEqual([0, '']);
      expect(stable(quick.stdout), line.join(' ')).toBe(stable(full.stdout));
      expect(quick.stdout).toContain('quick-b');
    }
    const colour = { FORCE_COLOR: '1' };
    const [quick, full] = [
      await velos(['list'], { home, env: colour }),
      await fullCli(['list'], home, colour),
    ];
    expect(quick.stdout).toContain('\x1b[');
    expect(stable(quick.stdout)).toBe(stable(full.stdout));
  });

  it('starts the daemon when none runs, as the full CLI does', async () => {
    const quickHome = createHome();
    const fullHome = createHome();
    const [quick, full] = [
      await velos(['list', '--json'], { home: quickHome }),
      await fullCli(['list', '--json'], fullHome),
    ];
    expect([quick.code, quick.stdout, quick.stderr]).toEqual([0, '[]\n', '']);
    expect([full.code, full.stdout, full.stderr]).toEqual([0, '[]\n', '']);
    // the started daemon serves the next call
    expect((await velos(['list'], { home: quickHome })).code).toBe(0);
  });

  it('fails or recovers as the full CLI does: unsafe home, a socket path that is no socket', async () => {
    const cases: Array<[(home: string) => void, boolean]> = [
      [(home) => chmodSync(home, 0o777), true],
      [(home) => writeFileSync(join(home, 'velos.sock'), 'not a socket'), false],
    ];
    for (const [prepare, fails] of cases) {
      const quickHome = registerHome(`${createHome()}/h`);
      const fullHome = registerHome(`${createHome()}/h`);
      mkdirSync(quickHome, { mode: 0o700 });
      mkdirSync(fullHome, { mode: 0o700 });
      prepare(quickHome);
      prepare(fullHome);
      const [quick, full] = [await velos(['list'], { home: quickHome }), await fullCli(['list'], fullHome)];
      expect(quick.code !== 0).toBe(fails);
      expect([quick.code, quick.stdout]).toEqual([full.code, full.stdout]);
      expect(quick.stderr.replaceAll(quickHome, 'HOME')).toBe(full.stderr.replaceAll(fullHome, 'HOME'));
    }
  });

  it('hands any other list line to the full CLI', async () => {
    const home = createHome();
    const line = ['list', '--colour'];
    const [quick, full] = [await velos(line, { home }), await fullCli(line, home)];
    expect(quick.code).toBe(2);
    expect([quick.code, quick.stdout, quick.stderr]).toEqual([full.code, full.stdout, full.stderr]);
  });
});
