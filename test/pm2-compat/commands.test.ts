import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  clearApps,
  createHome,
  deleteApps,
  FIXTURES,
  listState,
  outLog,
  readLines,
  rowsNamed,
  sharedHome,
  startApps,
  waitFor,
  withClient,
} from '../e2e/helpers.js';
import { parsePm2List } from './pm2-jlist-shape.js';
import { allOnline, jlistWhen, PM2_FIXTURES, pm2, runScript } from './pm2-shim.js';

const SIGNAL_LOGGER = join(PM2_FIXTURES, 'signal-logger.js');
const APP = join(PM2_FIXTURES, 'app.js');

afterEach(cleanupHomes);

// One daemon for the tests that need no ids from 0 nor a kill: each deletes its apps at its end, and
// finds the list empty (a test that failed before its own clean-up leaves nothing to the next).
const shared = sharedHome();
beforeEach(() => clearApps(shared()));

/** `pm2 jlist`, parsed and checked against PM2's documented shape. */
async function jlist(home: string) {
  const result = await pm2(['jlist'], home);
  expect(result.code, result.stderr).toBe(0);
  return parsePm2List(result.stdout);
}

/** Waits until the daemon runs `count` processes, then `pm2 jlist`, which must list them all online with a pid. */
async function waitAllOnline(home: string, count: number) {
  const list = await jlistWhen(home, allOnline(count), `${count} processes online`);
  expect(list.map((p) => [p.pm2_env.status, p.pid > 0])).toEqual(Array(count).fill(['online', true]));
  return list;
}

/**
 * Waits until the daemon's list (over its socket: the state, where `pm2 jlist`'s output is not what a
 * test checks) has `count` rows (of `name`, when given), all online with a pid; resolves with them.
 */
function onlineState(home: string, count: number, name?: string) {
  return waitFor(
    async () => {
      const rows = await listState(home);
      return allOnline(count, name)(rows) && rows.filter((row) => name === undefined || row.name === name);
    },
    { message: `${count} processes online` },
  );
}

