import { describe, expect, it } from 'vitest';
import { classifyLine } from '../src/classifier.js';
import { accessLogLevel, httpStatusLevel } from '../src/http-status.js';

describe('access-log status', () => {
  it('names 5xx an error, 4xx a warning, the rest info', () => {
    expect([200, 304, 404, 499, 500, 503].map(httpStatusLevel)).toEqual([
      'info',
      'info',
      'warn',
      'warn',
      'error',
      'error',
    ]);
  });

  it('reads the status after the request, not the words of the path or the user agent', () => {
    const clf = (request: string, status: number) =>
      `10.0.0.1 - - [04/Dec/2024:10:00:00 +0000] "${request}" ${status} 512 "-" "Mozilla/5.0 (debug build)"`;
    expect(classifyLine(clf('GET /api/errors HTTP/1.1', 200))).toBe('info');
    expect(classifyLine(clf('GET /debug/pprof HTTP/1.1', 200))).toBe('info');
    expect(classifyLine(clf('GET /api/users HTTP/1.1', 503))).toBe('error');
    expect(classifyLine(clf('POST /login HTTP/2.0', 401))).toBe('warn');
    expect(classifyLine('[04/Dec/2024 10:00:00] "GET /api/items/ HTTP/1.1" 500 123')).toBe('error');
    expect(classifyLine('GET /api/errors 200 12.345 ms - 512')).toBe('info');
    expect(classifyLine('\x1b[0mGET /api/orders \x1b[31m502\x1b[0m 3.1 ms - 19\x1b[0m')).toBe('error');
    expect(classifyLine('Completed 422 Unprocessable Entity in 12ms (ActiveRecord: 1.2ms)')).toBe('warn');
  });

  it("reads HAProxy's status after its timers, the request at the end of the line", () => {
    const haproxy = (timers: string, status: number) =>
      `Dec  4 10:00:00 lb haproxy[1234]: 10.0.0.1:51234 [04/Dec/2024:10:00:00.123] fe be/srv1 ${timers} ${status} 212 - - SC-- 1/1/0/0/0 0/0 "GET /api/errors HTTP/1.1"`;
    expect(classifyLine(haproxy('0/0/1/2/3', 503))).toBe('error');
    expect(classifyLine(haproxy('0/0/-1/-1/+3002', 503))).toBe('error');
    expect(classifyLine(haproxy('0/0/1/2/3', 404))).toBe('warn');
    expect(classifyLine(haproxy('0/0/1/2/3', 200))).toBe('info');
    // five numbers and a status-like number without a request at the end are no request
    expect(accessLogLevel('ratios 1/2/3/4/5 500 12 done HTTP/1.1')).toBeUndefined();
  });

  it('leaves lines without a request and status, and explicit labels, alone', () => {
    expect(accessLogLevel('GET /a took 500ms')).toBeUndefined();
    expect(accessLogLevel('listening on port 5000')).toBeUndefined();
    expect(accessLogLevel('GET /x 5000 bytes')).toBeUndefined();
    expect(classifyLine('INFO:     10.0.0.1:5000 - "GET / HTTP/1.1" 500 Internal Server Error')).toBe('info');
    expect(classifyLine('2024/12/04 10:00:00 [error] 1#1: *5 "GET /x HTTP/1.1" 200 upstream failed')).toBe(
      'error',
    );
  });
});
