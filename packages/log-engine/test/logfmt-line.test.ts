import { describe, expect, it } from 'vitest';
import { createRecordParser } from '../src/log-record.js';
import { parseLogfmtLine } from '../src/logfmt-line.js';
import { TemplateMiner } from '../src/template-miner.js';

describe('logfmt lines', () => {
  it('takes the time and mines the msg with the other pairs, without time and level', () => {
    expect(
      parseLogfmtLine(
        'time="2024-12-04T10:00:00Z" level=error msg="payment \\"x\\" declined" order=42 user=bob',
      ),
    ).toEqual({ ts: Date.UTC(2024, 11, 4, 10), message: 'payment "x" declined order=42 user=bob' });
    expect(parseLogfmtLine('ts=2024-12-04T10:00:00Z level=WARN msg=slow')).toEqual({
      ts: Date.UTC(2024, 11, 4, 10),
      message: 'slow',
    });
  });

  it('leaves other lines alone', () => {
    for (const line of [
      'level=info no message here',
      'time=now level=info',
      'user=bob msg="not a log header first"',
      'time="unterminated msg=x',
      'the time=5 is not a key first',
    ]) {
      expect(parseLogfmtLine(line), line).toBeUndefined();
    }
  });

  it('keeps long messages of different words apart and their values together', () => {
    const parse = createRecordParser();
    const miner = new TemplateMiner();
    const lines = [0, 1, 2].flatMap((i) => [
      `time="2024-12-04T10:00:0${i}Z" level=info msg="processed batch of ${i * 7} events in ${i}ms, errors=0"`,
      `time="2024-12-04T10:00:0${i}Z" level=error msg="payment 3f2504e0-4f89-11d3-9a0c-03${i}5e82c3301 declined by the card issuer"`,
    ]);
    const ids = lines.map((line) => miner.add(parse(line).message));
    expect(new Set(ids.filter((_, i) => i % 2 === 0)).size).toBe(1);
    expect(new Set(ids.filter((_, i) => i % 2 === 1)).size).toBe(1);
    expect(ids[0]).not.toBe(ids[1]);
    expect(parse(lines[1]!)).toMatchObject({ ts: Date.UTC(2024, 11, 4, 10), level: 'error' });
  });
});
