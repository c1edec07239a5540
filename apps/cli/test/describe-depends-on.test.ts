import type { Dependency } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { createColors } from '../src/output/colors.js';
import { renderProcessDetails, toAiDetail } from '../src/output/process-detail.js';
import { processDetail } from './sample-processes.js';

const plain = createColors(false);

const DEPENDENCIES: Dependency[] = [
  { name: 'db', condition: 'healthy' },
  { name: 'migrate', condition: 'completed_successfully' },
];

describe('velos describe: depends_on (SUP-12)', () => {
  it('lists the dependencies with their conditions, in text as in --ai', () => {
    const base = processDetail();
    const api = { ...base, spec: { ...base.spec, dependsOn: DEPENDENCIES } };
    expect(renderProcessDetails([api], plain)).toMatch(
      /^ {2}depends on +db \(healthy\), migrate \(completed_successfully\)$/m,
    );
    expect(toAiDetail(api).dep).toEqual({ db: 'healthy', migrate: 'completed_successfully' });
    // without any, no row
    expect(renderProcessDetails([base], plain)).not.toMatch(/depends on/);
  });

  it('says that an app held back by its dependencies waits for them (starting, no pid)', () => {
    const base = processDetail({ status: 'starting', pid: null, startedAt: null, uptime: 0 });
    const waiting = { ...base, spec: { ...base.spec, dependsOn: DEPENDENCIES } };
    expect(renderProcessDetails([waiting], plain)).toMatch(
      /^ {2}depends on +db \(healthy\), migrate \(completed_successfully\): waiting until they are met$/m,
    );
  });

  it('names the dependencies not met yet and where they stand, in text as in --ai', () => {
    const base = processDetail({ status: 'starting', pid: null, startedAt: null, uptime: 0 });
    const waiting = {
      ...base,
      spec: { ...base.spec, dependsOn: DEPENDENCIES },
      waitingFor: [
        { name: 'db', condition: 'healthy' as const, state: 'online, not ready (readiness: HTTP 503)' },
      ],
    };
    expect(renderProcessDetails([waiting], plain)).toMatch(
      /^ {2}waiting for +db \(healthy\): online, not ready \(readiness: HTTP 503\)$/m,
    );
    expect(toAiDetail(waiting).wait).toEqual({ db: 'online, not ready (readiness: HTTP 503)' });
    // none once it runs
    expect(renderProcessDetails([{ ...waiting, status: 'online', pid: 4242 }], plain)).not.toMatch(
      /waiting for/,
    );
  });
});
