import { afterEach, describe, expect, it } from 'vitest';
import { createMonitor } from '../src/monitor.js';
import { toInfo } from '../src/process-record.js';
import { ProcessTable } from '../src/process-table.js';
import { appSpec, Harness } from './helpers.js';

const harness = new Harness();
const tables: ProcessTable[] = [];
afterEach(async () => {
  for (const table of tables.splice(0))
    for (const record of table.records.values()) await record.pipeline.close().catch(() => undefined);
  await harness.cleanup();
});

describe("a process's CPU and memory figures", () => {
  it('belong to the run they were sampled for: a new run shows none until its first sample', () => {
    const home = harness.home();
    const table = new ProcessTable(home, () => undefined);
    tables.push(table);
    const entry = table.add(appSpec(home, { name: 'api', script: 'silent.js' }));
    const record = table.records.get(entry.ids[0]!)!;
    // this test process stands for the run: the monitor samples its real figures
    record.pid = process.pid;
    record.startedAt = Date.now();
    const monitor = createMonitor({ intervalMs: 60_000, targets: () => [record] });
    monitor.sample();
    monitor.stop();
    expect(toInfo(record).memory).toBeGreaterThan(0);

    // the run ended and the next one began (a restart) before the next sample
    record.pid = process.pid + 1;
    expect(toInfo(record)).toMatchObject({ pid: process.pid + 1, memory: 0, cpu: 0 });
    expect(record.memoryPeak).toBeGreaterThan(0);
  });
});
