import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  deleteApps,
  listState,
  readLines,
  sharedHome,
  waitFor,
} from '../e2e/helpers.js';
import type { Pm2Description } from './pm2-jlist-shape.js';
import { allOnline, jlistWhen, PM2_FIXTURES, pm2, runScript } from './pm2-shim.js';

const OUT_ERR = join(PM2_FIXTURES, 'out-err.js');

afterEach(cleanupHomes);

type Row = Pm2Description & {
  pm2_env: Pm2Description['pm2_env'] & { merge_logs: boolean; pm_log_path?: string };
};

async function ok(args: string[], home: string) {
  const result = await pm2(args, home);
  expect(result.code, `pm2 ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result;
}

/** The jlist rows of one app, once `count` of them are online. */
async function rowsOf(home: string, name: string, count: number): Promise<Row[]> {
  return (await rowsOfAll(home, { [name]: count }))[name]!;
}

/** The jlist rows of each app, once `counts[name]` of each are online: one `pm2 jlist` for all of them. */
async function rowsOfAll(home: string, counts: Record<string, number>): Promise<Record<string, Row[]>> {
  const wanted = Object.entries(counts);
  const list = await jlistWhen(
    home,
    (rows) => wanted.every(([name, count]) => allOnline(count, name)(rows)),
    wanted.map(([name, count]) => `${count} ${name} online`).join(', '),
  );
  return Object.fromEntries(
    wanted.map(([name, count]) => {
      const rows = list.filter((p) => p.name === name) as Row[];
      expect(rows.map((p) => p.pm2_env.status)).toEqual(Array(count).fill('online'));
      return [name, rows];
    }),
  );
}

/** Waits until `count` processes of `name` are online, from the daemon's list over its socket. */
function waitOnline(home: string, name: string, count: number): Promise<unknown> {
  return waitFor(async () => allOnline(count, name)(await listState(home)), {
    message: `${count} ${name} online`,
  });
}

/** Waits until `path` holds every one of `lines` (in any order) and returns its lines. */
function waitLines(path: string, lines: string[]): Promise<string[]> {
  return waitFor(
    () => {
      const got = readLines(path);
      return lines.every((line) => got.some((g) => g.endsWith(line))) && got;
    },
    { message: `${path} holds ${lines.join(', ')}` },
  );
}

// Issue #14: --merge-logs, -l/--log and merge_logs in jlist with PM2's documented meaning.
describe("PM2's --merge-logs and -l/--log", () => {
  // one daemon for the tests with no config.toml of their own and no kill: each deletes its apps at its end
  const common = sharedHome();

  it('--merge-logs: all instances write the same files, even over [defaults] log_per_instance', async () => {
    const home = createHome();
    // one file per instance by default in this home, as PM2 does for cluster apps
    writeFileSync(join(home, 'config.toml'), '[defaults]\nlog_per_instance = true\n');
    await ok(['start', OUT_ERR, '--name', 'split', '-i', '2'], home);
    await ok(['start', OUT_ERR, '--name', 'shared', '-i', '2', '--merge-logs'], home);

    const both = await rowsOfAll(home, { split: 2, shared: 2 });
    const split = both.split!;
    const shared = both.shared!;
    expect(split.map((p) => p.pm2_env.merge_logs)).toEqual([false, false]);
    expect(split.map((p) => p.pm2_env.pm_out_log_path)).toEqual([
      join(home, 'logs', 'split-out-0.log'),
      join(home, 'logs', 'split-out-1.log'),
    ]);
    await waitLines(join(home, 'logs', 'split-err-1.log'), ['err i1']);

    expect(shared.map((p) => p.pm2_env.merge_logs)).toEqual([true, true]);
    expect(new Set(shared.map((p) => p.pm2_env.pm_out_log_path))).toEqual(
      new Set([join(home, 'logs', 'shared-out.log')]),
    );
    expect(shared[0]!.pm2_env.pm_err_log_path).toBe(join(home, 'logs', 'shared-err.log'));
    // both instances in one stdout file; stderr stays apart (that is --merge-streams)
    const out = await waitLines(join(home, 'logs', 'shared-out.log'), ['out i0', 'out i1']);
    expect(out.some((line) => line.includes('err '))).toBe(false);
    await waitLines(join(home, 'logs', 'shared-err.log'), ['err i0', 'err i1']);
    expect(shared[0]!.pm2_env.pm_log_path).toBeUndefined();
  });

  it('-l without a path writes logs/<name>.log; with a path that file, -<id> per instance when split', async () => {
    const home = common();
    const dir = join(home, 'custom');
    mkdirSync(dir);
    // `-l` as the last word and before another option: no path, PM2's default combined file
    await ok(['start', OUT_ERR, '--name', 'both', '-l'], home);
    await ok(['start', OUT_ERR, '-l', '--name', 'lead'], home);
    // `--log <path>` (a separate word, as commander takes it) and `--log=<path>`
    await ok(['start', OUT_ERR, '--name', 'given', '--log', join(dir, 'given.log')], home);
    await ok(['start', OUT_ERR, '--name', 'eq', `--log=${join(dir, 'eq.log')}`], home);

    const rows = await rowsOfAll(home, { both: 1, lead: 1, given: 1, eq: 1 });
    const [both] = rows.both!;
    expect(both!.pm2_env.pm_log_path).toBe(join(home, 'logs', 'both.log'));
    expect(both!.pm2_env.merge_logs).toBe(true);
    await waitLines(join(home, 'logs', 'both.log'), ['out i0', 'err i0']);
    // the stream files are still written, as PM2 writes them beside the combined one
    await waitLines(join(home, 'logs', 'both-out.log'), ['out i0']);
    expect(rows.lead![0]!.pm2_env.pm_log_path).toBe(join(home, 'logs', 'lead.log'));
    await waitLines(join(home, 'logs', 'lead.log'), ['out i0', 'err i0']);
    expect(rows.given![0]!.pm2_env.pm_log_path).toBe(join(dir, 'given.log'));
    await waitLines(join(dir, 'given.log'), ['out i0', 'err i0']);
    await waitLines(join(dir, 'eq.log'), ['out i0', 'err i0']);

    // PM2's merge_logs: false (one set of files per instance): the combined file is split by pm_id too
    const file = join(home, 'ecosystem.config.js');
    writeFileSync(
      file,
      `module.exports = { apps: [{ name: 'per', script: ${JSON.stringify(OUT_ERR)}, instances: 2,
  merge_logs: false, log_file: ${JSON.stringify(join(dir, 'per.log'))} }] };\n`,
    );
    await ok(['start', file], home);
    const per = await rowsOf(home, 'per', 2);
    expect(per.map((p) => p.pm2_env.pm_log_path)).toEqual(per.map((p) => join(dir, `per-${p.pm_id}.log`)));
    expect(per.map((p) => p.pm2_env.merge_logs)).toEqual([false, false]);
    for (const p of per) {
      const tag = `i${p.pm2_env.NODE_APP_INSTANCE}`;
      const lines = await waitLines(join(dir, `per-${p.pm_id}.log`), [`out ${tag}`, `err ${tag}`]);
      expect(lines).toHaveLength(2);
    }
    const shown = await ok(['describe', 'per'], home);
    expect(shown.stdout).toContain(join(dir, `per-${per[0]!.pm_id}.log`));
    await deleteApps(home, ['both', 'lead', 'given', 'eq', 'per']);
  });

  it("PM2's log_file: true in a process file is logs/<name>.log, split by id like PM2's", async () => {
    const home = createHome();
    const file = join(home, 'ecosystem.config.js');
    writeFileSync(
      file,
      `module.exports = { apps: [
  { name: 'lf', script: ${JSON.stringify(OUT_ERR)}, log_file: true },
  { name: 'lf2', script: ${JSON.stringify(OUT_ERR)}, instances: 2, merge_logs: false, log_file: true },
] };\n`,
    );
    await ok(['start', file], home);
    const rows = await rowsOfAll(home, { lf: 1, lf2: 2 });
    const [lf] = rows.lf!;
    const lf2 = rows.lf2!;
    expect(lf!.pm2_env.pm_log_path).toBe(join(home, 'logs', 'lf.log'));
    await waitLines(join(home, 'logs', 'lf.log'), ['out i0', 'err i0']);
    expect(lf2.map((p) => p.pm2_env.pm_log_path)).toEqual(
      lf2.map((p) => join(home, 'logs', `lf2-${p.pm_id}.log`)),
    );
    for (const p of lf2) {
      const tag = `i${p.pm2_env.NODE_APP_INSTANCE}`;
      await waitLines(join(home, 'logs', `lf2-${p.pm_id}.log`), [`out ${tag}`, `err ${tag}`]);
    }
    // saved and brought back as it was
    await ok(['save'], home);
    await ok(['kill'], home);
    await ok(['resurrect'], home);
    expect((await rowsOf(home, 'lf', 1))[0]!.pm2_env.pm_log_path).toBe(join(home, 'logs', 'lf.log'));
  });

  it('--merge-streams writes stdout and stderr into one file, which jlist gives as pm_log_path', async () => {
    const home = common();
    await ok(['start', OUT_ERR, '--name', 'one', '--merge-streams'], home);
    const [row] = await rowsOf(home, 'one', 1);
    const file = join(home, 'logs', 'one.log');
    expect(row!.pm2_env).toMatchObject({
      pm_out_log_path: file,
      pm_err_log_path: file,
      pm_log_path: file,
      merge_logs: true,
    });
    await waitLines(file, ['out i0', 'err i0']);
    // with -l too, the one file is written once, not twice
    await ok(['start', OUT_ERR, '--name', 'twice', '--merge-streams', '-l'], home);
    await waitOnline(home, 'twice', 1);
    const lines = await waitLines(join(home, 'logs', 'twice.log'), ['out i0', 'err i0']);
    expect(lines).toHaveLength(2);
    await deleteApps(home, ['one', 'twice']);
  });

  it('a combined log_file inside a watched directory never restarts the app', async () => {
    const home = common();
    const dir = join(home, 'watched');
    mkdirSync(dir);
    const combined = join(dir, 'combined.txt');
    // --ignore-watch replaces the defaults (which ignore *.log): only the app's own files protect it
    const started = await runScript(
      `TICK_MS=20 pm2 start ${OUT_ERR} --name watched --watch --cwd ${dir} --ignore-watch nothing --watch-delay 100ms -l ${combined}`,
      home,
    );
    expect(started.code, started.stderr).toBe(0);
    await waitOnline(home, 'watched', 1);
    // 40 ticks are 800 ms of writes to the watched directory: a watched write restarts after 100 ms
    await waitFor(() => readLines(combined).filter((line) => line.includes('tick')).length >= 40, {
      message: '40 ticks in the combined file',
    });
    const [row] = await rowsOf(home, 'watched', 1);
    expect(row!.pm2_env.restart_time).toBe(0);
    expect(readLines(combined).filter((line) => line.includes('out i0'))).toHaveLength(1);
    // it writes every 20 ms: deleted as soon as the checks are done
    await deleteApps(home, ['watched']);
  });
});
