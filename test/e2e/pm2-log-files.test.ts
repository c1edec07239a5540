import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  clearApps,
  createHome,
  deleteApps,
  FIXTURES,
  listState,
  readLines,
  sharedHome,
  velos,
  waitFor,
} from './helpers.js';

afterEach(cleanupHomes);

const LINES = join(FIXTURES, 'instance-lines.js');

/** `velos jlist`: the log paths of each process. */
async function logPathsOf(home: string): Promise<Record<string, { out: string; err: string }>> {
  const result = await velos(['jlist'], { home });
  expect(result.code, result.stderr).toBe(0);
  const list = JSON.parse(result.stdout) as {
    name: string;
    pm_id: number;
    pm2_env: { pm_out_log_path: string; pm_err_log_path: string };
  }[];
  return Object.fromEntries(
    list.map((p) => [
      `${p.name}:${p.pm_id}`,
      { out: p.pm2_env.pm_out_log_path, err: p.pm2_env.pm_err_log_path },
    ]),
  );
}

/** Waits until a log file holds `count` lines of instance `instance`, and only of it. */
function waitInstanceLines(path: string, instance: number, count: number): Promise<string[]> {
  return waitFor(
    () => {
      const lines = readLines(path);
      return lines.length >= count ? lines : undefined;
    },
    { message: `${count} lines in ${path}` },
  ).then((lines) => {
    expect(new Set(lines.map((line) => line.split(' ')[0]))).toEqual(new Set([`i${instance}`]));
    return lines;
  });
}

