import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome, FIXTURES, listState, velos, velosOk, waitFor } from './helpers.js';

/** The umask a running process has, as Linux reports it (`Umask:` of /proc/<pid>/status). */
function umaskOf(pid: number): string {
  return /^Umask:\s*(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 'none';
}

async function pidOf(home: string, name: string): Promise<number> {
  const row = await waitFor(async () =>
    (await listState(home)).find((r) => r.name === name && r.status === 'online'),
  );
  return row.pid!;
}

// An app's `umask` (systemd's UMask=, supervisord's umask) is set in its process only; without it the
// app inherits the daemon's, here 000 as a CI or container entrypoint may leave it.
describe('an app umask', () => {
  let home = '';
  beforeAll(async () => {
    home = createHome();
    const before = process.umask(0);
    try {
      await velosOk(['start', join(FIXTURES, 'silent.js'), '--name', 'inherits'], { home });
    } finally {
      process.umask(before);
    }
    writeFileSync(
      join(home, 'apps.toml'),
      `[[apps]]\nname = "masked"\nscript = "${join(FIXTURES, 'silent.js')}"\numask = "027"\n`,
    );
    await velosOk(['start', join(home, 'apps.toml')], { home });
    await velosOk(['start', join(FIXTURES, 'silent.js'), '--name', 'flagged', '--umask', '0077'], { home });
  });
  afterAll(async () => {
    await velos(['kill'], { home });
    await cleanupHomes();
  });

  it("is the app's own from a config file or --umask, the daemon's otherwise, and survives a restart", async () => {
    expect(umaskOf(await pidOf(home, 'inherits'))).toBe('0000');
    expect(umaskOf(await pidOf(home, 'masked'))).toBe('0027');
    expect(umaskOf(await pidOf(home, 'flagged'))).toBe('0077');
    const before = await pidOf(home, 'masked');
    await velosOk(['restart', 'masked'], { home });
    const after = await waitFor(async () => {
      const pid = await pidOf(home, 'masked');
      return pid !== before ? pid : undefined;
    });
    expect(umaskOf(after)).toBe('0027');
    // the daemon's own umask is left as it was
    expect(umaskOf(Number(readFileSync(join(home, 'velos.pid'), 'utf8')))).toBe('0000');
  });

  it('the daemon says once in daemon.log, at its start, that it runs under umask 0000', () => {
    const lines = readFileSync(join(home, 'daemon.log'), 'utf8')
      .split('\n')
      .filter((line) => line.includes('umask'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /warning: the daemon runs under umask 0000: files its apps create are writable by every user unless the app sets umask \(umask = "022" in its config, --umask 022; docs\/security\.md\), or start the daemon under umask 022$/,
    );
  });

  it('velos health warns that the daemon runs under umask 0000', async () => {
    const health = await velosOk(['health'], { home });
    expect(health.stderr.trim()).toBe(
      'velos: warning: the daemon runs under umask 0000: files its apps create are writable by every user unless the app sets umask (umask = "022"; docs/security.md), or start the daemon under umask 022',
    );
  });

  it('velos show names it; a wrong --umask is one line, exit 2 (a usage error, as --uid)', async () => {
    expect((await velosOk(['show', 'masked'], { home })).stdout).toMatch(/^\s+umask\s+0027$/m);
    expect((await velosOk(['show', 'inherits'], { home })).stdout).not.toMatch(/umask/);
    const bad = await velos(['start', join(FIXTURES, 'silent.js'), '--name', 'bad', '--umask', '999'], {
      home,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toMatch(
      /^velos: .*umask: expected a umask: an octal string like "022" or "0027", or a number 0 to 511 \(0o777\), got "999"$/,
    );
  });
});
