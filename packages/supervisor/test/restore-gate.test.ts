import { ErrorCodes, VelosError } from '@velos/core';
import { describe, expect, it } from 'vitest';
import type { CommandDispatcher } from '../src/ipc-server.js';
import { createRestoreGate } from '../src/restore-gate.js';

const inner: CommandDispatcher = {
  isStream: (cmd) => cmd === 'logs.follow',
  request: async (cmd) => (cmd === 'ping' ? { pid: 1 } : { answered: cmd }),
  stream: async () => () => undefined,
};

describe('createRestoreGate', () => {
  it('answers ping at once with restoring: true and holds other commands until it opens', async () => {
    const gate = createRestoreGate(inner);
    expect(await gate.dispatcher.request('ping', {})).toEqual({ pid: 1, restoring: true });
    expect(await gate.dispatcher.request('health', {})).toEqual({ answered: 'health' });
    let isAnswered = false;
    const list = gate.dispatcher.request('list', {}).then((answer) => {
      isAnswered = true;
      return answer;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(isAnswered).toBe(false);
    gate.open();
    expect(await list).toEqual({ answered: 'list' });
    expect(await gate.dispatcher.request('ping', {})).toEqual({ pid: 1 });
    expect(gate.dispatcher.isStream('logs.follow')).toBe(true);
  });

  it('refuses held and later commands with the error of a failed restore', async () => {
    const gate = createRestoreGate(inner);
    const held = gate.dispatcher.request('list', {});
    const failure = new VelosError(ErrorCodes.DAEMON_START_FAILED, 'the restore failed');
    gate.fail(failure);
    await expect(held).rejects.toBe(failure);
    await expect(gate.dispatcher.stream('logs.follow', {}, { push() {}, end() {} })).rejects.toBe(failure);
    expect(await gate.dispatcher.request('ping', {})).toEqual({ pid: 1 });
    await gate.settled;
  });
});
