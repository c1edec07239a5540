import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  clearApps,
  createHome,
  deleteApps,
  isAlive,
  onlineRows,
  readLines,
  rowsNamed,
  sharedHome,
  waitFor,
} from '../e2e/helpers.js';
import { parsePm2List } from './pm2-jlist-shape.js';
import { allOnline, jlistWhen, PM2_FIXTURES, runScript } from './pm2-shim.js';

const OUT_ERR = join(PM2_FIXTURES, 'out-err.js');

afterEach(cleanupHomes);

/** What `pm2 start … --dry-run` resolves, through the shim as a deploy script types it. */
async function resolved(home: string, flags: string): Promise<Record<string, unknown>> {
  const result = await runScript(`pm2 start ${OUT_ERR} ${flags} --dry-run`, home);
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as Record<string, unknown>[])[0]!;
}

// One daemon for the tests that start apps: each runs apps of names of its own, in a directory of its
// own, and deletes them at its end, so that each finds the list empty (`pm2 env <id>` takes the id the
// app got).
const shared = sharedHome();
beforeEach(() => clearApps(shared()));

// Issue #14: PM2's commander forms of the start flags: `--watch [paths]`, `--ignore-watch <list>`
// split on spaces, `--stop-exit-codes <codes...>`, as PM2's `pm2 start --help` documents them.
describe("PM2's forms of the start flags", () => {
  it('--watch <path>, --ignore-watch "a b" and --stop-exit-codes 0 3 as PM2 takes them', async () => {
    const home = createHome();
    expect(
      await resolved(
        home,
        `--name w --watch ${PM2_FIXTURES} --ignore-watch "node_modules *.log" --stop-exit-codes 0 3`,
      ),
    ).toMatchObject({
      name: 'w',
      watch: [PM2_FIXTURES],
      ignoreWatch: ['node_modules', '*.log'],
      stopExitCodes: [0, 3],
    });
    // --watch alone before another option, and before the script (the next word is then the script)
    expect((await resolved(home, '--watch --name w2')).watch).toEqual([PM2_FIXTURES]);
    const first = await runScript(`pm2 start --watch ${OUT_ERR} --name w3 --dry-run`, home);
    expect(first.code, first.stderr).toBe(0);
    expect((JSON.parse(first.stdout) as { name: string; script: string }[])[0]).toMatchObject({
      name: 'w3',
      script: OUT_ERR,
    });
  });

  it("jlist's watch is PM2's: true for --watch alone and watch: true, else the paths as given", async () => {
    const home = shared();
    // not in VELOS_HOME itself: the daemon writes there
    const dir = join(home, 'app-watch');
    mkdirSync(join(dir, 'src'), { recursive: true });
    const script = JSON.stringify(OUT_ERR);
    writeFileSync(
      join(dir, 'ecosystem.config.js'),
      `module.exports = { apps: [{ name: 'whole', script: ${script}, watch: true }, { name: 'some', script: ${script}, watch: ['src', ${JSON.stringify(OUT_ERR)}] }] };\n`,
    );
    for (const command of [
      'pm2 start ecosystem.config.js',
      `pm2 start ${OUT_ERR} --name bare --watch`,
      `pm2 start ${OUT_ERR} --name none`,
    ]) {
      const started = await runScript(`cd ${dir} && ${command}`, home);
      expect(started.code, started.stderr).toBe(0);
    }
    const rows = parsePm2List((await runScript('pm2 jlist', home)).stdout);
    expect(Object.fromEntries(rows.map((p) => [p.name, p.pm2_env.watch]))).toEqual({
      whole: true,
      some: ['src', OUT_ERR],
      bare: true,
      none: false,
    });
    // Velos's own description keeps the absolute paths it watches
    const described = await runScript('pm2 describe some --json', home);
    expect(JSON.parse(described.stdout)[0].spec.watch).toEqual([join(dir, 'src'), OUT_ERR]);
    await deleteApps(home, ['whole', 'some', 'bare', 'none']);
  });

  it('jlist shows --time as PM2 does: time true and the format of the stamps, not "iso"', async () => {
    const home = shared();
    const started = await runScript(`pm2 start ${OUT_ERR} --name stamped --time`, home);
    expect(started.code, started.stderr).toBe(0);
    const [row] = parsePm2List((await runScript('pm2 jlist', home)).stdout);
    expect([row?.pm2_env.time, row?.pm2_env.log_date_format]).toEqual([true, 'YYYY-MM-DDTHH:mm:ss.SSS[Z]']);
    const [line] = await waitFor(
      () => {
        const lines = readLines(join(home, 'logs', 'stamped-out.log'));
        return lines.length > 0 && lines;
      },
      { message: 'a stamped line' },
    );
    expect(line).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z /);
    await deleteApps(home, ['stamped']);
  });

  it('a started app watches the path given after --watch and restarts on a change there', async () => {
    const home = shared();
    const root = join(home, 'watch-src');
    const dir = join(root, 'src');
    mkdirSync(dir, { recursive: true });
    const started = await runScript(
      `cd ${root} && pm2 start ${OUT_ERR} --name watched --watch src --watch-delay 100ms --stop-exit-codes 0 3`,
      home,
    );
    expect(started.code, started.stderr).toBe(0);
    const [first] = await jlistWhen(home, allOnline(1), 'watched online');
    expect([first!.pm2_env.status, first!.pid > 0]).toEqual(['online', true]);
    expect(first!.pm2_env.watch).toEqual(['src']);
    await waitFor(() => readLines(join(home, 'logs', 'watched-out.log')).length > 0);
    await runScript(`touch ${join(dir, 'changed.js')}`, home);
    const [second] = await jlistWhen(
      home,
      (rows) => allOnline(1)(rows) && rows[0]!.pid !== first!.pid,
      'watched online with a new pid',
    );
    expect(second!.pm2_env.status).toBe('online');
    expect(second!.pid).not.toBe(first!.pid);
    expect(isAlive(first!.pid)).toBe(false);
    expect(second!.pm2_env.restart_time).toBe(1);
    await deleteApps(home, ['watched']);
  });
});

