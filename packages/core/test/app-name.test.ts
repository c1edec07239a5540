import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_NAME_LIMITS, appNameProblem, normalizeAppName } from '../src/app-name.js';
import { deriveName, resolveAppSpec } from '../src/app-resolve.js';
import { APP_DEFAULTS } from '../src/app-spec.js';
import { validateConfig } from '../src/config-loader.js';
import { isVelosError } from '../src/errors.js';
import { requestSchemas } from '../src/protocol-schemas.js';

const ctx = { baseDir: '/srv', baseEnv: {}, cpuCount: 2 };
const spec = { ...APP_DEFAULTS, name: 'api', script: 'server.js', cwd: '/srv/api', env: {} };
// `café` with é as one code point (NFC) and as e + U+0301 (NFD): one text, two spellings
const CAFE_NFC = 'caf\u00e9-api';
const CAFE_NFD = 'cafe\u0301-api';

/** The names of a config's apps, or the message it is refused with. */
function configNames(names: string[]): string[] | string {
  try {
    return validateConfig({ apps: names.map((name) => ({ name, script: 'a.js' })) }, 'v.json', ctx).map(
      (s) => s.name,
    );
  } catch (error) {
    if (isVelosError(error)) return error.message;
    throw error;
  }
}

const ACCEPTED = [
  'api',
  'my api',
  'web@2.x_-',
  CAFE_NFC,
  'заказы',
  'заказы-api',
  '注文',
  'Ölpreis',
  'नमस्ते', // Devanagari: letters and combining vowel signs
  '١٢٣-api', // Arabic-Indic digits beside letters
  'a'.repeat(100),
  'ж'.repeat(100), // 100 characters, 200 bytes
];

const REFUSED: [string, RegExp][] = [
  ['', /expected 1-100 letters or digits \(any script\)/],
  ['a/b', /expected 1-100 letters or digits/],
  ['a\\b', /expected 1-100 letters or digits/],
  ['a\nb', /expected 1-100 letters or digits/],
  ['a\u0000b', /expected 1-100 letters or digits/],
  ['a\u202eb', /expected 1-100 letters or digits/], // right-to-left override
  ['a\u200db', /expected 1-100 letters or digits/], // zero-width joiner
  ['a\u3000b', /expected 1-100 letters or digits/], // ideographic space
  [' api', /starting with a letter, digit or _ \. @ -/],
  ['\u0301api', /starting with a letter, digit or _ \. @ -/],
  ['api🚀', /expected 1-100 letters or digits/],
  ['a'.repeat(101), /expected at most 100 characters, got 101/],
  ['注'.repeat(67), /expected at most 200 bytes in UTF-8 .*got 201/],
  ['all', /must not be "all" or a number/],
  ['42', /must not be "all" or a number/],
  ['٤٢', /must not be "all" or a number/], // a number in Arabic-Indic digits
];

describe('app names (letters and digits of any script)', () => {
  it.each(ACCEPTED)('accepts %j in a config file and on the wire', (name) => {
    expect(appNameProblem(name)).toBeNull();
    expect(configNames([name])).toEqual([name]);
    expect(requestSchemas.start.safeParse({ apps: [{ ...spec, name }] }).success).toBe(true);
  });

  it.each(REFUSED)('refuses %j, saying why', (name, why) => {
    expect(appNameProblem(name)).toMatch(why);
    const refusal = configNames([name]);
    expect(refusal).toMatch(/^v\.json: apps\[0\]\.name: /);
    expect(refusal).toMatch(why);
    const wire = requestSchemas.start.safeParse({ apps: [{ ...spec, name }] });
    expect(wire.success).toBe(false);
    expect(wire.error!.issues[0]!.message).toMatch(why);
  });

  it('keeps a name within a file name: 200 bytes and the longest log suffix fit in 255', () => {
    const longest = `${'注'.repeat(66)}-err-123456.2026-11-22T01-02-03.456Z-99.log.gz.tmp`;
    expect(Buffer.byteLength(longest)).toBeLessThanOrEqual(255);
    expect(APP_NAME_LIMITS).toEqual({ maxChars: 100, maxBytes: 200 });
  });

  it('normalises to NFC: two spellings of one name are one app', () => {
    expect(normalizeAppName(CAFE_NFD)).toBe(CAFE_NFC);
    expect(configNames([CAFE_NFD])).toEqual([CAFE_NFC]);
    expect(configNames([CAFE_NFC, CAFE_NFD])).toMatch(/apps\[1\]\.name: expected a unique name/);
    const wire = requestSchemas.start.safeParse({ apps: [{ ...spec, name: CAFE_NFD }] });
    expect(wire.success && wire.data.apps[0]!.name).toBe(CAFE_NFC);
    // targets and dependencies find the app however they were typed
    const stop = requestSchemas.stop.safeParse({ target: CAFE_NFD });
    expect(stop.success && stop.data.target).toBe(CAFE_NFC);
    const dependent = validateConfig(
      {
        apps: [
          { name: CAFE_NFC, script: 'a.js' },
          { script: 'b.js', depends_on: [CAFE_NFD] },
        ],
      },
      'v.json',
      ctx,
    );
    expect(dependent[1]!.dependsOn).toEqual([{ name: CAFE_NFC, condition: 'started' }]);
  });

  it('derives names of any script from a script file, cut to the limits', () => {
    expect(deriveName('/srv/заказы.js')).toBe('заказы');
    expect(deriveName('./注文 --port 80')).toBe('注文');
    expect(deriveName('/srv/cafe\u0301.py')).toBe('caf\u00e9');
    expect(deriveName('./\u0301x.js')).toBe('-x');
    expect(deriveName('./١٢.js')).toBe('app-١٢');
    // a path with spaces that is one file: the whole file name (a command line's first word otherwise)
    expect(deriveName('/srv/my app.js', true)).toBe('my-app');
    expect(deriveName('/srv/my app.js')).toBe('my');
    // a command line's variable assignments are not its program (it was named FOO-1)
    expect(deriveName('FOO=1 NODE_ENV=production node x.js')).toBe('node');
    expect(deriveName('FOO=1 ./worker.py --fast')).toBe('worker');
    expect(deriveName('FOO=1')).toBe('FOO-1');
    const long = deriveName(`/srv/${'注'.repeat(90)}.js`);
    expect(appNameProblem(long)).toBeNull();
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(APP_NAME_LIMITS.maxBytes - 4);
  });

  it('names an app whose script is one file with spaces in its path by the whole file name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'velos-name-'));
    try {
      writeFileSync(join(dir, 'my app.js'), '');
      const ctx = { baseDir: dir, baseEnv: {}, cpuCount: 1 };
      expect(resolveAppSpec({ script: 'my app.js' }, ctx).name).toBe('my-app');
      expect(resolveAppSpec({ script: join(dir, 'my app.js') }, ctx).name).toBe('my-app');
      // not a file: a command line, named by its first word
      expect(resolveAppSpec({ script: 'node my app.js' }, ctx).name).toBe('node');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
