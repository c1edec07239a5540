import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../src/log-record.js';
import { summarize } from '../src/summarize.js';
import { formatSummary, summaryToJson } from '../src/summary-format.js';

const T0 = Date.UTC(2026, 10, 22, 10, 5, 0);
const MIN = 60_000;

/** Twenty minutes of an API: steady requests, a cache warning a minute, an outage at 10:20, a fatal end. */
function incident(): LogRecord[] {
  const records: LogRecord[] = [];
  for (let m = 0; m < 20; m++) {
    for (let i = 0; i < 10; i++) {
      records.push({ ts: T0 + m * MIN + i * 5000, line: `GET /api/items/${m * 10 + i} 200 ${i + 3}ms` });
    }
    records.push({ ts: T0 + m * MIN + 55_000, line: `WARN cache miss for key user:${m}` });
    if (m === 15) {
      for (let i = 0; i < 40; i++) {
        records.push({
          ts: T0 + m * MIN + 30_000 + i * 100,
          stream: 'err',
          line: `ERROR db query failed: connect ECONNREFUSED 10.0.0.5:5432 (attempt ${i + 1})`,
        });
      }
    }
  }
  records.push({
    ts: T0 + 19 * MIN + 59_000,
    stream: 'err',
    line: 'FATAL out of memory: heap limit reached',
  });
  return records;
}

const options = { minHistoryMinutes: 10, top: 3, lastRestart: { ts: T0 + 20 * MIN, reason: 'crash' } };

