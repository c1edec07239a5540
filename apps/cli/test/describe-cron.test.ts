import { describe, expect, it } from 'vitest';
import { createColors } from '../src/output/colors.js';
import { renderProcessDetails, toAiDetail } from '../src/output/process-detail.js';
import { processDetail } from './sample-processes.js';

const plain = createColors(false);

describe('velos describe: cron expressions (issue #19)', () => {
  it("shows a service's cron_restart expression, in text and --ai", () => {
    const base = processDetail();
    const nightly = { ...base, spec: { ...base.spec, cronRestart: '0 3 * * *' } };
    expect(renderProcessDetails([nightly], plain)).toMatch(/^ {2}cron restart +0 3 \* \* \*$/m);
    expect(toAiDetail(nightly).cron).toBe('0 3 * * *');
    // without one, no row and no key
    expect(renderProcessDetails([base], plain)).not.toMatch(/cron restart/);
    expect(toAiDetail(base)).not.toHaveProperty('cron');
  });

  it("shows a job's schedule or interval in --ai as in text", () => {
    const base = processDetail({ type: 'job', job: { lastRun: null, nextRunAt: null, runs: 0, skipped: 0 } });
    const cron = { ...base, spec: { ...base.spec, type: 'job' as const, schedule: '*/5 * * * *' } };
    expect(renderProcessDetails([cron], plain)).toMatch(/^ {2}job +schedule \*\/5 \* \* \* \*, no timeout/m);
    expect(toAiDetail(cron).j).toMatchObject({ sch: '*/5 * * * *' });
    const every = { ...base, spec: { ...base.spec, type: 'job' as const, intervalMs: 30 * 86_400_000 } };
    expect(toAiDetail(every).j).toMatchObject({ every: '30d' });
  });
});
