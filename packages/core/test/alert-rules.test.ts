import { cpus } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseCondition } from '../src/alert-condition.js';
import { describeCondition } from '../src/alert-rule.js';
import { parseAlertRules } from '../src/alert-rules.js';
import { alertRuleSchema } from '../src/schemas.js';

describe('alert conditions (OBS-3)', () => {
  it.each([
    ['restarts >= 5 within 1m', { when: { kind: 'restarts', count: 5, windowMs: 60_000 } }],
    ['errored', { when: { kind: 'errored' } }],
    ['unhealthy for 30s', { when: { kind: 'unhealthy' }, forMs: 30_000 }],
    ['memory > 300M for 2m', { when: { kind: 'memory', aboveBytes: 300 * 1024 ** 2 }, forMs: 120_000 }],
    ['cpu > 90% for 1m', { when: { kind: 'cpu', abovePercent: 90 }, forMs: 60_000 }],
    ['log anomaly', { when: { kind: 'log', signal: 'anomaly' } }],
    ['log error rate', { when: { kind: 'log', signal: 'error_burst' } }],
    ['job failed 2 times in a row', { when: { kind: 'job_failed', count: 2 } }],
    ['no output', { when: { kind: 'no_output' } }],
    ['daemon degraded', { when: { kind: 'daemon_degraded' } }],
    ['component stale', { when: { kind: 'component_stale' } }],
    ['event exited,process.errored', { when: { kind: 'event', kinds: ['exited', 'process.errored'] } }],
  ])('parses %s', (text, expected) => {
    expect(parseCondition(text)).toEqual(expected);
  });

  it('takes the operators with or without spaces around them (memory>300M as memory > 300M)', () => {
    expect(parseCondition('memory>300M')).toEqual({ when: { kind: 'memory', aboveBytes: 300 * 1024 ** 2 } });
    expect(parseCondition('cpu>90%')).toEqual({ when: { kind: 'cpu', abovePercent: 90 } });
    expect(parseCondition('restarts>=5 within 1m')).toEqual({
      when: { kind: 'restarts', count: 5, windowMs: 60_000 },
    });
  });

  it('says what it expected for words it does not know', () => {
    expect(parseCondition('restarts > lots')).toMatch(
      /^expected one of "event <kind>.*got "restarts > lots"$/,
    );
    expect(parseCondition('memory > huge')).toBe('memory > SIZE: expected a size like "300M", got "huge"');
    // a bare number is bytes: every process passes 300 bytes, so the rule would fire for every app at once
    expect(parseCondition('memory > 300')).toBe(
      'memory > SIZE: 300 is 300 bytes, less than any process uses (at least 1M); give a unit, as "300M"',
    );
    expect(parseCondition('memory > 512K')).toMatch(/^memory > SIZE: 512K is 524288 bytes, less than/);
    expect(parseCondition('memory > 1M')).toEqual({ when: { kind: 'memory', aboveBytes: 1024 ** 2 } });
  });

  it('takes "for D" after an event condition too, as --for', () => {
    expect(parseCondition('event app.q for 5s')).toEqual({
      when: { kind: 'event', kinds: ['app.q'] },
      forMs: 5000,
    });
    expect(parseCondition('event exited,errored for 1m')).toEqual({
      when: { kind: 'event', kinds: ['exited', 'errored'] },
      forMs: 60_000,
    });
    expect(parseCondition('event app.q for 5y')).toMatch(/^expected event kinds like .*got "app\.q for 5y"$/);
  });

  it('takes event kinds as velos events --kind does: the start of a name stands for it, a kind no event has is refused', () => {
    expect(parseCondition('event restart')).toEqual({ when: { kind: 'event', kinds: ['restarting'] } });
    expect(parseCondition('event exit,process.errored,exited')).toEqual({
      when: { kind: 'event', kinds: ['exited', 'process.errored'] },
    });
    for (const kinds of ['restarted,unhealthy,recovered', 'app', 'app.q', 'sync.done', 'component.stale']) {
      expect(parseCondition(`event ${kinds}`)).toEqual({ when: { kind: 'event', kinds: kinds.split(',') } });
    }
    for (const bad of ['process.restarted', 'exitt', 'bogus', 'job.bogus', 'app.', 'proces.crashed']) {
      expect(parseCondition(`event exited,${bad}`)).toMatch(
        new RegExp(`^unknown event kind "${bad.replace('.', '\\.')}": expected a kind \\(process\\.started,`),
      );
    }
    expect(parseCondition('event app.')).toMatch(/ \(did you mean "app"\?\)$/);
  });

  it('refuses a CPU threshold above 100 × the CPUs (100 is one core)', () => {
    expect(parseCondition('cpu > 200%', 2)).toEqual({ when: { kind: 'cpu', abovePercent: 200 } });
    expect(parseCondition('cpu > 200.5%', 2)).toBe(
      'cpu > N%: expected at most 200 (100 is one core; this machine has 2 CPUs), got 200.5',
    );
    expect(parseCondition('cpu > 100000%', 1)).toMatch(/this machine has 1 CPU\), got 100000$/);
    // no bound when the count is unknown; the default is this machine's
    expect(parseCondition('cpu > 100000%', 0)).toEqual({ when: { kind: 'cpu', abovePercent: 100_000 } });
    expect(parseCondition(`cpu > ${100 * cpus().length + 1}%`)).toMatch(/^cpu > N%: expected at most /);
  });

  it('refuses counts the daemon cannot hold, in the words of the condition', () => {
    expect(parseCondition('restarts >= 99999999999999999999 within 1m')).toBe(
      'restarts >= N: expected N from 1 to 9007199254740991, got 99999999999999999999',
    );
    expect(parseCondition('restarts >= 0 within 1m')).toBe(
      'restarts >= N: expected N from 1 to 9007199254740991, got 0',
    );
    expect(parseCondition('job failed 9007199254740992 times in a row')).toBe(
      'job failed N times: expected N from 1 to 9007199254740991, got 9007199254740992',
    );
    expect(parseCondition('restarts >= 9007199254740991 within 1m')).toEqual({
      when: { kind: 'restarts', count: 9_007_199_254_740_991, windowMs: 60_000 },
    });
  });

  it('writes a condition back in the words it was parsed from', () => {
    for (const text of [
      'restarts >= 5 within 1m',
      'memory > 300M',
      'cpu > 90%',
      'job failed 2 times in a row',
    ]) {
      const parsed = parseCondition(text);
      if (typeof parsed === 'string') throw new Error(parsed);
      expect(describeCondition(parsed.when)).toBe(text);
    }
  });
});

