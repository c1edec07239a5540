import { describe, expect, it } from 'vitest';
import { idsOfApp } from '../src/commands/id.js';
import { processesOf } from '../src/commands/pid.js';
import { processInfo } from './sample-processes.js';

// `café` as the daemon stores it (NFC) and as a shell or a script may spell it (e + combining accent)
const NFC = 'caf\u00e9';
const NFD = 'cafe\u0301';
const processes = [
  processInfo({ id: 0, name: 'api', pid: 100 }),
  processInfo({ id: 3, name: NFC, pid: 103 }),
  processInfo({ id: 4, name: NFC, pid: null, status: 'stopped' }),
];

describe('velos id and pid match names as every target is matched', () => {
  it('id: the ids of an app, whichever Unicode spelling names it; none for another name', () => {
    expect(idsOfApp(processes, NFC)).toEqual([3, 4]);
    expect(idsOfApp(processes, NFD)).toEqual([3, 4]);
    expect(idsOfApp(processes, 'nope')).toEqual([]);
  });

  it('pid: the processes of an app in either spelling, of an id, or all', () => {
    expect(processesOf(processes, NFD).map((p) => p.id)).toEqual([3, 4]);
    expect(processesOf(processes, '0').map((p) => p.id)).toEqual([0]);
    expect(processesOf(processes, undefined)).toHaveLength(3);
    expect(processesOf(processes, 'nope')).toEqual([]);
  });
});
