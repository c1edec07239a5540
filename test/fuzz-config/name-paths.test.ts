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
];

describe('app names cannot escape their directories', () => {
  it.each(HOSTILE)('%j is refused by the config and by the daemon', (name) => {
    expect(appConfigSchema.def.shape.name.safeParse(name).success).toBe(false);
    const spec = appSpecSchema.shape.name.safeParse(name);
    expect(spec.success).toBe(false);
  });

  it('every name the daemon accepts keeps its log file inside the log directory', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 120 }), (name) => {
        if (!appSpecSchema.shape.name.safeParse(name).success) return;
        expect(name).not.toMatch(/[/\\\u0000\n]/);
        const file = resolve(join(LOGS, `${name}-out.log`));
        expect(file.startsWith(`${LOGS}/`)).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('names made of dots stay file names in the directory (`..-out.log`)', () => {
    for (const name of ['.', '..', '...']) {
      expect(appSpecSchema.shape.name.safeParse(name).success).toBe(true);
      expect(resolve(join(LOGS, `${name}-out.log`))).toBe(`${LOGS}/${name}-out.log`);
    }
  });
});
