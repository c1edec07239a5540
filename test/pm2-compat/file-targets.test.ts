import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHomes, clearApps, listState, sharedHome, withClient } from '../e2e/helpers.js';
import { allOnline, jlistWhen, PM2_FIXTURES, runScript } from './pm2-shim.js';

afterEach(cleanupHomes);

const OUT_ERR = join(PM2_FIXTURES, 'out-err.js');

/**
 * `name:status:V` of each process, V being the app's env variable: what `pm2 jlist` shows of them (its
 * status and env come from the same `describe` and `configGet`), read over the daemon's socket, as the
 * state each command left is what these tests check, not jlist's output (test/pm2-compat/commands.test.ts).
 */
async function states(home: string): Promise<string[]> {
  const rows = await listState(home);
  return withClient(home, (client) =>
    Promise.all(
      rows.map(async (row) => `${row.name}:${row.status}:${(await client.configGet(row.name)).env.V ?? '-'}`),
    ),
  );
}

async function ok(script: string, home: string) {
  const result = await runScript(script, home);
  expect(result.code, `${script}: ${result.stderr}`).toBe(0);
  return result;
}

// Issue #14: a process file as the target of restart, reload, stop and delete, as deploy scripts
// written for PM2 use it (`pm2 reload ecosystem.config.js --env production`); what each does was
// read off pm2 6.0.14 running the same sequence.
// One daemon for the tests: each deletes what it started, so that each finds the list empty.
describe('a process file as a target', () => {
  const shared = sharedHome();
  beforeEach(() => clearApps(shared()));

  it('restart/reload start what does not run and apply --env; stop/delete act on its apps; --only', async () => {
    const home = shared();
    const file = join(home, 'ecosystem.config.js');
    writeFileSync(
      file,
      `module.exports = { apps: [
  { name: 'x1', script: ${JSON.stringify(OUT_ERR)}, env: { V: 'dev' }, env_production: { V: 'prod' } },
  { name: 'x2', script: ${JSON.stringify(OUT_ERR)}, env: { V: 'two' } },
] };\n`,
    );
    await ok(`pm2 start ${file} --only x1`, home);
    expect(await states(home)).toEqual(['x1:online:dev']);
    // restart of the file: x1 restarted, x2 (not running) started
    await ok(`cd ${home} && pm2 restart ecosystem.config.js`, home);
    expect(await states(home)).toEqual(['x1:online:dev', 'x2:online:two']);
    await ok(`pm2 restart ${file} --env production`, home);
    expect(await states(home)).toEqual(['x1:online:prod', 'x2:online:two']);
    const before = await listState(home);
    await ok(`pm2 reload ${file} --env production --update-env`, home);
    const after = await jlistWhen(home, allOnline(2), 'x1 and x2 online');
    expect(after.map((p) => p.pm2_env.status)).toEqual(['online', 'online']);
    expect(after.map((p) => p.pid)).not.toEqual(before.map((p) => p.pid));
    await ok(`pm2 stop ${file}`, home);
    expect(await states(home)).toEqual(['x1:stopped:prod', 'x2:stopped:two']);
    await ok(`pm2 restart ${file} --only x2`, home);
    expect(await states(home)).toEqual(['x1:stopped:prod', 'x2:online:two']);
    await ok(`pm2 delete ${file}`, home);
    expect(await states(home)).toEqual([]);
    // as pm2 6.0.14: a file none of whose apps runs is nothing to do, exit 0 (a deploy script's
    // clean-up before its start, under set -e); Velos says so on stderr
    for (const command of ['delete', 'stop']) {
      const again = await runScript(`pm2 ${command} ${file}`, home);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toBe('');
      expect(again.stderr.trim()).toBe(
        `velos: warning: no app of ${file} is in the process list (x1, x2): nothing to ${command}`,
      );
    }
    const only = await runScript(`pm2 stop ${file} --only x2`, home);
    expect(only.code, only.stderr).toBe(0);
    expect(only.stderr.trim()).toBe(
      `velos: warning: no app of ${file} is in the process list (x2): nothing to stop`,
    );
    // beside a name that matches nothing, that name still fails the command
    const beside = await runScript(`pm2 delete ${file} nope`, home);
    expect(beside.code).toBe(1);
    expect(beside.stderr).toContain("velos: no process matches 'nope'");
  });

  it('a file next to names in one command; a name that is a file only when it is one', async () => {
    const home = shared();
    const file = join(home, 'process.json');
    writeFileSync(file, JSON.stringify({ apps: [{ name: 'j1', script: OUT_ERR }] }));
    await ok(`pm2 start ${file}`, home);
    await ok(`pm2 start ${OUT_ERR} --name other`, home);
    await ok(`pm2 stop ${file} other`, home);
    expect(await states(home)).toEqual(['j1:stopped:-', 'other:stopped:-']);
    // a target named like a file that does not exist is a name, as before
    const missing = await runScript('pm2 stop nothere.config.js', home);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe("velos: no process matches 'nothere.config.js'");
    await withClient(home, async (client) => {
      await client.delete('j1');
      await client.delete('other');
    });
  });

  it('refuses --env and --only without a process file among the targets, as pm2 refuses --env', async () => {
    const home = shared();
    const file = join(home, 'ecosystem.config.js');
    writeFileSync(
      file,
      `module.exports = { apps: [{ name: 'e1', script: ${JSON.stringify(OUT_ERR)}, env: { V: 'dev' }, env_production: { V: 'prod' } }] };\n`,
    );
    await ok(`pm2 start ${file}`, home);
    for (const command of [
      'restart e1 --env production',
      'reload e1 --env production',
      'stop e1 --only e1',
    ]) {
      const refused = await runScript(`pm2 ${command}`, home);
      // a wrong command line: exit 2 (docs/migrating-from-pm2.md)
      expect(refused.code, command).toBe(2);
      expect(refused.stderr.trim()).toMatch(
        /^velos: --(env|only) applies to a process file target \(velos \w+ ecosystem\.config\.js --/,
      );
    }
    // nothing was restarted with a profile it did not apply, nor stopped
    expect(await states(home)).toEqual(['e1:online:dev']);
    await withClient(home, (client) => client.delete('e1'));
  });

  it('a script path stands for the apps that run it (pm2 restart app.js, pm2 stop ./other.js)', async () => {
    const home = shared();
    const dir = join(home, 'srv');
    await ok(`mkdir -p ${dir} && cp ${OUT_ERR} ${dir}/app.js && cp ${OUT_ERR} ${dir}/other.js`, home);
    await ok(
      `cd ${dir} && pm2 start app.js --name a && pm2 start app.js --name b && pm2 start other.js`,
      home,
    );
    await ok(`cd ${dir} && pm2 stop ./other.js`, home);
    expect(await states(home)).toEqual(['a:online:-', 'b:online:-', 'other:stopped:-']);
    await ok(`cd ${dir} && pm2 restart app.js`, home);
    const list = await listState(home);
    expect(list.map((p) => `${p.name}:${p.restarts}`)).toEqual(['a:1', 'b:1', 'other:0']);
    // the absolute path too
    await ok(`cd ${dir} && pm2 delete ${dir}/app.js`, home);
    expect(await states(home)).toEqual(['other:stopped:-']);
    await withClient(home, (client) => client.delete('other'));
  });
});
