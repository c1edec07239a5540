import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile, validateConfig } from '../src/config-loader.js';
import { dialectOf, snakeCase } from '../src/pm2-dialect.js';

const dir = mkdtempSync(join(tmpdir(), 'velos-pm2-dialect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ctx = { baseDir: dir, baseEnv: { PATH: '/usr/bin' }, cpuCount: 4 };

function pm2(document: unknown, warnings: string[] = []) {
  return validateConfig(document, 'ecosystem.json', {
    ...ctx,
    dialect: 'pm2',
    onWarning: (message) => warnings.push(message),
  });
}

describe('PM2 dialect (issue #14)', () => {
  it('reads PM2 process file names in the PM2 dialect, Velos files in the strict one', () => {
    expect(
      ['ecosystem.config.js', 'ecosystem.json', 'process.yml', 'pm2.json', 'app.config.mjs'].map(dialectOf),
    ).toEqual(['pm2', 'pm2', 'pm2', 'pm2', 'pm2']);
    expect(['velos.toml', 'apps.json', 'velos.yaml'].map(dialectOf)).toEqual(['velos', 'velos', 'velos']);
    expect(snakeCase('maxMemoryRestart')).toBe('max_memory_restart');
  });

  it('names the app in an error, quoted and cut when the name itself is refused (config fuzz seed 905649312)', () => {
    expect(() => pm2({ apps: [{ name: 'web', script: 'a.js', instances: 'many' }] })).toThrow(
      /^ecosystem\.json: apps\[0\] \(web\)\.instances: /,
    );
    let message = '';
    try {
      pm2({ apps: [{ name: 'x'.repeat(900), script: 'a.js' }] });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^ecosystem\.json: apps\[0\] \("x+…\)\.name: /);
    expect(message.length).toBeLessThan(400);
    expect(message).not.toContain('\n');
  });

  it('says where a name used twice comes from when the file does not write it (PM2 takes two unnamed apps)', () => {
    expect(() => pm2({ apps: [{ script: 'app.js' }, { script: 'app.js', args: '--b' }] })).toThrow(
      'ecosystem.json: apps[1].name: expected a unique name, "app" is used twice (taken from the script: give each app a name)',
    );
    expect(() =>
      pm2({
        apps: [
          { name: 'a', script: 'x.js' },
          { name: 'a', script: 'y.js' },
        ],
      }),
    ).toThrow(/"a" is used twice$/);
  });

  it("names a refused value by the key the file wrote, not Velos's name for it", () => {
    expect(() => pm2({ apps: [{ name: 'web', script: 'a.js', max_memory_restart: 'lots' }] })).toThrow(
      /^ecosystem\.json: apps\[0\] \(web\)\.max_memory_restart: expected a size like "200M"/,
    );
    expect(() => pm2({ apps: [{ script: 'a.js', restartDelay: -5 }] })).toThrow(
      /^ecosystem\.json: apps\[0\]\.restartDelay: expected a duration/,
    );
    expect(() => pm2({ script: 'a.js', output: 5 })).toThrow(
      /^ecosystem\.json: apps\[0\]\.output: expected a string/,
    );
  });

  it('keeps node_args over interpreter_args when an app has both, in either order, as PM2 does', () => {
    const specs = pm2({
      apps: [
        {
          name: 'a',
          script: 'a.js',
          node_args: '--max-old-space-size=100',
          interpreter_args: '--trace-warnings',
        },
        {
          name: 'b',
          script: 'a.js',
          interpreter_args: ['--trace-warnings'],
          nodeArgs: ['--max-old-space-size=100'],
        },
        { name: 'c', script: 'a.js', interpreter_args: '--trace-warnings' },
      ],
    });
    expect(specs.map((spec) => spec.interpreterArgs)).toEqual([
      ['--max-old-space-size=100'],
      ['--max-old-space-size=100'],
      ['--trace-warnings'],
    ]);
  });

  it('maps snake_case and camelCase PM2 names, aliases and values onto the spec', () => {
    const [a, b] = pm2({
      apps: [
        {
          name: 'api',
          script: 'api.js',
          exec_mode: 'cluster_mode',
          instances: '-1',
          max_restarts: '5',
          max_memory_restart: '200M',
          node_args: '--max-old-space-size=256',
          out_file: 'out.log',
          error: 'err.log',
          log: 'all.log',
          pid_file: 'api.pid',
          instance_var: 'INSTANCE_ID',
          cron: '0 3 * * *',
          merge_logs: true,
        },
        {
          name: 'worker',
          script: 'worker.js',
          execMode: 'fork_mode',
          maxRestarts: 3,
          minUptime: '5s',
          killTimeout: 3000,
          restartDelay: 100,
          expBackoffRestartDelay: 200,
          ignoreWatch: ['tmp'],
          watchDelay: 1000,
          stopExitCodes: [0],
          incrementVar: 'PORT',
          env: { PORT: 3000 },
        },
      ],
    });
    expect(a).toMatchObject({
      execMode: 'cluster',
      instances: 3,
      maxRestarts: 5,
      maxMemoryBytes: 200 * 1024 * 1024,
      interpreterArgs: ['--max-old-space-size=256'],
      outFile: join(dir, 'out.log'),
      errFile: join(dir, 'err.log'),
      logFile: join(dir, 'all.log'),
      pidFile: join(dir, 'api.pid'),
      instanceVar: 'INSTANCE_ID',
      cronRestart: '0 3 * * *',
      mergeLogs: false,
    });
    expect(b).toMatchObject({
      execMode: 'fork',
      maxRestarts: 3,
      minUptimeMs: 5000,
      killTimeoutMs: 3000,
      restartDelayMs: 100,
      expBackoffRestartDelayMs: 200,
      ignoreWatch: ['tmp'],
      watchDelayMs: 1000,
      stopExitCodes: [0],
      incrementVar: 'PORT',
    });
  });

  it('runs an app with instances and no exec_mode in cluster mode, as PM2 does (its instances share a port)', () => {
    const specs = pm2({
      apps: [
        { name: 'two', script: 'a.js', instances: '2' },
        { name: 'max', script: 'a.js', instances: 'max' },
        { name: 'minus', script: 'a.js', instances: -1 },
        { name: 'one', script: 'a.js', instances: 1 },
        { name: 'forked', script: 'a.js', instances: 2, exec_mode: 'fork' },
        { name: 'single', script: 'a.js' },
        { name: 'job', script: 'a.js', instances: 1, type: 'job' },
      ],
    });
    expect(specs.map((spec) => [spec.name, spec.execMode])).toEqual([
      ['two', 'cluster'],
      ['max', 'cluster'],
      ['minus', 'cluster'],
      // one instance shares no port: a fork, without a cluster primary of its own
      ['one', 'fork'],
      ['forked', 'fork'],
      ['single', 'fork'],
      ['job', 'fork'],
    ]);
    // Velos's own files keep their default: fork unless exec_mode says cluster
    const [own] = validateConfig(
      { apps: [{ name: 'two', script: 'a.js', instances: 2 }] },
      'velos.json',
      ctx,
    );
    expect(own?.execMode).toBe('fork');
  });

  it("drops an app's output with PM2's disable_logs: true, whatever log files it names", () => {
    const warnings: string[] = [];
    const [quiet, loud] = pm2(
      {
        apps: [
          { name: 'quiet', script: 'a.js', disable_logs: true, out_file: 'out.log', log_file: 'all.log' },
          { name: 'loud', script: 'a.js', disableLogs: false },
        ],
      },
      warnings,
    );
    expect(quiet).toMatchObject({ outFile: '/dev/null', errFile: '/dev/null' });
    expect(quiet?.logFile).toBeUndefined();
    expect(loud?.outFile).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it("stops a PM2 file's apps with PM2's SIGINT unless the app or config.toml's [defaults] sets kill_signal", () => {
    const apps = [
      { name: 'plain', script: 'a.js' },
      { name: 'own', script: 'a.js', kill_signal: 'SIGTERM' },
    ];
    expect(pm2({ apps }).map((spec) => spec.stopSignal)).toEqual(['SIGINT', 'SIGTERM']);
    const defaults = { kill_signal: 'SIGUSR2' };
    const withDefaults = validateConfig({ apps }, 'ecosystem.json', { ...ctx, dialect: 'pm2', defaults });
    expect(withDefaults.map((spec) => spec.stopSignal)).toEqual(['SIGUSR2', 'SIGTERM']);
    // Velos's own files keep SIGTERM
    expect(validateConfig({ apps: [apps[0]] }, 'velos.json', ctx).map((spec) => spec.stopSignal)).toEqual([
      'SIGTERM',
    ]);
  });

  it("reads PM2's NULL as /dev/null for a log file, and a pid file at NULL or /dev/null as none", () => {
    const warnings: string[] = [];
    const [word, device] = pm2(
      {
        apps: [
          {
            name: 'word',
            script: 'a.js',
            out_file: 'NULL',
            error: 'NULL',
            log_file: 'NULL',
            pid_file: 'NULL',
          },
          { name: 'device', script: 'a.js', output: '/dev/null', error_file: '/dev/null', pid: '/dev/null' },
        ],
      },
      warnings,
    );
    // PM2 writes no file for NULL (a file named NULL in the app's directory, before)
    expect(word).toMatchObject({ outFile: '/dev/null', errFile: '/dev/null', logFile: '/dev/null' });
    expect(device).toMatchObject({ outFile: '/dev/null', errFile: '/dev/null' });
    // the daemon removes a pid file when the run ends: at /dev/null, it removed the device
    expect([word?.pidFile, device?.pidFile]).toEqual([undefined, undefined]);
    expect(warnings).toEqual([]);
  });

  it('warns about unknown keys (with a suggestion) and ignored PM2 options, once, and starts anyway', () => {
    const warnings: string[] = [];
    const specs = pm2(
      {
        apps: [
          { name: 'api', script: 'api.js', scirpt: 'x', vizion: false, post_update: ['npm i'] },
          { name: 'web', script: 'web.js', autostart: true, treekill: true, frobnicate: 1 },
        ],
        deploy: { production: {} },
      },
      warnings,
    );
    expect(specs.map((s) => s.name)).toEqual(['api', 'web']);
    expect(warnings).toEqual([
      'ecosystem.json: "deploy" ignored (Velos does not deploy)',
      'ecosystem.json: apps[0] (api): unknown option "scirpt" (did you mean "script"?) ignored',
      'ecosystem.json: apps[1] (web): unknown option "frobnicate" ignored',
      'ecosystem.json: PM2 options with no Velos equivalent, ignored: vizion, post_update, treekill',
    ]);
  });

  it('reads autostart: false as an app added stopped (and filter_env), in a PM2 file and a Velos file', () => {
    const warnings: string[] = [];
    const [held, runs] = pm2(
      {
        apps: [
          { name: 'held', script: 'a.js', autostart: false },
          { name: 'runs', script: 'b.js', autostart: true, filterEnv: ['SECRET_'] },
        ],
      },
      warnings,
    );
    expect(held!.autostart).toBe(false);
    expect(runs!.autostart).toBeUndefined();
    expect(runs!.filterEnv).toEqual(['SECRET_']);
    expect(warnings).toEqual([]);
    const [own] = validateConfig({ apps: [{ script: 'a.js', autostart: false }] }, 'velos.json', ctx);
    expect(own!.autostart).toBe(false);
  });

  it('warns when log_date_format uses moment tokens the formatter does not replace', () => {
    const warnings: string[] = [];
    pm2(
      {
        apps: [
          { name: 'a', script: 'a.js', log_date_format: 'YYYY-MM-DDTHH:mm:ss.SSS Z' },
          { name: 'b', script: 'b.js', log_date_format: 'ddd, DD-MMM-YYYY hh:mm A [at] Z' },
          { name: 'c', script: 'c.js', log_date_format: 'Do MMMM YYYY, X' },
          { name: 'd', script: 'd.js', log_date_format: 'dd d HH:mm' },
        ],
      },
      warnings,
    );
    expect(warnings).toEqual([
      'ecosystem.json: apps[2].log_date_format: moment tokens other than YYYY YY MMMM MMM MM M DD D dddd ddd dd d HH H hh h mm m ss s SSS A a ZZ Z stay as text: "Do MMMM YYYY, X"',
    ]);
  });

  it("stamps an app of time: true as --time does, whatever its log_date_format (PM2's time wins), with a warning", () => {
    const warnings: string[] = [];
    const [both, format, time, off] = pm2(
      {
        apps: [
          { name: 'both', script: 'a.js', time: true, log_date_format: 'YYYY-MM-DD HH:mm Z' },
          { name: 'format', script: 'a.js', log_date_format: 'YYYY-MM-DD HH:mm Z' },
          { name: 'time', script: 'a.js', time: true },
          { name: 'off', script: 'a.js', time: false, log_date_format: 'HH:mm' },
        ],
      },
      warnings,
    );
    expect([both, format, time, off].map((spec) => spec!.logDateFormat)).toEqual([
      'iso',
      'YYYY-MM-DD HH:mm Z',
      'iso',
      'HH:mm',
    ]);
    expect(warnings).toEqual([
      "ecosystem.json: apps[0] (both): log_date_format ignored: time: true stamps the lines with ISO 8601 UTC times, as PM2's time overrides log_date_format (remove one of the two)",
    ]);
    // a Velos file reads the two keys alike
    const [own] = validateConfig(
      { apps: [{ name: 'own', script: 'a.js', time: true, log_date_format: 'HH:mm' }] },
      'velos.json',
      ctx,
    );
    expect(own!.logDateFormat).toBe('iso');
  });

  it("reads PM2's log_file: true as the default combined file, and round-trips it", async () => {
    const [plain, named] = pm2({
      apps: [
        { name: 'a', script: 'a.js', log_file: true },
        { name: 'b', script: 'b.js', log_file: 'all.log' },
      ],
    });
    expect(plain!.logFileInHome).toBe(true);
    expect(plain!.logFile).toBeUndefined();
    expect(named!.logFile).toBe(join(dir, 'all.log'));
    expect(named!.logFileInHome).toBeUndefined();
    const { specToConfig } = await import('../src/spec-to-config.js');
    expect(specToConfig(plain!).log_file).toBe(true);
    expect(() => pm2({ apps: [{ name: 'c', script: 'c.js', log_file: false }] })).toThrow(
      /log_file: expected a file path, or true for logs\/<name>.log/,
    );
  });

  it('reads merge_logs: false as one log file per instance, and shutdown_with_message', () => {
    const [split, merged, plain] = pm2({
      apps: [
        { name: 'a', script: 'a.js', merge_logs: false, shutdown_with_message: true },
        { name: 'b', script: 'b.js', combineLogs: true },
        { name: 'c', script: 'c.js' },
      ],
    });
    expect(split).toMatchObject({ logPerInstance: true, shutdownWithMessage: true, mergeLogs: false });
    expect(merged!.logPerInstance).toBeUndefined();
    expect(merged!.mergeLogs).toBe(false);
    expect(plain!.logPerInstance).toBeUndefined();
    expect(plain!.shutdownWithMessage).toBeUndefined();
  });

  it('takes a bare app and Velos names (mode, watch_ignore, env_profiles)', () => {
    const [app] = pm2({
      script: 'a.js',
      mode: 'cluster',
      watch_ignore: 'dist',
      env_profiles: { production: { NODE_ENV: 'production' } },
    });
    expect(app).toMatchObject({ name: 'a', execMode: 'cluster', ignoreWatch: ['dist'] });
    const [prod] = validateConfig({ script: 'a.js', env_profiles: { production: { A: '1' } } }, 'pm2.json', {
      ...ctx,
      dialect: 'pm2',
      envProfile: 'production',
    });
    expect(prod!.env.A).toBe('1');
  });

  it('appends the --env profile to the name with append_env_to_name, as PM2 does (not without --env)', () => {
    const doc = {
      apps: [
        { name: 'api', script: 'a.js', append_env_to_name: true, env_production: { A: '1' } },
        { script: 'worker.js', append_env_to_name: true },
        { name: 'plain', script: 'p.js' },
      ],
    };
    const warnings: string[] = [];
    const named = validateConfig(doc, 'ecosystem.json', {
      ...ctx,
      dialect: 'pm2',
      envProfile: 'production',
      onWarning: (message) => warnings.push(message),
    });
    expect(named.map((app) => app.name)).toEqual(['api-production', 'worker-production', 'plain']);
    expect(warnings.join('\n')).not.toContain('append_env_to_name');
    expect(pm2(doc).map((app) => app.name)).toEqual(['api', 'worker', 'plain']);
  });

  it('appends the --env profile to every app with --append-env-to-name (appendsEnvToName), file key or not', () => {
    const doc = {
      apps: [
        { name: 'api', script: 'a.js', append_env_to_name: false, env_production: { A: '1' } },
        { script: 'worker.js' },
      ],
    };
    const options = { ...ctx, dialect: 'pm2' as const, envProfile: 'production', appendsEnvToName: true };
    const named = validateConfig(doc, 'ecosystem.json', options);
    expect(named.map((app) => app.name)).toEqual(['api-production', 'worker-production']);
    const { envProfile: _none, ...withoutEnv } = options;
    expect(validateConfig(doc, 'ecosystem.json', withoutEnv).map((app) => app.name)).toEqual([
      'api',
      'worker',
    ]);
  });

  it("reads PM2's ~ in cwd and in log and pid paths as the home directory, as PM2 does", () => {
    const [app] = pm2({
      apps: [
        {
          name: 'api',
          script: 'api.js',
          cwd: '~/srv/api',
          out_file: '~/logs/api.out.log',
          error_file: 'err~.log',
          log_file: '~user/all.log',
          pid_file: '~/run/api.pid',
        },
      ],
    });
    expect(app).toMatchObject({
      cwd: join(homedir(), 'srv/api'),
      outFile: join(homedir(), 'logs/api.out.log'),
      errFile: join(homedir(), 'srv/api/err~.log'),
      logFile: join(homedir(), 'srv/api/~user/all.log'),
      pidFile: join(homedir(), 'run/api.pid'),
    });
  });

  it('passes numbers and booleans of args, node_args and interpreter_args on as their text, as PM2 does', () => {
    const [api, worker] = pm2({
      apps: [
        {
          name: 'api',
          script: 'api.js',
          args: ['--port', 3000, '--tls', false],
          node_args: ['--stack-size=', 2048],
        },
        { name: 'worker', script: 'w.py', interpreter: 'python3', interpreter_args: ['-X', 1] },
      ],
    });
    expect(api).toMatchObject({
      args: ['--port', '3000', '--tls', 'false'],
      interpreterArgs: ['--stack-size=', '2048'],
    });
    expect(worker).toMatchObject({ interpreterArgs: ['-X', '1'] });
    expect(() => pm2({ apps: [{ name: 'api', script: 'api.js', args: ['--opts', { a: 1 }] }] })).toThrow(
      /^ecosystem\.json: apps\[0\] \(api\)\.args\[1\]: expected a string/,
    );
  });

  it('reads PM2\'s cron_restart: 0 (or "0", or cron: 0) as no cron restart, as PM2 does', () => {
    const specs = pm2({
      apps: [
        { name: 'a', script: 'a.js', cron_restart: 0 },
        { name: 'b', script: 'b.js', cron_restart: '0' },
        { name: 'c', script: 'c.js', cron: 0 },
        { name: 'd', script: 'd.js', cronRestart: '0 3 * * *' },
      ],
    });
    expect(specs.map((spec) => spec.cronRestart)).toEqual([undefined, undefined, undefined, '0 3 * * *']);
    expect(() => pm2({ apps: [{ name: 'a', script: 'a.js', cron_restart: 5 }] })).toThrow(
      /^ecosystem\.json: apps\[0\] \(a\)\.cron_restart: expected a string/,
    );
  });

  it('takes an option set to null as not set, as PM2 does (a YAML key left empty, a JS ternary)', async () => {
    const warnings: string[] = [];
    const [api] = pm2(
      {
        apps: [
          {
            name: null,
            script: 'api.js',
            cron_restart: null,
            max_memory_restart: null,
            watch: null,
            instances: null,
            args: null,
            env: null,
            env_production: null,
            vizion: null,
          },
        ],
      },
      warnings,
    );
    expect(api).toMatchObject({ name: 'api', instances: 1, args: [] });
    expect([api!.cronRestart, api!.maxMemoryBytes, api!.watch]).toEqual([undefined, undefined, undefined]);
    expect(warnings).toEqual([]);
    const file = join(dir, 'process.yml');
    writeFileSync(file, 'apps:\n  - name: web\n    script: web.js\n    watch:\n    max_memory_restart:\n');
    const [web] = await loadConfigFile(file, { baseEnv: {}, cpuCount: 2 });
    expect([web!.name, web!.watch, web!.maxMemoryBytes]).toEqual(['web', undefined, undefined]);
  });

  it('reads stop_exit_codes: "0" and instances: "MAX" as PM2 does, with a warning; refuses what PM2 refuses', () => {
    const warnings: string[] = [];
    const [api] = pm2(
      { apps: [{ name: 'api', script: 'api.js', stopExitCodes: '0', instances: 'MAX' }] },
      warnings,
    );
    expect([api!.stopExitCodes, api!.instances]).toEqual([[0], 4]);
    expect(warnings).toEqual([
      'ecosystem.json: apps[0] (api).stopExitCodes: "0" read as 0, as PM2 reads a number written as text',
      'ecosystem.json: apps[0] (api).instances: "MAX" read as "max" (one per CPU), as PM2 runs it',
    ]);
    // PM2 refuses these too (its schema: a boolean, exec_mode matching cluster|fork)
    expect(() => pm2({ apps: [{ name: 'a', script: 'a.js', autorestart: 'false' }] })).toThrow(
      /^ecosystem\.json: apps\[0\] \(a\)\.autorestart: expected true or false \(without quotes\), got "false"/,
    );
    expect(() => pm2({ apps: [{ name: 'a', script: 'a.js', exec_mode: 'Cluster' }] })).toThrow(
      /^ecosystem\.json: apps\[0\] \(a\)\.exec_mode: expected one of "fork", "cluster", got "Cluster"/,
    );
    // Velos's own files stay strict
    const velos = { apps: [{ name: 'api', script: 'api.js', stop_exit_codes: '0' }] };
    expect(() => validateConfig(velos, 'velos.json', ctx)).toThrow(/stop_exit_codes: expected an exit code/);
    const max = { apps: [{ name: 'api', script: 'api.js', instances: 'MAX' }] };
    expect(() => validateConfig(max, 'velos.json', ctx)).toThrow(/instances: expected a whole number/);
  });

  it('names the file, the app and the key of a wrong type', () => {
    expect(() =>
      pm2({
        apps: [
          { name: 'a', script: 'a.js' },
          { name: 'worker', script: 'w.js', instances: 'many' },
        ],
      }),
    ).toThrow(/^ecosystem\.json: apps\[1\] \(worker\)\.instances: expected a whole number/);
  });

  it('keeps Velos files strict and PM2 file names lenient when loaded from disk', async () => {
    writeFileSync(join(dir, 'velos.json'), JSON.stringify({ apps: [{ script: 'a.js', scirpt: 1 }] }));
    await expect(loadConfigFile(join(dir, 'velos.json'), { ...ctx })).rejects.toThrow(
      /unknown option "scirpt"/,
    );
    writeFileSync(join(dir, 'process.json'), JSON.stringify({ apps: [{ script: 'a.js', scirpt: 1 }] }));
    const warnings: string[] = [];
    const specs = await loadConfigFile(join(dir, 'process.json'), {
      ...ctx,
      onWarning: (w) => warnings.push(w),
    });
    expect(specs).toHaveLength(1);
    expect(warnings).toHaveLength(1);
    await expect(loadConfigFile(join(dir, 'ecosystem.config.js'), ctx)).rejects.toThrow(
      /loaded by the velos CLI/,
    );
  });

  it('takes comments and trailing commas in a PM2 JSON file, which PM2 evaluates as JavaScript', async () => {
    const text = `{
  // the API, "quoted" in a comment, with a comma,
  "apps": [
    { "name": "api", "script": "a.js", "args": "--url http://x/*y*/,", "env": { "A": "1", }, }, /* last */
  ],
}
`;
    writeFileSync(join(dir, 'ecosystem.json'), text);
    const [api] = await loadConfigFile(join(dir, 'ecosystem.json'), ctx);
    expect(api).toMatchObject({ name: 'api', args: ['--url', 'http://x/*y*/,'] });
    expect(api?.env.A).toBe('1');
    // Velos's own JSON stays strict
    writeFileSync(join(dir, 'apps.json'), text);
    await expect(loadConfigFile(join(dir, 'apps.json'), ctx)).rejects.toThrow(
      /^apps\.json: not valid JSON: .* \(line 2\)$/,
    );
    // what PM2 also takes but Velos does not is named, with the way out
    writeFileSync(join(dir, 'process.json'), `{\n  "apps": [\n    { name: 'api', script: 'a.js' }\n  ]\n}\n`);
    await expect(loadConfigFile(join(dir, 'process.json'), ctx)).rejects.toThrow(
      /^process\.json: not valid JSON: .* \(line 3\); comments and trailing commas are taken, .*rename the file ecosystem\.config\.js/,
    );
  });
});
