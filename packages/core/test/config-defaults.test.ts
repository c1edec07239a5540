import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../src/config-loader.js';
import type { VelosError } from '../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'velos-config-defaults-'));
const ctx = { baseEnv: { PATH: '/usr/bin' }, cpuCount: 4 };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function refusal(file: string, options: object = {}): Promise<VelosError> {
  return loadConfigFile(file, { ...ctx, ...options }).then(
    () => {
      throw new Error(`${file} was accepted`);
    },
    (error: VelosError) => error,
  );
}

const TOML = `[defaults]
max_memory = "300M"
kill_timeout = "7s"
max_restarts = 4

[[apps]]
name = "web"
script = "web.js"

[[apps]]
name = "worker"
script = "worker.js"
kill_timeout = "1s"
`;

describe('[defaults] in an app config file (CFG-1)', () => {
  it('applies [defaults] under each app of a TOML file; the app own keys win', async () => {
    const [web, worker] = await loadConfigFile(write('velos.toml', TOML), ctx);
    expect(web).toMatchObject({ maxMemoryBytes: 300 * 1024 * 1024, killTimeoutMs: 7000, maxRestarts: 4 });
    expect(worker).toMatchObject({ maxMemoryBytes: 300 * 1024 * 1024, killTimeoutMs: 1000, maxRestarts: 4 });
  });

  it('reads a defaults key in YAML and JSON', async () => {
    const yaml = 'defaults:\n  max_restarts: 2\napps:\n  - name: a\n    script: a.js\n';
    const json = '{"defaults": {"max_restarts": 3}, "apps": [{"name": "b", "script": "b.js"}]}';
    expect((await loadConfigFile(write('a.yaml', yaml), ctx))[0]!.maxRestarts).toBe(2);
    expect((await loadConfigFile(write('b.json', json), ctx))[0]!.maxRestarts).toBe(3);
  });

  it("layers the file's [defaults] over config.toml's", async () => {
    const defaults = { max_restarts: 9, kill_timeout: '2s', min_uptime: '3s' };
    const [web, worker] = await loadConfigFile(write('layers.toml', TOML), { ...ctx, defaults });
    expect(web).toMatchObject({ maxRestarts: 4, killTimeoutMs: 7000, minUptimeMs: 3000 });
    expect(worker).toMatchObject({ maxRestarts: 4, killTimeoutMs: 1000, minUptimeMs: 3000 });
  });

  it("takes an app's own log stamp (time or log_date_format) over either of [defaults]'s", async () => {
    const file = write(
      'stamps.toml',
      `[defaults]
time = true

[[apps]]
name = "own-format"
script = "a.js"
log_date_format = "HH:mm"

[[apps]]
name = "default-time"
script = "a.js"
`,
    );
    const [ownFormat, defaultTime] = await loadConfigFile(file, ctx);
    expect(ownFormat!.logDateFormat).toBe('HH:mm');
    expect(defaultTime!.logDateFormat).toBe('iso');
    // config.toml's log_date_format under the file's time = true, and under an app's own time = true
    const layered = await loadConfigFile(file, { ...ctx, defaults: { log_date_format: 'YYYY' } });
    expect(layered.map((spec) => spec.logDateFormat)).toEqual(['HH:mm', 'iso']);
    const own = write('own-time.toml', '[[apps]]\nname = "t"\nscript = "a.js"\ntime = true\n');
    const [t] = await loadConfigFile(own, { ...ctx, defaults: { log_date_format: 'YYYY' } });
    expect(t!.logDateFormat).toBe('iso');
  });

  it('refuses a bad [defaults] key naming the file, the key and its line', async () => {
    const file = write('bad.toml', TOML.replace('kill_timeout = "7s"', 'kill_timeout = "soon"'));
    const error = await refusal(file);
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toMatch(
      /^bad\.toml: defaults\.kill_timeout: expected a duration .*"soon" \(line 3\)$/,
    );
    expect(error.data).toMatchObject({ keyPath: ['defaults', 'kill_timeout'], line: 3 });
  });

  it('refuses name and script and unknown keys in [defaults], with a suggestion', async () => {
    const error = await refusal(
      write(
        'names.toml',
        `[defaults]\nname = "x"\nmax_memroy = "1G"\n${TOML.slice(TOML.indexOf('[[apps]]'))}`,
      ),
    );
    expect(error.message).toMatch(
      /^names\.toml: defaults: unknown options "name", "max_memroy" \(did you mean "max_memory"\?\) \(line 2\)$/,
    );
    const issues = (error.data as { issues: { message: string }[] }).issues.map((i) => i.message);
    expect(issues).toContainEqual(
      expect.stringMatching(
        /defaults: unknown option "max_memroy" \(did you mean "max_memory"\?\) \(line 3\)$/,
      ),
    );
  });

  it('refuses a defaults key that is not a table', async () => {
    const error = await refusal(write('scalar.yaml', 'defaults: 3\napps:\n  - script: a.js\n'));
    expect(error.message).toBe(
      'scalar.yaml: defaults: expected a table of app options ([defaults]), got 3 (line 1)',
    );
  });

  it('points an app problem that comes from [defaults] at the [defaults] line', async () => {
    const file = write(
      'job.toml',
      '[defaults]\nexec_mode = "cluster"\n\n[[apps]]\nname = "j"\nscript = "j.js"\ntype = "job"\ninterval = "1m"\n',
    );
    const error = await refusal(file);
    expect(error.message).toMatch(
      /^job\.toml: apps\[0\] \(j\)\.exec_mode: .*\(from \[defaults\]\) \(line 2\)$/,
    );
    expect(error.data).toMatchObject({ keyPath: ['defaults', 'exec_mode'] });
  });

  it('leaves a PM2 process file in its own dialect: defaults is an unknown top-level key, ignored', async () => {
    const warnings: string[] = [];
    const file = write(
      'ecosystem.config.json',
      '{"defaults": {"max_restarts": 2}, "apps": [{"name": "p", "script": "p.js"}]}',
    );
    const [spec] = await loadConfigFile(file, { ...ctx, onWarning: (w) => warnings.push(w) });
    expect(spec!.maxRestarts).toBe(16);
    expect(warnings).toContainEqual(expect.stringContaining('unknown top-level key defaults ignored'));
  });
});
