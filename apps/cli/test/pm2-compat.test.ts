import { describe, expect, it } from 'vitest';
import { forEachTarget } from '../src/pm2/each-target.js';
import { takeGlobalFlags } from '../src/pm2/global-flags.js';
import { toPm2Process, toPm2Status } from '../src/pm2/jlist.js';
import { expandRegexTargets, isRegexTarget } from '../src/pm2/regex-targets.js';
import { normalizeSignal } from '../src/pm2/signal-name.js';
import { processDetail, processInfo } from './sample-processes.js';

const facts = { home: '/h', env: { A: '1' }, version: '2.0.0', nodeVersion: '24.0.0', username: 'me' };

describe("PM2's jlist shape", () => {
  it('maps statuses to PM2 words', () => {
    expect(toPm2Status('starting')).toBe('launching');
    expect(toPm2Status('waiting-restart')).toBe('waiting restart');
    expect(toPm2Status('scheduled')).toBe('stopped');
    for (const same of ['online', 'stopping', 'stopped', 'errored'] as const)
      expect(toPm2Status(same)).toBe(same);
  });

  it('fills the documented fields from a Velos process, pid 0 when not running', () => {
    const running = toPm2Process(
      processDetail({ id: 3, instance: 1, execMode: 'cluster', restarts: 4 }),
      facts,
    );
    expect(running).toMatchObject({ pid: 1234, name: 'api', pm_id: 3, monit: { cpu: 2.14 } });
    expect(running.pm2_env).toMatchObject({
      pm_id: 3,
      status: 'online',
      restart_time: 4,
      exec_mode: 'cluster_mode',
      pm_exec_path: '/srv/api/server.js',
      pm_cwd: '/srv/api',
      pm_pid_path: '/h/pids/api-3.pid',
      NODE_APP_INSTANCE: 1,
      version: '2.0.0',
      env: { A: '1', pm_id: '3', name: 'api', NODE_APP_INSTANCE: '1' },
    });
    const stopped = toPm2Process(processDetail({ pid: null, status: 'stopped', startedAt: null }), facts);
    expect(stopped.pid).toBe(0);
    expect(stopped.pm2_env.pm_uptime).toBe(stopped.pm2_env.created_at);
    // once it ran, pm_uptime stays the start of its last run, as in PM2
    const ended = toPm2Process(
      processDetail({ pid: null, status: 'errored', startedAt: null, lastStartedAt: 1_700_000_009_000 }),
      facts,
    );
    expect(ended.pm2_env.pm_uptime).toBe(1_700_000_009_000);
    expect(toPm2Process(processDetail(), { ...facts, pidFile: '/run/api.pid' }).pm2_env.pm_pid_path).toBe(
      '/run/api.pid',
    );
    // past one process each writes its own pid file: the one of this instance, not the app's pid_file
    const second = processDetail({ id: 5, instance: 1, execMode: 'cluster' });
    second.spec = { ...second.spec, instances: 2 };
    expect(toPm2Process(second, { ...facts, pidFile: '/run/api.pid' }).pm2_env.pm_pid_path).toBe(
      '/run/api-1.pid',
    );
    const added = processDetail({ instance: 1 });
    expect(
      toPm2Process(added, { ...facts, pidFile: '/run/api.pid', processCount: 2 }).pm2_env.pm_pid_path,
    ).toBe('/run/api-1.pid');
  });

  it("env is the instance's own, as velos env shows it: its instance_var and its increment_var raised", () => {
    const detail = processDetail({ id: 7, instance: 2, execMode: 'cluster' });
    const spec = { ...detail.spec, instanceVar: 'INST', incrementVar: 'PORT' };
    const pm2Env = toPm2Process({ ...detail, spec }, { ...facts, env: { PORT: '3000' } }).pm2_env;
    expect(pm2Env.env).toMatchObject({
      PORT: '3002',
      INST: '2',
      VELOS_INSTANCE: '2',
      pm_id: '7',
      VELOS_HOME: '/h',
    });
    expect('NODE_APP_INSTANCE' in pm2Env.env).toBe(false);
    expect(pm2Env.instance_var).toBe('INST');
  });

  it('has ignore_watch and log_date_format when the app sets them, as PM2 does', () => {
    const plain = toPm2Process(processDetail(), facts).pm2_env;
    expect('ignore_watch' in plain || 'log_date_format' in plain).toBe(false);
    const set = processDetail();
    set.spec = { ...set.spec, ignoreWatch: ['node_modules', 'logs'], logDateFormat: 'YYYY-MM-DD HH:mm' };
    expect(toPm2Process(set, facts).pm2_env).toMatchObject({
      ignore_watch: ['node_modules', 'logs'],
      log_date_format: 'YYYY-MM-DD HH:mm',
    });
  });

  it('has exp_backoff_restart_delay and stop_exit_codes when the app sets them, as PM2 does', () => {
    const plain = toPm2Process(processDetail(), facts).pm2_env;
    expect('exp_backoff_restart_delay' in plain || 'stop_exit_codes' in plain).toBe(false);
    const set = processDetail();
    set.spec = { ...set.spec, expBackoffRestartDelayMs: 100, stopExitCodes: [0, 3] };
    expect(toPm2Process(set, facts).pm2_env).toMatchObject({
      exp_backoff_restart_delay: 100,
      stop_exit_codes: [0, 3],
    });
  });

  it('has increment_var, wait_ready, listen_timeout and shutdown_with_message when the app sets them, as PM2 does', () => {
    const keys = ['increment_var', 'wait_ready', 'listen_timeout', 'shutdown_with_message'];
    const plain = toPm2Process(processDetail(), facts).pm2_env;
    expect(keys.filter((key) => key in plain)).toEqual([]);
    const set = processDetail();
    set.spec = {
      ...set.spec,
      incrementVar: 'PORT',
      waitReady: true,
      listenTimeoutMs: 5000,
      shutdownWithMessage: true,
    };
    const pm2Env = toPm2Process(set, { ...facts, env: { PORT: '3000' } }).pm2_env;
    // pm2 7.0.4 (observed): "increment_var":"PORT","wait_ready":true,"listen_timeout":5000,"shutdown_with_message":true
    expect(pm2Env).toMatchObject({
      increment_var: 'PORT',
      wait_ready: true,
      listen_timeout: 5000,
      shutdown_with_message: true,
    });
  });

  it('has autostart as PM2 prints it for every app: false for one added stopped (--no-autostart)', () => {
    expect(toPm2Process(processDetail(), facts).pm2_env.autostart).toBe(true);
    const held = processDetail({ status: 'stopped', pid: null });
    held.spec = { ...held.spec, autostart: false };
    expect(toPm2Process(held, facts).pm2_env.autostart).toBe(false);
  });

  it('shows --time as PM2 does: time true and the moment format of its stamps, not "iso"', () => {
    const timed = processDetail();
    timed.spec = { ...timed.spec, logDateFormat: 'iso' };
    const env = toPm2Process(timed, facts).pm2_env;
    expect([env.time, env.log_date_format]).toEqual([true, 'YYYY-MM-DDTHH:mm:ss.SSS[Z]']);
    expect('time' in toPm2Process(processDetail(), facts).pm2_env).toBe(false);
  });

  it("shows watch as PM2 does: true for the app's own directory, else the paths relative to it", () => {
    const detail = processDetail();
    const watchOf = (watch?: string[]) =>
      toPm2Process({ ...detail, spec: { ...detail.spec, ...(watch ? { watch } : {}) } }, facts).pm2_env.watch;
    expect(watchOf()).toBe(false);
    expect(watchOf(['/srv/api'])).toBe(true);
    expect(watchOf(['/srv/api/src', '/srv/api', '/etc/api.conf'])).toEqual(['src', '.', '/etc/api.conf']);
  });

  it('gives a program found on PATH (velos start npm -- start) its real path, not one under the cwd', () => {
    const npm = processDetail();
    npm.spec = { ...npm.spec, script: 'npm', args: ['start'] };
    npm.command = { file: '/usr/bin/npm', args: ['start'], shell: false };
    expect(toPm2Process(npm, facts).pm2_env).toMatchObject({
      pm_exec_path: '/usr/bin/npm',
      exec_interpreter: 'none',
    });
    // a script in the app's directory is still found there
    const local = processDetail();
    local.spec = { ...local.spec, script: 'server.js' };
    expect(toPm2Process(local, facts).pm2_env.pm_exec_path).toBe('/srv/api/server.js');
  });
});

