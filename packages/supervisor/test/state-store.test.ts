import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { fileHistory, type SavedHistory } from '../src/process-history.js';
import { parseState, readState, type SavedState, writeState } from '../src/state-store.js';
import { appSpec, Harness } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

function state(home: string, names: string[], savedAt = 1000): SavedState {
  return {
    version: 1,
    savedAt,
    nextId: names.length,
    apps: names.map((name, i) => ({ spec: appSpec(home, { name }), ids: [i], running: i % 2 === 0 })),
  };
}

describe('state store', () => {
  it('writes state.json 0600 without leaving a temp file, and reads it back', async () => {
    const home = harness.home();
    const saved = state(home, ['api', 'worker']);
    const path = await writeState(home, saved);
    expect(path).toBe(join(home, 'state.json'));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(home).sort()).toEqual(['state.json']);
    expect(await readState(home)).toEqual({ state: saved, path, warnings: [] });
  });

  it('keeps the previous state as state.json.bak', async () => {
    const home = harness.home();
    await writeState(home, state(home, ['one'], 1));
    await writeState(home, state(home, ['one', 'two'], 2));
    const backup = JSON.parse(readFileSync(join(home, 'state.json.bak'), 'utf8')) as SavedState;
    expect(backup.savedAt).toBe(1);
    expect((await readState(home)).state!.savedAt).toBe(2);
  });

  it('falls back to the backup with a warning when state.json is corrupt', async () => {
    const home = harness.home();
    await writeState(home, state(home, ['one'], 1));
    await writeState(home, state(home, ['one', 'two'], 2));
    writeFileSync(join(home, 'state.json'), '{"version": 1, "apps": [');
    const read = await readState(home);
    expect(read.state!.savedAt).toBe(1);
    expect(read.path).toBe(join(home, 'state.json.bak'));
    expect(read.warnings).toHaveLength(1);
    expect(read.warnings[0]).toMatch(
      /state\.json is unusable \(corrupt: .*\); restored the previous state from .*state\.json\.bak/,
    );
  });

  it('warns and starts empty when both files are unusable; no files is no state and no warning', async () => {
    const home = harness.home();
    expect(await readState(home)).toEqual({ state: null, path: null, warnings: [] });
    writeFileSync(join(home, 'state.json'), 'garbage');
    writeFileSync(join(home, 'state.json.bak'), JSON.stringify({ version: 2 }));
    const read = await readState(home);
    expect(read.state).toBeNull();
    expect(read.warnings[0]).toMatch(/unusable too .*empty process list/);
  });

  it('sets a corrupt state.json aside, so the next save keeps the good backup and the corrupt file', async () => {
    const home = harness.home();
    await writeState(home, state(home, ['one'], 1));
    await writeState(home, state(home, ['one', 'two'], 2));
    writeFileSync(join(home, 'state.json'), '{"version": 1, "apps": [');
    const read = await readState(home);
    const aside = readdirSync(home).filter((name) => name.startsWith('state.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(read.warnings[0]).toContain(`kept as ${join(home, aside[0]!)}`);
    expect(readFileSync(join(home, aside[0]!), 'utf8')).toBe('{"version": 1, "apps": [');
    await writeState(home, read.state!);
    // the save used to rotate the corrupt file over state.json.bak, the one good copy left
    const backup = JSON.parse(readFileSync(join(home, 'state.json.bak'), 'utf8')) as SavedState;
    expect(backup.savedAt).toBe(1);
    expect((await readState(home)).warnings).toEqual([]);
  });

  it('sets both files aside when both are corrupt; saves of the empty list that follow lose neither', async () => {
    const home = harness.home();
    writeFileSync(join(home, 'state.json'), 'garbage');
    writeFileSync(join(home, 'state.json.bak'), '{"version": 1');
    const read = await readState(home);
    expect(read.state).toBeNull();
    expect(read.warnings[0]).toMatch(
      /kept as .*state\.json\.corrupt-.*\) and .*state\.json\.bak is unusable too \(.*kept as .*state\.json\.bak\.corrupt-/,
    );
    await writeState(home, { version: 1, savedAt: 3, nextId: 0, apps: [] });
    await writeState(home, { version: 1, savedAt: 4, nextId: 0, apps: [] });
    const kept = readdirSync(home)
      .filter((name) => name.includes('.corrupt-'))
      .map((name) => readFileSync(join(home, name), 'utf8'));
    expect(kept.sort()).toEqual(['garbage', '{"version": 1'].sort());
  });

  it('keeps state.json.bak when a save finds no state.json to rotate into it', async () => {
    const home = harness.home();
    await writeState(home, state(home, ['one'], 1));
    await writeState(home, state(home, ['one'], 2));
    unlinkSync(join(home, 'state.json'));
    await writeState(home, state(home, [], 3));
    const backup = JSON.parse(readFileSync(join(home, 'state.json.bak'), 'utf8')) as SavedState;
    expect(backup.savedAt).toBe(1);
  });

  it('does not set aside a file that cannot be read, only one that is corrupt', async () => {
    const home = harness.home();
    mkdirSync(join(home, 'state.json'));
    const read = await readState(home);
    expect(read.warnings[0]).toMatch(/cannot read: EISDIR/);
    expect(readdirSync(home)).toEqual(['state.json']);
  });

  it('never lets a reader see a torn or missing state.json while writes go on', async () => {
    const home = harness.home();
    await writeState(home, state(home, ['seed']));
    const big = Array.from({ length: 50 }, (_, i) => `app-${i}`);
    const writes = Array.from({ length: 40 }, (_, i) => () => writeState(home, state(home, big, i)));
    let reads = 0;
    let isWriting = true;
    const reader = (async () => {
      while (isWriting) {
        const read = await readState(home);
        expect(read.warnings).toEqual([]);
        expect(read.state).not.toBeNull();
        reads += 1;
      }
    })();
    for (const write of writes) await write();
    isWriting = false;
    await reader;
    expect(reads).toBeGreaterThan(0);
    expect(existsSync(join(home, 'state.json.tmp'))).toBe(false);
  });

  it('does no file work during the call: the temp file, fsync and rename happen after it returns', async () => {
    const home = harness.home();
    const writing = writeState(home, state(home, ['api']));
    // the old writer created, wrote and fsynced the temp file synchronously, blocking the event loop
    expect(readdirSync(home)).toEqual([]);
    await writing;
    expect(readdirSync(home).sort()).toEqual(['state.json']);
  });

  it('keeps call order for writes not awaited: the last state called wins, the one before is the backup', async () => {
    const home = harness.home();
    const saved = Array.from({ length: 20 }, (_, i) =>
      state(home, ['a', 'b', 'c'].slice(0, 1 + (i % 3)), i + 1),
    );
    const paths = await Promise.all(saved.map((each) => writeState(home, each)));
    expect(new Set(paths)).toEqual(new Set([join(home, 'state.json')]));
    expect((await readState(home)).state).toEqual(saved[19]);
    const backup = JSON.parse(readFileSync(join(home, 'state.json.bak'), 'utf8')) as SavedState;
    expect(backup.savedAt).toBe(19);
    expect(existsSync(join(home, 'state.json.tmp'))).toBe(false);
  });

  it("serializes the state when called: a change of the caller's objects afterwards is not written", async () => {
    const home = harness.home();
    const saved = state(home, ['api']);
    const writing = writeState(home, saved);
    saved.apps[0]!.spec.name = 'changed';
    await writing;
    expect((await readState(home)).state!.apps[0]!.spec.name).toBe('api');
  });

  it('refuses to write through a symbolic link planted at the temp path, and the next write works', async () => {
    const home = harness.home();
    const target = join(home, 'elsewhere');
    writeFileSync(target, 'untouched');
    symlinkSync(target, join(home, 'state.json.tmp'));
    await writeState(home, state(home, ['api']));
    expect(readFileSync(target, 'utf8')).toBe('untouched');
    expect((await readState(home)).state!.apps[0]!.spec.name).toBe('api');
  });

  it('fails a save with IO_ERROR naming the file and why, removes its temp file and leaves the state as it was', async () => {
    const home = harness.home();
    await writeState(home, state(home, ['api'], 1));
    await writeState(home, state(home, ['api'], 2));
    const backup = readFileSync(join(home, 'state.json.bak'), 'utf8');
    // state.json replaced by a directory: neither rotated into the backup nor renamed over
    unlinkSync(join(home, 'state.json'));
    mkdirSync(join(home, 'state.json', 'inside'), { recursive: true });
    const failed = await writeState(home, state(home, ['api', 'web'], 3)).catch((error: unknown) => error);
    expect(failed).toMatchObject({ code: ErrorCodes.IO_ERROR });
    expect((failed as Error).message).toMatch(
      /^cannot save the state to .*state\.json: .*; the saved state is unchanged \(fix this, then save again\)$/,
    );
    // the temp file used to stay behind (on a full disk, holding on to the space that is missing),
    // and the backup was removed before its replacement could be made
    expect(readdirSync(home).sort()).toEqual(['state.json', 'state.json.bak']);
    expect(readFileSync(join(home, 'state.json.bak'), 'utf8')).toBe(backup);
  });

  it('keeps each process history through a write and a read', async () => {
    const home = harness.home();
    const saved = state(home, ['api']);
    saved.apps[0]!.history = [
      {
        restarts: 2,
        // the restarts velos reset took off, which velos_process_restart_total counts on
        restartsCleared: 5,
        requestedRestarts: 1,
        unstableRestarts: 1,
        backoffMs: 150,
        errored: true,
        createdAt: 1_700_000_000_000,
        lastStartedAt: 1_700_000_005_000,
        exitCode: 1,
        signal: null,
        lastExitReason: 'crash',
      },
    ];
    await writeState(home, saved);
    expect((await readState(home)).state).toEqual(saved);
  });

  it('keeps the unknown exit of a re-adopted run (SUP-13) through a write and a read', async () => {
    const home = harness.home();
    const saved = state(home, ['api']);
    saved.apps[0]!.history = [
      {
        restarts: 0,
        requestedRestarts: 0,
        unstableRestarts: 0,
        backoffMs: 0,
        errored: false,
        createdAt: 1_700_000_000_000,
        lastStartedAt: 1_700_000_005_000,
        exitCode: null,
        signal: null,
        lastExitReason: 'unknown',
      },
    ];
    await writeState(home, saved);
    expect((await readState(home)).state).toEqual(saved);
  });

  it('saves a primary-exit as a crash for earlier versions, the exact reason beside it, and reads it back (SUP-5)', async () => {
    const home = harness.home();
    const history: SavedHistory = {
      restarts: 1,
      requestedRestarts: 0,
      unstableRestarts: 0,
      backoffMs: 0,
      errored: false,
      createdAt: 1_700_000_000_000,
      lastStartedAt: 1_700_000_005_000,
      exitCode: null,
      signal: null,
      lastExitReason: 'primary-exit',
    };
    const saved = state(home, ['api']);
    saved.apps[0]!.history = [fileHistory(history)];
    await writeState(home, saved);
    // an earlier Velos refuses a file whose lastExitReason it does not know (and restores nothing)
    const onDisk = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')) as SavedState;
    expect(onDisk.apps[0]!.history![0]).toMatchObject({
      lastExitReason: 'crash',
      newerExitReason: 'primary-exit',
    });
    expect((await readState(home)).state!.apps[0]!.history).toEqual([history]);
    // a reason of a later version, unknown here, leaves the stand-in
    const later = { ...onDisk.apps[0]!.history![0], newerExitReason: 'a-later-reason' };
    const parsed = parseState({ ...onDisk, apps: [{ ...onDisk.apps[0], history: [later] }] });
    expect(parsed.apps[0]!.history![0]!.lastExitReason).toBe('crash');
    // a reason every version knows is saved as it is, with nothing beside it
    expect(fileHistory({ ...history, lastExitReason: 'unknown' })).toEqual({
      ...history,
      lastExitReason: 'unknown',
    });
  });

  it('loads a state file written before histories were kept (no history field)', async () => {
    const home = harness.home();
    const old = {
      version: 1,
      savedAt: 5,
      nextId: 1,
      apps: [{ spec: { name: 'old', script: 'old.js', cwd: '/srv' }, ids: [0], running: true }],
    };
    writeFileSync(join(home, 'state.json'), JSON.stringify(old));
    const read = await readState(home);
    expect(read.warnings).toEqual([]);
    expect(read.state!.apps[0]).toMatchObject({ ids: [0], running: true });
    expect(read.state!.apps[0]!.history).toBeUndefined();
    expect('history' in read.state!.apps[0]!).toBe(false);
  });

  it('rejects a history of the wrong shape, naming the field', () => {
    const app = (history: unknown) => ({
      version: 1,
      apps: [{ spec: { name: 'x', script: 'y', cwd: '/' }, ids: [0, 1], history }],
    });
    const entry = { restarts: 1, unstableRestarts: 0, createdAt: 10 };
    expect(() => parseState(app([entry]))).toThrow(/apps\[0\]\.history: expected one entry per id \(2\)/);
    expect(() => parseState(app([entry, { ...entry, restarts: -1 }]))).toThrow(
      /apps\[0\]\.history\[1\]\.restarts: expected a count/,
    );
    expect(() => parseState(app([entry, { ...entry, createdAt: 'now' }]))).toThrow(/history\[1\]\.createdAt/);
    expect(() => parseState(app([entry, { ...entry, lastExitReason: 'bored' }]))).toThrow(
      expect.objectContaining({
        code: ErrorCodes.STATE_CORRUPT,
        message: expect.stringMatching(/lastExitReason/),
      }),
    );
    expect(() => parseState(app([entry, 3]))).toThrow(/history\[1\]: expected an object/);
    expect(() => parseState(app([entry, { ...entry, errored: 'yes' }]))).toThrow(
      /history\[1\]\.errored: expected true or false/,
    );
    expect(() => parseState(app([entry, { ...entry, stopped: 1 }]))).toThrow(
      /history\[1\]\.stopped: expected true or false/,
    );
    expect(() => parseState(app([entry, { ...entry, restartsCleared: -2 }]))).toThrow(
      /history\[1\]\.restartsCleared: expected a count/,
    );
    expect('restartsCleared' in parseState(app([entry, entry])).apps[0]!.history![1]!).toBe(false);
    // an instance stopped while its app ran is read back so (absent: false, not written)
    expect(parseState(app([entry, { ...entry, stopped: true }])).apps[0]!.history![1]!.stopped).toBe(true);
    expect('stopped' in parseState(app([entry, entry])).apps[0]!.history![1]!).toBe(false);
    expect(() => parseState(app([entry, { ...entry, backoffMs: 1.5 }]))).toThrow(
      /history\[1\]\.backoffMs: expected milliseconds/,
    );
    expect(() => parseState(app([entry, { ...entry, requestedRestarts: -1 }]))).toThrow(
      /history\[1\]\.requestedRestarts: expected a count/,
    );
    // absent optional fields read as null; a file of an earlier version has no back-off, no errored and
    // no requested restarts
    expect(parseState(app([entry, entry])).apps[0]!.history![1]).toEqual({
      ...entry,
      requestedRestarts: 0,
      backoffMs: 0,
      errored: false,
      lastStartedAt: null,
      exitCode: null,
      signal: null,
      lastExitReason: null,
    });
  });

  it('rejects documents of the wrong shape and fills spec defaults', () => {
    expect(() => parseState({ version: 1 })).toThrow(
      expect.objectContaining({ code: ErrorCodes.STATE_CORRUPT }),
    );
    // a file of a newer Velos (after a downgrade) says so, not which shape it lacks
    expect(() => parseState({ version: 2, apps: [] })).toThrow(
      'written by a newer Velos (state version 2; this one reads version 1)',
    );
    expect(() => parseState({ version: 1, apps: [{ spec: { name: 'x' }, ids: [0] }] })).toThrow(
      /apps\[0\]\.spec/,
    );
    expect(() =>
      parseState({ version: 1, apps: [{ spec: { name: 'x', script: 'y', cwd: '/' }, ids: [] }] }),
    ).toThrow(/apps\[0\]\.ids/);
    const parsed = parseState({
      version: 1,
      apps: [{ spec: { name: 'x', script: 'y', cwd: '/' }, ids: [4, 5] }],
    });
    expect(parsed.nextId).toBe(6);
    expect(parsed.apps[0]!.spec).toMatchObject({ instances: 2, autorestart: true, env: {}, args: [] });
  });
});
