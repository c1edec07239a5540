import { describe, expect, it } from 'vitest';
import { classifyLine } from '../src/classifier.js';
import { createRecordParser } from '../src/log-record.js';
import { syslogPriority } from '../src/syslog-priority.js';

describe('syslog <PRI>', () => {
  it('reads the severity of PRI (facility × 8 + severity)', () => {
    expect(syslogPriority('<0>x')?.level).toBe('fatal');
    expect(syslogPriority('<11>Dec  4 10:00:00 h a: x')).toEqual({ level: 'error', end: 4 });
    expect(syslogPriority('<12>x')?.level).toBe('warn');
    expect(syslogPriority('<86>x')?.level).toBe('info');
    expect(syslogPriority('<191>x')?.level).toBe('debug');
    expect(syslogPriority('<165>1 2024-12-04T10:00:00.003Z h a 1 ID47 - x')).toEqual({
      level: 'info',
      end: 7,
    });
    for (const line of ['<192>x', '<>x', '<011>x', '<1a>x', '<html>', 'x<11>']) {
      expect(syslogPriority(line), line).toBeUndefined();
    }
  });

  it('classifies by PRI unless the message has a label or a status; words come after', () => {
    expect(classifyLine('<11>Dec  4 10:00:00 host backup[1]: write stopped')).toBe('error');
    expect(classifyLine('<2>Dec  4 10:00:00 host kernel: thermal shutdown')).toBe('fatal');
    expect(classifyLine('<14>Dec  4 10:00:00 host app[1]: user logged in')).toBe('info');
    expect(classifyLine('<11>Dec  4 10:00:00 host app[1]: INFO started')).toBe('info');
    expect(classifyLine('<15>Dec  4 10:00:00 host app[1]: cache stats')).toBe('debug');
  });

  it('lets no level word inside the sentence outrank PRI; a label where labels stand still does', () => {
    expect(classifyLine('<14>Dec  4 10:00:00 host app[1]: sending ALERT to pager')).toBe('info');
    expect(classifyLine('<14>Dec  4 10:00:00 host app[1]: disk ERROR count reset')).toBe('info');
    expect(classifyLine('<14>Dec  4 10:00:00 host app[1]: failed login for bob')).toBe('info');
    expect(classifyLine('<11>Dec  4 10:00:00 host app[1]: nightly WARNING digest sent')).toBe('error');
    expect(classifyLine('<14>Dec  4 10:00:00 host app[1]: ERROR write stopped')).toBe('error');
    expect(classifyLine('<14>Dec  4 10:00:00 host app[1]: [warn] queue deep')).toBe('warn');
    expect(classifyLine('<9>Dec  4 10:00:00 host app[1]: ALERT: disk full')).toBe('fatal');
  });

  it('reads the syslog words alert, crit and emerg alike, as labels only (syslog 0-2: fatal)', () => {
    for (const word of ['emerg', 'alert', 'crit']) {
      expect(classifyLine(`${word}: disk full`), word).toBe('fatal');
      expect(classifyLine(`2024-12-04T10:00:00Z ${word}: disk full`), word).toBe('fatal');
      expect(classifyLine(`[${word}] disk full`), word).toBe('fatal');
      expect(classifyLine(`2024-12-04T10:00:00Z ${word.toUpperCase()} disk full`), word).toBe('fatal');
    }
    // ALERT is an English word as well: inside a sentence it names no level
    expect(classifyLine('Dec  4 10:00:00 host app[1]: sending ALERT to pager')).toBe('info');
    expect(classifyLine('Red ALERT raised by the monitor')).toBe('info');
  });

  it('takes the time after PRI and leaves PRI and time out of the message', () => {
    const parsed = createRecordParser()('<164>1 2024-12-04T10:00:00.000Z host billing 77 ID47 - queue deep');
    expect(parsed).toMatchObject({
      ts: Date.UTC(2024, 11, 4, 10),
      level: 'warn',
      message: 'host billing 77 ID47 - queue deep',
    });
  });
});
