import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../src/config-loader.js';
import { jsonErrorText } from '../src/config-position.js';
import type { VelosError } from '../src/errors.js';
import { appSpecSchema } from '../src/protocol-schemas.js';

const dir = mkdtempSync(join(tmpdir(), 'velos-config-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ctx = {
  baseEnv: { PATH: '/usr/bin', HOME: '/home/u', AWS_SECRET_ACCESS_KEY: 'k', LC_ALL: 'C' },
  cpuCount: 2,
};

async function refusal(name: string, text: string): Promise<VelosError> {
  writeFileSync(join(dir, name), text);
  return loadConfigFile(join(dir, name), ctx).then(
    () => {
      throw new Error(`${name} was accepted`);
    },
    (error: VelosError) => error,
  );
}

describe('config errors name the file, the key and the line (issue #15)', () => {
  it.each([
    [
      'cron.toml',
      '[[apps]]\nname = "web"\nscript = "x.js"\ncron_restart = "not a cron"\n',
      /^cron\.toml: apps\[0\] \(web\)\.cron_restart: expected a cron expression .* \(line 4\)$/,
    ],
    [
      'job.yaml',
      'apps:\n  - name: j\n    script: x\n    type: job\n    schedule: "61 * * * *"\n',
      /^job\.yaml: apps\[0\] \(j\)\.schedule: .* \(line 5\)$/,
    ],
    [
      'never.yaml',
      'apps:\n  - name: j\n    script: x\n    type: job\n    schedule: "0 0 30 2 *"\n',
      /^never\.yaml: apps\[0\] \(j\)\.schedule: expected a cron expression like "0 3 \* \* \*", got "0 0 30 2 \*" \(it never fires: no date from now on matches it\) \(line 5\)$/,
    ],
    [
      'april.toml',
      '[[apps]]\nname = "web"\nscript = "x.js"\ncron_restart = "0 0 31 4 *"\n',
      /^april\.toml: apps\[0\] \(web\)\.cron_restart: .*got "0 0 31 4 \*" \(it never fires: .*\) \(line 4\)$/,
    ],
    [
      'jobs.toml',
      '[[apps]]\nname = "jt"\nscript = "x.js"\ntype = "job"\ninstances = 3\n',
      /^jobs\.toml: apps\[0\] \(jt\)\.instances: a job runs one instance, never several at once: expected 1, got 3 \(line 5\)$/,
    ],
    [
      'many.toml',
      '[[apps]]\nscript = "x.js"\ninstances = 5000\n',
      /^many\.toml: apps\[0\]\.instances: expected at most 1024 instances, got 5000 \(line 3\)$/,
    ],
    [
      'dog.yaml',
      'apps:\n  - script: x\n    watchdog:\n      timeout: 10\n',
      /^dog\.yaml: apps\[0\]\.watchdog\.timeout: expected at least 1000 ms, got 10 \(a bare number is milliseconds: write "10s" for 10 seconds\) \(line 4\)$/,
    ],
    [
      'dog2.yaml',
      'apps:\n  - script: x\n    watchdog:\n      timeout: 5s\n      interval: 10s\n',
      /^dog2\.yaml: apps\[0\]\.watchdog\.interval: expected an interval no longer than the timeout.* \(line 5\)$/,
    ],
    ['syntax.json', '{"apps": [\n  {"script": "x",}\n]}\n', /^syntax\.json: not valid JSON: .* \(line 2\)$/],
    [
      'second.json',
      '{"apps": [\n  {"script": "x"},\n  {"script": "y",\n   "max_memory": "lots"}\n]}\n',
      /^second\.json: apps\[1\]\.max_memory: .* \(line 4\)$/,
    ],
    [
      'deep.yaml',
      `apps: ${'['.repeat(100)}`,
      /^deep\.yaml: not valid YAML: nested deeper than 64 levels \(line 1\)$/,
    ],
    // an alias whose name is a vertical tab: yaml's ReferenceError has no position, the `*` has the line
    [
      'alias.yaml',
      '# a document that is only an alias\n*\u000b',
      /^alias\.yaml: not valid YAML: Unresolved alias.* \(line 2\)$/,
    ],
    [
      'proto.json',
      '{"apps": [{"script": "x",\n "__proto__": {"instances": 3}}]}\n',
      /^proto\.json: apps\[0\]: unknown option "__proto__" \(line 2\)$/,
    ],
    // JSON.parse keeps the last of a key written twice; YAML and TOML refuse it, and so does JSON
    [
      'twice.json',
      '{"apps": [\n  {"script": "x.js",\n   "name": "a",\n   "name": "b"}\n]}\n',
      /^twice\.json: not valid JSON: key "name" written twice in apps\[0\] \(line 4\)$/,
    ],
    [
      'twice-top.json',
      '{"apps": [{"script": "x.js"}],\n "apps": [{"script": "y.js"}]}\n',
      /^twice-top\.json: not valid JSON: key "apps" written twice at the top level \(line 2\)$/,
    ],
    [
      'twice-env.json',
      '{"apps": [{"script": "x.js"},\n  {"script": "y.js", "env": {"PORT": "1",\n   "P\\u004fRT": "2"}}]}\n',
      /^twice-env\.json: not valid JSON: key "PORT" written twice in apps\[1\]\.env \(line 3\)$/,
    ],
    // a PM2 process file (comments and trailing commas taken) too
    [
      'process.json',
      '{\n  // the api\n  "apps": [{"script": "x.js", "instances": 2,\n    /* more */ "instances": 4,}],\n}\n',
      /^process\.json: not valid JSON: key "instances" written twice in apps\[0\] \(line 4\)$/,
    ],
    [
      'retain.toml',
      '[[apps]]\nscript = "x"\nlog_retain = 5000\n',
      /^retain\.toml: apps\[0\]\.log_retain: expected a whole number, 0 to 1000, got 5000 \(line 3\)$/,
    ],
  ])('%s', async (name, text, message) => {
    const error = await refusal(name, text);
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toMatch(message);
    expect(error.data).toMatchObject({ file: join(dir, name), line: expect.any(Number) });
  });

  it('every app it accepts passes the daemon schema: the daemon never refuses without a file', async () => {
    writeFileSync(
      join(dir, 'ok.toml'),
      '[[apps]]\nscript = "x.js"\ninstances = -1\nwatchdog = { timeout = "2s" }\n',
    );
    const [spec] = await loadConfigFile(join(dir, 'ok.toml'), ctx);
    expect(appSpecSchema.safeParse(spec).success).toBe(true);
  });
});

describe('a JSON syntax error reads the same on every Node', () => {
  it("drops the `(line 2 column 3)` Node 24's V8 adds, as the loader appends `(line 2)` itself", () => {
    const node20 = "Expected property name or '}' in JSON at position 4";
    const node24 = `${node20} (line 2 column 3)`;
    expect(jsonErrorText(node24)).toBe(node20);
    expect(jsonErrorText(node20)).toBe(node20);
  });

  it('names the line once, whichever Node parsed the file', async () => {
    const error = await refusal('comma.json', '{"apps": [\n  {"script": "x",}\n]}\n');
    expect(error.message).toMatch(/^comma\.json: not valid JSON: [^()]* in JSON at position \d+ \(line 2\)$/);
  });
});

describe('a value of the wrong type reads as one line naming what was expected and what was written', () => {
  it.each([
    [
      'quoted.toml',
      '[[apps]]\nscript = "x"\nautorestart = "false"\n',
      'quoted.toml: apps[0].autorestart: expected true or false (without quotes), got "false" (line 3)',
    ],
    [
      'missing.yaml',
      'apps:\n  - name: web\n',
      'missing.yaml: apps[0].script: required, expected a string (line 2)',
    ],
    [
      'null.yaml',
      'apps:\n  - script: x\n    env:\n      A: null\n',
      'null.yaml: apps[0].env.A: expected a string, a number or a boolean, got null (line 4)',
    ],
    [
      'signal.toml',
      '[[apps]]\nscript = "x"\nkill_signal = "SIGFOO"\n',
      /^signal\.toml: apps\[0\]\.kill_signal: expected one of "SIGTERM", "SIGINT", .*, got "SIGFOO" \(line 3\)$/,
    ],
    [
      'watch.toml',
      '[[apps]]\nscript = "x"\nwatch = 5\n',
      'watch.toml: apps[0].watch: expected a boolean, a string or a list, got 5 (line 3)',
    ],
    [
      'timeout.toml',
      '[[apps]]\nscript = "x"\nkill_timeout = true\n',
      'timeout.toml: apps[0].kill_timeout: expected a duration like 1500, "500ms", "5s" or "2m", got true (line 3)',
    ],
    [
      'cond.yaml',
      'apps:\n  - script: x\n    depends_on:\n      - name: db\n        condition: up\n',
      'cond.yaml: apps[0].depends_on[0].condition: expected one of "started", "healthy", "completed_successfully", got "up" (line 5)',
    ],
    [
      'probe.yaml',
      'apps:\n  - script: x\n    readiness_probe:\n      http: 80\n',
      'probe.yaml: apps[0].readiness_probe.http: expected a string or a table, got 80 (line 4)',
    ],
    [
      'compose.yaml',
      'version: "0.5"\nprocesses:\n  web:\n    command: ./web\n',
      /^compose\.yaml: processes: expected a list \(- name: web, command: "…"\), got a map of names as process-compose writes it, which Velos does not read: write each process as an "apps:" entry .*\(line 2\)$/,
    ],
  ])('%s', async (name, text, message) => {
    const error = await refusal(name, text);
    expect(error.code).toBe('INVALID_CONFIG');
    if (typeof message === 'string') expect(error.message).toBe(message);
    else expect(error.message).toMatch(message);
  });

  it('a PM2 file may give an env value null: PM2 runs it as the string "null", and so does Velos, with a warning', async () => {
    writeFileSync(
      join(dir, 'ecosystem.json'),
      JSON.stringify({
        apps: [{ name: 'e1', script: 'x', env: { A: null, B: 2 }, env_production: { C: null } }],
      }),
    );
    const warnings: string[] = [];
    const [spec] = await loadConfigFile(join(dir, 'ecosystem.json'), {
      ...ctx,
      envProfile: 'production',
      onWarning: (warning) => warnings.push(warning),
    });
    expect(spec!.ownEnv).toEqual({ A: 'null', B: '2', C: 'null' });
    expect(warnings).toEqual([
      'ecosystem.json: apps[0] (e1): env.A, env_production.C: null is passed as the string "null", as PM2 does',
    ]);
  });

  it('a PM2 file may give an env value an object or a list: PM2 passes its JSON text, and so does Velos, with a warning', async () => {
    writeFileSync(
      join(dir, 'ecosystem.json'),
      JSON.stringify({
        apps: [{ name: 'e2', script: 'x', env: { CONFIG: { a: 1, b: ['x'] }, HOSTS: [1, 2] } }],
      }),
    );
    const warnings: string[] = [];
    const [spec] = await loadConfigFile(join(dir, 'ecosystem.json'), {
      ...ctx,
      onWarning: (warning) => warnings.push(warning),
    });
    expect(spec!.ownEnv).toEqual({ CONFIG: '{"a":1,"b":["x"]}', HOSTS: '[1,2]' });
    expect(warnings).toEqual([
      'ecosystem.json: apps[0] (e2): env.CONFIG, env.HOSTS: an object or list is passed as its JSON text, as PM2 does',
    ]);
    // Velos's own files keep refusing it
    writeFileSync(
      join(dir, 'own.json'),
      JSON.stringify({ apps: [{ name: 'e2', script: 'x', env: { C: { a: 1 } } }] }),
    );
    await expect(loadConfigFile(join(dir, 'own.json'), ctx)).rejects.toThrow(
      /env\.C: expected a string, a number or a boolean/,
    );
  });
});

describe('inherit_env', () => {
  it('keeps the whole caller environment by default, only the basics with inherit_env = false', async () => {
    writeFileSync(
      join(dir, 'env.toml'),
      '[[apps]]\nname = "a"\nscript = "x.js"\n\n[[apps]]\nname = "b"\nscript = "x.js"\ninherit_env = false\nenv = { PORT = 80 }\n',
    );
    const [a, b] = await loadConfigFile(join(dir, 'env.toml'), ctx);
    expect(a!.env).toEqual(ctx.baseEnv);
    expect(a!.inheritEnv).toBeUndefined();
    expect(b!.env).toEqual({ PATH: '/usr/bin', HOME: '/home/u', LC_ALL: 'C', PORT: '80' });
    expect(b!.inheritEnv).toBe(false);
    expect(appSpecSchema.safeParse(b).success).toBe(true);
  });
});

describe("filter_env (PM2's)", () => {
  it('leaves out inherited variables by prefix (own env kept), true inherits the basics, and bad values are named', async () => {
    writeFileSync(
      join(dir, 'filter.toml'),
      [
        '[[apps]]\nname = "a"\nscript = "x.js"\nfilter_env = ["LC_", "HO"]\nenv = { HOST = "h" }',
        '[[apps]]\nname = "b"\nscript = "x.js"\nfilter_env = "SECRET"',
        '[[apps]]\nname = "c"\nscript = "x.js"\nfilter_env = true',
        '[[apps]]\nname = "d"\nscript = "x.js"\nfilter_env = false',
      ].join('\n\n'),
    );
    const base = { ...ctx, baseEnv: { ...ctx.baseEnv, SECRET_TOKEN: 't', SECRETARY: 's' } };
    const [a, b, c, d] = await loadConfigFile(join(dir, 'filter.toml'), base);
    expect(a!.env).toEqual({ ...omit(base.baseEnv, ['HOME', 'LC_ALL']), HOST: 'h' });
    expect(a!.filterEnv).toEqual(['LC_', 'HO']);
    expect(b!.env).toEqual(omit(base.baseEnv, ['SECRET_TOKEN', 'SECRETARY']));
    expect(c!.env).toEqual({ PATH: '/usr/bin', HOME: '/home/u', LC_ALL: 'C' });
    expect(c!.inheritEnv).toBe(false);
    expect(d!.env).toEqual(base.baseEnv);
    expect(d!.filterEnv).toBeUndefined();
    for (const spec of [a, b, c]) expect(appSpecSchema.safeParse(spec).success).toBe(true);
    writeFileSync(join(dir, 'bad-filter.toml'), '[[apps]]\nscript = "x.js"\nfilter_env = 3\n');
    await expect(loadConfigFile(join(dir, 'bad-filter.toml'), ctx)).rejects.toThrow(
      'apps[0].filter_env: expected true (as inherit_env = false) or prefixes of variable names, e.g. ["AWS_", "SECRET"]',
    );
  });
});

function omit(env: Record<string, string>, keys: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !keys.includes(key)));
}
