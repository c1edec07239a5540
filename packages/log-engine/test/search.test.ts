import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../src/log-record.js';
import { searchRecords } from '../src/search.js';

const at = (mm: number) => Date.UTC(2026, 10, 22, 10, mm, 0);
const records: LogRecord[] = [
  { ts: at(0), stream: 'out', line: 'server listening on :8080' },
  { ts: at(1), stream: 'err', line: 'WARN slow request GET /a 1200ms' },
  { ts: at(2), stream: 'err', line: 'ERROR request failed: Timeout' },
  { ts: at(3), stream: 'out', line: 'request ok GET /b 12ms' },
  { ts: at(4), stream: 'err', line: 'FATAL cannot allocate memory' },
];
const lines = (query: Parameters<typeof searchRecords>[1]) =>
  [...searchRecords(records, query)].map((h) => h.line);

describe('searchRecords', () => {
  it('filters by text, case-insensitively when asked', () => {
    expect(lines({ text: 'request' })).toHaveLength(3);
    expect(lines({ text: 'timeout' })).toEqual([]);
    expect(lines({ text: 'timeout', ignoreCase: true })).toEqual(['ERROR request failed: Timeout']);
  });

  it('filters by regex, given as RegExp or source', () => {
    expect(lines({ regex: /GET \/[ab]/ })).toEqual([
      'WARN slow request GET /a 1200ms',
      'request ok GET /b 12ms',
    ]);
    expect(lines({ regex: '^fatal', ignoreCase: true })).toEqual(['FATAL cannot allocate memory']);
  });

  it('filters by minimum level, stream and time range (inclusive)', () => {
    expect(lines({ level: 'error' })).toEqual([
      'ERROR request failed: Timeout',
      'FATAL cannot allocate memory',
    ]);
    expect(lines({ level: 'warn', stream: 'err', since: at(1), until: at(2) })).toEqual([
      'WARN slow request GET /a 1200ms',
      'ERROR request failed: Timeout',
    ]);
  });

  it('reports index, time and level, stops at the limit and is lazy', () => {
    const hits = [...searchRecords(records, { level: 'warn', limit: 2 })];
    expect(hits).toEqual([
      { index: 1, ts: at(1), level: 'warn', stream: 'err', line: 'WARN slow request GET /a 1200ms' },
      { index: 2, ts: at(2), level: 'error', stream: 'err', line: 'ERROR request failed: Timeout' },
    ]);
    let pulled = 0;
    function* source() {
      for (const r of records) {
        pulled++;
        yield r;
      }
    }
    const iterator = searchRecords(source(), { text: 'listening' });
    expect(iterator.next().value?.index).toBe(0);
    expect(pulled).toBe(1);
  });

  it('gives untimed lines the time of the line before, and reads times from the text', () => {
    const text = ['2026-11-22T10:00:00Z ERROR boom', '    at main (app.js:1:1)', '2026-11-22T10:09:00Z ok'];
    expect([...searchRecords(text, { since: at(0), until: at(5) })].map((h) => h.index)).toEqual([0, 1]);
  });

  it('rejects an invalid regex with INVALID_ARGUMENT', () => {
    expect(() => lines({ regex: '(' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
