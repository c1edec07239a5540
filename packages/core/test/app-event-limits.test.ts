import { describe, expect, it } from 'vitest';
import { APP_EVENT_LIMITS, appEventSeverity, cutAppEventText } from '../src/app-event-limits.js';

describe('app event limits', () => {
  it('read the severity words of app events, in any case', () => {
    const words = ['info', 'warning', 'WARN', 'error', 'err', 'critical', 'Fatal'];
    expect(words.map(appEventSeverity)).toEqual([
      'info',
      'warning',
      'warning',
      'error',
      'error',
      'critical',
      'critical',
    ]);
    for (const word of ['loud', '', 'toString', 'debug']) expect(appEventSeverity(word)).toBeNull();
  });

  it('cut a text at 2000 characters, an ellipsis ending it', () => {
    expect(APP_EVENT_LIMITS.maxTextChars).toBe(2000);
    expect(cutAppEventText('a'.repeat(2000))).toBe('a'.repeat(2000));
    expect(cutAppEventText('a'.repeat(2001))).toBe(`${'a'.repeat(1999)}…`);
  });
});
