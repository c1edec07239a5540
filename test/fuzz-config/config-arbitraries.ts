import { appConfigSchema } from '@velos/core/config';
import fc from 'fast-check';
import { stringify as tomlStringify } from 'smol-toml';
import { stringify as yamlStringify } from 'yaml';

/** The formats a config file is written in, by the name the loader reads it under. */
export const FORMATS = [
  'velos.toml',
  'velos.yaml',
  'velos.json',
  'ecosystem.json',
  'process.yml',
  'ecosystem.config.js',
] as const;

/** One of `FORMATS`. */
export type Format = (typeof FORMATS)[number];

/** Every key of the app schema, plus the nested ones, as paths. */
export const APP_KEY_PATHS: string[][] = [
  ...Object.keys(appConfigSchema.def.shape).map((key) => [key]),
  ['watchdog', 'timeout'],
  ['watchdog', 'interval'],
  ['watchdog', 'log_file'],
  ['liveness_probe', 'http'],
  ['liveness_probe', 'tcp'],
  ['liveness_probe', 'interval'],
  ['readiness_probe', 'timeout'],
  ['readiness_probe', 'failure_threshold'],
  ['env', 'SOME_VAR'],
];

const DEEP = 5000;

/** Values for a field: the wrong types, the edges and the huge. */
export const fieldValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(
    -1,
    0,
    1,
    1024,
    1025,
    -1025,
    2 ** 31,
    2 ** 53 + 2,
    1e308,
    -0,
    'max',
    '',
    ' ',
    '5x',
    '10Q',
    '-5s',
    '400d',
    '1e3',
    '99999999999999999999ms',
    '0.5G',
    '200M',
    '* * * * *',
    'not a cron',
    '61 * * * *',
    '* * * * * * * *',
    '@daily',
    '../../etc/passwd',
    '/etc/passwd',
    'a\u0000b',
    'x'.repeat(2000),
    'SIGKILL',
    'cluster',
    'job',
    '__proto__',
    'constructor',
  ),
  fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean()), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), {
    maxKeys: 4,
  }),
  fc.constant(nested(20)),
);

/** Documents past the daemon's limits (long strings, many entries, many apps), in JSON (valid YAML too). */
export const HUGE = [
  { apps: [{ script: 'x', name: 'x'.repeat(200_000) }] },
  {
    apps: [{ script: 'x', env: Object.fromEntries(Array.from({ length: 4100 }, (_, i) => [`K${i}`, 'v'])) }],
  },
  { apps: [{ script: 'x', args: Array.from({ length: 4100 }, () => 'a') }] },
  { apps: Array.from({ length: 1001 }, (_, i) => ({ script: 'x', name: `a${i}` })) },
].map((doc) => JSON.stringify(doc, null, 1));

/** A valid app entry; mutations are applied on top of it. */
export const validApp: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    name: fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/),
    script: fc.constantFrom('server.js', 'node -e 0', 'worker.py'),
    instances: fc.constantFrom(1, 2, 'max', -1),
    restart_delay: fc.constantFrom(100, '5s', '2m'),
    max_memory: fc.constantFrom('200M', '1G', 10_485_760),
    env: fc.dictionary(fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,8}$/), fc.string({ maxLength: 10 }), {
      maxKeys: 3,
    }),
  },
  { requiredKeys: ['name', 'script'] },
);

/** A valid app with one field (possibly nested, possibly unknown) set to a random value. */
export const mutatedApp: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    validApp,
    fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...APP_KEY_PATHS) },
      { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 12 }).map((key) => [key]) },
    ),
    fieldValue,
  )
  .map(([app, path, value]) => setPath(app, path, value));

/** A config document: `{apps}`, a bare list, one bare app, `{processes}` or something else entirely. */
const DEFAULTS_KEYS = [
  'instances',
  'max_memory',
  'kill_timeout',
  'max_restarts',
  'cron_restart',
  'exec_mode',
  'env',
  'watchdog',
  'name',
  'script',
  'bogus',
] as const;

