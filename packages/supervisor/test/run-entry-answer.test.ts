import { appendFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  closeRunJournal,
  journalRunStart,
  RUN_JOURNAL_FILE,
  readRunJournal,
} from '../src/orphans/run-journal.js';
import type { RunEntry } from '../src/orphans/run-registry.js';
import { readProcStat } from '../src/proc-scan.js';
import { createSupervisor } from '../src/supervisor.js';
import { appSpec, Harness, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

/** The run journal's line for process `id` and `pid`, read at once after the answer (no wait). */
function expectJournaled(home: string, id: number, pid: number | null): void {
  expect(pid).toBeGreaterThan(0);
  const lines = readRunJournal(join(home, 'run')).filter((entry) => entry.id === id && entry.pid === pid);
  expect(lines).toEqual([
    expect.objectContaining({ id, pid, startTicks: readProcStat(pid!)!.startTicks, spawnedBy: process.pid }),
  ]);
}

/**
 * SUP-13: a (re)start answers once the runs it made are in the run journal. Their run entries are
 * written from an immediate after the answer: a daemon SIGKILLed within those milliseconds left the
 * new run unregistered, and the next daemon stopped it as a stray and started the app again.
 */
describe('the runs of a (re)start are in the run journal when it is answered (SUP-13)', () => {
  it('start, restart, reload and scale', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    const [started] = await supervisor.start([appSpec(home, { name: 'app' })]);
    expectJournaled(home, 0, started!.pid);

    const [restarted] = await supervisor.restart('app');
    expect(restarted!.pid).not.toBe(started!.pid);
    expectJournaled(home, 0, restarted!.pid);

    const [reloaded] = await supervisor.reload('app');
    expect(reloaded!.pid).not.toBe(restarted!.pid);
    expectJournaled(home, 0, reloaded!.pid);

    const scaled = await supervisor.scale('app', '2');
    expect(scaled.map((row) => row.id)).toEqual([0, 1]);
    expectJournaled(home, 1, scaled[1]!.pid);

    // a restart of a stopped app starts it: its runs are journaled too
    await supervisor.stop('app');
    const again = await supervisor.restart('app');
    for (const row of again) expectJournaled(home, row.id, row.pid);
  });
});

/**
 * SUP-13: a run the daemon starts by itself (a crash restart here; a cron or watch restart, a job, a
 * restore go the same way) is journaled at its spawn too. Only the runs of a (re)start command were:
 * a daemon killed between a crash restart's spawn and its run entry's write left the new run to be
 * stopped as a stray by the next daemon.
 */
describe('a crash restart', () => {
  it('has its new run in the run journal as it goes online, before its run entry is written', async () => {
    const home = harness.home();
    const runDir = join(home, 'run');
    const supervisor = harness.track(createSupervisor({ home }));
    // what the journal and the run entry file held the instant each run went online
    const seen: { journal: RunEntry[]; entry: string }[] = [];
    supervisor.statusEvents.subscribe((event) => {
      if (event.to !== 'online') return;
      const entryPath = join(runDir, `${event.id}.json`);
      seen.push({
        journal: readRunJournal(runDir),
        entry: existsSync(entryPath) ? readFileSync(entryPath, 'utf8') : '',
      });
    });
    const marker = join(home, 'crashed');
    const [started] = await supervisor.start([
      appSpec(home, {
        name: 'app',
        script: 'crash-then-run.js',
        args: [marker],
        env: { CRASH_AFTER_MS: '50' },
      }),
    ]);
    const restarted = await waitFor(async () => {
      const info = (await supervisor.list())[0]!;
      return info.restarts === 1 && info.status === 'online' ? info : null;
    });
    expect(restarted.pid).not.toBe(started!.pid);
    expect(seen).toHaveLength(2);
    // the entry file still named the crashed run (or none): only the journal had the new one
    expect(seen[1]!.entry).not.toContain(`"pid":${restarted.pid},`);
    expect(seen[1]!.journal.filter((entry) => entry.pid === restarted.pid)).toEqual([
      {
        id: 0,
        name: 'app',
        pid: restarted.pid,
        startTicks: readProcStat(restarted.pid!)!.startTicks,
        startedAt: expect.any(Number),
        spawnedBy: process.pid,
      },
    ]);
  });
});

describe('the run journal (SUP-13)', () => {
  it('is compacted past 64 KiB to the lines whose run entries may not be on disk yet, and skips torn lines', async () => {
    const runDir = join(harness.home(), 'run');
    const path = join(runDir, RUN_JOURNAL_FILE);
    const run = (id: number) => ({ id, name: 'app', pid: process.pid, startedAt: Date.now() });
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const startTicks = readProcStat(process.pid)!.startTicks;
    do expect(journalRunStart(runDir, run(3), log)).toBe(startTicks);
    while (statSync(path).size <= 64 * 1024);
    // appended while the compaction waits for the run entries: kept, and the compaction still happens
    // (it waited for a turn with no append: a daemon restarting often enough never had one)
    journalRunStart(runDir, run(4), log);
    journalRunStart(runDir, run(5), log);
    await waitFor(() => statSync(path).size < 1024, { what: 'the journal to be compacted', timeoutMs: 2000 });
    expect(readRunJournal(runDir).map((entry) => entry.id)).toEqual([3, 4, 5]);
    // the next append goes to the compacted journal
    journalRunStart(runDir, run(6), log);
    appendFileSync(path, '{"id":7,"name":"ap');
    expect(readRunJournal(runDir).map((entry) => [entry.id, entry.pid])).toEqual([
      [3, process.pid],
      [4, process.pid],
      [5, process.pid],
      [6, process.pid],
    ]);
    expect(lines).toEqual([]);
    closeRunJournal(runDir);
  });
});
