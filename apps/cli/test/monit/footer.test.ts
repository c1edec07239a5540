import { describe, expect, it } from 'vitest';
import { confirmText, fitKeyHints, LOGS_VIEW_KEYS, MAIN_KEYS } from '../../src/monit/footer.js';
import { fitLineStart } from '../../src/monit/format.js';
import { displayWidth } from '../../src/output/display-width.js';

describe('fitKeyHints', () => {
  it('shows every key when they fit', () => {
    expect(fitKeyHints(MAIN_KEYS, 200)).toBe(
      '↑↓ select · Enter logs · r restart · R reload · s stop · d delete · a summary · / filter · ? help · q quit',
    );
  });

  it('keeps ? help and q quit on an 80-column screen, leaving out the least needed keys', () => {
    const main = fitKeyHints(MAIN_KEYS, 80);
    expect(main).toBe('Enter logs · r restart · s stop · d delete · / filter · ? help · q quit');
    const logs = fitKeyHints(LOGS_VIEW_KEYS, 80);
    expect(logs).toMatch(/^Esc\/q back · .* · \? help$/);
    expect(displayWidth(logs)).toBeLessThanOrEqual(80);
  });

  it('keeps help and quit however narrow the screen (ink cuts the rest)', () => {
    expect(fitKeyHints(MAIN_KEYS, 10)).toBe('? help · q quit');
  });
});

describe('confirmText', () => {
  it('asks in full when it fits, else cuts the name and keeps (y/N)', () => {
    expect(confirmText('api#0', 80)).toBe('delete api#0? it stops and leaves the list (y/N)');
    const cut = confirmText('this-is-a-very-long-application-name-for-testing#0', 40);
    expect(cut).toBe('delete this-is-a-very-long-appli…? (y/N)');
    expect(displayWidth(cut)).toBeLessThanOrEqual(40);
  });
});

describe('fitLineStart', () => {
  it('keeps the end of a line too wide, a wide character counting two columns', () => {
    expect(fitLineStart('/abc█', 10)).toBe('/abc█');
    expect(fitLineStart('/日本語日本語█', 8)).toBe('…日本語█');
    expect(fitLineStart('/日本語日本語█', 7)).toBe('…本語█');
  });
});
