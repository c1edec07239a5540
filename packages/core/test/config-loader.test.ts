import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deriveName, splitArgs } from '../src/app-schema.js';
import { isConfigFile, loadConfigFile, validateConfig } from '../src/config-loader.js';
import { isVelosError } from '../src/errors.js';
import { appSpecSchema } from '../src/protocol-schemas.js';

const dir = mkdtempSync(join(tmpdir(), 'velos-core-'));
const ctx = { baseEnv: { PATH: '/usr/bin', HOME: '/root' }, cpuCount: 4 };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function errorOf(fn: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await fn();
  } catch (error) {
    if (isVelosError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected an error');
}

/** `ecosystem.json` as `ecosystem-ok.json`: PM2's file names begin the name. */
function tagged(name: string, tag: string): string {
  return name.replace('.', `-${tag}.`);
}

function entries(n: number, entry: (i: number) => string, separator = ''): string {
  return Array.from({ length: n }, (_, i) => `  ${entry(i)}`).join(`${separator}\n`);
}

describe('config loader', () => {
  it.each([
    ['many.toml', (i: number) => `[[apps]]\nname = "a${i}"\nscript = "x.js"\n`, 1],
    ['many.yaml', (i: number) => `${i === 0 ? 'apps:\n' : ''}  - name: a${i}\n    script: x.js\n`, 2],
  ])('refuses %s of 100000 apps before parsing it, in a few seconds at most', async (name, app, line) => {
    const file = write(name, Array.from({ length: 100_000 }, (_, i) => app(i)).join(''));
    const started = performance.now();
    const error = await errorOf(() => loadConfigFile(file, ctx));
    // the parse alone took 9 s (TOML) and 34 s (YAML) before the count after it refused the file
    expect(performance.now() - started).toBeLessThan(3000);
    expect(error).toEqual({
      code: 'INVALID_CONFIG',
      message: `${name}: apps: 100000 apps, at most 1000 in one file (line ${line})`,
    });
  });

  // TOML's inline array, YAML's flow list, JSON and PM2's JSON (comments, trailing commas): n apps, and a tail
  const flowForms: [string, (n: number, tail?: string) => string, number][] = [
    [
      'inline.toml',
      (n, tail = '') => `apps = [\n${entries(n, (i) => `{ name = "a${i}", script = "x.js" },`)}]\n${tail}`,
      2,
    ],
    [
      'flow.yaml',
      (n, tail = '') => `apps: [\n${entries(n, (i) => `{name: a${i}, script: x.js},`)}]\n${tail}`,
      2,
    ],
    [
      'velos.json',
      (n, tail = '') =>
        `{"apps": [\n${entries(n, (i) => `{"name": "a${i}", "script": "x.js"}`, ',')}]${tail}}`,
      2,
    ],
    [
      'ecosystem.json',
      (n, tail = '') =>
        `{ // PM2\n"apps": [\n${entries(n, (i) => `{"name": "a${i}", "script": "x.js",}, /* ] */`)}],${tail}}`,
      3,
    ],
  ];

  it.each(flowForms)(
    'refuses %s of 100000 apps before parsing it, in a few seconds at most',
    async (name, text, line) => {
      const file = write(tagged(name, 'many'), text(100_000));
      const started = performance.now();
      const error = await errorOf(() => loadConfigFile(file, ctx));
      // the parse took 19 s (YAML), and 2-3 s (TOML, JSON) with the work per app before the count
      expect(performance.now() - started).toBeLessThan(3000);
      expect(error).toEqual({
        code: 'INVALID_CONFIG',
        message: `${tagged(name, 'many')}: apps: 100000 apps, at most 1000 in one file (line ${line})`,
      });
    },
  );

  it.each(flowForms)('counts the apps of %s before its parse, and takes 1000 of them', async (name, text) => {
    // a syntax error after the list: the count refuses 1001 apps first, the parse reports it for 1000
    const bad = name.endsWith('.toml') ? 'x = [1,\n' : name.endsWith('.yaml') ? 'x: "open\n' : ', "x": tru';
    const over = write(tagged(name, 'over'), text(1001, bad));
    expect((await errorOf(() => loadConfigFile(over, ctx))).message).toMatch(/apps: 1001 apps, at most 1000/);
    const under = write(tagged(name, 'under'), text(1000, bad));
    expect((await errorOf(() => loadConfigFile(under, ctx))).message).toMatch(/not valid/);
    expect(await loadConfigFile(write(tagged(name, 'ok'), text(1000)), ctx)).toHaveLength(1000);
  });

  it('refuses a parsed document of too many apps before the work per app (a JavaScript file is counted there)', () => {
    // app 0's bad env profile was found first, after copying every app, when the count came later
    const apps = [
      { script: 'a.js', env_prod: 5 },
      ...Array.from({ length: 1000 }, () => ({ script: 'a.js' })),
    ];
    expect(() => validateConfig({ apps }, 'ecosystem.config.js', { ...ctx, baseDir: dir })).toThrow(
      'ecosystem.config.js: apps: 1001 apps, at most 1000 in one file',
    );
  });

  it('reports every syntax error yaml finds in one run, each with its line and column', async () => {
    const text = [
      'apps:',
      '  - name: a',
      '    script: a.js',
      '    script: b.js',
      '  - name: b',
      '    env: { A: 1, A: 2 }',
      '  - name: c',
      '    script: "x\\q"',
      '',
    ].join('\n');
    const file = write('errors.yaml', text);
    const error = await loadConfigFile(file, ctx).catch((caught: unknown) => caught);
    expect(isVelosError(error) && error.code).toBe('INVALID_CONFIG');
    const { message, data } = error as {
      message: string;
      data: { file: string; line: number; issues: unknown };
    };
    expect(message).toBe('errors.yaml: not valid YAML: Map keys must be unique at line 4, column 5');
    expect(data).toMatchObject({ file, line: 4 });
    expect(data.issues).toEqual([
      { message, keyPath: [], line: 4 },
      {
        message: 'errors.yaml: not valid YAML: Map keys must be unique at line 6, column 18',
        keyPath: [],
        line: 6,
      },
      {
        message: 'errors.yaml: not valid YAML: Invalid escape sequence \\q at line 8, column 15',
        keyPath: [],
        line: 8,
      },
    ]);
  });

  it('keeps the line and column of a bad \\U escape whose words quote the next line (config fuzzing)', async () => {
    const text = [
      'apps:',
      '  - name: a',
      '    env: { A: "\\U',
      '      xyz" }',
      '  - name: a',
      '    name: b',
      '',
    ].join('\n');
    const error = await loadConfigFile(write('escape.yaml', text), ctx).catch((caught: unknown) => caught);
    const { message, data } = error as { message: string; data: { issues: { message: string }[] } };
    expect(message).not.toContain('\n');
    expect(data.issues.map((issue) => issue.message)).toContain(
      'escape.yaml: not valid YAML: Invalid escape sequence \\U\\n      x at line 3, column 16',
    );
  });

  it('takes a file of 1000 apps, and refuses one of 1001 with the same line', async () => {
    const app = (i: number) => `[[apps]]\nname = "a${i}"\nscript = "x.js"\n`;
    const ok = write('thousand.toml', Array.from({ length: 1000 }, (_, i) => app(i)).join(''));
    expect(await loadConfigFile(ok, ctx)).toHaveLength(1000);
    const over = write('more.toml', Array.from({ length: 1001 }, (_, i) => app(i)).join(''));
    expect((await errorOf(() => loadConfigFile(over, ctx))).message).toBe(
      'more.toml: apps: 1001 apps, at most 1000 in one file (line 1)',
    );
  });

  it('refuses a file over 16 MiB before reading it', async () => {
    const file = join(dir, 'huge.json');
    // a sparse file: its size without its bytes
    writeFileSync(file, '');
    truncateSync(file, 17 * 1024 * 1024);
    expect(await errorOf(() => loadConfigFile(file, ctx))).toEqual({
      code: 'INVALID_CONFIG',
      message: 'huge.json: 17M, at most 16M for a config file (1000 apps of 16 KiB)',
    });
  });

  it('loads TOML with every default applied and paths resolved against the file', async () => {
    const file = write(
      'velos.toml',
      `[[apps]]
name = "api"
script = "server.js"
args = ["--port", "8080"]
instances = "max"
env = { PORT = 8080, DEBUG = true }
min_uptime = "2s"
restart_delay = 250
stop_exit_codes = [0, 3]
kill_timeout = "3s"
time = true
`,
    );
    const [spec] = await loadConfigFile(file, ctx);
    expect(spec).toMatchObject({
      name: 'api',
      script: 'server.js',
      args: ['--port', '8080'],
      cwd: dir,
      instances: 4,
      minUptimeMs: 2000,
      restartDelayMs: 250,
      stopExitCodes: [0, 3],
      killTimeoutMs: 3000,
      logDateFormat: 'iso',
      autorestart: true,
      maxRestarts: 16,
      namespace: 'default',
    });
    expect(spec!.env).toEqual({ PATH: '/usr/bin', HOME: '/root', PORT: '8080', DEBUG: 'true' });
    expect(appSpecSchema.safeParse(spec).success).toBe(true);
  });

  it('loads YAML and JSON, including a bare JSON array and string args', async () => {
    const yaml = write(
      'apps.yaml',
      'apps:\n  - script: ./worker.py\n    cwd: sub\n    args: "--once --name \'a b\'"\n',
    );
    const [fromYaml] = await loadConfigFile(yaml, ctx);
    expect(fromYaml).toMatchObject({
      name: 'worker',
      cwd: join(dir, 'sub'),
      args: ['--once', '--name', 'a b'],
    });
    const json = write(
      'apps.json',
      JSON.stringify([
        { name: 'a', script: 'a.js' },
        { name: 'b', script: 'b.js' },
      ]),
    );
    expect((await loadConfigFile(json, ctx)).map((s) => s.name)).toEqual(['a', 'b']);
  });

  // it printed "apps: required", then "unknown options "name", "script"", then "script" once more
  it.each([
    ['flat.toml', '# one app\nname = "api"\nscript = "server.js"\n', 'under an [[apps]] header (line 2)'],
    ['flat.yaml', 'name: api\nscript: server.js\n', 'in an "apps:" list (- name: …) (line 1)'],
    ['flat.json', '{"name": "api", "script": "server.js"}', 'in {"apps": [{…}]}'],
  ])(
    'tells where the keys of one app written at the top of %s go, in one issue',
    async (name, text, form) => {
      const error = await loadConfigFile(write(name, text), ctx).catch((e: unknown) => e);
      expect(isVelosError(error) && error.message).toBe(
        `${name}: apps: required; "name", "script" are the keys of an app, written at the top of the file: put them ${form}`,
      );
      expect(isVelosError(error) && (error.data as { issues?: unknown[] }).issues).toBeUndefined();
    },
  );

  // docs/configuration.md said every relative path was the file's directory's; they follow the app's cwd
  it("resolves cwd against the file's directory and the app's paths against its cwd", async () => {
    const toml = write(
      'paths.toml',
      '[[apps]]\nname = "p"\nscript = "app.js"\ncwd = "sub"\nout_file = "logs/o.log"\nerror_file = "logs/e.log"\nlog_file = "all.log"\npid_file = "p.pid"\nwatch = ["src"]\n',
    );
    const [spec] = await loadConfigFile(toml, ctx);
    const sub = join(dir, 'sub');
    expect(spec).toMatchObject({
      script: 'app.js',
      cwd: sub,
      outFile: join(sub, 'logs/o.log'),
      errFile: join(sub, 'logs/e.log'),
      logFile: join(sub, 'all.log'),
      pidFile: join(sub, 'p.pid'),
      watch: [join(sub, 'src')],
    });
  });

  it('reads a pid_file at /dev/null as no pid file (the removal at the end of a run took the device)', async () => {
    const toml = write('null-pid.toml', '[[apps]]\nname = "p"\nscript = "app.js"\npid_file = "/dev/null"\n');
    const [spec] = await loadConfigFile(toml, ctx);
    expect(spec?.name).toBe('p');
    expect(spec?.pidFile).toBeUndefined();
  });

  it('resolves YAML merge keys and ignores top-level x- extension keys, as docker-compose files write them', async () => {
    const yaml = write(
      'compose-like.yaml',
      [
        'x-common: &common',
        '  script: ./server.js',
        '  max_restarts: 3',
        '  env: { MODE: shared }',
        'apps:',
        '  - <<: *common',
        '    name: a',
        '  - <<: *common',
        '    name: b',
        '    max_restarts: 5',
        '',
      ].join('\n'),
    );
    const specs = await loadConfigFile(yaml, ctx);
    expect(specs.map((s) => [s.name, s.script, s.maxRestarts, s.env.MODE])).toEqual([
      ['a', './server.js', 3, 'shared'],
      ['b', './server.js', 5, 'shared'],
    ]);
    const toml = write('ext.toml', '[x-notes]\nowner = "ops"\n\n[[apps]]\nname = "t"\nscript = "t.js"\n');
    expect((await loadConfigFile(toml, ctx)).map((s) => s.name)).toEqual(['t']);
    // an unknown top-level key that is not an extension is still refused
    const other = write('other.yaml', 'extra: 1\napps:\n  - script: a.js\n');
    expect((await errorOf(() => loadConfigFile(other, ctx))).message).toBe(
      'other.yaml: unknown option "extra" (line 1)',
    );
  });

  it('names the line of a merge key whose value is no map (yaml finds it after parsing, without a line)', async () => {
    const lines = [
      'x-common: &common',
      '  script: ./server.js',
      'apps:',
      '  - <<: *common',
      '    name: a',
      '  - name:',
      '      <<: ""',
      '    script: server.js',
    ];
    const bad = write('bad-merge.yaml', lines.join('\n'));
    expect((await errorOf(() => loadConfigFile(bad, ctx))).message).toBe(
      'bad-merge.yaml: not valid YAML: Merge sources must be maps or map aliases (line 7)',
    );
    // an alias of something else than a map, in a list of sources
    const scalar = write('alias-merge.yaml', 'x-name: &name web\napps:\n  - <<: [*name]\n    script: a.js\n');
    expect((await errorOf(() => loadConfigFile(scalar, ctx))).message).toBe(
      'alias-merge.yaml: not valid YAML: Merge sources must be maps or map aliases (line 3)',
    );
    // a quoted "<<" is an ordinary key (the schema refuses it like every unknown option)
    const quoted = write('quoted-merge.yaml', 'apps:\n  - script: a.js\n    "<<": 1\n');
    expect((await errorOf(() => loadConfigFile(quoted, ctx))).message).toMatch(/unknown option "<<"/);
  });

  it('names the file, the path and what was expected', async () => {
    const bad = write(
      'velos.toml',
      '[[apps]]\nscript = "a.js"\n\n[[apps]]\nscript = "b.js"\ninstances = 1.5\n',
    );
    const error = await errorOf(() => loadConfigFile(bad, ctx));
    expect(error.code).toBe('INVALID_CONFIG');
    // CFG-2: and the line of the key
    expect(error.message).toMatch(/^velos\.toml: apps\[1\]\.instances: .*got 1\.5 \(line 6\)$/);
  });

  it('refuses env names and values no process environment holds (= or NUL), naming the line', async () => {
    const name = write('env-name.toml', '[[apps]]\nscript = "a.js"\nenv = { OK = 1, "A=B" = "x" }\n');
    expect((await errorOf(() => loadConfigFile(name, ctx))).message).toBe(
      'env-name.toml: apps[0].env.A=B: expected a variable name (not empty, without = or NUL), got "A=B" (line 3)',
    );
    const value = write('env-value.yaml', 'apps:\n  - script: a.js\n    env:\n      TOKEN: "a\\0b"\n');
    expect((await errorOf(() => loadConfigFile(value, ctx))).message).toBe(
      'env-value.yaml: apps[0].env.TOKEN: expected a value without NUL characters, got "a\\u0000b" (line 4)',
    );
  });

  it('rejects unknown options, duplicate names, syntax errors and missing files', async () => {
    const typo = write('typo.json', JSON.stringify({ apps: [{ script: 'a.js', max_restart: 3 }] }));
    expect((await errorOf(() => loadConfigFile(typo, ctx))).message).toBe(
      'typo.json: apps[0]: unknown option "max_restart" (did you mean "max_restarts"?)',
    );
    const flag = write('flag.json', JSON.stringify({ apps: [{ script: 'a.js', type: 'job', every: '1m' }] }));
    expect((await errorOf(() => loadConfigFile(flag, ctx))).message).toBe(
      'flag.json: apps[0]: unknown option "every" (did you mean "interval"?)',
    );
    const dup = write('dup.json', JSON.stringify({ apps: [{ script: 'a.js' }, { script: 'b/a.js' }] }));
    expect((await errorOf(() => loadConfigFile(dup, ctx))).message).toMatch(
      /apps\[1\]\.name: expected a unique name/,
    );
    const broken = write('broken.toml', '[[apps]\nscript=');
    expect((await errorOf(() => loadConfigFile(broken, ctx))).message).toMatch(
      /^broken\.toml: not valid TOML/,
    );
    expect((await errorOf(() => loadConfigFile(join(dir, 'missing.toml'), ctx))).code).toBe(
      'CONFIG_NOT_FOUND',
    );
    const empty = write('empty.json', '{"apps": []}');
    expect((await errorOf(() => loadConfigFile(empty, ctx))).message).toBe(
      'empty.json: apps: expected at least one app, got []',
    );
    const duration = write('dur.json', JSON.stringify({ apps: [{ script: 'a.js', min_uptime: 'soon' }] }));
    expect((await errorOf(() => loadConfigFile(duration, ctx))).message).toMatch(
      /apps\[0\]\.min_uptime: expected a duration/,
    );
  });

  it('suggests the option a misspelt or PM2-named key was meant to be (issue #19)', async () => {
    const file = write(
      'misspelt.json',
      JSON.stringify({
        apps: [
          {
            script: 'a.js',
            max_memory_restrat: '200M',
            evn: {},
            frobnicate: 1,
          },
        ],
      }),
    );
    expect((await errorOf(() => loadConfigFile(file, ctx))).message).toBe(
      'misspelt.json: apps[0]: unknown options "max_memory_restrat" (did you mean "max_memory"?), "evn" (did you mean "env"?), "frobnicate"',
    );
    // a misspelt required key: the unknown key and its fix, not "script: required"
    const missing = write('missing-script.json', JSON.stringify({ apps: [{ name: 'x', scrpit: 'a.js' }] }));
    expect((await errorOf(() => loadConfigFile(missing, ctx))).message).toBe(
      'missing-script.json: apps[0]: unknown option "scrpit" (did you mean "script"?)',
    );
    const nested = write(
      'nested.json',
      JSON.stringify({ apps: [{ script: 'a.js', watchdog: { intreval: 5 } }] }),
    );
    expect((await errorOf(() => loadConfigFile(nested, ctx))).message).toBe(
      'nested.json: apps[0].watchdog: unknown option "intreval" (did you mean "interval"?)',
    );
    const probe = write(
      'probe.json',
      JSON.stringify({ apps: [{ script: 'a.js', liveness_probe: { http: 'http://x/', timout: '1s' } }] }),
    );
    expect((await errorOf(() => loadConfigFile(probe, ctx))).message).toBe(
      'probe.json: apps[0].liveness_probe: unknown option "timout" (did you mean "timeout"?)',
    );
  });

  it('refuses a duration past 365 days, naming the bound (issue #19 item 3)', async () => {
    const file = write('long.json', JSON.stringify({ apps: [{ script: 'a.js', restart_delay: '400d' }] }));
    expect((await errorOf(() => loadConfigFile(file, ctx))).message).toBe(
      'long.json: apps[0].restart_delay: expected a duration of at most 365d, got "400d"',
    );
    const spec = (
      await loadConfigFile(write('ok.json', JSON.stringify({ apps: [{ script: 'a.js' }] })), ctx)
    )[0]!;
    expect(appSpecSchema.safeParse({ ...spec, restartDelayMs: 30 * 86_400_000 }).success).toBe(true);
    expect(appSpecSchema.safeParse({ ...spec, restartDelayMs: 400 * 86_400_000 }).success).toBe(false);
    expect(appSpecSchema.safeParse({ ...spec, type: 'job', intervalMs: 1e300 }).success).toBe(false);
  });

  // `namespace = "all"` was taken, and `velos stop all` then stopped every app; `kill_timeout = 1.5` was 1.5 ms
  it('refuses the namespace "all" and a bare fraction of a millisecond, and takes sizes in KiB/MiB/GiB', async () => {
    const app = (extra: string) => `[[apps]]\nname = "api"\nscript = "a.js"\n${extra}\n`;
    expect(
      (await errorOf(() => loadConfigFile(write('ns.toml', app('namespace = "all"')), ctx))).message,
    ).toBe(
      'ns.toml: apps[0].namespace: expected a namespace other than "all" (a target "all" means every process), got "all" (line 4)',
    );
    expect(
      (await errorOf(() => loadConfigFile(write('kt.toml', app('kill_timeout = 1.5')), ctx))).message,
    ).toBe(
      'kt.toml: apps[0].kill_timeout: expected a duration like 1500, "500ms", "5s" or "2m", got 1.5 (a bare number is milliseconds: write "1.5s" for 1.5 seconds) (line 4)',
    );
    const [spec] = await loadConfigFile(write('gib.toml', app('max_memory_restart = "2GiB"')), ctx);
    expect(spec?.maxMemoryBytes).toBe(2 * 1024 ** 3);
  });

  // a file saved with a byte order mark (Windows Notepad): TOML and YAML took it, JSON refused it with
  // "not valid JSON: Unexpected token '\uFEFF'", the character invisible in the message
  it.each([
    ['bom.json', '{"apps":[{"name":"api","script":"server.js"}]}'],
    ['bom.toml', '[[apps]]\r\nname = "api"\r\nscript = "server.js"\r\n'],
    ['bom.yaml', 'apps:\r\n  - name: api\r\n    script: server.js\r\n'],
    ['ecosystem.json', '{apps: [{"name": "api", "script": "server.js",},],}'.replace('{apps', '{"apps"')],
  ])(
    'reads %s with a byte order mark (and CRLF line ends) like the same file without',
    async (name, text) => {
      const specs = await loadConfigFile(write(name, `\uFEFF${text}`), ctx);
      expect(specs.map((spec) => [spec.name, spec.script])).toEqual([['api', 'server.js']]);
      const error = await errorOf(() =>
        loadConfigFile(write(`bad-${name}`, '\uFEFF{"apps": [{"name": 5}]}'), ctx),
      );
      expect(error.code).toBe('INVALID_CONFIG');
      expect(error.message).not.toContain('\uFEFF');
      expect(error.message.split('\n')).toHaveLength(1);
    },
  );

  // readFileSync(…, 'utf8') turned a Latin-1 byte into U+FFFD: `name = "caf�"` was refused as a bad
  // name, and the same byte in an env value or an argument reached the app changed, without a word
  it.each([
    ['latin1.toml', '[[apps]]\nname = "api"\nscript = "server.js"\nenv = { CITY = "Orl\xE9ans" }\n', 4, 20],
    [
      'latin1.yaml',
      'apps:\n  - name: api\n    script: server.js\n    args: ["--city", "Orl\xE9ans"]\n',
      4,
      26,
    ],
    ['latin1.json', '{"apps": [{"name": "api", "script": "server.js", "args": "Orl\xE9ans"}]}', 1, 62],
  ])('refuses %s, which is not UTF-8, naming the line of the byte', async (name, text, line, column) => {
    const error = await errorOf(() => loadConfigFile(write(name, Buffer.from(text, 'latin1')), ctx));
    expect(error).toEqual({
      code: 'INVALID_CONFIG',
      message: `${name}: not UTF-8 text: byte 0xe9 (line ${line}, column ${column}); save the file as UTF-8`,
    });
  });

  // it said "cannot read config file …" and no more: a directory, a path through a file, no permission
  it('says why a config file cannot be read', async () => {
    const folder = join(dir, 'folder.toml');
    mkdirSync(folder, { recursive: true });
    expect((await errorOf(() => loadConfigFile(folder, ctx))).message).toBe(
      `folder.toml: cannot read config file ${folder} (EISDIR: a directory)`,
    );
    const through = join(write('plain.txt', ''), 'inner.toml');
    expect(await errorOf(() => loadConfigFile(through, ctx))).toEqual({
      code: 'CONFIG_NOT_FOUND',
      message: `inner.toml: cannot read config file ${through} (ENOTDIR: a part of its path is not a directory)`,
    });
  });

  it('refuses a UTF-16 file by name rather than as a syntax error at an invisible character', async () => {
    const file = write('utf16.json', Buffer.from('\uFEFF{"apps": []}', 'utf16le'));
    expect((await errorOf(() => loadConfigFile(file, ctx))).message).toBe(
      'utf16.json: not UTF-8 text: a UTF-16 byte order mark (line 1, column 1); save the file as UTF-8',
    );
  });

  it('recognises config files by extension', async () => {
    expect(isConfigFile('velos.toml')).toBe(true);
    expect(isConfigFile('a/b/apps.YML')).toBe(true);
    expect(isConfigFile('server.js')).toBe(false);
  });

  it('derives names and splits quoted arguments', async () => {
    expect(deriveName('/srv/api/server.js')).toBe('server');
    expect(deriveName('python3 app.py > /tmp/app.log 2>&1')).toBe('python3');
    // a name only holds letters, digits and _ . @ - (it names the log files; found by test/fuzz-config)
    expect(deriveName('!')).toBe('-');
    expect(deriveName('../../x y')).toBe('x');
    expect(deriveName('a\u0000b')).toBe('a-b');
    expect(deriveName('./123.js')).toBe('app-123');
    expect(splitArgs(`a "b c" 'd e' f\\ g "h \\"i\\""`)).toEqual(['a', 'b c', 'd e', 'f\\', 'g', 'h "i"']);
    // a quoted part inside a word keeps the word whole, as in a shell (PM2's args: "--title='a b'")
    expect(splitArgs(`--x="a b" --name='hello world' c a"b c"d ""`)).toEqual([
      '--x=a b',
      '--name=hello world',
      'c',
      'ab cd',
      '',
    ]);
  });
});

describe('config messages', () => {
  it.each([
    [
      { instances: 'abc' },
      'apps[0].instances: expected a whole number, "max", 0 (one per CPU) or -n (CPUs minus n), got "abc"',
    ],
    [
      { instances: 2.5 },
      'apps[0].instances: expected a whole number, "max", 0 (one per CPU) or -n (CPUs minus n), got 2.5',
    ],
    [{ max_restarts: 1.5 }, 'apps[0].max_restarts: expected a whole number, 0 or more, got 1.5'],
    [
      { stop_exit_codes: [1.5] },
      'apps[0].stop_exit_codes: expected an exit code or a list of exit codes (0-255), got [1.5]',
    ],
  ])('explains %j', async (fields, message) => {
    const file = write('msg.json', JSON.stringify({ apps: [{ script: 'a.js', ...fields }] }));
    expect((await errorOf(() => loadConfigFile(file, ctx))).message).toBe(`msg.json: ${message}`);
  });

  it('takes PM2\'s instances: "max" and 0 are the CPU count, -n the CPU count minus n (at least 1)', async () => {
    const counts = [];
    for (const instances of ['max', 0, -1, -3, -9, '2']) {
      const file = write('max.json', JSON.stringify({ apps: [{ name: 'a', script: 'a.js', instances }] }));
      counts.push((await loadConfigFile(file, ctx))[0]!.instances);
    }
    expect(counts).toEqual([4, 4, 3, 1, 1, 2]);
  });
});

describe('rotation and memory options', () => {
  it('parses sizes, cron, retention and compression', async () => {
    const file = write(
      'rot.json',
      JSON.stringify({
        apps: [
          {
            name: 'a',
            script: 'a.js',
            log_max_size: '10M',
            log_retain: 3,
            log_compress: false,
            max_memory: '200M',
          },
          { name: 'b', script: 'b.js', log_rotate_cron: '0 0 * * *', cron_restart: '0 3 * * *' },
        ],
      }),
    );
    const [a, b] = await loadConfigFile(file, ctx);
    expect(a).toMatchObject({
      logMaxBytes: 10 * 1024 * 1024,
      logRetain: 3,
      logCompress: false,
      maxMemoryBytes: 200 * 1024 * 1024,
    });
    expect(b).toMatchObject({
      logRotateCron: '0 0 * * *',
      logRetain: 10,
      logCompress: true,
      cronRestart: '0 3 * * *',
    });
    expect(b!.logMaxBytes).toBeUndefined();
    expect(b!.maxMemoryBytes).toBeUndefined();
  });

  it('explains a bad size', async () => {
    const file = write(
      'badsize.json',
      JSON.stringify({ apps: [{ script: 'a.js', max_memory: '12 parsecs' }] }),
    );
    expect((await errorOf(() => loadConfigFile(file, ctx))).message).toBe(
      'badsize.json: apps[0].max_memory: expected a size like "200M", "1G" or a number of bytes (at least 1048576), got "12 parsecs"',
    );
  });
});

describe('env profiles', () => {
  const text = `[[apps]]
name = "api"
script = "api.js"
env = { NODE_ENV = "development", PORT = 3000 }
env_production = { NODE_ENV = "production" }

[[apps]]
name = "worker"
script = "worker.js"
`;

  it('merges env_<profile> over env for the chosen profile only', async () => {
    const file = write('profiles.toml', text);
    const [plain] = await loadConfigFile(file, ctx);
    expect(plain!.env).toMatchObject({ NODE_ENV: 'development', PORT: '3000' });
    const [api, worker] = await loadConfigFile(file, { ...ctx, envProfile: 'production' });
    expect(api!.env).toMatchObject({ NODE_ENV: 'production', PORT: '3000', PATH: '/usr/bin' });
    expect(worker!.env).toEqual(ctx.baseEnv);
  });

  it('says so when no app has the profile, and checks profile tables', async () => {
    const file = write('profiles.toml', text);
    expect((await errorOf(() => loadConfigFile(file, { ...ctx, envProfile: 'staging' }))).message).toBe(
      'profiles.toml: no app has an env_staging table (from --env staging) (line 1)',
    );
    const bad = write('badprofile.json', JSON.stringify({ apps: [{ script: 'a.js', env_production: 'x' }] }));
    expect((await errorOf(() => loadConfigFile(bad, ctx))).message).toBe(
      'badprofile.json: apps[0].env_production: expected a table of environment variables, got "x"',
    );
    // the app's name, as other errors of an app give it
    const named = write(
      'namedprofile.json',
      JSON.stringify({
        apps: [
          { name: 'web', script: 'a.js' },
          { name: 'api', script: 'a.js', env_production: 5 },
        ],
      }),
    );
    expect((await errorOf(() => loadConfigFile(named, ctx))).message).toBe(
      'namedprofile.json: apps[1] (api).env_production: expected a table of environment variables, got 5',
    );
  });
});
