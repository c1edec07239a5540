import type { JobRun } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { createColors } from '../src/output/colors.js';
import { renderRunTable } from '../src/output/job-runs.js';
import { renderProcessDetails } from '../src/output/process-detail.js';
import { processDetail } from './sample-processes.js';

const plain = createColors(false);
const interrupted: JobRun = {
  seq: 7,
  pid: 4242,
  startedAt: Date.UTC(2026, 11, 2, 1, 0, 0),
  endedAt: null,
  exitCode: null,
  signal: null,
  outcome: 'interrupted',
  trigger: 'interval',
};

describe('velos describe and runs: a run cut short by a daemon crash (issue #15)', () => {
  it('shows it as interrupted with no end, not as running', () => {
    const base = processDetail({
      type: 'job',
      job: { lastRun: interrupted, nextRunAt: null, runs: 7, skipped: 0 },
    });
    const job = { ...base, spec: { ...base.spec, type: 'job' as const, intervalMs: 60_000 } };
    const text = renderProcessDetails([job], plain);
    expect(text).toMatch(/^ {2}last run +#7 interrupted \(-, end unknown, started /m);
    expect(text).not.toMatch(/running/);
    const table = renderRunTable([{ ...interrupted, id: 0, name: 'job' }], plain);
    expect(table).toMatch(/^ +7 +2026-12-02 \d\d:00:00 +- +- +interrupted +interval +4242$/m);
  });

  it('says the exit of a run a new daemon took over and saw end is unknown (outcome unknown)', () => {
    const run: JobRun = { ...interrupted, endedAt: interrupted.startedAt + 1500, outcome: 'unknown' };
    const base = processDetail({
      type: 'job',
      job: { lastRun: run, nextRunAt: null, runs: 7, skipped: 0 },
    });
    const job = { ...base, spec: { ...base.spec, type: 'job' as const, intervalMs: 60_000 } };
    // it said `(-, took 1.5s, …)`, as if the run had no exit at all
    expect(renderProcessDetails([job], plain)).toMatch(
      /^ {2}last run +#7 unknown \(exit unknown, took 1\.5s, started /m,
    );
  });
});
