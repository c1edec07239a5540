import { join, resolve } from 'node:path';
import { appConfigSchema } from '@velos/core/config';
import { appSpecSchema } from '@velos/core/schemas';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

// Issue #15: an app's name names its log files (`logs/<name>-out.log`) and pid files; it must never
// lead out of those directories, in the config schema and in the daemon's wire schema alike.
const LOGS = '/home/u/.velos/logs';
const HOSTILE = [
  '../x',
  '..\\x',
  'a/b',
  '/etc/passwd',
  'a\u0000b',
  'x'.repeat(101),
  ' lead',
  'all',
  '42',
  '',
  'a\nb',
  'a\u202eb', // right-to-left override: shows another name than the file has
  '注'.repeat(67), // 201 bytes
];
// The longest a log file name grows after the app's name: its stream and id, a rotation's time and
// sequence, the extension and a compression's temporary file
const LONGEST_SUFFIX = '-err-123456.2026-11-22T01-02-03.456Z-99.log.gz.tmp';

describe('app names cannot escape their directories', () => {
  it.each(HOSTILE)('%j is refused by the config and by the daemon', (name) => {
    expect(appConfigSchema.def.shape.name.safeParse(name).success).toBe(false);
    const spec = appSpecSchema.shape.name.safeParse(name);
    expect(spec.success).toBe(false);
  });

  it('every name the daemon accepts keeps its log file inside the log directory', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 120 }), (raw) => {
        const parsed = appSpecSchema.shape.name.safeParse(raw);
        if (!parsed.success) return;
        const name = parsed.data;
        expect(name).not.toMatch(/[/\\\u0000\n]/);
        const file = resolve(join(LOGS, `${name}-out.log`));
        expect(file.startsWith(`${LOGS}/`)).toBe(true);
        // one spelling (NFC), and a file name of at most 255 bytes with the longest suffix
        expect(name).toBe(name.normalize('NFC'));
        expect(Buffer.byteLength(`${name}${LONGEST_SUFFIX}`)).toBeLessThanOrEqual(255);
      }),
      { numRuns: 5000 },
    );
  });

  it('names of several scripts near the limits fit a file name, in one spelling', () => {
    const letters = fc.constantFrom('注', 'ж', 'a', 'e', '\u0301', '\u00e9', '𠮷', ' ', '-');
    fc.assert(
      fc.property(fc.array(letters, { maxLength: 130 }), (chars) => {
        const parsed = appSpecSchema.shape.name.safeParse(chars.join(''));
        if (!parsed.success) return;
        expect(parsed.data).toBe(parsed.data.normalize('NFC'));
        expect([...parsed.data].length).toBeLessThanOrEqual(100);
        expect(Buffer.byteLength(`${parsed.data}${LONGEST_SUFFIX}`)).toBeLessThanOrEqual(255);
        expect(appConfigSchema.def.shape.name.safeParse(chars.join('')).data).toBe(parsed.data);
      }),
      { numRuns: 3000 },
    );
  });

  it('names made of dots stay file names in the directory (`..-out.log`)', () => {
    for (const name of ['.', '..', '...']) {
      expect(appSpecSchema.shape.name.safeParse(name).success).toBe(true);
      expect(resolve(join(LOGS, `${name}-out.log`))).toBe(`${LOGS}/${name}-out.log`);
    }
  });
});
