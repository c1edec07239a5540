import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../src/config-loader.js';
import { isVelosError } from '../src/errors.js';
import { parseSecondsMs } from '../src/processes-form.js';
import { appSpecSchema } from '../src/protocol-schemas.js';

const dir = mkdtempSync(join(tmpdir(), 'velos-core-processes-'));
const ctx = { baseEnv: { PATH: '/usr/bin' }, cpuCount: 2 };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function messageOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isVelosError(error) && error.code === 'INVALID_CONFIG') return error.message;
    throw error;
  }
  throw new Error('expected an INVALID_CONFIG error');
}

// The YAML of seeds/003 (the log-inactivity monitor), as its users write it.
const SEED = `# monitor_config.yaml
processes:
  - name: "WebServer"
    command: "python3 -m http.server 8080"
    log_file: "/tmp/webserver.log"
    timeout: 60
    interval: 5

  - name: "Database"
    command: "mysqld --defaults-file=/etc/mysql/my.cnf"
    log_file: "/var/log/mysql/error.log"
    timeout: 120
    interval: 10

  - name: "Worker"
    command: "python3 worker.py >> /tmp/worker.log 2>&1"
    log_file: "/tmp/worker.log"
    timeout: 180
    interval: 15
`;

describe('the processes: form (SUP-10)', () => {
  it('loads the seed file as apps with a watchdog; bare numbers are seconds', async () => {
    const specs = await loadConfigFile(write('monitor_config.yaml', SEED), ctx);
    expect(specs.map((spec) => spec.name)).toEqual(['WebServer', 'Database', 'Worker']);
    const [web, db, worker] = specs;
    expect(web!.script).toBe('python3 -m http.server 8080');
    expect(web!.cwd).toBe(dir);
    expect(web!.autorestart).toBe(true);
    expect(web!.watchdog).toEqual({ timeoutMs: 60_000, intervalMs: 5000, logFile: '/tmp/webserver.log' });
    expect(db!.watchdog).toEqual({
      timeoutMs: 120_000,
      intervalMs: 10_000,
      logFile: '/var/log/mysql/error.log',
    });
    expect(worker!.watchdog?.timeoutMs).toBe(180_000);
    for (const spec of specs) expect(appSpecSchema.safeParse(spec).success).toBe(true);
  });

  it('fills the seed defaults (60 s, 5 s), resolves a relative log file, accepts units and fractions', async () => {
    const file = write(
      'units.yaml',
      `processes:
  - command: "./run.sh --fast"
    log_file: logs/run.log
  - name: quick
    command: node quick.js
    timeout: 1.5
    interval: "300ms"
  - name: slow
    command: node slow.js
    timeout: 2m
    interval: "90s"
`,
    );
    const [run, quick, slow] = await loadConfigFile(file, ctx);
    expect(run!.name).toBe('run');
    expect(run!.watchdog).toEqual({
      timeoutMs: 60_000,
      intervalMs: 5000,
      logFile: join(dir, 'logs/run.log'),
    });
    expect(quick!.watchdog).toEqual({ timeoutMs: 1500, intervalMs: 300 });
    expect(slow!.watchdog).toEqual({ timeoutMs: 120_000, intervalMs: 90_000 });
  });

  it('names the file and processes[i].key in validation errors', async () => {
    const bad = write(
      'bad.yaml',
      'processes:\n  - name: ok\n    command: a\n  - name: x\n    command: b\n    timeout: soon\n',
    );
    expect(await messageOf(loadConfigFile(bad, ctx))).toMatch(
      /^bad\.yaml: processes\[1\]\.timeout: expected seconds like 60 or a duration like "90s" or "2m", got "soon" \(line 6\)$/,
    );
    const zero = write('zero.yaml', 'processes:\n  - command: a\n    interval: 0\n');
    expect(await messageOf(loadConfigFile(zero, ctx))).toMatch(/^zero\.yaml: processes\[0\]\.interval: /);
    const unknown = write('unknown.yaml', 'processes:\n  - command: a\n    restart_delay: 5\n');
    expect(await messageOf(loadConfigFile(unknown, ctx))).toBe(
      'unknown.yaml: processes[0]: unknown option "restart_delay" (line 3)',
    );
    const missing = write('missing.yaml', 'processes:\n  - name: a\n');
    expect(await messageOf(loadConfigFile(missing, ctx))).toMatch(
      /^missing\.yaml: processes\[0\]\.command: /,
    );
    const twice = write('twice.yaml', 'processes:\n  - command: node a.js\n  - command: node b.js\n');
    expect(await messageOf(loadConfigFile(twice, ctx))).toBe(
      'twice.yaml: processes[1].name: expected a unique name, "node" is used twice (taken from the script: give each app a name) (line 3)',
    );
    const empty = write('empty.yaml', 'processes: []\n');
    expect(await messageOf(loadConfigFile(empty, ctx))).toMatch(
      /^empty\.yaml: processes: expected at least one/,
    );
  });

  it('refuses a file with both apps and processes', async () => {
    const both = write('both.yaml', 'apps:\n  - script: a.js\nprocesses:\n  - command: b\n');
    expect(await messageOf(loadConfigFile(both, ctx))).toBe(
      'both.yaml: processes: expected either "apps" or "processes", not both (they describe apps in two forms) (line 3)',
    );
  });

  it('reads seconds: bare numbers and numeric strings are seconds, units are kept', () => {
    expect(parseSecondsMs(60)).toBe(60_000);
    expect(parseSecondsMs('60')).toBe(60_000);
    expect(parseSecondsMs(0.3)).toBe(300);
    expect(parseSecondsMs('2m')).toBe(120_000);
    expect(parseSecondsMs('500ms')).toBe(500);
    expect(parseSecondsMs(0)).toBeNull();
    expect(parseSecondsMs(-5)).toBeNull();
    expect(parseSecondsMs('soon')).toBeNull();
  });
});