async function ok(args: string[], home: string) {
  const result = await pm2(args, home);
  expect(result.code, `pm2 ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result;
}

describe('jlist, prettylist and the read commands', () => {
  it("jlist and prettylist print PM2's documented shape; id, pid, env and the list aliases", async () => {
    const home = createHome();
    await ok(['start', APP, '--name', 'api', '-i', '2'], home);
    await ok(['start', SIGNAL_LOGGER, '--name', 'sig', '--namespace', 'tools'], home);
    const list = await waitAllOnline(home, 3);

    const api = list.filter((p) => p.name === 'api');
    expect(api.map((p) => p.pm_id)).toEqual([0, 1]);
    expect(api.map((p) => p.pm2_env.NODE_APP_INSTANCE)).toEqual([0, 1]);
    expect(api[0]!.pm2_env).toMatchObject({
      exec_mode: 'cluster_mode',
      instances: 2,
      restart_time: 0,
      unstable_restarts: 0,
      pm_exec_path: APP,
      exec_interpreter: 'node',
      version: '1.4.2',
      namespace: 'default',
      autorestart: true,
      watch: false,
    });
    const sig = list.find((p) => p.name === 'sig')!;
    expect(sig.pm2_env).toMatchObject({ exec_mode: 'fork_mode', namespace: 'tools', status: 'online' });
    expect(sig.pm2_env.env.pm_id).toBe('2');
    expect(existsSync(sig.pm2_env.pm_out_log_path)).toBe(true);
    expect(sig.pm2_env.pm_uptime).toBeGreaterThan(Date.now() - 120_000);
    expect(sig.monit.memory).toBeGreaterThanOrEqual(0);

    const pretty = await ok(['prettylist'], home);
    expect(pretty.stdout.split('\n').length).toBeGreaterThan(10);
    expect(parsePm2List(pretty.stdout).map((p) => [p.pm_id, p.name, p.pid])).toEqual(
      list.map((p) => [p.pm_id, p.name, p.pid]),
    );

    // the read commands change nothing: they run side by side
    const [idApi, idNope, pidApi, none] = await Promise.all([
      ok(['id', 'api'], home),
      ok(['id', 'nope'], home),
      ok(['pid', 'api'], home),
      ok(['pid', 'nope'], home),
    ]);
    expect(idApi.stdout).toBe('[ 0, 1 ]\n');
    expect(idNope.stdout).toBe('[]\n');
    expect(pidApi.stdout).toBe(`${api[0]!.pid}\n${api[1]!.pid}\n`);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain("no process named 'nope'");

    // PM2's .pm2-style variables in the child, and `env <id>` shows what it runs with
    await waitFor(() => readLines(outLog(home, 'sig')).includes('ready pm_id=2 name=sig instance=0'));
    const listAliases = ['l', 'ps', 'status', 'ls', 'list'];
    const showAliases = ['show', 'info', 'desc', 'describe'];
    const [envResult, ...aliasResults] = await Promise.all([
      ok(['env', '2'], home),
      ...listAliases.map((alias) => ok([alias], home)),
      ...showAliases.map((alias) => ok([alias, 'sig'], home)),
    ]);
    const env = envResult!.stdout.split('\n');
    expect(env).toEqual(expect.arrayContaining(['pm_id: 2', 'name: sig', 'NODE_APP_INSTANCE: 0']));
    for (const listed of aliasResults.slice(0, listAliases.length))
      expect(listed.stdout).toMatch(/api[\s\S]*sig/);
    for (const shown of aliasResults.slice(listAliases.length)) expect(shown.stdout).toContain('sig');

    // a stopped process: status stopped, pid 0 (PM2's jlist), 0 from `pid`
    await withClient(home, (client) => client.stop('sig'));
    const stopped = (await jlist(home)).find((p) => p.name === 'sig')!;
    expect(stopped.pm2_env.status).toBe('stopped');
    expect(stopped.pid).toBe(0);
    expect((await ok(['pid', 'sig'], home)).stdout).toBe('0\n');
  });
});

describe('signals and counters', () => {
  it('sendSignal and signal reach the process; bad signals and stopped targets fail on one line', async () => {
    const home = shared();
    // started over the socket: what is checked is the signal commands (pm2 start: the other tests)
    await startApps(home, [
      { script: SIGNAL_LOGGER, name: 'sig' },
      { script: SIGNAL_LOGGER, name: 'sig2' },
    ]);
    // their ids are whatever the shared daemon gives next: read them, as a user reads `pm2 list`
    const [sig] = await onlineState(home, 1, 'sig');
    const [sig2] = await onlineState(home, 1, 'sig2');
    await waitFor(() => readLines(outLog(home, 'sig')).some((line) => line.startsWith('ready')));
    await waitFor(() => readLines(outLog(home, 'sig2')).some((line) => line.startsWith('ready')));

    const sent = await ok(['sendSignal', 'SIGUSR2', 'sig'], home);
    expect(sent.stdout).toMatch(new RegExp(`sent SIGUSR2 to sig \\(id ${sig!.id}, pid \\d+\\)`));
    await waitFor(() => readLines(outLog(home, 'sig')).includes('got SIGUSR2'));
    await ok(['signal', 'hup', String(sig!.id)], home);
    await ok(['signal', '10', '/^si/'], home);
    await waitFor(() => readLines(outLog(home, 'sig')).includes('got SIGHUP'));
    await waitFor(() => readLines(outLog(home, 'sig')).includes('got SIGUSR1'));
    expect((await rowsNamed(home, 'sig'))[0]!.restarts).toBe(0);

    const [bad, ghost] = await Promise.all([
      pm2(['sendSignal', 'SIGNOPE', 'sig'], home),
      pm2(['sendSignal', 'SIGUSR2', 'ghost'], home),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(ghost.code).toBe(1);
    expect(ghost.stderr).toContain("no process matches 'ghost'");
    await withClient(home, (client) => client.stop('sig'));
    const stopped = await pm2(['sendSignal', 'SIGUSR2', 'sig'], home);
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toContain("no running process of 'sig'");
    // a stopped target fails alone: the others still get the signal, and say so
    const partly = await pm2(['signal', 'SIGHUP', 'sig', 'sig2'], home);
    expect(partly.code).toBe(1);
    expect(partly.stdout).toMatch(new RegExp(`sent SIGHUP to sig2 \\(id ${sig2!.id}, pid \\d+\\)`));
    expect(partly.stderr.trim().split('\n')).toEqual([
      "velos: signal: no running process of 'sig' to send SIGHUP to",
    ]);
    await waitFor(() => readLines(outLog(home, 'sig2')).includes('got SIGHUP'));
    await withClient(home, async (client) => {
      await client.delete('sig');
      await client.delete('sig2');
    });
  });

  it('reset sets restart_time and unstable_restarts back to 0', async () => {
    const home = shared();
    const crash = join(FIXTURES, 'crash-after.js');
    // started over the socket: what is checked is reset (pm2 start: the other tests)
    await startApps(home, [{ script: crash, name: 'crashy', args: ['300'] }]);
    const restarted = await jlistWhen(
      home,
      (rows) => rows.some((row) => row.name === 'crashy' && row.restarts >= 2),
      'two restarts',
    );
    // stopped at once: each turn of the crash loop costs a node start
    await withClient(home, (client) => client.stop('crashy'));
    expect(restarted.find((p) => p.name === 'crashy')!.pm2_env.restart_time).toBeGreaterThanOrEqual(2);
    await ok(['reset', 'crashy'], home);
    const row = (await jlist(home)).find((p) => p.name === 'crashy');
    expect(row!.pm2_env.restart_time).toBe(0);
    expect(row!.pm2_env.unstable_restarts).toBe(0);
    expect((await pm2(['reset', 'ghost'], home)).code).toBe(1);
    await withClient(home, (client) => client.delete('crashy'));
  });
});

describe('targets', () => {
  it('acts on names, ids, namespaces, all and /regex/, several at once; nothing matching exits 1', async () => {
    const home = shared();
    // the three apps from one process file (one CLI call), ids in its order
    const file = join(home, 'ecosystem.config.js');
    const apps = [
      ['web-1', 'web'],
      ['web-2', 'web'],
      ['worker', 'jobs'],
    ].map(([name, namespace]) => ({ name, namespace, script: SIGNAL_LOGGER }));
    writeFileSync(file, `module.exports = { apps: ${JSON.stringify(apps)} };\n`);
    await ok(['start', file], home);
    const [, web2] = await onlineState(home, 3);
    // the state each command left, from the daemon's list (PM2's status words in jlist: the first test)
    const statusOf = async () => Object.fromEntries((await listState(home)).map((p) => [p.name, p.status]));

    await ok(['stop', '/^web-/'], home);
    expect(await statusOf()).toEqual({ 'web-1': 'stopped', 'web-2': 'stopped', worker: 'online' });
    // web-1 by name, web-2 by id, worker by namespace
    await ok(['restart', 'web-1', String(web2!.id), 'jobs'], home);
    expect(await statusOf()).toEqual({ 'web-1': 'online', 'web-2': 'online', worker: 'online' });
    await ok(['stop', 'web'], home);
    expect(await statusOf()).toEqual({ 'web-1': 'stopped', 'web-2': 'stopped', worker: 'online' });
    await ok(['reload', 'all'], home);
    expect(Object.values(await statusOf())).toEqual(['online', 'online', 'online']);

    const missing = await pm2(['stop', 'ghost'], home);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe("velos: no process matches 'ghost'");
    const partly = await pm2(['stop', 'worker', '/^nope/'], home);
    expect(partly.code).toBe(1);
    expect(partly.stderr.trim()).toBe('velos: no process name matches /^nope/');
    expect((await statusOf()).worker).toBe('stopped');
    const badRegex = await pm2(['delete', '/(/'], home);
    expect(badRegex.code).toBe(2);

    await ok(['delete', '/^web-/', 'worker'], home);
    expect(await listState(home)).toEqual([]);
  });
});

describe('logs, save/dump, global flags', () => {
  it("logs takes PM2's --lines, --nostream, --timestamp, --format, --err, --out, --raw and --json", async () => {
    const home = shared();
    const chatty = join(FIXTURES, 'chatty.js');
    // started over the socket: what is checked is logs (pm2 start: the other tests)
    await startApps(home, [{ script: chatty, name: 'talk' }]);
    const [talk] = await onlineState(home, 1, 'talk');
    await waitFor(() => readLines(outLog(home, 'talk')).length >= 5);

    const last = await ok(['logs', 'talk', '--lines', '3', '--nostream'], home);
    expect(last.stdout.trim().split('\n')).toHaveLength(3);
    expect(last.stdout).toMatch(/^talk \| /m);
    const stamped = await ok(['logs', 'talk', '--lines', '2', '--nostream', '--timestamp'], home);
    expect(stamped.stdout.trim().split('\n')[0]).toMatch(/^\d{4}-\d{2}-\d{2}-\d{2}:\d{2}:\d{2} talk \| /);
    const custom = await ok(['logs', 'talk', '--lines', '1', '--timestamp=HH:mm', '--raw'], home);
    expect(custom.stdout).toMatch(/^\d{2}:\d{2} \S/);
    const json = await ok(['logs', 'talk', '--lines', '2', '--json', '--out'], home);
    const lines = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { stream: string });
    expect(lines.map((line) => line.stream)).toEqual(['out', 'out']);
    const keyValue = await ok(['logs', 'talk', '--lines', '1', '--format'], home);
    expect(keyValue.stdout).toMatch(
      new RegExp(
        `^timestamp=\\d{4}-\\d{2}-\\d{2}T\\S+ app=talk id=${talk!.id} type=out message=line \\d+\\n$`,
      ),
    );
    const errOnly = await ok(['logs', 'talk', '--err', '--nostream'], home);
    expect(errOnly.stdout).toBe('');
    await deleteApps(home, ['talk']);
  });

  it('dump and save write the list that resurrect brings back after kill; -s silences, --no-color', async () => {
    const home = createHome();
    await ok(['start', SIGNAL_LOGGER, '--name', 'keep'], home);
    await onlineState(home, 1);
    const silent = await ok(['restart', 'keep', '-s'], home);
    expect(silent.stdout).toBe('');
    const colored = await runScript('FORCE_COLOR=1 pm2 list', home);
    expect(colored.stdout).toContain('\u001b[');
    const plain = await runScript('FORCE_COLOR=1 pm2 list --no-color', home);
    expect(plain.stdout).not.toContain('\u001b[');
    expect((await ok(['dump'], home)).stdout).toMatch(/saved 1 process/);
    expect((await ok(['save', '--force'], home)).stdout).toMatch(/saved 1 process/);
    await ok(['kill'], home);
    await ok(['resurrect'], home);
    expect((await onlineState(home, 1)).map((row) => row.name)).toEqual(['keep']);
    // as PM2: a save with nothing listed is refused and keeps the saved list, unless --force
    await ok(['delete', 'keep'], home);
    const state = join(home, 'state.json');
    const kept = readFileSync(state, 'utf8');
    const refused = await pm2(['save'], home);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(
      `velos: nothing to save: no process is listed, so ${state} is left as it is (save --force writes the empty list)\n`,
    );
    expect(readFileSync(state, 'utf8')).toBe(kept);
    expect((await ok(['save', '--force'], home)).stdout).toMatch(/saved 0 processes/);
    expect(JSON.parse(readFileSync(state, 'utf8')).apps).toEqual([]);
  });
});

describe('the rest of the command list', () => {
  it('start of a command line, startOrGracefulReload, gracefulReload, del, unstartup', async () => {
    const home = shared();
    // a command line with spaces runs under sh -c, as pm2 start "…" does
    await ok(['start', `node ${APP}`, '--name', 'cmd'], home);
    const file = join(home, 'ecosystem.config.js');
    writeFileSync(file, `module.exports = { apps: [{ name: 'eco', script: ${JSON.stringify(APP)} }] };\n`);
    await ok(['startOrGracefulReload', file], home);
    const [cmd, eco] = await onlineState(home, 2);
    expect([cmd!.name, eco!.name]).toEqual(['cmd', 'eco']);
    // a second startOrGracefulReload reloads what runs: a new pid, one more restart
    await ok(['startOrGracefulReload', file], home);
    await ok(['gracefulReload', 'cmd'], home);
    const reloaded = await onlineState(home, 2);
    expect(reloaded.map((p) => p.restarts)).toEqual([1, 1]);
    expect(reloaded.map((p) => p.pid)).not.toEqual([cmd!.pid, eco!.pid]);
    await ok(['del', 'cmd'], home);
    expect((await listState(home)).map((p) => p.name)).toEqual(['eco']);
    // nothing installed under this name: nothing to remove (or, without root, the command to run as root)
    const unstartup = await ok(['unstartup', 'systemd', '--service-name', 'velos-pm2-compat-none'], home);
    expect(unstartup.stdout).toMatch(
      /nothing to remove|unstartup systemd --service-name velos-pm2-compat-none/,
    );
    await deleteApps(home, ['eco']);
  });
});
