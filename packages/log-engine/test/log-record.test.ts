import { describe, expect, it } from 'vitest';
import { createRecordParser, eventMessageOf, messageOf, recordTime } from '../src/log-record.js';
import { TemplateMiner } from '../src/template-miner.js';

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

  it('makes a line that is only a time an event of its own (date run as a job), a blank one behind a time continue', () => {
    const own = createRecordParser();
    for (const line of ['Sun Dec  6 01:04:52 UTC 2026', 'Sun Dec  6 01:05:02 UTC 2026']) {
      expect(own(line)).toMatchObject({ message: line, isContinuation: false, level: 'info' });
    }
    expect(own('2026-12-06T01:00:00Z')).toMatchObject({
      ts: Date.UTC(2026, 11, 6, 1),
      isContinuation: false,
    });
    // a `--time` app's trace: its blank line still belongs to the error above it
    const timed = createRecordParser();
    expect(timed('2026-12-06T01:00:00Z Error: boom')).toMatchObject({
      isContinuation: false,
      level: 'error',
    });
    expect(timed('2026-12-06T01:00:00Z     at f (/srv/a.js:1:2)').isContinuation).toBe(true);
    expect(timed('2026-12-06T01:00:00Z ').isContinuation).toBe(true);
    expect(timed('2026-12-06T01:00:00Z     at g (/srv/a.js:2:2)').isContinuation).toBe(true);
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

describe('forget and eventMessageOf', () => {
  it('judges the next line of a forgotten stream as the first one', () => {
    const parse = createRecordParser();
    expect(parse({ line: 'ERROR payment failed', stream: 'err' }).level).toBe('error');
    expect(parse({ line: 'TypeError: x is not a function', stream: 'err' }).isContinuation).toBe(true);
    parse.forget('err');
    const alone = parse({ line: 'TypeError: y is not a function', stream: 'err' });
    expect(alone.isContinuation).toBe(false);
    expect(alone.level).toBe('error');
  });

  it('takes a stack frame behind a leading time as part of any event, as it does without the time', () => {
    for (const stamp of ['', '2026-12-05T10:00:00.001Z ']) {
      const parse = createRecordParser();
      expect(parse({ line: `${stamp}WARN slow handler`, stream: 'out' }).level).toBe('warn');
      const frame = parse({ line: `${stamp}    at handleError (/srv/errors.js:12:5)`, stream: 'out' });
      expect(frame).toMatchObject({ level: 'warn', isContinuation: true });
      expect(parse({ line: `${stamp}INFO ok`, stream: 'out' }).isContinuation).toBe(false);
      const after = parse({ line: `${stamp}    at onError (/srv/errors.js:20:3)`, stream: 'out' });
      expect(after).toMatchObject({ level: 'info', isContinuation: true });
    }
  });

  it('gives the text behind a leading time, priority or klog header that the parser judges', () => {
    expect(eventMessageOf('2026-11-22T10:00:00Z     at f (x.js:1:2)')).toBe('    at f (x.js:1:2)');
    expect(eventMessageOf('<11>Dec  5 10:00:00 ERROR boom')).toBe('ERROR boom');
    expect(eventMessageOf('E1204 10:00:00.123456   12345 server.go:88] dial failed')).toBe('dial failed');
    expect(eventMessageOf('plain line')).toBe('plain line');
  });
});

describe('messageOf and recordTime', () => {
  it('give the mined text and the time without classifying', () => {
    expect(messageOf('{"msg":"hello","level":"info"}')).toBe('hello');
    expect(messageOf('Dec 10 06:55:46 host sshd[1]: hi')).toBe('sshd[1]: hi');
    expect(recordTime({ line: '{"time":"2026-11-22T10:00:00Z"}' })).toBe(Date.UTC(2026, 10, 22, 10));
    expect(recordTime({ ts: 7, line: 'x' })).toBe(7);
    expect(recordTime({ line: 'x' })).toBeUndefined();
    const clf = '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326';
    expect(recordTime({ line: clf })).toBe(Date.UTC(2000, 9, 10, 20, 55, 36));
    expect(recordTime({ ts: 7, line: clf })).toBe(7);
  });
});

describe('messageOf: the host of a syslog line', () => {
  it('leaves the message like the time, so one event from many hosts is one template', () => {
    const miner = new TemplateMiner();
    const ids = ['app-1', 'db', 'edge.lan', 'rack4/n12', 'Mbp-Ana', 'gw'].flatMap((host, i) => [
      miner.add(
        messageOf(
          `Apr  2 08:1${i}:00 ${host} sshd[${300 + i}]: Accepted key for ops from 10.1.0.${i} port 5${i}11`,
        ),
      ),
      miner.add(messageOf(`Apr  2 08:1${i}:01 ${host} kernel: eth0 link up at 1000 Mbps`)),
    ]);
    expect(new Set(ids.map((id) => miner.resolve(id))).size).toBe(2);
    expect(messageOf('Apr  2 08:10:00 n7 su(pam_unix)[88]: session opened for user ops')).toBe(
      'su(pam_unix)[88]: session opened for user ops',
    );
    expect(messageOf('Apr  2 08:10:00 mbp-7 launchd[1] (com.x.agent.42): exited with code 1')).toBe(
      'launchd[1] (com.x.agent.42): exited with code 1',
    );
  });

  it('behind another time, only before a tag with its pid', () => {
    expect(messageOf('2026-04-02T08:10:00.5+02:00 app-1 worker[12]: job done')).toBe('worker[12]: job done');
    expect(messageOf('2026-04-02T08:10:00Z Server started: port 80')).toBe('Server started: port 80');
    expect(messageOf('Apr  2 08:10:00 just a sentence here')).toBe('just a sentence here');
  });
});
