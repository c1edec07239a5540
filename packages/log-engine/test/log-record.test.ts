import { describe, expect, it } from 'vitest';
import { createRecordParser, messageOf, recordTime } from '../src/log-record.js';

describe('createRecordParser', () => {
  const parse = createRecordParser();

  it('takes time, level and message of JSON lines from their fields (LOG-5)', () => {
    expect(
      parse({ stream: 'out', line: '{"ts":1795341600000,"lvl":"error","msg":"db down","db":"main"}' }),
    ).toEqual({
      ts: 1795341600000,
      stream: 'out',
      line: '{"ts":1795341600000,"lvl":"error","msg":"db down","db":"main"}',
      message: 'db down',
      level: 'error',
      fields: { db: 'main' },
      isContinuation: false,
    });
  });

  it('strips the leading timestamp of plain lines from the message and keeps the given ts first', () => {
    const line = '2026-11-22T10:00:00Z WARN disk 91% full';
    expect(parse(line)).toMatchObject({
      ts: Date.UTC(2026, 10, 22, 10),
      message: 'WARN disk 91% full',
      level: 'warn',
    });
    expect(parse({ ts: 5, line }).ts).toBe(5);
    expect(parse('no time here')).toMatchObject({ ts: undefined, message: 'no time here', level: 'info' });
  });

  it('takes the time of an access log line from its brackets, and leaves its message whole', () => {
    const line = '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326';
    expect(parse(line)).toMatchObject({ ts: Date.UTC(2000, 9, 10, 20, 55, 36), message: line });
  });

  it('classifies with custom rules when given', () => {
    const custom = createRecordParser({ rules: [{ level: 'fatal', pattern: /meltdown/ }] });
    expect(custom('core meltdown').level).toBe('fatal');
    expect(custom('ERROR still a label').level).toBe('error');
  });
});

describe('messageOf and recordTime', () => {
  it('give the mined text and the time without classifying', () => {
    expect(messageOf('{"msg":"hello","level":"info"}')).toBe('hello');
    expect(messageOf('Dec 10 06:55:46 host sshd[1]: hi')).toBe('host sshd[1]: hi');
    expect(recordTime({ line: '{"time":"2026-11-22T10:00:00Z"}' })).toBe(Date.UTC(2026, 10, 22, 10));
    expect(recordTime({ ts: 7, line: 'x' })).toBe(7);
    expect(recordTime({ line: 'x' })).toBeUndefined();
    const clf = '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326';
    expect(recordTime({ line: clf })).toBe(Date.UTC(2000, 9, 10, 20, 55, 36));
    expect(recordTime({ ts: 7, line: clf })).toBe(7);
  });
});
