import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome, FIXTURES, listState, velos, waitForStatus } from './helpers.js';

afterEach(cleanupHomes);

// PM2's -f/--force is a global flag: deploy scripts pass it to stop, restart, reload and delete
// (`pm2 delete all --force`), where PM2 takes it and goes on; a usage error there stopped a `set -e` script
describe('pm2 -f/--force on stop, restart, reload and delete', () => {
  it('is accepted and changes nothing', async () => {
    const home = createHome();
    const start = await velos(['start', join(FIXTURES, 'ticker.js'), '--name', 'api'], { home });
    expect(start.code, start.stderr).toBe(0);
    await waitForStatus(home, 'api', 'online');
    for (const args of [
      ['restart', 'api', '-f'],
      ['reload', 'api', '--force'],
      ['stop', 'api', '-f'],
    ]) {
      const result = await velos(args, { home });
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      expect(result.stderr).toBe('');
    }
    await waitForStatus(home, 'api', 'stopped');
    const deleted = await velos(['delete', 'all', '--force'], { home });
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(await listState(home)).toEqual([]);
  });
});
