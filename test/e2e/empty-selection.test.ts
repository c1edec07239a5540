import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome, velos, velosOk } from './helpers.js';

// `all` on a table with no process selects nothing: a command that needs a process says so in one line
// and exits 1, never "internal error" (found by the CLI sweep of session 31: `velos env all`).
describe('commands on `all` with no process', () => {
  let home = '';
  beforeAll(async () => {
    home = createHome();
    await velosOk(['list'], { home });
  });
  afterAll(async () => {
    await velos(['kill'], { home });
    await cleanupHomes();
  });

  it('velos env all: not found, one line, exit 1 (text and --json)', async () => {
    for (const extra of [[], ['--json'], ['--ai']]) {
      const result = await velos(['env', 'all', ...extra], { home });
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toBe("velos: no process matches 'all': there are none\n");
      expect(result.stdout).toBe('');
    }
  });
});
