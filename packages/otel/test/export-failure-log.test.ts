import { describe, expect, it } from 'vitest';
import {
  createExportFailureLog,
  describeExportError,
  FAILURE_LOG_INTERVAL_MS,
} from '../src/export-failure-log.js';

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

describe('describeExportError', () => {
  /** The shape of the SDK's OTLPExporterError for an HTTP answer: status text, status code, body. */
  const httpError = (message: string, code: number, data: string) =>
    Object.assign(new Error(message), { code, data });

  it('names the HTTP status and quotes the collector’s answer on one line (it said only "Bad Request")', () => {
    expect(describeExportError(httpError('Bad Request', 400, '{"code":3,\n"message":"bad\tthings"}'))).toBe(
      'HTTP 400 Bad Request: {"code":3, "message":"bad things"}',
    );
    expect(describeExportError(httpError('Unauthorized', 401, ''))).toBe('HTTP 401 Unauthorized');
    const long = describeExportError(httpError('Payload Too Large', 413, 'x'.repeat(5000)));
    expect(long).toBe(`HTTP 413 Payload Too Large: ${'x'.repeat(200)}…`);
  });

  it('keeps a network error as it is', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4318'), { code: 'ECONNREFUSED' });
    expect(describeExportError(refused)).toBe('connect ECONNREFUSED 127.0.0.1:4318');
    expect(describeExportError('Service\nUnavailable')).toBe('Service Unavailable');
    expect(describeExportError(undefined)).toBe('unknown error');
  });

  it('says what the SDK means by a retryable status, which it gives without the status', () => {
    expect(describeExportError(new Error('Export failed with retryable status'))).toBe(
      'the collector answered HTTP 429, 502, 503 or 504 (busy or unavailable) to the request and its retries',
    );
  });
});
