import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  isAlive,
  onlineRows,
  readPidFile,
  velosOk,
  waitFor,
  waitForLiveTable,
} from './helpers.js';

afterEach(cleanupHomes);

/** The start-up warnings of the daemon, as `velos ping --json` gives them. */
async function pingWarnings(home: string): Promise<string[]> {
  return (JSON.parse((await velosOk(['ping', '--json'], { home })).stdout) as { warnings: string[] })
    .warnings;
}

// PM2's `pm2 update` then `pm2 ping` says nothing of the daemon it replaced: it was replaced on purpose.
describe('velos update (PM2 drop-in)', () => {
  it('leaves the new daemon no warning of an unclean stop; a daemon that dies still has one', async () => {
    const home = createHome();
    await velosOk(['start', 'fixtures/ticker.js', '--name', 'up'], { home });
    await onlineRows(home, 'up', 1);
    await waitForLiveTable(home, 'up');
    const old = readPidFile(home);

    const update = await velosOk(['update'], { home });
    expect(update.stdout).toMatch(/daemon replaced: .*1 process kept running/);
    expect(update.stderr).toBe('');
    expect(await pingWarnings(home)).toEqual([]);
    expect(readFileSync(join(home, 'daemon.log'), 'utf8')).toContain(
      `daemon pid ${old} was replaced by velos update`,
    );
    expect(existsSync(join(home, 'run', 'handover.json'))).toBe(false);

    // the hand-over told one start only: a daemon that dies afterwards is reported as before
    const pid = readPidFile(home);
    process.kill(pid!, 'SIGKILL');
    await waitFor(() => !isAlive(pid), { message: 'the SIGKILLed daemon to be gone' });
    const warnings = await pingWarnings(home);
    expect(warnings.some((line) => line.startsWith('the previous daemon did not stop cleanly'))).toBe(true);
    expect(warnings.some((line) => /^re-adopted up .*did not stop cleanly$/.test(line))).toBe(true);
  });
});