export const document: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.array(mutatedApp, { minLength: 1, maxLength: 4 }).map((apps) => ({ apps })) },
  { weight: 1, arbitrary: fc.array(validApp, { minLength: 1, maxLength: 3 }).map((apps) => ({ apps })) },
  { weight: 1, arbitrary: fc.array(mutatedApp, { minLength: 1, maxLength: 3 }) },
  { weight: 1, arbitrary: mutatedApp },
  // CFG-1: a file's [defaults] (wrong values, name/script, unknown keys) under its apps
  {
    weight: 2,
    arbitrary: fc.record({
      defaults: fc.oneof(
        {
          weight: 4,
          arbitrary: fc.dictionary(fc.constantFrom(...DEFAULTS_KEYS), fieldValue, { maxKeys: 4 }),
        },
        { weight: 1, arbitrary: fieldValue },
      ),
      apps: fc.array(fc.oneof(validApp, mutatedApp), { minLength: 1, maxLength: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({
        command: fc.string({ maxLength: 10 }),
        timeout: fieldValue,
        interval: fieldValue,
        name: fieldValue,
      })
      .map((entry) => ({ processes: [entry] })),
  },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 6 }), fieldValue, { maxKeys: 3 }) },
  { weight: 1, arbitrary: fieldValue },
);

/** A document written in `format`; a value the format cannot hold is written as JSON (a syntax error to it). */
export function serialise(doc: unknown, format: Format): string {
  try {
    if (format.endsWith('.toml')) return tomlStringify(doc as Record<string, unknown>);
    if (format.endsWith('.yaml') || format.endsWith('.yml')) return yamlStringify(doc);
    if (format.endsWith('.js')) return `module.exports = ${JSON.stringify(doc, null, 2)};\n`;
    return JSON.stringify(doc, null, 2) ?? 'null';
  } catch {
    return JSON.stringify(doc) ?? 'null';
  }
}

/** Damage done to a file's text: cut, a line repeated (a duplicate key), a byte changed, or nothing. */
export const damage: fc.Arbitrary<(text: string) => string> = fc.oneof(
  fc.constant((text: string) => text),
  fc.nat().map((at) => (text: string) => text.slice(0, at % (text.length + 1))),
  fc.nat().map((at) => (text: string) => {
    const lines = text.split('\n');
    const i = at % lines.length;
    return [...lines.slice(0, i + 1), lines[i], ...lines.slice(i + 1)].join('\n');
  }),
  fc
    .tuple(
      fc.nat(),
      fc.constantFrom('"', "'", '[', ']', '{', '}', ':', '=', ',', '\n', '\t', '\u0000', '#', '-'),
    )
    .map(([at, char]) => (text: string) => {
      const i = at % (text.length + 1);
      return text.slice(0, i) + char + text.slice(i);
    }),
);

/** Raw text: random bytes, random unicode, and deep nesting in each syntax. */
export const rawText: fc.Arbitrary<string> = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('utf8')),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.constantFrom(
    '['.repeat(DEEP),
    `${'['.repeat(DEEP)}${']'.repeat(DEEP)}`,
    `{"apps": ${'['.repeat(DEEP)}${']'.repeat(DEEP)}}`,
    `apps = ${'['.repeat(DEEP)}${']'.repeat(DEEP)}`,
    `apps: ${'['.repeat(DEEP)}${']'.repeat(DEEP)}`,
    `${'a:\n'.repeat(1)}${Array.from({ length: 300 }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')} 1`,
    'a: &a [1]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c]',
    '[[apps]]\nname = "a"\nscript = "x"\nname = "b"',
    '{"apps": [{"script": "x", "script": 1}]}',
    'apps:\n  - script: x\n    script: y',
    '{"apps": [{"script": "x", "__proto__": {"instances": 9}}]}',
    `[[apps]]\nscript = "x"\ninstances = ${'9'.repeat(30)}`,
    '[[apps]]\nscript = "x"\nrestart_delay = 1979-05-27T07:32:00Z',
    '',
    '\n\n\n',
    '\uFEFF{"apps": []}',
  ),
);

function setPath(app: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = { ...app };
  let cursor = out;
  path.forEach((key, i) => {
    if (i === path.length - 1) {
      Object.defineProperty(cursor, key, { value, enumerable: true, writable: true, configurable: true });
      return;
    }
    const next = cursor[key];
    const child = next !== null && typeof next === 'object' && !Array.isArray(next) ? { ...next } : {};
    cursor[key] = child;
    cursor = child as Record<string, unknown>;
  });
  return out;
}

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i += 1) value = i % 2 === 0 ? [value] : { k: value };
  return value;
}