describe("PM2's --env with a script and -a (--update-env)", () => {
  it('start of a script with --env starts it with a warning; restart -a gives it the env of the shell', async () => {
    const home = shared();
    const started = await runScript(`pm2 start ${OUT_ERR} --name e --env production`, home);
    expect(started.code, started.stderr).toBe(0);
    expect(started.stderr).toContain('--env production: selects the env_<profile> tables of a config file');
    // online, from the daemon's list over its socket (the start and env are under test, not jlist)
    const [online] = await onlineRows(home, 'e', 1);
    expect(online!.status).toBe('online');
    const id = online!.id;
    const restarted = await runScript('FROM_DEPLOY=yes pm2 restart e -a', home);
    expect(restarted.code, restarted.stderr).toBe(0);
    const env = await runScript(`pm2 env ${id}`, home);
    expect(env.stdout.split('\n')).toContain('FROM_DEPLOY: yes');
    const reloaded = await runScript('ALSO=1 pm2 reload e -a', home);
    expect(reloaded.code, reloaded.stderr).toBe(0);
    expect((await runScript(`pm2 env ${id}`, home)).stdout.split('\n')).toContain('ALSO: 1');
    // start <name> of a running app restarts it, as pm2's does (its restarts, from the daemon's list)
    const [running] = await rowsNamed(home, 'e');
    expect((await runScript('pm2 start e', home)).code).toBe(0);
    const [restarted2] = await rowsNamed(home, 'e');
    expect(restarted2!.restarts).toBe(running!.restarts + 1);
    expect(restarted2!.pid).not.toBe(running!.pid);
    // start <name> --update-env of a stopped app, and start of a process file with it
    expect((await runScript('pm2 stop e', home)).code).toBe(0);
    const again = await runScript('ONCE_MORE=2 pm2 start e --update-env', home);
    expect(again.code, again.stderr).toBe(0);
    expect((await runScript(`pm2 env ${id}`, home)).stdout.split('\n')).toContain('ONCE_MORE: 2');
    const file = join(home, 'ecosystem.config.js');
    await runScript(
      `echo "module.exports = { apps: [{ name: 'f', script: '${OUT_ERR}' }] };" > ${file}`,
      home,
    );
    const withFile = await runScript(`pm2 start ${file} --update-env`, home);
    expect(withFile.code, withFile.stderr).toBe(0);
    await deleteApps(home, ['e', 'f']);
  });
});

describe('app flags next to a process file', () => {
  it('--watch and --namespace apply to its apps as in pm2; the other app flags are ignored with a warning', async () => {
    const home = shared();
    // not in VELOS_HOME itself: the daemon writes there, and the apps watch the file's directory
    const dir = join(home, 'app-flags');
    mkdirSync(dir);
    const file = join(dir, 'ecosystem.config.js');
    await runScript(
      `echo "module.exports = { apps: [{ name: 'k', script: '${OUT_ERR}', instances: 2, exec_mode: 'cluster' }] };" > ${file}`,
      home,
    );
    const started = await runScript(
      `pm2 start ${file} --watch --namespace ns1 --time -i 3 --merge-logs`,
      home,
    );
    expect(started.code, started.stderr).toBe(0);
    expect(started.stderr).toContain(
      'ecosystem.config.js: -i, --time, --merge-logs ignored: pm2 applies no app flag but --watch and --namespace',
    );
    const list = await jlistWhen(home, allOnline(2), 'both apps online');
    expect(list.map((p) => p.pm2_env.status)).toEqual(['online', 'online']);
    expect(list.map((p) => p.pm2_env.restart_time)).toEqual([0, 0]);
    expect(list.map((p) => [p.pm2_env.namespace, p.pm2_env.watch, p.pm2_env.instances])).toEqual([
      // the app's cwd: the directory of the process file
      ['ns1', true, 2],
      ['ns1', true, 2],
    ]);
    await deleteApps(home, ['k']);
  });
});
