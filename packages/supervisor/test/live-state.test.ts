import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLiveState, LIVE_STATE_FILE, readLiveState } from '../src/live-state.js';
import type { SavedState } from '../src/state-store.js';
import { waitFor } from './helpers.js';

const homes: string[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

function home(): string {
  const dir = mkdtempSync(join(tmpdir(), 'velos-live-'));
  homes.push(dir);
  return dir;
}

const table = (names: string[]): SavedState => ({
  version: 1,
  savedAt: 1,
  nextId: names.length,
  apps: names.map((name, id) => ({
    spec: { name, script: 'app.js', cwd: '/' } as SavedState['apps'][number]['spec'],
    ids: [id],
    running: true,
  })),
});

describe('live table (SUP-13)', () => {
  it('writes the table after changes (one write for a burst), private, and removes it on a clean stop', async () => {
    const dir = home();
    let names = ['a'];
    let snapshots = 0;
    const live = createLiveState({
      home: dir,
      snapshot: () => {
        snapshots += 1;
        return table(names);
      },
      log: () => undefined,
    });
    live.touch();
    names = ['a', 'b'];
    live.touch();
    const read = await waitFor(async () => (await readLiveState(dir)).state ?? undefined, {
      what: 'the live table',
    });
    expect(read.apps.map((app) => app.spec.name)).toEqual(['a', 'b']);
    expect(snapshots).toBe(1);
    expect(statSync(join(dir, LIVE_STATE_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'run')).mode & 0o777).toBe(0o700);
    await live.clear();
    live.touch();
    expect((await readLiveState(dir)).state).toBeNull();
  });

  it('flush writes the table at once, a pending write included (a stop or delete answered is on disk)', async () => {
    const dir = home();
    let names = ['a', 'b'];
    const live = createLiveState({ home: dir, snapshot: () => table(names), log: () => undefined });
    live.touch();
    names = ['a'];
    await live.flush();
    // no wait: the write the touch asked for 50 ms later was done now, with the table as it is
    expect((await readLiveState(dir)).state?.apps.map((app) => app.spec.name)).toEqual(['a']);
    await live.clear();
    await live.flush();
    expect((await readLiveState(dir)).state).toBeNull();
  });

  it('hold writes the table at once, then keeps the file as it is until clear removes it', async () => {
    const dir = home();
    let names = ['a', 'b'];
    const live = createLiveState({ home: dir, snapshot: () => table(names), log: () => undefined });
    live.touch();
    await live.hold();
    names = ['a'];
    live.touch();
    await live.flush();
    expect((await readLiveState(dir)).state?.apps.map((app) => app.spec.name)).toEqual(['a', 'b']);
    await live.clear();
    expect((await readLiveState(dir)).state).toBeNull();
  });

  it('reads a corrupt table as none, with a warning', async () => {
    const dir = home();
    mkdirSync(join(dir, 'run'));
    writeFileSync(join(dir, LIVE_STATE_FILE), '{"version": 1, "apps": [');
    const read = await readLiveState(dir);
    expect(read.state).toBeNull();
    expect(read.warning).toMatch(/live\.json is unusable \(corrupt: .*\); restoring the saved state instead/);
  });
});
