import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  claimPrimarySlot,
  readPrimaryEntries,
  recordPrimary,
  releasePrimarySlot,
  sweepPrimarySockets,
} from '../src/orphans/primary-registry.js';
import { Harness } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

describe('the cluster primary registry (SUP-13)', () => {
  it('hands out free slots, writes 0600 entries a later daemon reads, and frees a slot with its files', () => {
    const runDir = join(harness.home(), 'run');
    const first = claimPrimarySlot(runDir);
    const second = claimPrimarySlot(runDir);
    expect([first.n, second.n]).toEqual([0, 1]);
    expect(first.socket).toBe(join(runDir, 'cluster-0.sock'));
    recordPrimary(runDir, {
      n: 1,
      name: 'web',
      pid: 4242,
      startTicks: 7,
      startedAt: 1000,
      socket: second.socket,
    });
    expect(statSync(join(runDir, 'cluster-1.json')).mode & 0o777).toBe(0o600);
    expect(readPrimaryEntries(runDir)).toEqual([
      {
        n: 1,
        name: 'web',
        pid: 4242,
        startTicks: 7,
        startedAt: 1000,
        spawnedBy: process.pid,
        socket: second.socket,
      },
    ]);
    releasePrimarySlot(runDir, 0);
    releasePrimarySlot(runDir, 1);
    expect(readPrimaryEntries(runDir)).toEqual([]);
    expect(claimPrimarySlot(runDir).n).toBe(0);
    releasePrimarySlot(runDir, 0);
  });

  it('skips torn entries and sweeps the sockets of primaries that are gone', () => {
    const runDir = join(harness.home(), 'run');
    const { n } = claimPrimarySlot(runDir);
    writeFileSync(join(runDir, `cluster-${n}.json`), '{"name":"web","pid":');
    writeFileSync(join(runDir, 'cluster-5.sock'), '');
    writeFileSync(join(runDir, 'c6'), '');
    writeFileSync(join(runDir, 'cluster-7.sock'), '');
    expect(readPrimaryEntries(runDir)).toEqual([]);
    sweepPrimarySockets(runDir, new Set([7]));
    expect(() => statSync(join(runDir, 'cluster-5.sock'))).toThrow();
    expect(() => statSync(join(runDir, 'c6'))).toThrow();
    expect(statSync(join(runDir, 'cluster-7.sock')).isFile()).toBe(true);
    releasePrimarySlot(runDir, n);
  });

  it('names the socket run/c<n> when the home is too long for run/cluster-<n>.sock', () => {
    const home = harness.home();
    const runDir = join(
      home,
      'x'.repeat(Math.max(1, 106 - Buffer.byteLength(join(home, 'run/cluster-0.sock')))),
      'run',
    );
    const { n, socket } = claimPrimarySlot(runDir);
    expect(socket).toBe(join(runDir, `c${n}`));
    expect(Buffer.byteLength(socket)).toBeLessThanOrEqual(103);
    releasePrimarySlot(runDir, n);
  });
});
