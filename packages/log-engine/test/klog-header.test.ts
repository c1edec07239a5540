import { describe, expect, it } from 'vitest';
import { parseKlogHeader } from '../src/klog-header.js';
import { LogEngine } from '../src/log-engine.js';
import { messageOf, recordTime } from '../src/log-record.js';

const NOW = new Date(2024, 11, 5, 12, 0, 0).getTime();

describe('parseKlogHeader', () => {
  it('reads the time and where the message starts', () => {
    const line = 'E1204 10:00:00.123456   12345 server.go:88] dial failed';
    expect(parseKlogHeader(line, NOW)).toEqual({
      ts: new Date(2024, 11, 4, 10, 0, 0, 123).getTime(),
      end: 44,
    });
    expect(parseKlogHeader('I0102 03:04:05.000001 1 main.go:7] up', NOW)?.ts).toBe(
      new Date(2024, 0, 2, 3, 4, 5, 0).getTime(),
    );
  });

  it('puts a date more than a day ahead in the year before (the header has no year)', () => {
    expect(parseKlogHeader('W1231 23:00:00.000000 7 a.go:1] x', NOW)?.ts).toBe(
      new Date(2023, 11, 31, 23, 0, 0).getTime(),
    );
  });

  it('reads no header in other lines', () => {
    for (const line of [
      'Error: boom',
      'E1204 is a code',
      'I1322 10:00:00.000000 1 a.go:1] month 13',
      'E1204 10:00:00.123456 no file here',
      'INFO 10:00:00 started',
    ])
      expect(parseKlogHeader(line, NOW), line).toBeUndefined();
  });
});

describe('klog/glog lines in the engine', () => {
  it('mine the message without the header: one template across levels, processes and lines of code', () => {
    const engine = new LogEngine();
    const lines = [
      'E1204 10:00:00.123456   12345 reflector.go:138] failed to list *v1.Pod: connection refused',
      'W1204 10:00:01.000001   12345 reflector.go:138] failed to list *v1.Pod: connection refused',
      'E1204 10:00:02.500000     678 cache.go:92] failed to list *v1.Pod: connection refused',
      'I1204 10:00:03.000000   12345 controller.go:10] Starting controller',
    ];
    const records = lines.map((line) => engine.push({ stream: 'err', line }));
    expect(records.map((r) => r.level)).toEqual(['error', 'warn', 'error', 'info']);
    expect(records[0]?.message).toBe('failed to list *v1.Pod: connection refused');
    expect(new Set(records.slice(0, 3).map((r) => r.templateId)).size).toBe(1);
    expect(records[3]?.templateId).not.toBe(records[0]?.templateId);
    const pattern = engine.patterns().find((p) => p.templateId === records[0]?.templateId);
    expect(pattern).toMatchObject({ count: 3, level: 'error', errorCount: 2 });
    expect(messageOf(lines[3]!)).toBe('Starting controller');
    expect(recordTime({ line: lines[1]! })).toBe(parseKlogHeader(lines[1]!)?.ts);
  });
});

describe('klog/glog lines behind a time prefix (`--time`, `kubectl logs --timestamps`)', () => {
  it('mine the message without the header, one template across times, levels and lines of code', () => {
    const lines = [
      '2026-12-04T10:00:00.123Z E1204 10:00:00.123456   12345 reflector.go:138] failed to list *v1.Pod: connection refused',
      '2026-12-04T10:00:01.500Z W1204 10:00:01.499871   12345 reflector.go:138] failed to list *v1.Pod: connection refused',
      '2026-12-04T11:47:09.020164893Z E1204 11:47:09.020001     678 cache.go:92] failed to list *v1.Pod: connection refused',
      '2026-12-04 12:30:00.000 I1204 12:30:00.000000   12345 controller.go:10] Starting controller',
    ];
    const engine = new LogEngine();
    const records = lines.map((line) => engine.push({ stream: 'err', line }));
    expect(records.map((r) => r.message)).toEqual([
      'failed to list *v1.Pod: connection refused',
      'failed to list *v1.Pod: connection refused',
      'failed to list *v1.Pod: connection refused',
      'Starting controller',
    ]);
    expect(new Set(records.slice(0, 3).map((r) => r.templateId)).size).toBe(1);
    expect(engine.patterns().find((p) => p.templateId === records[0]?.templateId)?.count).toBe(3);
    // the time is the prefix's, which names the year
    expect(records[0]?.ts).toBe(Date.parse('2026-12-04T10:00:00.123Z'));
    expect(recordTime({ line: lines[2]! })).toBe(Date.parse('2026-12-04T11:47:09.020Z'));
    expect(messageOf(lines[3]!)).toBe('Starting controller');
  });

  it('leaves a time followed by anything else as it was', () => {
    expect(messageOf('2026-12-04T10:00:00Z E1204 is a code')).toBe('E1204 is a code');
    expect(messageOf('2026-12-04T10:00:00Z I1322 10:00:00.000000 1 a.go:1] month 13')).toBe(
      'I1322 10:00:00.000000 1 a.go:1] month 13',
    );
  });
});
