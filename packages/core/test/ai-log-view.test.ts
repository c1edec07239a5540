import { describe, expect, it } from 'vitest';
import { toAiLogSummary, toAiLogView } from '../src/ai.js';
import type { LogPatternInfo, LogsAnalyzeResult } from '../src/log-analysis.js';

const AT = Date.parse('2026-12-01T10:00:00.000Z');

const PATTERNS: LogPatternInfo[] = [
  { id: 1, template: 'GET <path>', count: 8, level: 'info', trend: 'stable', perMin: 4.04, sample: 'GET /' },
  {
    id: 2,
    template: 'timeout <dur>',
    count: 2,
    level: 'error',
    trend: 'rising',
    first: AT,
    last: AT + 1000,
    sample: 'timeout 5s',
    frame: 'at fetch (/srv/app.js:3:1)',
    apps: ['api', 'worker'],
  },
];

function result(overrides: Partial<LogsAnalyzeResult>): LogsAnalyzeResult {
  return {
    app: 'api',
    view: 'patterns',
    scanned: { lines: 10, files: ['/home/me/.velos/logs/api-out.log'] },
    analyzedLines: 10,
    sampleRate: 1,
    text: '8× GET <path>',
    ...overrides,
  };
}

describe('toAiLogView (velos logs --patterns/--dedupe/--anomalies --ai)', () => {
  it('writes the patterns as log_summary writes its top templates, the lines read as n', () => {
    const view = toAiLogView(result({ patterns: PATTERNS, omitted: 3 }), 'all');
    expect(view).toEqual({
      app: 'api',
      per: 'all',
      n: 10,
      top: [
        { t: 'GET <path>', c: 8, l: 'info', pm: 4 },
        {
          t: 'timeout <dur>',
          c: 2,
          l: 'error',
          tr: 'rising',
          fr: 'at fetch (/srv/app.js:3:1)',
          a: ['api', 'worker'],
        },
      ],
      omitted: 3,
    });
    // the same templates in a summary have the same keys
    const summary = toAiLogSummary(
      result({
        view: 'summary',
        summary: { lines: 10, levels: {}, health: 90, templates: 2, top: PATTERNS, anomalies: [] },
      }),
      'all',
    );
    expect(summary.top).toEqual(view.top);
  });

  it('writes collapsed lines and anomalies in short keys, ISO times, and how the lines were read', () => {
    const dedupe = toAiLogView(
      result({
        view: 'dedupe',
        sharedBy: [0, 1],
        dedupe: [
          { template: 'GET <path>', count: 8, level: 'info', first: AT, last: AT + 60_000, line: 'GET /' },
        ],
        scanned: { lines: 10, files: [], isPartial: true, readFrom: AT },
      }),
      3_600_000,
    );
    expect(dedupe).toEqual({
      app: 'api',
      shared: [0, 1],
      per: '1h',
      n: 10,
      dd: [
        {
          t: 'GET <path>',
          c: 8,
          l: 'info',
          m: 'GET /',
          first: '2026-12-01T10:00:00.000Z',
          last: '2026-12-01T10:01:00.000Z',
        },
      ],
      partial: true,
      readFrom: '2026-12-01T10:00:00.000Z',
    });
    const anomalies = toAiLogView(
      result({
        view: 'anomalies',
        anomalies: [{ at: AT, metric: 'errorRate', value: 40, mean: 2.345, z: 5.06, severity: 'critical' }],
      }),
      undefined,
    );
    expect(anomalies).toEqual({
      app: 'api',
      n: 10,
      an: [{ at: '2026-12-01T10:00:00.000Z', k: 'errorRate', v: 40, mean: 2.3, z: 5.1, sev: 'critical' }],
    });
    expect(toAiLogView(result({ view: 'anomalies', anomalies: [] }), 'all')).toEqual({
      app: 'api',
      per: 'all',
      n: 10,
    });
  });
});
