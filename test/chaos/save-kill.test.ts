import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  isJsonFile,
  killDaemon,
  listJson,
  listState,
  readPidFile,
  spawnVelos,
  velosOk,
  waitFor,
} from './chaos-helpers.js';

afterEach(cleanupHomes);

const APPS = 10;
const KILLS = 2;

describe('SIGKILL of the daemon during a save', () => {
  it('always leaves a state.json that parses, and the next daemon restores every app', async () => {
    const home = createHome();
    const config = join(home, 'apps.json');
    const apps = Array.from({ length: APPS }, (_, i) => ({ name: `app-${i}`, script: 'sleep 600' }));
    writeFileSync(config, JSON.stringify({ apps }));
    await velosOk(['start', config], { home });
    await velosOk(['save'], { home });

    for (let kill = 0; kill < KILLS; kill += 1) {
      // Saves in flight, and the daemon killed among them, a little later each round.
      const savers = [0, 1, 2].map(() => spawnVelos(['save'], { home }));
      await new Promise((resolve) => setTimeout(resolve, 5 + kill * 7));
      await killDaemon(home);
      await Promise.all(savers.map((child) => new Promise((resolve) => child.once('exit', resolve))));
      expect(isJsonFile(join(home, 'state.json'))).toBe(true);
      // Without the dead daemon's live table the saved state alone decides what is restored.
      rmSync(join(home, 'run', 'live.json'), { force: true });
      const rows = await listJson(home);
      expect(rows.map((row) => row.name).sort()).toEqual(apps.map((app) => app.name).sort());
      // polled over the socket of the daemon the listJson above started
      await waitFor(async () => (await listState(home)).every((row) => row.status === 'online'), {
        message: 'every restored app online',
      });
      expect(readPidFile(home)).not.toBeNull();
    }
    // No temporary file of an interrupted save is left beside the state for ever (the next save replaces it).
    await velosOk(['save'], { home });
    const names = readdirSync(home).filter((name) => name.startsWith('state.json'));
    expect(names.filter((name) => name.endsWith('.tmp'))).toEqual([]);
    for (const name of names) expect(isJsonFile(join(home, name)), name).toBe(true);
  });
});