// Issue #14: PM2's merge_logs: false gives each instance its own files, `-<pm_id>` before `.log`.
describe('PM2 merge_logs', () => {
  // one daemon for the tests that need no ids from 0 (the first test's paths carry them): each runs an
  // app of its own name and deletes it at its end
  const shared = sharedHome();
  beforeEach(() => clearApps(shared()));

  it('false: one out and err file per instance, default and explicit paths; true: one shared file', async () => {
    const home = createHome();
    const file = join(home, 'ecosystem.config.js');
    const explicit = join(home, 'app-logs');
    writeFileSync(
      file,
      `module.exports = { apps: [
  { name: 'split', script: ${JSON.stringify(LINES)}, instances: 2, exec_mode: 'fork', merge_logs: false, env: { COUNT: '5' } },
  { name: 'named', script: ${JSON.stringify(LINES)}, instances: 2, exec_mode: 'fork', mergeLogs: false,
    out_file: ${JSON.stringify(join(explicit, 'named.out.log'))}, error_file: ${JSON.stringify(join(explicit, 'named-errors'))}, env: { COUNT: '5' } },
  { name: 'shared', script: ${JSON.stringify(LINES)}, instances: 2, exec_mode: 'fork', merge_logs: true, env: { COUNT: '5' } },
] };\n`,
    );
    const result = await velos(['start', file], { home });
    expect(result.code, result.stderr).toBe(0);
    const paths = await logPathsOf(home);
    const logs = join(home, 'logs');
    expect(paths).toEqual({
      'split:0': { out: join(logs, 'split-out-0.log'), err: join(logs, 'split-err-0.log') },
      'split:1': { out: join(logs, 'split-out-1.log'), err: join(logs, 'split-err-1.log') },
      'named:2': { out: join(explicit, 'named.out-2.log'), err: join(explicit, 'named-errors-2') },
      'named:3': { out: join(explicit, 'named.out-3.log'), err: join(explicit, 'named-errors-3') },
      'shared:4': { out: join(logs, 'shared-out.log'), err: join(logs, 'shared-err.log') },
      'shared:5': { out: join(logs, 'shared-out.log'), err: join(logs, 'shared-err.log') },
    });
    await waitInstanceLines(join(logs, 'split-out-0.log'), 0, 5);
    await waitInstanceLines(join(logs, 'split-out-1.log'), 1, 5);
    await waitInstanceLines(join(explicit, 'named.out-2.log'), 0, 5);
    await waitInstanceLines(join(explicit, 'named.out-3.log'), 1, 5);
    expect(existsSync(join(logs, 'split-out.log'))).toBe(false);
    await waitFor(() => readLines(join(logs, 'shared-out.log')).length >= 10);
    // `velos logs` reads every instance's file
    const tail = await velos(['logs', 'split', '--raw', '--lines', '20'], { home });
    expect(tail.code, tail.stderr).toBe(0);
    const printed = tail.stdout.split('\n').filter((line) => /^i\d /.test(line));
    expect(printed.filter((line) => line.startsWith('i0 '))).toHaveLength(5);
    expect(printed.filter((line) => line.startsWith('i1 '))).toHaveLength(5);
    // flush empties each instance's files
    const flushed = await velos(['flush', 'split'], { home });
    expect(flushed.code, flushed.stderr).toBe(0);
    expect(readLines(join(logs, 'split-out-0.log'))).toEqual([]);
    expect(readLines(join(logs, 'split-out-1.log'))).toEqual([]);
  });

  it('log_date_format takes moment tokens (others stay as text, with a warning); velos logs reads the time back', async () => {
    const home = shared();
    const before = Date.now() - 1000;
    const format = 'ddd Do MMM YYYY hh:mm:ss.SSS A ZZ';
    const result = await velos(['start', LINES, '--name', 'stamped', '--log-date-format', format], {
      home,
      env: { COUNT: '3' },
    });
    expect(result.code, result.stderr).toBe(0);
    // dayjs without its plugin prints Do as the day and an o, as PM2 does: the flag says so, as a file's key does
    expect(result.stderr).toContain(`velos: warning: --log-date-format: moment tokens other than YYYY`);
    expect(result.stderr).toContain(`stay as text: "${format}"\n`);
    const path = join(home, 'logs', 'stamped-out.log');
    const lines = await waitFor(() => (readLines(path).length >= 3 ? readLines(path) : undefined));
    expect(lines[0]).toMatch(
      /^[A-Z][a-z]{2} \d{1,2}o [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2}\.\d{3} [AP]M [+-]\d{4} i0 1$/,
    );
    const json = await velos(['logs', 'stamped', '--json', '--lines', '3'], { home });
    expect(json.code, json.stderr).toBe(0);
    const read = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { ts: number; line: string });
    expect(read.map((entry) => entry.line)).toEqual(['i0 1', 'i0 2', 'i0 3']);
    for (const entry of read) expect(entry.ts).toBeGreaterThanOrEqual(before);
    await deleteApps(home, ['stamped']);
  });

  it('watch ignores the per-instance files of the app, as it does its shared ones', async () => {
    const home = shared();
    const project = join(home, 'project');
    mkdirSync(project);
    const file = join(project, 'ecosystem.config.js');
    writeFileSync(
      file,
      `module.exports = { apps: [{ name: 'w', script: ${JSON.stringify(LINES)}, instances: 2, exec_mode: 'fork',
  merge_logs: false, watch: true, ignore_watch: ['ecosystem.config.js'], watch_delay: 200,
  out_file: './out.log', error_file: './err.log', env: { COUNT: '5' } }] };\n`,
    );
    expect((await velos(['start', file], { home })).code).toBe(0);
    // each instance's file is out-<its pm_id>.log (ids past those of the tests before, in this home)
    const [first, second] = (await listState(home)).map((row) => join(project, `out-${row.id}.log`));
    // `velos jlist`'s restart_time of each instance: read once at the end; polled over the socket
    const restarts = async () => {
      const result = await velos(['jlist'], { home });
      return (JSON.parse(result.stdout) as { pm2_env: { restart_time: number } }[]).map(
        (p) => p.pm2_env.restart_time,
      );
    };
    const restartsNow = async () => (await listState(home)).map((row) => row.restarts);
    for (const round of [1, 2]) {
      await waitFor(() => readLines(first!).length >= 5 * round);
      await waitFor(() => readLines(second!).length >= 5 * round);
      writeFileSync(join(project, `trigger-${round}.txt`), 'x');
      await waitFor(async () => (await restartsNow()).every((n) => n === round), {
        message: `restart_time ${round} for both`,
      });
    }
    await waitFor(() => readLines(second!).length >= 15);
    expect(await restarts()).toEqual([2, 2]);
    await deleteApps(home, ['w']);
  });
});
