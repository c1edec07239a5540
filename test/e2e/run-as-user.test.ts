import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  FIXTURES,
  outLog,
  readLines,
  velos,
  velosOk,
  waitFor,
  waitForStatus,
} from './helpers.js';

afterEach(cleanupHomes);

/** The real uid and gid of a process, from /proc/<pid>/status. */
function idsOf(pid: number): { uid: number; gid: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
  return { uid: field('Uid'), gid: field('Gid') };
}

/** The line echo-env.js printed last, parsed. */
async function echoed(home: string, name: string): Promise<{ env: Record<string, string | null> }> {
  return waitFor(
    () => {
      const line = readLines(outLog(home, name)).at(-1);
      return line ? JSON.parse(line) : undefined;
    },
    { message: `${name}'s echoed environment` },
  );
}

function writeConfig(home: string, body: string): string {
  const file = join(home, 'as-user.toml');
  writeFileSync(file, body);
  return file;
}

// Switching users needs a daemon running as root (as in CI's container); elsewhere there is nothing to run.
describe.skipIf(process.getuid?.() !== 0)('uid and gid: apps run as another user', () => {
  it('runs the app as nobody with its HOME, USER and LOGNAME, the app env winning, and keeps it across save and resurrect', async () => {
    const home = createHome();
    const file = writeConfig(
      home,
      `[[apps]]
name = "asnobody"
script = "${join(FIXTURES, 'echo-env.js')}"
cwd = "${FIXTURES}"
uid = "nobody"
env = { SHOW_ENV = "HOME,USER,LOGNAME,SHELL", SHELL = "/bin/sh" }
`,
    );
    await velosOk(['start', file], { home });
    const row = await waitForStatus(home, 'asnobody', 'online');
    const nobody = /^nobody:[^:]*:(\d+):(\d+):[^:]*:([^:]*):/m.exec(readFileSync('/etc/passwd', 'utf8'))!;
    expect(idsOf(row.pid!)).toEqual({ uid: Number(nobody[1]), gid: Number(nobody[2]) });
    expect((await echoed(home, 'asnobody')).env).toEqual({
      HOME: nobody[3],
      USER: 'nobody',
      LOGNAME: 'nobody',
      SHELL: '/bin/sh',
    });

    await velosOk(['save'], { home });
    await velosOk(['kill'], { home });
    await velosOk(['resurrect'], { home });
    const restored = await waitForStatus(home, 'asnobody', 'online');
    expect(restored.pid).not.toBe(row.pid);
    expect(idsOf(restored.pid!).uid).toBe(Number(nobody[1]));
  });

  it('takes --uid and --gid as numbers on the command line', async () => {
    const home = createHome();
    await velosOk(
      [
        'start',
        join(FIXTURES, 'echo-env.js'),
        '--name',
        'numeric',
        '--cwd',
        FIXTURES,
        '--uid',
        '65534',
        '--gid',
        '65533',
      ],
      { home },
    );
    const row = await waitForStatus(home, 'numeric', 'online');
    expect(idsOf(row.pid!)).toEqual({ uid: 65534, gid: 65533 });
  });

  it('refuses an unknown user with one line and nothing started', async () => {
    const home = createHome();
    const unknown = await velos(
      ['start', join(FIXTURES, 'echo-env.js'), '--name', 'ghost', '--uid', 'no-such-user-x'],
      { home },
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe(
      "velos: ghost: uid: no such user 'no-such-user-x' on this machine (/etc/passwd)",
    );
    expect((await velosOk(['list', '--json'], { home })).stdout.trim()).toBe('[]');
  });

  it('fails the spawn of an app whose working directory the user cannot enter, as a missing one', async () => {
    const home = createHome();
    // the home is root's and 0700: nobody cannot enter a directory below it
    const closed = join(home, 'closed');
    mkdirSync(closed);
    const denied = await velos(
      ['start', join(FIXTURES, 'echo-env.js'), '--name', 'locked', '--uid', 'nobody', '--cwd', closed],
      { home },
    );
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(
      /^velos: locked: nobody \(uid \d+, gid \d+\) cannot enter its working directory /,
    );
    expect(denied.stderr).toContain(`${closed}: no search permission on ${home}`);
    const row = await waitForStatus(home, 'locked', 'errored');
    expect(row.lastExitReason).toBe('spawn-error');
  });
});