describe('summary golden output', () => {
  it('renders the text digest', () => {
    expect(formatSummary(summarize(incident(), options), { utc: true })).toBe(
      [
        '2026-11-22 10:05–10:24 UTC (19m) · 261 lines · 4 templates · health 25/100',
        'levels: 1 fatal · 40 error · 20 warn · 200 info',
        'top: 200× GET <path> <num> <dur> (10/min, stable)',
        '     40× [error] ERROR db query failed: connect ECONNREFUSED <ip> (attempt <num>) (2/min, rising)',
        '     20× [warn] WARN cache miss for key user:<num> (1/min, stable)',
        'errors: 1× [fatal] FATAL out of memory: heap limit reached (0.1/min, stable)',
        'anomalies: 10:20 volume 51/min (mean 11, critical) · 10:20 error rate 78% (mean 0%, critical)',
        'last fatal 10:24:59: FATAL out of memory: heap limit reached',
        'last restart 10:25:00 (crash)',
      ].join('\n'),
    );
  });

  it("dates a time of another day than the period's last one: a clock alone would read as that day", () => {
    const DAY = 24 * 60 * MIN;
    // the error and the restart two days before the last line, whose day the header ends with
    const records: LogRecord[] = [
      { ts: T0, line: 'GET /api/items/1 200 3ms' },
      { ts: T0 + 5 * MIN, stream: 'err', line: 'ERROR db query failed: connect ECONNREFUSED 10.0.0.5:5432' },
      { ts: T0 + 2 * DAY, line: 'GET /api/items/2 200 4ms' },
    ];
    const lines = formatSummary(summarize(records, { lastRestart: { ts: T0 + 6 * MIN, reason: 'crash' } }), {
      utc: true,
    }).split('\n');
    expect(lines[0]).toMatch(/^2026-11-22 10:05 – 2026-11-24 10:05 UTC /);
    expect(lines).toContain(
      'last error 2026-11-22 10:10:00: ERROR db query failed: connect ECONNREFUSED 10.0.0.5:5432',
    );
    expect(lines).toContain('last restart 2026-11-22 10:11:00 (crash)');
  });

  it('shows control characters of binary input as \ufffd, so the text digest never drives the terminal', () => {
    const records: LogRecord[] = [
      { ts: T0, line: 'ERROR bad frame \x00\x08\x1a end' },
      { ts: T0 + 1000, line: 'INFO tab\tkept' },
    ];
    const text = formatSummary(summarize(records), { utc: true });
    expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    expect(text).toContain('last error 10:05:00: ERROR bad frame \ufffd\ufffd\ufffd end');
  });

  it('says how many errors are of templates it does not list, so that none goes unmentioned', () => {
    const records: LogRecord[] = [];
    for (let i = 0; i < 50; i++) records.push({ ts: T0 + i * 1000, line: `GET /api/items/${i} 200 3ms` });
    // six kinds of error and a fatal, one event each (dns twice): five templates are listed, two are not
    const kinds = ['disk full', 'queue stalled', 'cache lost', 'token expired', 'cert invalid', 'dns failed'];
    for (const [i, kind] of kinds.entries())
      records.push({ ts: T0 + 60_000 + i * 1000, line: `ERROR ${kind} on node` });
    records.push(
      { ts: T0 + 70_000, line: 'FATAL kernel said no' },
      { ts: T0 + 71_000, line: 'ERROR dns failed on node' },
    );
    const summary = summarize(records, { top: 1 });
    expect(summary.levels.error + summary.levels.fatal).toBe(8);
    const text = formatSummary(summary, { utc: true }).split('\n');
    const errorLines = text.filter((line) => /^(errors:| {7}) \d+× \[(error|fatal)\]/.test(line));
    expect(errorLines).toHaveLength(5);
    // the fatal, the two dns errors and three of the others listed: the two other errors are said
    expect(text).toContain('        (+2 error events of templates not listed here)');
    // all listed: nothing said
    expect(formatSummary(summarize(records, { top: 1, errorsTop: 10 }))).not.toContain('not listed');
  });

  it('names the local zone its times are in (the daemon may run in another zone than the reader)', () => {
    const zone = process.env.TZ;
    try {
      process.env.TZ = 'Asia/Kolkata';
      expect(formatSummary(summarize(incident(), options)).split('\n')[0]).toBe(
        '2026-11-22 15:35–15:54 UTC+05:30 (19m) · 261 lines · 4 templates · health 25/100',
      );
      process.env.TZ = 'America/New_York';
      expect(formatSummary(summarize(incident(), options)).split('\n')[0]).toMatch(
        /^2026-11-22 05:05–05:24 UTC-05:00 /,
      );
      process.env.TZ = 'UTC';
      expect(formatSummary(summarize(incident(), options)).split('\n')[0]).toMatch(
        /^2026-11-22 10:05–10:24 UTC /,
      );
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('renders the compact JSON', () => {
    expect(JSON.stringify(summaryToJson(summarize(incident(), options)))).toBe(
      '{"period":{"from":"2026-11-22T10:05:00.000Z","to":"2026-11-22T10:24:59.000Z"},"lines":261,"health":25,' +
        '"templates":4,"levels":{"fatal":1,"error":40,"warn":20,"info":200},"top":[{"id":1,"template":"GET <path> ' +
        '<num> <dur>","count":200,"perMin":10.01,"trend":"stable","level":"info"},{"id":3,"template":"ERROR db ' +
        'query failed: connect ECONNREFUSED <ip> (attempt <num>)","count":40,"perMin":2,"trend":"rising","level":' +
        '"error"},{"id":2,"template":"WARN cache miss for key user:<num>","count":20,"perMin":1,"trend":"stable",' +
        '"level":"warn"}],"errors":[{"id":4,"template":"FATAL out of memory: heap limit reached","count":1,' +
        '"perMin":0.05,"trend":"stable","level":"fatal"},{"id":3,"template":"ERROR db query failed: connect ' +
        'ECONNREFUSED <ip> (attempt <num>)","count":40,"perMin":2,"trend":"rising","level":"error"}],"anomalies":[{"at":"2026-11-22T10:20:00.000Z","metric":"volume","value":51,"mean":11,' +
        '"z":12.06,"severity":"critical"},{"at":"2026-11-22T10:20:00.000Z","metric":"errorRate","value":0.78,' +
        '"mean":0,"z":15.69,"severity":"critical"}],"lastError":{"at":"2026-11-22T10:24:59.000Z","level":"fatal",' +
        '"message":"FATAL out of memory: heap limit reached","line":"FATAL out of memory: heap limit reached"},"lastRestart":{"at":"2026-11-22T10:25:00.000Z",' +
        '"reason":"crash"}}',
    );
  });

  it('renders lines without timestamps, and no lines at all', () => {
    const text = formatSummary(summarize(['worker 1 started', 'worker 2 started', 'job failed: exit 3']));
    expect(text).toBe(
      [
        '3 lines · 2 templates · health 60/100',
        'levels: 1 error · 2 info',
        'top: 2× worker <num> started (stable)',
        '     1× [error] job failed: exit <num> (stable)',
        'anomalies: none',
        'last error: job failed: exit 3',
      ].join('\n'),
    );
    expect(formatSummary(summarize([]))).toBe(
      '0 lines · 0 templates · health 100/100\nlevels: none\nanomalies: none',
    );
  });

  it('clips long templates to the width asked for', () => {
    const long = `payload ${'x'.repeat(300)}`;
    const text = formatSummary(summarize([long]), { maxWidth: 40 });
    expect(text.split('\n')[2]).toBe(`top: 1× ${long.slice(0, 39)}… (stable)`);
  });
});

describe('the last error of JSON lines', () => {
  it('is the message, not the raw JSON', () => {
    const summary = summarize(['{"level":50,"time":1767323046000,"msg":"db failed","pid":7}']);
    expect(summary.lastError?.message).toBe('db failed');
    expect(formatSummary(summary)).toContain(': db failed');
    expect(formatSummary(summary)).not.toContain('"pid"');
  });
});

describe('a template whose lines are not all errors', () => {
  it('counts its error lines apart, in the text and in the errors list', () => {
    const request = (status: number, i: number) =>
      `10.0.0.${i} - - [04/Dec/2024:10:00:${String(i).padStart(2, '0')} +0000] "GET /api/items/${i} HTTP/1.1" ${status} 12`;
    const lines = Array.from({ length: 10 }, (_, i) => request(i < 3 ? 502 : 200, i));
    const summary = summarize(lines);
    expect(summary.levels).toMatchObject({ error: 3, info: 7 });
    expect(summary.top[0]).toMatchObject({ count: 10, errorCount: 3, level: 'error' });
    expect(summary.errors).toEqual([expect.objectContaining({ count: 3, level: 'error' })]);
    expect(formatSummary(summary, { utc: true }).split('\n')[2]).toMatch(/^top: 10× \[3 error\] /);
    expect(summaryToJson(summary).top?.[0]).toMatchObject({ count: 10, errorCount: 3 });
  });
});