describe('alert rules of a config file', () => {
  it('resolves defaults, channels and escalation into the wire form', () => {
    const [rule] = parseAlertRules(
      [
        {
          name: 'storm',
          when: 'restarts >= 3 within 5m',
          app: 'api',
          repeat: '15m',
          group_interval: '30s',
          webhook: 'https://hooks.slack.com/services/T/B/X',
          command: 'notify --team ops',
          escalate: { after: '1h', severity: 'critical', webhook: { url: 'https://pager/x', retries: 5 } },
        },
      ],
      'app.toml',
      '/srv/app.toml',
    );
    expect(rule).toEqual({
      name: 'storm',
      when: { kind: 'restarts', count: 3, windowMs: 300_000 },
      app: 'api',
      severity: 'warning',
      forMs: 0,
      repeatMs: 900_000,
      resolveAfterMs: 60_000,
      groupIntervalMs: 30_000,
      channels: [
        {
          type: 'webhook',
          url: 'https://hooks.slack.com/services/T/B/X',
          timeoutMs: 5000,
          retries: 3,
          backoffMs: 1000,
        },
        { type: 'command', command: ['notify', '--team', 'ops'], timeoutMs: 10_000 },
      ],
      escalation: {
        afterMs: 3_600_000,
        severity: 'critical',
        channels: [{ type: 'webhook', url: 'https://pager/x', timeoutMs: 5000, retries: 5, backoffMs: 1000 }],
      },
      source: '/srv/app.toml',
    });
    expect(alertRuleSchema.safeParse(rule).success).toBe(true);
  });

  it.each([
    [
      [{ name: 'a', when: 'errored', severity: 'loud' }],
      /^app\.toml: alerts\[0\]\.severity: .*"warning".*got "loud"$/,
    ],
    [
      [{ name: 'a', when: 'errored', webhook: { url: 'http://x', timout: 1 } }],
      'app.toml: alerts[0].webhook: unknown option "timout"',
    ],
    [
      [
        { name: 'a', when: 'errored' },
        { name: 'a', when: 'unhealthy' },
      ],
      'app.toml: alerts[1].name: expected a unique name, "a" is used twice',
    ],
    [
      [{ name: 'a', when: 'unhealthy for 1m', for: '2m' }],
      'app.toml: alerts[0].for: expected "for" either in "when" or as its own key, not both',
    ],
    [
      [{ name: 'a', when: 'errored', escalate: { severity: 'critical' } }],
      'app.toml: alerts[0].escalate: expected after_repeats or after',
    ],
    [
      [{ name: 'a', when: 'errored', escalate: { after_repeats: 2, severity: 'critical' } }],
      'app.toml: alerts[0].escalate.after_repeats: needs "repeat" on the rule: without it the alert is sent once, never repeats, so it never escalates',
    ],
    [
      [{ name: 'a', when: 'errored', repeat: '1y' }],
      /^app\.toml: alerts\[0\]\.repeat: expected a duration like/,
    ],
    // "1ms" (or a bare 30, milliseconds) sent a notification and an event every millisecond
    [
      [{ name: 'a', when: 'errored', repeat: 30 }],
      'app.toml: alerts[0].repeat: expected at least 1000 ms, got 30 (a bare number is milliseconds: write "30s" for 30 seconds)',
    ],
    [
      [{ name: 'a', when: 'errored', repeat: '1ms' }],
      'app.toml: alerts[0].repeat: expected at least 1000 ms, got "1ms"',
    ],
    [
      [{ name: 'a', when: 'errored', group_interval: '100ms' }],
      'app.toml: alerts[0].group_interval: expected at least 1000 ms, got "100ms"',
    ],
    [{ name: 'a' }, /^app\.toml: alerts: expected a list of rules/],
    [
      [{ name: 'a', when: 'errored', webhook: 'http://127.0.0.1:99999/hook' }],
      'app.toml: alerts[0].webhook: expected a valid http:// or https:// URL (a host, a port 1-65535), got "http://127.0.0.1:99999/hook"',
    ],
    [
      [{ name: 'a', when: 'errored', escalate: { after: '1h', webhook: { url: 'https://[::1/x' } } }],
      /^app\.toml: alerts\[0\]\.escalate\.webhook\.url: expected a valid http/,
    ],
    [
      [{ name: 'a', when: 'errored', webhook: { url: 'https://h/x', headers: { 'x-token': 'a\r\nb' } } }],
      'app.toml: alerts[0].webhook.headers.x-token: expected a header value without control characters (newlines)',
    ],
    [
      [{ name: 'a', when: 'event process.restarted' }],
      /^app\.toml: alerts\[0\]\.when: unknown event kind "process\.restarted": expected a kind/,
    ],
  ])('refuses %j with a message naming the file and path', (raw, message) => {
    expect(() => parseAlertRules(raw, 'app.toml', '/srv/app.toml')).toThrow(message);
  });
});
