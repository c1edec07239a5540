import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDaemonConfig } from '../src/daemon-config.js';
import { isVelosError } from '../src/errors.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function configFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'velos-daemon-config-'));
  dirs.push(dir);
  const file = join(dir, 'config.toml');
  writeFileSync(file, text);
  return file;
}

async function messageOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isVelosError(error)) return error.message;
    throw error;
  }
  throw new Error('expected an error');
}

describe('config.toml (CFG-2)', () => {
  it('is null when there is none', async () => {
    expect(await loadDaemonConfig(join(tmpdir(), 'no-such-velos-dir', 'config.toml'))).toBeNull();
  });

  it('keeps [defaults] as written, the reload grace, alerts as tables and other sections with a warning', async () => {
    const file = configFile(
      '[defaults]\nmax_memory = "200M"\nkill_timeout = "3s"\n\n[reload]\ngrace = "10s"\n\n[metrics]\nport = 9100\n\n[defautls]\nx = 1\n\n[[alerts]]\nname = "crash"\non = "process.errored"\n',
    );
    const config = (await loadDaemonConfig(file))!;
    expect(config.defaults).toEqual({ max_memory: '200M', kill_timeout: '3s' });
    expect(config.reloadGraceMs).toBe(10_000);
    expect(config.alerts).toEqual([{ name: 'crash', on: 'process.errored' }]);
    expect(config.sections).toEqual({ metrics: { port: 9100 }, defautls: { x: 1 } });
    expect(config.warnings).toEqual([
      'config.toml: unknown section [defautls] (did you mean [defaults]?): kept, not used by this version',
    ]);
  });

  it('refuses a config.toml that is not UTF-8, naming the line (an env default would change silently)', async () => {
    const file = configFile('[defaults]\nenv = { CITY = "Orl\xE9ans" }\n');
    writeFileSync(file, Buffer.from('[defaults]\nenv = { CITY = "Orl\xE9ans" }\n', 'latin1'));
    expect(await messageOf(loadDaemonConfig(file))).toBe(
      'config.toml: not UTF-8 text: byte 0xe9 (line 2, column 20); save the file as UTF-8',
    );
  });

  it('points an [otel] or [prometheus] table to where Velos reads those settings', async () => {
    const config = await loadDaemonConfig(
      configFile('[otel]\nendpoint = "http://x"\n\n[Prometheus]\nport = 1\n'),
    );
    expect(config?.warnings).toEqual([
      'config.toml: unknown section [otel] (did you mean [metrics.otlp]?): kept, not used by this version',
      'config.toml: unknown section [Prometheus] (did you mean [metrics]?): kept, not used by this version',
    ]);
  });

  it('suggests otlp for an otel (or opentelemetry) key of [metrics]', async () => {
    expect(await messageOf(loadDaemonConfig(configFile('[metrics.otel]\nendpoint = "http://x"\n')))).toBe(
      'config.toml: metrics: unknown option "otel" (did you mean "otlp"?) (line 1)',
    );
  });

  it('names the file, key and line of an invalid value, and refuses app-only keys in [defaults]', async () => {
    expect(
      await messageOf(loadDaemonConfig(configFile('[defaults]\nautorestart = true\nmax_restarts = -1\n'))),
    ).toBe('config.toml: defaults.max_restarts: expected a whole number, 0 or more, got -1 (line 3)');
    expect(await messageOf(loadDaemonConfig(configFile('[defaults]\nname = "x"\n')))).toMatch(
      /^config\.toml: defaults: unknown option "name"/,
    );
    expect(await messageOf(loadDaemonConfig(configFile('[reload]\ngrace = "soon"\n')))).toMatch(
      /^config\.toml: reload\.grace: expected a duration .*\(line 2\)$/,
    );
    expect(await messageOf(loadDaemonConfig(configFile('[api]\nport = 9716\nauth = "no"\n')))).toMatch(
      /^config\.toml: api\.auth: .*\(line 3\)$/,
    );
    expect(await messageOf(loadDaemonConfig(configFile('[api]\nprot = 9716\n')))).toMatch(
      /^config\.toml: api/,
    );
    // node:http refused them at each export, long after the reload said the export started
    const otlp = '[metrics.otlp]\nendpoint = "http://127.0.0.1:4318"\n';
    expect(await messageOf(loadDaemonConfig(configFile(`${otlp}headers = { "x key" = "v" }\n`)))).toBe(
      'config.toml: metrics.otlp.headers.x key: expected an HTTP header name (letters, digits, - _ .), got "x key" (line 3)',
    );
    expect(await messageOf(loadDaemonConfig(configFile(`${otlp}headers = { "x-key" = "a\\nb" }\n`)))).toMatch(
      /^config\.toml: metrics\.otlp\.headers\.x-key: expected a header value without control characters/,
    );
    const good = await loadDaemonConfig(configFile(`${otlp}headers = { "x-api-key" = "k\té" }\n`));
    expect(good?.sections.metrics).toMatchObject({ otlp: { headers: { 'x-api-key': 'k\té' } } });
    // the line of a sub-table's key, with its parent's header elsewhere or nowhere
    expect(await messageOf(loadDaemonConfig(configFile(`# otlp\n\n${otlp}interval = "x"\n`)))).toMatch(
      /^config\.toml: metrics\.otlp\.interval: expected a duration .*\(line 5\)$/,
    );
    expect(
      await messageOf(
        loadDaemonConfig(configFile(`[metrics]\nport = 9100\n[api]\nport = 1\n${otlp}events = "yes"\n`)),
      ),
    ).toBe('config.toml: metrics.otlp.events: expected true or false, got "yes" (line 7)');
    expect(await messageOf(loadDaemonConfig(configFile('[defaults\n')))).toMatch(
      /^config\.toml: not valid TOML: .*\(line 1\)$/,
    );
  });
});
