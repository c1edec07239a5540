import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROTOCOL_COMMANDS } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { validatePayload } from '../src/command-handlers.js';
import { createSupervisor } from '../src/supervisor.js';
import { appSpec, Harness } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

describe('save with no process listed (as PM2, refused unless forced)', () => {
  it('is refused and keeps the saved list; force writes the empty list', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home, log: () => undefined }));
    // listed stopped: no process to spawn
    await supervisor.start([appSpec(home, { name: 'kept', autostart: false })]);
    expect(await supervisor.save()).toMatchObject({ count: 1 });
    const state = join(home, 'state.json');
    const saved = readFileSync(state, 'utf8');
    await supervisor.delete('kept');

    await expect(supervisor.save()).rejects.toMatchObject({
      code: 'NOTHING_TO_SAVE',
      message: `nothing to save: no process is listed, so ${state} is left as it is (save --force writes the empty list)`,
    });
    await expect(supervisor.save({ force: false })).rejects.toMatchObject({ code: 'NOTHING_TO_SAVE' });
    expect(readFileSync(state, 'utf8')).toBe(saved);
    expect(await supervisor.save({ force: true })).toEqual({ path: state, count: 0 });
    expect(JSON.parse(readFileSync(state, 'utf8')).apps).toEqual([]);
  });

  it('sends {} unless forced, which a daemon from before force takes as it did', async () => {
    const save = PROTOCOL_COMMANDS.save;
    expect(save.toPayload()).toEqual({});
    expect(save.toPayload({ force: false })).toEqual({});
    expect(save.toPayload({ force: true })).toEqual({ force: true });
    expect(save.toArgs({})).toEqual([]);
    expect(save.toArgs({ force: true })).toEqual([{ force: true }]);
    expect(await validatePayload('save', {})).toEqual({});
    expect(await validatePayload('save', { force: true })).toEqual({ force: true });
    await expect(validatePayload('save', { force: 'yes' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});
