import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome } from '../e2e/helpers.js';
import { PM2_FIXTURES, pm2 } from './pm2-shim.js';

afterEach(cleanupHomes);

// Issue #14: PM2's `stop/restart/reload/delete all` exit 1 ("No process found") when nothing runs, as
// `pm2` 6 does; `reset all` exits 0 as PM2's does.
describe("'all' with no process", () => {
  it('exits 1 for stop, restart, reload and delete, 0 for reset; once an app runs, 0', async () => {
    const home = createHome();
    for (const command of ['stop', 'restart', 'reload', 'delete']) {
      const result = await pm2([command, 'all'], home);
      expect(result.code, `${command} all`).toBe(1);
      expect(result.stderr.trim()).toBe("velos: no process matches 'all': there are none");
    }
    expect((await pm2(['reset', 'all'], home)).code).toBe(0);
    const started = await pm2(['start', join(PM2_FIXTURES, 'out-err.js'), '--name', 'one'], home);
    expect(started.code, started.stderr).toBe(0);
    for (const command of ['restart', 'reload', 'stop', 'delete']) {
      const result = await pm2([command, 'all'], home);
      expect(result.code, `${command} all: ${result.stderr}`).toBe(0);
    }
    // deleted: nothing again
    expect((await pm2(['delete', 'all'], home)).code).toBe(1);
  });
});
