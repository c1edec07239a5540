import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HISTORY_FILE } from '../../src/metrics/history-control.js';
import { readHistoryFile, writeHistoryFile } from '../../src/metrics/history-file.js';
import { HistoryStore } from '../../src/metrics/history-store.js';

const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);
const homes: string[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

function pathInHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'velos-history-'));
  homes.push(home);
  return join(home, HISTORY_FILE);
}

function filled(): HistoryStore {
  const store = new HistoryStore(2000);
  for (let i = 0; i < 2000; i += 1) {
    const at = T0 + i * 2000;
    store.add(1, 'api', at, { isRunning: true, cpu: i % 100, memory: 1e6 + i, restarts: 2, logLines: i * 3 });
    store.add(2, 'worker', at, { isRunning: i % 10 !== 0, cpu: 1, memory: 2e6, restarts: 0, logLines: 0 });
  }
  return store;
}

describe('history file', () => {
  it('brings every series back as it was, by id and name only, in a 0600 file', () => {
    const path = pathInHome();
    const store = filled();
    writeHistoryFile(path, store);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const copy = new HistoryStore(2000);
    expect(readHistoryFile(path, copy, (id, name) => id === 1 && name === 'api')).toBe(1);
    const now = T0 + 5000 * 1000;
    const labels = [{ id: 1, name: 'api', instance: 0, namespace: 'default' }];
    expect(copy.query(labels, {}, now)).toEqual(store.query(labels, {}, now));
    expect(copy.series.has(2)).toBe(false);
    // the copy goes on where the original stopped (a gap marks the pause)
    copy.add(1, 'api', now, { isRunning: true, cpu: 42, memory: 5, restarts: 3, logLines: 0 });
    const [history] = copy.query(labels, {}, now + 1000);
    expect(history!.cpu.slice(-2)).toEqual([null, 42]);
  });

  it('refuses a corrupt or truncated file with an error, and never writes through a symbolic link', () => {
    const path = pathInHome();
    writeFileSync(path, 'not a history');
    expect(() => readHistoryFile(path, new HistoryStore(2000), () => true)).toThrow(/not a Velos history/);
    writeHistoryFile(path, filled());
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 10));
    expect(() => readHistoryFile(path, new HistoryStore(2000), () => true)).toThrow(/bytes where the header/);
    const target = `${path}.target`;
    writeFileSync(target, 'keep');
    rmSync(path);
    symlinkSync(target, path);
    expect(() => readHistoryFile(path, new HistoryStore(2000), () => true)).toThrow();
    writeHistoryFile(path, filled());
    expect(readFileSync(target, 'utf8')).toBe('keep');
    expect(statSync(path).isFile()).toBe(true);
  });
});
