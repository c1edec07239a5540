import { describe, expect, it } from 'vitest';
import { createExportFailureLog, FAILURE_LOG_INTERVAL_MS } from '../src/export-failure-log.js';

describe('createExportFailureLog', () => {
  it('logs the first failure, then one line per window with a count, then the recovery', () => {
    const lines: string[] = [];
    let now = 0;
    const failures = createExportFailureLog(
      (line) => lines.push(line),
      'metrics',
      'http://c/v1/metrics',
      () => now,
    );
    failures.succeeded();
    failures.failed(new Error('connect ECONNREFUSED'));
    for (let i = 0; i < 5; i++) {
      now += 1000;
      failures.failed(new Error('connect ECONNREFUSED'));
    }
    expect(lines).toEqual([
      expect.stringContaining('metrics export to http://c/v1/metrics failed: connect ECONNREFUSED'),
    ]);
    now += FAILURE_LOG_INTERVAL_MS;
    failures.failed('Service Unavailable');
    expect(lines[1]).toContain('Service Unavailable (5 more failed since the last line)');
    failures.succeeded();
    failures.succeeded();
    expect(lines.slice(2)).toEqual(['otlp: metrics export to http://c/v1/metrics works again']);
  });
});
