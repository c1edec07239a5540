import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as config from '@velos/core/config';
import { afterAll, describe, expect, it } from 'vitest';
import type { CommandInput } from '../src/command-spec.js';
import {
  resolveStartTarget,
  type StartEnvironment,
  specsFromConfigFile,
} from '../src/commands/start-spec.js';
import { isEcosystemScript } from '../src/pm2/ecosystem-file.js';
import { EVAL_TIMEOUT_VARIABLE } from '../src/pm2/evaluate-process-file.js';

const dir = mkdtempSync(join(tmpdir(), 'velos-ecosystem-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'app.js'), '');
writeFileSync(
  join(dir, 'ecosystem.config.cjs'),
  `module.exports = { apps: [
    { name: 'api', script: './app.js', maxRestarts: 2, frob: 1, env_production: { A: 'p' } },
    { name: 'worker', script: 'app.js', exec_mode: 'cluster_mode', instances: -1 },
  ] };\n`,
);
// the names of the migration issue; café-api written decomposed (e + U+0301), as some editors save it
writeFileSync(
  join(dir, 'names.config.js'),
  `module.exports = { apps: ['cafe\u0301-api', 'заказы', '注文', 'Ölpreis'].map((name) => ({ name, script: 'app.js' })) };\n`,
);
// each app with a doubt of its own, and the file with one of its own (deploy)
writeFileSync(
  join(dir, 'doubts.config.js'),
  `module.exports = { apps: [
    { name: 'api', script: 'app.js', scirpt: 1, vizion: false, env: { X: null }, time: true, log_date_format: 'HH:mm' },
    { name: 'worker', script: 'app.js', frob: 1, treekill: false, env_production: { A: 'p' } },
    { name: 'cron', script: 'app.js', log_date_format: 'Do MMM', pmx: false },
  ], deploy: { production: {} } };\n`,
);
writeFileSync(
  join(dir, 'append.config.js'),
  `module.exports = { apps: [
    { name: 'api', script: 'app.js', append_env_to_name: true, frob: 1 },
    { name: 'worker', script: 'app.js', append_env_to_name: true },
  ] };\n`,
);
writeFileSync(
  join(dir, 'spaced.config.js'),
  `module.exports = { apps: [
    { name: 'api', script: 'app.js', scirpt: 1 },
    { name: 'worker', script: 'app.js', frob: 1 },
    { name: 'cron', script: 'app.js' },
    { name: 'my api', script: 'app.js' },
  ] };\n`,
);
writeFileSync(join(dir, 'apps.config.mjs'), `export const apps = [{ name: 'named', script: 'app.js' }];\n`);
writeFileSync(
  join(dir, 'process.json'),
  JSON.stringify({ apps: [{ name: 'gone', script: './missing.js' }] }),
);

function input(options: CommandInput['options'] = {}): CommandInput {
  return { options, args: [], rest: [] };
}

async function load(file: string, options: CommandInput['options'] = {}, warnings: string[] = []) {
  const where: StartEnvironment = {
    cwd: dir,
    env: { PATH: '/usr/bin' },
    cpuCount: 4,
    warn: (message) => warnings.push(message),
  };
  return specsFromConfigFile(join(dir, file), input(options), where, config);
}

describe('PM2 ecosystem files in velos start (issue #14)', () => {
  it('recognises *.config.{js,cjs,mjs} and ecosystem*.js as config files', () => {
    expect(
      ['ecosystem.config.js', 'ecosystem.js', 'app.config.cjs', 'x.config.mjs'].map(isEcosystemScript),
    ).toEqual([true, true, true, true]);
    expect(['server.js', 'config.js'].map(isEcosystemScript)).toEqual([false, false]);
    const where = { cwd: dir, env: {}, cpuCount: 4 };
    expect(resolveStartTarget('ecosystem.config.cjs', input(), where, config).kind).toBe('config');
  });

  it('loads a CommonJS file in this process, with warnings, --env and --only, unlinked from the daemon', async () => {
    const warnings: string[] = [];
    const specs = await load('ecosystem.config.cjs', { env: 'production' }, warnings);
    expect(specs.map((s) => [s.name, s.instances, s.execMode])).toEqual([
      ['api', 1, 'fork'],
      ['worker', 3, 'cluster'],
    ]);
    expect(specs[0]).toMatchObject({ maxRestarts: 2, cwd: dir, env: { A: 'p' } });
    expect(specs.every((s) => s.source === undefined)).toBe(true);
    // as PM2, each app without the --env profile is named (worker starts with its env)
    expect(warnings).toEqual([
      'ecosystem.config.cjs: apps[0] (api): unknown option "frob" ignored',
      'ecosystem.config.cjs: apps[1] (worker): no env_production table (from --env production); its env used',
    ]);
    expect((await load('ecosystem.config.cjs', { only: 'worker' })).map((s) => s.name)).toEqual(['worker']);
    await expect(load('ecosystem.config.cjs', { only: 'nope' })).rejects.toThrow(
      '--only: ecosystem.config.cjs has no app named nope (it has api, worker)',
    );
    // as PM2, a name the file lacks does not stop the others
    const skipped: string[] = [];
    expect((await load('ecosystem.config.cjs', { only: 'worker,nope' }, skipped)).map((s) => s.name)).toEqual(
      ['worker'],
    );
    expect(skipped).toContain(
      '--only: ecosystem.config.cjs has no app named nope (it has api, worker); the others go on',
    );
    await expect(load('ecosystem.config.cjs', { 'watch-config': true })).rejects.toThrow(
      /--watch-config: ecosystem\.config\.cjs is code the daemon does not run/,
    );
  });

  it('--only takes names apart by spaces too, as PM2 does, unless an app has the name with its space', async () => {
    expect((await load('spaced.config.js', { only: 'api worker' })).map((s) => s.name)).toEqual([
      'api',
      'worker',
    ]);
    expect((await load('spaced.config.js', { only: 'my api' })).map((s) => s.name)).toEqual(['my api']);
    const skipped: string[] = [];
    expect((await load('spaced.config.js', { only: 'cron, api nope' }, skipped)).map((s) => s.name)).toEqual([
      'api',
      'cron',
    ]);
    expect(skipped).toContain(
      '--only: spaced.config.js has no app named nope (it has api, worker, cron, my api); the others go on',
    );
    // the warnings of the apps a spaced --only selects are told, those of the others are not
    const warned: string[] = [];
    await load('spaced.config.js', { only: 'worker cron' }, warned);
    expect(warned).toEqual(['spaced.config.js: apps[1] (worker): unknown option "frob" ignored']);
  });

  it("--only tells the warnings of the apps it selects; the file's own still come", async () => {
    const all: string[] = [];
    await load('doubts.config.js', {}, all);
    expect(all).toEqual([
      'doubts.config.js: "deploy" ignored (Velos does not deploy)',
      expect.stringMatching(/^doubts\.config\.js: apps\[0\] \(api\): log_date_format ignored: time: true/),
      'doubts.config.js: apps[0] (api): env.X: null is passed as the string "null", as PM2 does',
      'doubts.config.js: apps[0] (api): unknown option "scirpt" (did you mean "script"?) ignored',
      'doubts.config.js: apps[1] (worker): unknown option "frob" ignored',
      expect.stringMatching(/^doubts\.config\.js: apps\[2\]\.log_date_format: moment tokens other than/),
      'doubts.config.js: PM2 options with no Velos equivalent, ignored: vizion, treekill, pmx',
    ]);
    const worker: string[] = [];
    expect((await load('doubts.config.js', { only: 'worker' }, worker)).map((s) => s.name)).toEqual([
      'worker',
    ]);
    expect(worker).toEqual([
      'doubts.config.js: "deploy" ignored (Velos does not deploy)',
      'doubts.config.js: apps[1] (worker): unknown option "frob" ignored',
      'doubts.config.js: PM2 options with no Velos equivalent, ignored: treekill',
    ]);
    const two: string[] = [];
    await load('doubts.config.js', { only: 'cron, api', env: 'production' }, two);
    expect(two.join('\n')).not.toMatch(/worker|frob|treekill/);
    expect(two).toContain('doubts.config.js: PM2 options with no Velos equivalent, ignored: vizion, pmx');
    // the --env profile a selected app lacks is said of each, though another app has it
    expect(two.filter((line) => line.includes('env_production'))).toEqual([
      'doubts.config.js: apps[0] (api): no env_production table (from --env production); its env used',
      'doubts.config.js: apps[2] (cron): no env_production table (from --env production); its env used',
    ]);
    const profiled: string[] = [];
    await load('doubts.config.js', { only: 'worker', env: 'production' }, profiled);
    expect(profiled.join('\n')).not.toContain('env_production');
  });

  it('--only names an app of append_env_to_name as the file names it, as PM2 selects, or as it runs', async () => {
    const names = async (options: CommandInput['options'], warnings: string[] = []) =>
      (await load('append.config.js', options, warnings)).map((s) => s.name);
    // PM2 6.0.14: `--only worker --env production` starts worker-production
    expect(await names({ only: 'worker', env: 'production' })).toEqual(['worker-production']);
    expect(await names({ only: 'worker-production', env: 'production' })).toEqual(['worker-production']);
    expect(await names({ only: 'worker' })).toEqual(['worker']);
    // the warnings of the app selected by its name in the file are told, the others' not
    const api: string[] = [];
    expect(await names({ only: 'api', env: 'production' }, api)).toEqual(['api-production']);
    expect(api.filter((line) => line.includes('"frob"'))).toHaveLength(1);
    const worker: string[] = [];
    await names({ only: 'worker', env: 'production' }, worker);
    expect(worker.join('\n')).not.toContain('frob');
    await expect(names({ only: 'api-staging', env: 'production' })).rejects.toThrow(
      '--only: append.config.js has no app named api-staging (it has api-production, worker-production)',
    );
  });

  it('takes the names PM2 takes: letters of any script, in one spelling (NFC), --only too', async () => {
    expect((await load('names.config.js')).map((s) => s.name)).toEqual([
      'café-api',
      'заказы',
      '注文',
      'Ölpreis',
    ]);
    const only = await load('names.config.js', { only: 'cafe\u0301-api,注文' });
    expect(only.map((s) => s.name)).toEqual(['café-api', '注文']);
  });

  it('takes an ES module `apps` export, and a missing script (refused by the start, not the read)', async () => {
    expect((await load('apps.config.mjs')).map((s) => s.name)).toEqual(['named']);
    // `velos delete process.json` names its apps when a script is gone; `velos start` refuses it (e2e)
    expect((await load('process.json')).map((s) => [s.name, s.script])).toEqual([['gone', './missing.js']]);
  });

  it('refuses a file that exports a promise, saying so (not "got keys none")', async () => {
    writeFileSync(
      join(dir, 'promised.config.js'),
      `module.exports = Promise.resolve({ apps: [{ name: 'p', script: 'app.js' }] });\n`,
    );
    await expect(load('promised.config.js')).rejects.toThrow(
      'promised.config.js: exports a promise: expected the { apps: [...] } object itself',
    );
  });

  it('refuses a file that never finishes running (a loop at its top level, CommonJS or ES module) after a bound', async () => {
    writeFileSync(join(dir, 'loop.config.cjs'), 'while (true) {}\n');
    // an ES module with a top-level await runs in a worker thread, ended at the bound
    writeFileSync(join(dir, 'loop.config.mjs'), 'await null;\nwhile (true) {}\nexport default {};\n');
    process.env[EVAL_TIMEOUT_VARIABLE] = '200';
    try {
      for (const file of ['loop.config.cjs', 'loop.config.mjs']) {
        await expect(load(file)).rejects.toThrow(
          `${file}: did not finish evaluating within 0.2 s (a loop that never ends at its top level?); nothing was started (${EVAL_TIMEOUT_VARIABLE} sets the bound)`,
        );
      }
    } finally {
      delete process.env[EVAL_TIMEOUT_VARIABLE];
    }
  });

  it('loads an ES module with a top-level await (in a worker thread), its environment set there seen here', async () => {
    writeFileSync(
      join(dir, 'awaits.config.mjs'),
      `await new Promise((resolve) => setTimeout(resolve, 1));\nprocess.env.VELOS_TEST_AWAITED = 'yes';\nexport default { apps: [{ name: 'late', script: 'app.js' }] };\n`,
    );
    try {
      expect((await load('awaits.config.mjs')).map((s) => s.name)).toEqual(['late']);
      expect(process.env.VELOS_TEST_AWAITED).toBe('yes');
    } finally {
      delete process.env.VELOS_TEST_AWAITED;
    }
  });
});