describe('PM2 targets, signals and global flags', () => {
  const list = async () => [
    processInfo({ id: 0, name: 'api-1' }),
    processInfo({ id: 1, name: 'api-2' }),
    processInfo({ id: 2, name: 'worker' }),
  ];

  it('expands /regex/ targets into app names, once each, and keeps the others', async () => {
    expect(isRegexTarget('/^api/')).toBe(true);
    expect(isRegexTarget('//')).toBe(false);
    expect(await expandRegexTargets(['/^api/', 'worker', '/-1$/'], list, 'stop')).toEqual([
      'api-1',
      'api-2',
      'worker',
    ]);
    await expect(expandRegexTargets(['/^nope/'], list, 'stop')).rejects.toMatchObject({
      code: 'TARGET_NOT_FOUND',
    });
    // the daemon's words (`target /(/: invalid regular expression …`), a usage error's exit code
    await expect(expandRegexTargets(['/(/'], list, 'stop')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message:
        'target /(/: invalid regular expression "(": Invalid regular expression: /(/: Unterminated group',
      data: { exitCode: 2 },
    });
  });

  it('matches names of any script, a pattern spelled decomposed too (NFC)', async () => {
    const named = async () => [
      processInfo({ id: 0, name: 'caf\u00e9-api' }),
      processInfo({ id: 1, name: 'заказы-api' }),
      processInfo({ id: 2, name: '注文' }),
    ];
    expect(await expandRegexTargets(['/^cafe\u0301/', '/^заказ/', '/文$/'], named, 'stop')).toEqual([
      'caf\u00e9-api',
      'заказы-api',
      '注文',
    ]);
  });

  it('acts on the other targets when one matches nothing', async () => {
    const acted: string[] = [];
    const { done, notFound } = await forEachTarget(['/^nope/', '/^api/'], list, 'stop', async (name) => {
      acted.push(name);
    });
    expect(acted).toEqual(['api-1', 'api-2']);
    expect(done).toBe(1);
    expect(notFound).toHaveLength(1);
  });

  it('normalizes signal names and numbers', () => {
    expect(normalizeSignal('SIGUSR2', 'signal')).toBe('SIGUSR2');
    expect(normalizeSignal('usr2', 'signal')).toBe('SIGUSR2');
    expect(normalizeSignal('1', 'signal')).toBe('SIGHUP');
    expect(() => normalizeSignal('SIGNOPE', 'signal')).toThrow(/unknown signal/);
    // PM2's order swapped (sendSignal api USR2): the error says which word is the signal
    expect(() => normalizeSignal('api', 'signal', 'usr2')).toThrow(
      'unknown signal "api"; expected a name such as SIGUSR2 or HUP; the signal goes first: velos signal SIGUSR2 api',
    );
    expect(() => normalizeSignal('api', 'signal', 'web')).toThrow(/HUP \(see velos signal --help\)$/);
  });

  it('takes -s, --silent and --no-color before --, never after', () => {
    expect(takeGlobalFlags(['restart', 'api', '-s', '--no-color'])).toEqual({
      isSilent: true,
      isColorOff: true,
      argv: ['restart', 'api'],
    });
    expect(takeGlobalFlags(['start', 'app.js', '--', '-s']).argv).toEqual(['start', 'app.js', '--', '-s']);
  });
});
