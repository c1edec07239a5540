import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome, FIXTURES, velos } from './helpers.js';

afterEach(cleanupHomes);

interface DryRunEntry {
  name: string;
  app: { env: Record<string, string> };
}

describe('velos import pm2 --dry-run: secrets of the dump', () => {
  it('prints secret-looking env values and URL passwords as ****, as they are with --show-secrets', async () => {
    const home = createHome();
    const dump = join(home, 'dump.pm2');
    const env = { DB_PASSWORD: 'imp-secret-77', PORT: '3000', DATABASE_URL: 'postgres://u:imp-pw-88@h/db' };
    const app = { name: 'imp', pm_exec_path: join(FIXTURES, 'chatty.js'), pm_cwd: home, env };
    writeFileSync(dump, JSON.stringify([{ ...app, exec_mode: 'fork_mode', instances: 1 }]));

    const masked = await velos(['import', 'pm2', dump, '--dry-run'], { home });
    expect(masked.code, masked.stderr).toBe(0);
    expect(masked.stdout).not.toContain('imp-secret-77');
    expect(masked.stdout).not.toContain('imp-pw-88');
    const [entry] = JSON.parse(masked.stdout) as DryRunEntry[];
    expect(entry?.app.env).toEqual({
      DB_PASSWORD: '****',
      PORT: '3000',
      DATABASE_URL: 'postgres://u:****@h/db',
    });

    const shown = await velos(['import', 'pm2', dump, '--dry-run', '--show-secrets'], { home });
    expect(shown.code, shown.stderr).toBe(0);
    expect((JSON.parse(shown.stdout) as DryRunEntry[])[0]?.app.env).toEqual(env);
  });
});
