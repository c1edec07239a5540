import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  deleteApps,
  describeState,
  errLog,
  FIXTURES,
  readLines,
  rowsNamed,
  sharedHome,
  velos,
  velosOk,
  waitFor,
} from './helpers.js';

afterEach(cleanupHomes);

async function restartsOf(home: string, name: string): Promise<{ restarts: number; reason: unknown }> {
  const [found] = await rowsNamed(home, name);
  if (!found) throw new Error(`no process ${name}`);
  return { restarts: found.restarts, reason: found.lastExitReason };
}

describe('log-inactivity watchdog (SUP-10)', () => {
  // The tests that start apps read only their own (by name): they share one home and daemon, each
  // with files of names of its own.
  const shared = sharedHome();

  it('starts the processes: YAML of the seed as it is, and restarts the quiet ones', async () => {
    const home = shared();
    const logs = join(home, 'var', 'log', 'monitor');
    const chatty = join(FIXTURES, 'chatty.js');
    const writer = join(FIXTURES, 'log-writer.js');
    // seeds/003's monitor_config.yaml, with fixtures in place of python and mysqld.
    const config = join(home, 'monitor_config.yaml');
    writeFileSync(
      config,
      `# monitor_config.yaml
processes:
  - name: "WebServer"
    command: "RATE=10 node ${chatty} >> ${logs}/webserver.log 2>&1"
    log_file: "${logs}/webserver.log"
    timeout: 1.5
    interval: 0.3

  - name: "Database"
    command: "COUNT=3 RATE=10 STAY=1 node ${chatty} >> ${logs}/error.log 2>&1"
    log_file: "${logs}/error.log"
    timeout: 1.5
    interval: 0.3

  - name: "Worker"
    command: "LOG_FILE=${logs}/worker.log WRITE_FOR_MS=300 node ${writer}"
    log_file: "${logs}/worker.log"
    timeout: 1.5
    interval: 0.3
`,
    );
    const started = await velosOk(['start', config], { home });
    expect(started.stdout).toContain('WebServer');
    // Positive control: the two quiet processes are restarted twice while WebServer keeps its first run.
    for (const name of ['Database', 'Worker']) {
      await waitFor(async () => (await restartsOf(home, name)).restarts >= 2, {
        message: `${name} to be restarted twice`,
        timeoutMs: 30_000,
      });
      expect((await restartsOf(home, name)).reason).toBe('inactivity');
    }
    expect(await restartsOf(home, 'WebServer')).toEqual({ restarts: 0, reason: null });
    expect(existsSync(join(logs, 'worker.log'))).toBe(true);
    const [db] = await describeState(home, 'Database');
    expect(db!.spec).toMatchObject({
      autorestart: true,
      watchdog: { timeoutMs: 1500, intervalMs: 300, logFile: `${logs}/error.log` },
    });
    expect(readLines(errLog(home, 'Database'))).toContain(
      `velos: restarting: no output to ${logs}/error.log for 1.5s`,
    );
    expect(
      readLines(join(home, 'daemon.log')).some((line) =>
        line.includes(`(Database): no output to ${logs}/error.log for 1.5s (watchdog): restarting`),
      ),
    ).toBe(true);
    await deleteApps(home, ['WebServer', 'Database', 'Worker']);
  });

  it('names processes[i].key when the processes: form is invalid', async () => {
    const home = createHome();
    const config = join(home, 'monitor_config.yaml');
    writeFileSync(config, 'processes:\n  - name: a\n    command: sleep 100\n    interval: often\n');
    const result = await velos(['start', config], { home });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      'velos: monitor_config.yaml: processes[0].interval: expected seconds like 60 or a duration like "90s" or "2m", got "often" (line 4)',
    );
  });

  it('velos watchdog "<command>" <log file> [timeout] [interval] starts one watched app', async () => {
    const home = shared();
    const log = join(home, 'app', 'app.log');
    const result = await velosOk(
      [
        'watchdog',
        `COUNT=2 RATE=10 STAY=1 node ${join(FIXTURES, 'chatty.js')} >> ${log} 2>&1`,
        log,
        '1.5',
        '300ms',
        '--name',
        'single',
      ],
      { home },
    );
    expect(result.stdout).toContain('single');
    const [detail] = await describeState(home, 'single');
    expect(detail!.spec).toMatchObject({ watchdog: { timeoutMs: 1500, intervalMs: 300, logFile: log } });
    expect(detail!.command.shell).toBe(true);
    await waitFor(async () => (await restartsOf(home, 'single')).restarts >= 1, {
      message: 'an inactivity restart',
    });
    expect((await restartsOf(home, 'single')).reason).toBe('inactivity');
    // the restarted run writes its first line into the same file a moment after the restart
    await waitFor(() => readLines(log).filter((line) => line === 'line 1').length >= 2, {
      message: 'the restarted run to write its first line',
    });
    await deleteApps(home, ['single']);
  });

  it('velos watchdog defaults to 60 s and 5 s, and refuses a timeout it cannot read', async () => {
    const home = shared();
    await velosOk(['watchdog', 'sleep 1000', join(home, 'quiet.log'), '--json'], { home });
    const [detail] = await describeState(home, 'sleep');
    expect(detail!.spec).toMatchObject({ watchdog: { timeoutMs: 60_000, intervalMs: 5000 } });
    const bad = await velos(['watchdog', 'sleep 1000', join(home, 'x.log'), 'soon'], { home });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe(
      'velos: timeout: expected seconds like 60 or a duration like "90s" or "2m", got "soon"',
    );
    const help = await velosOk(['watchdog', '--help'], { home });
    expect(help.stdout).toContain('velos watchdog "python3 app.py > /tmp/app.log 2>&1" /tmp/app.log 120 10');
  });
});
