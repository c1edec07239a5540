import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { composeConfig, EXPORT_ENV, FIXTURE_CONFIGS, runExport, warnings } from './export-helpers.js';
import { BIN, Scratch } from './startup-helpers.js';

const scratch = new Scratch();
afterEach(() => scratch.cleanup());

const demo = FIXTURE_CONFIGS.find((file) => file.endsWith('demo/velos.toml')) ?? '';
const sboxmgr = FIXTURE_CONFIGS.find((file) => file.endsWith('sboxmgr-update.toml')) ?? '';

/** The one line a failed command printed on stderr. */
function errorLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0] ?? '';
}

describe('velos export: bad input', () => {
  it('refuses an unknown target', async () => {
    const run = await scratch.run(BIN, ['export', 'nomad', demo], EXPORT_ENV);
    expect(run.code).not.toBe(0);
    expect(errorLine(run.stderr)).toMatch(
      /unknown export target "nomad" \(expected systemd, compose, kubernetes\)/,
    );
  });

  it('refuses a config that does not load, naming the file and the key', async () => {
    const dir = scratch.dir();
    const bad = join(dir, 'bad.toml');
    writeFileSync(bad, '[[apps]]\nname = "x"\nscript = "x.js"\nrestart_dealy = "1s"\n');
    const run = await scratch.run(BIN, ['export', 'systemd', bad], EXPORT_ENV);
    expect(run.code).not.toBe(0);
    expect(errorLine(run.stderr)).toMatch(
      /bad\.toml: apps\[0\]: unknown option "restart_dealy" \(did you mean "restart_delay"\?\)/,
    );
    const missing = await scratch.run(BIN, ['export', 'compose', join(dir, 'none.yaml')], EXPORT_ENV);
    expect(missing.code).not.toBe(0);
    expect(errorLine(missing.stderr)).toMatch(/none\.yaml: cannot read config file/);
  });

  it('fails on an option the target cannot express, naming the app and the option, and writes nothing', async () => {
    const run = await runExport(scratch, 'systemd', demo);
    expect(run.code).not.toBe(0);
    expect(errorLine(run.stderr)).toMatch(
      /^velos: api: exec_mode: systemd cannot express it \(cluster mode .*\); .*, or pass --lossy to export without it$/,
    );
    expect(existsSync(run.dir)).toBe(false);
    const compose = await runExport(scratch, 'compose', sboxmgr);
    expect(compose.code).not.toBe(0);
    expect(errorLine(compose.stderr)).toMatch(/^velos: sboxmgr-update: interval: compose cannot express it/);
  });

  it('names every lossy option of every app in its one line, not only the first', async () => {
    const webStack = FIXTURE_CONFIGS.find((file) => file.endsWith('web-stack.yaml')) ?? '';
    const run = await runExport(scratch, 'systemd', webStack);
    expect(run.code).not.toBe(0);
    expect(errorLine(run.stderr)).toMatch(
      /^velos: api: exec_mode: systemd cannot express it .*, or pass --lossy to export without it \(also lossy: api: liveness_probe, api: readiness_probe, worker: depends_on\)$/,
    );
    expect(existsSync(run.dir)).toBe(false);
  });

  it('--lossy turns the same option into a warning', async () => {
    const run = await runExport(scratch, 'systemd', demo, ['--lossy']);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('velos export: warning: api: exec_mode: cluster mode shares one port');
    expect(run.files.get('api-0.service')).toContain('# - api: exec_mode: cluster mode shares one port');
  });

  it('refuses an app whose working directory or script file is not on this machine; --lossy writes it unresolved', async () => {
    const dir = scratch.dir();
    writeFileSync(join(dir, 'here.py'), 'print(1)\n');
    const config = join(dir, 'apps.toml');
    writeFileSync(
      config,
      [
        '[[apps]]\nname = "here"\nscript = "here.py"',
        '[[apps]]\nname = "gone"\nscript = "gone.py"',
        '[[apps]]\nname = "far"\nscript = "worker.py"\ncwd = "/srv/velos-nowhere"',
        // a program on PATH and a command line are not files to look for
        '[[apps]]\nname = "prog"\nscript = "redis-server"',
        '[[apps]]\nname = "line"\nscript = "job.sh --flag x"',
      ].join('\n'),
    );
    for (const target of ['systemd', 'compose', 'kubernetes']) {
      const run = await runExport(scratch, target, config);
      expect(run.code).not.toBe(0);
      expect(errorLine(run.stderr)).toBe(
        `velos: gone: script: not on this machine (gone.py is not a file in ${dir}: the command cannot be resolved as the daemon spawns it, with its interpreter and absolute paths); export where the app is (its checkout, or the server it runs on), or pass --lossy to write its command as the config gives it, unresolved (also lossy: far: cwd)`,
      );
      expect(existsSync(run.dir)).toBe(false);
    }
    const lossy = await runExport(scratch, 'systemd', config, ['--lossy']);
    expect(lossy.code).toBe(0);
    expect(warnings(lossy.stderr)).toEqual(['far: cwd', 'gone: script']);
    expect(lossy.files.get('here.service')).toMatch(/^ExecStart=\S*python3 \S+\/here\.py$/m);
    expect(lossy.files.get('gone.service')).toContain('# - gone: script: gone.py is not a file in');
  });

  it('refuses app names the target cannot use, and names that collide once made Kubernetes names', async () => {
    const dir = scratch.dir();
    const spaced = join(dir, 'spaced.yaml');
    writeFileSync(spaced, 'apps:\n  - name: my api\n    script: node\n  - name: My_Api\n    script: node\n');
    const compose = await scratch.run(BIN, ['export', 'compose', spaced], EXPORT_ENV);
    expect(compose.code).not.toBe(0);
    expect(errorLine(compose.stderr)).toMatch(
      /^velos: my api: name: compose names hold only letters, digits/,
    );
    // systemd escapes what its unit names cannot hold
    const systemd = await runExport(scratch, 'systemd', spaced);
    expect(systemd.code, systemd.stderr).toBe(0);
    expect([...systemd.files.keys()].sort()).toEqual(['My_Api.service', 'my\\x20api.service']);
    const kubernetes = await scratch.run(BIN, ['export', 'kubernetes', spaced], EXPORT_ENV);
    expect(kubernetes.code).not.toBe(0);
    expect(errorLine(kubernetes.stderr)).toMatch(
      /^velos: My_Api: name: it becomes "my-api" in kubernetes, like my api/,
    );
  });

  it('kubernetes: a uid name fails with one line that says what to do; --lossy leaves it out with a warning', async () => {
    const config = join(scratch.dir(), 'as-user.yaml');
    writeFileSync(config, 'apps:\n  - name: web\n    script: node\n    uid: www-data\n    gid: 33\n');
    const strict = await runExport(scratch, 'kubernetes', config, ['--image', 'web:1']);
    expect(strict.code).not.toBe(0);
    expect(errorLine(strict.stderr)).toBe(
      'velos: web: uid: kubernetes cannot express it (runAsUser takes a number, and "www-data" names an account of the image, which velos export cannot read); set uid to its number in the image (docker run --rm --entrypoint id <image> -u www-data), or pass --lossy to export without it',
    );
    expect(existsSync(strict.dir)).toBe(false);
    const lossy = await runExport(scratch, 'kubernetes', config, ['--image', 'web:1', '--lossy']);
    expect(lossy.code, lossy.stderr).toBe(0);
    expect(lossy.stderr).toContain('velos export: warning: web: uid: runAsUser takes a number');
    const deployment = parse(lossy.files.get('kubernetes.yaml') ?? '');
    expect(deployment.spec.template.spec.containers[0].securityContext).toEqual({ runAsGroup: 33 });
    // Compose resolves names in the container: kept, with a note
    const compose = await runExport(scratch, 'compose', config, ['--image', 'web:1']);
    expect(compose.code, compose.stderr).toBe(0);
    expect(parse(compose.files.get('compose.yaml') ?? '').services.web.user).toBe('www-data:33');
    expect(compose.stderr).toContain('velos export: note: web: uid: "www-data" must exist in the image');
  });

  it('merges the env_<profile> of --env over each env', async () => {
    const dir = scratch.dir();
    const config = join(dir, 'profiles.toml');
    writeFileSync(
      config,
      '[[apps]]\nname = "web"\nscript = "node"\nenv = { MODE = "dev", KEEP = "1" }\nenv_production = { MODE = "prod" }\n',
    );
    const run = await scratch.run(
      BIN,
      ['export', 'compose', config, '--env', 'production', '--image', 'web:1'],
      EXPORT_ENV,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(parse(run.stdout).services.web.environment).toEqual({ MODE: 'prod', KEEP: '1' });
  });

  it('notes the apps whose count is one per CPU of the machine that exports, in a file or a PM2 script', async () => {
    const dir = scratch.dir();
    const toml = join(dir, 'velos.toml');
    writeFileSync(
      toml,
      '[[apps]]\nname = "web"\nscript = "node"\ninstances = "max"\n\n[[apps]]\nname = "two"\nscript = "node"\ninstances = 2\n',
    );
    const script = join(dir, 'ecosystem.config.js');
    writeFileSync(
      script,
      "module.exports = { apps: [{ name: 'api', script: 'node', instances: 0, exec_mode: 'fork' }, { name: 'one', script: 'node' }] };\n",
    );
    const cpus = availableParallelism();
    for (const [config, app] of [
      [toml, 'web'],
      [script, 'api'],
    ] as const) {
      const run = await scratch.run(BIN, ['export', 'compose', config, '--image', 'x:1'], EXPORT_ENV);
      expect(run.code, run.stderr).toBe(0);
      // a laptop's 16 CPUs made 16 units or replicas for a server of 2, and nothing said so
      const notes = run.stderr.split('\n').filter((line) => line.includes(': instances: one per CPU'));
      expect(notes).toEqual([
        `velos export: note: ${app}: instances: one per CPU ("max", 0 or -n) is ${cpus} here, the CPUs of the machine that exports, whatever the target has; instead: set the count the target needs (instances = 4), or export on a machine like it`,
      ]);
    }
  });

  it.each([
    ['systemd', 'web.env'],
    ['compose', 'web.env'],
    ['kubernetes', 'kubernetes-secrets.yaml'],
  ])('%s: moves env values that look secret to %s (mode 0600), and says so', async (target, file) => {
    const dir = scratch.dir();
    const config = join(dir, 'secrets.toml');
    writeFileSync(
      config,
      '[[apps]]\nname = "web"\nscript = "node"\nenv = { PORT = "3000", API_KEY = "k$x", DATABASE_URL = "postgres://u:pw@db/x" }\n\n[[apps]]\nname = "plain"\nscript = "node"\n',
    );
    const moved = { API_KEY: 'k$x', DATABASE_URL: 'postgres://u:pw@db/x' };
    const run = await runExport(scratch, target, config, target === 'systemd' ? [] : ['--image', 'app:1']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr.split('\n').filter((line) => line.includes('secret'))).toEqual([
      `velos export: note: web: env API_KEY, DATABASE_URL: the values look secret: written to ${file} (mode 0600 with --out), not beside the rest; keep it out of version control`,
    ]);
    const modes = [...run.files.keys()]
      .sort()
      .map((name) => [name, statSync(join(run.dir, name)).mode & 0o777]);
    const main =
      target === 'systemd'
        ? [
            ['plain.service', 0o644],
            ['web.service', 0o644],
          ]
        : [[target === 'compose' ? 'compose.yaml' : 'kubernetes.yaml', 0o644]];
    expect(modes, target).toEqual(
      [...main, [file, 0o600]].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    // the values are nowhere else
    for (const [name, text] of run.files) if (name !== file) expect(text, name).not.toContain('pw@db');
    if (target === 'kubernetes') {
      const [secret] = parseAllDocuments(run.files.get(file) ?? '').map((doc) => doc.toJS());
      expect(secret).toMatchObject({ kind: 'Secret', metadata: { name: 'web-env' }, stringData: moved });
      const deployment = parseAllDocuments(run.files.get('kubernetes.yaml') ?? '')
        .map((doc) => doc.toJS())
        .find((doc) => doc.kind === 'Deployment' && doc.metadata.name === 'web');
      expect(deployment.spec.template.spec.containers[0].env).toEqual([
        { name: 'PORT', value: '3000' },
        { name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'web-env', key: 'API_KEY' } } },
        { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'web-env', key: 'DATABASE_URL' } } },
      ]);
      return;
    }
    expect(run.files.get(file)).toContain("\nAPI_KEY='k$x'\nDATABASE_URL='postgres://u:pw@db/x'\n");
    if (target === 'systemd') {
      expect(run.files.get('web.service')).toContain('\nEnvironmentFile=%E/velos/web.env\n');
      expect(run.files.get('web.service')).toContain('\nEnvironment=PORT=3000\n');
      return;
    }
    // Compose reads the env file as written: the $ stays a $
    const checked = await composeConfig(scratch, run.dir);
    expect(checked.code, checked.stderr).toBe(0);
    expect(parse(checked.stdout).services.web.environment).toEqual({
      PORT: '3000',
      API_KEY: 'k$$x',
      DATABASE_URL: 'postgres://u:pw@db/x',
    });
  });

  it.each([
    ['systemd', 'web.service', 'plain.service'],
    ['compose', 'compose.yaml', undefined],
  ])(
    '%s: a secret in a command is written where it must be, mode 0600, with a warning',
    async (target, file, other) => {
      const config = join(scratch.dir(), 'args.yaml');
      writeFileSync(
        config,
        'apps:\n  - name: web\n    script: node\n    args: ["server.js", "--token", "tok-0123456789"]\n    readiness_probe: { http: "http://u:probe-pw@127.0.0.1:3000/health" }\n  - name: plain\n    script: node\n',
      );
      // systemd runs no probe (lossy): its units hold only the args
      const isUnit = target === 'systemd';
      const run = await runExport(scratch, target, config, isUnit ? ['--lossy'] : ['--image', 'app:1']);
      expect(run.code, run.stderr).toBe(0);
      const advice = isUnit ? 'an EnvironmentFile= of mode 0600' : 'an env_file or Compose secrets';
      expect(run.stderr.split('\n').filter((line) => line.includes('secret'))).toEqual([
        `velos export: warning: web: ${isUnit ? 'args' : 'args, readiness_probe'}: a value looks secret (a secret flag's value, a token, a URL's password) and is written into the files as it is (mode 0600 with --out); give it to the app in env instead, which goes to ${advice}`,
      ]);
      expect(run.files.get(file)).toContain('tok-0123456789');
      expect(statSync(join(run.dir, file)).mode & 0o777).toBe(0o600);
      if (other !== undefined) expect(statSync(join(run.dir, other)).mode & 0o777).toBe(0o644);
    },
  );

  it('replaces what --out held (a link too) rather than writing through it', async () => {
    const dir = scratch.dir();
    const config = join(dir, 'secrets.toml');
    writeFileSync(config, '[[apps]]\nname = "web"\nscript = "node"\nenv = { API_KEY = "k1" }\n');
    const out = join(dir, 'units');
    mkdirSync(out);
    const shared = join(dir, 'shared.txt');
    writeFileSync(shared, 'not yours\n', { mode: 0o644 });
    symlinkSync(shared, join(out, 'web.env'));
    const run = await scratch.run(BIN, ['export', 'systemd', config, '--out', out], EXPORT_ENV);
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(shared, 'utf8')).toBe('not yours\n');
    expect(statSync(shared).mode & 0o777).toBe(0o644);
    const written = lstatSync(join(out, 'web.env'));
    expect(written.isFile()).toBe(true);
    expect(written.mode & 0o777).toBe(0o600);
    expect(readFileSync(join(out, 'web.env'), 'utf8')).toContain("API_KEY='k1'");
  });

  it('refuses an --out it cannot write into with one line, not an internal error', async () => {
    const dir = scratch.dir();
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const run = await scratch.run(BIN, ['export', 'systemd', sboxmgr, '--out', file], EXPORT_ENV);
    expect(run.code).not.toBe(0);
    expect(errorLine(run.stderr)).toBe(
      `velos: --out ${file}: a file is in the way of that directory; nothing was written`,
    );
    if (existsSync('/proc/self')) {
      // a directory the kernel cannot make although its parent is there: Node's recursive mkdir looped
      const proc = await scratch.run(
        BIN,
        ['export', 'systemd', sboxmgr, '--out', '/proc/velos-nope'],
        EXPORT_ENV,
      );
      expect(proc.code).not.toBe(0);
      expect(errorLine(proc.stderr)).toMatch(
        /^velos: --out \/proc\/velos-nope: cannot make the directory \(ENOENT[^)]*\); nothing was written$/,
      );
    }
    const blocked = join(dir, 'blocked');
    mkdirSync(join(blocked, 'sboxmgr-update.service'), { recursive: true });
    const inTheWay = await scratch.run(BIN, ['export', 'systemd', sboxmgr, '--out', blocked], EXPORT_ENV);
    expect(inTheWay.code).not.toBe(0);
    expect(errorLine(inTheWay.stderr)).toBe(
      `velos: --out ${blocked}: cannot write sboxmgr-update.service (a directory of that name is in the way); nothing was written`,
    );
  });

  it('keeps a secret-looking value an env file cannot carry inline, with a warning and mode 0600', async () => {
    const dir = scratch.dir();
    const config = join(dir, 'quoted.toml');
    writeFileSync(config, `[[apps]]\nname = "web"\nscript = "node"\nenv = { DB_PASSWORD = "it's" }\n`);
    const advice = {
      systemd: 'an EnvironmentFile= of mode 0600',
      compose: 'an env_file or Compose secrets',
    };
    for (const [target, where] of Object.entries(advice)) {
      const run = await runExport(scratch, target, config, target === 'systemd' ? [] : ['--image', 'app:1']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr.split('\n').filter((line) => line.includes('secret'))).toEqual([
        `velos export: warning: web: env DB_PASSWORD: the value looks secret and is written into the files as it is (mode 0600 with --out; a quote or line break in a value keeps it out of an env file); move it to ${where}`,
      ]);
      const name = target === 'systemd' ? 'web.service' : 'compose.yaml';
      expect([...run.files.keys()]).toEqual([name]);
      expect(statSync(join(run.dir, name)).mode & 0o777).toBe(0o600);
    }
  });

  it('lists watch mode and the inactivity watchdog as lossy on every target', async () => {
    const dir = scratch.dir();
    const config = join(dir, 'dev.toml');
    writeFileSync(
      config,
      '[[apps]]\nname = "dev"\nscript = "node"\nwatch = true\nwatchdog = { timeout = "60s" }\n',
    );
    for (const target of ['systemd', 'compose', 'kubernetes']) {
      const strict = await runExport(scratch, target, config);
      expect(strict.code).not.toBe(0);
      expect(errorLine(strict.stderr)).toMatch(new RegExp(`^velos: dev: watch: ${target} cannot express it`));
      const lossy = await runExport(scratch, target, config, [
        '--lossy',
        ...(target === 'systemd' ? [] : ['--image', 'x']),
      ]);
      expect(lossy.code, lossy.stderr).toBe(0);
      expect(lossy.stderr).toContain('velos export: warning: dev: watch: no restart on file changes');
      expect(lossy.stderr).toContain('velos export: warning: dev: watchdog: no log-inactivity watchdog');
      const file = [...lossy.files.values()][0] ?? '';
      expect(file).toContain('# - dev: watchdog: no log-inactivity watchdog; instead: use a liveness probe');
    }
  });

  it("keeps a job's depends_on, or says it cannot, on every target (Kubernetes: lossy as for services)", async () => {
    const dir = scratch.dir();
    const config = join(dir, 'jobs.toml');
    writeFileSync(
      config,
      [
        '[[apps]]\nname = "db"\nscript = "node"\n',
        '[[apps]]\nname = "migrate"\nscript = "node"\ntype = "job"\ndepends_on = { db = "started" }\n',
        '[[apps]]\nname = "nightly"\nscript = "node"\ntype = "job"\nschedule = "0 3 * * *"\ndepends_on = ["db"]\n',
      ].join('\n'),
    );
    const strict = await runExport(scratch, 'kubernetes', config, ['--image', 'x']);
    expect(strict.code).not.toBe(0);
    expect(errorLine(strict.stderr)).toMatch(/^velos: migrate: depends_on: kubernetes cannot express it/);
    const lossy = await runExport(scratch, 'kubernetes', config, ['--image', 'x', '--lossy']);
    expect(lossy.code, lossy.stderr).toBe(0);
    expect(lossy.stderr).toContain('velos export: warning: migrate, nightly: depends_on: pods start without');
    // systemd and Compose carry it over: Requires= and depends_on on the job
    const systemd = await runExport(scratch, 'systemd', config);
    expect(systemd.code, systemd.stderr).toBe(0);
    for (const job of ['migrate', 'nightly']) {
      expect(systemd.files.get(`${job}.service`)).toContain('\nRequires=db.service\n');
    }
    const compose = await runExport(scratch, 'compose', config, ['--image', 'x', '--lossy']);
    expect(compose.code, compose.stderr).toBe(0);
    const services = parse(compose.files.get('compose.yaml') ?? '').services;
    for (const job of ['migrate', 'nightly']) {
      expect(services[job].depends_on).toEqual({ db: { condition: 'service_started' } });
    }
  });

  it('exports a JavaScript process file (ecosystem.config.js, .mjs) loaded as velos start loads it', async () => {
    const dir = scratch.dir();
    writeFileSync(join(dir, 'server.js'), '');
    const cjs = join(dir, 'ecosystem.config.js');
    writeFileSync(
      cjs,
      "module.exports = { apps: [{ name: 'api', script: 'server.js', instances: 2, env: { PORT: 3000 }, env_production: { PORT: 80 }, foo_bar: 1 }] };\n",
    );
    const run = await runExport(scratch, 'compose', cjs, ['--image', 'x', '--env', 'production']);
    expect(run.code, run.stderr).toBe(0);
    const api = parse(run.files.get('compose.yaml') ?? '').services.api;
    expect(api).toMatchObject({ command: ['node', 'server.js'], environment: { PORT: '80' } });
    expect(api.deploy.replicas).toBe(2);
    // the PM2 warnings start prints, on stderr
    expect(run.stderr).toContain(
      'velos: warning: ecosystem.config.js: apps[0] (api): unknown option "foo_bar" ignored',
    );
    const esm = join(dir, 'app.config.mjs');
    writeFileSync(esm, "export default { apps: [{ name: 'web', script: 'server.js' }] };\n");
    const systemd = await runExport(scratch, 'systemd', esm);
    expect(systemd.code, systemd.stderr).toBe(0);
    expect([...systemd.files.keys()]).toEqual(['web.service']);
    // a file that throws: one line naming it
    const broken = join(dir, 'broken.config.js');
    writeFileSync(broken, "throw new Error('no apps today');\n");
    const failed = await runExport(scratch, 'kubernetes', broken);
    expect(failed.code).not.toBe(0);
    expect(errorLine(failed.stderr)).toMatch(
      /broken\.config\.js: the file threw while loading: no apps today/,
    );
  });

  it('warns about the unknown options of a PM2 process file, as velos start does', async () => {
    const dir = scratch.dir();
    const config = join(dir, 'ecosystem.json');
    writeFileSync(join(dir, 'server.js'), '');
    writeFileSync(
      config,
      JSON.stringify({ apps: [{ name: 'web', script: 'server.js', frobnicate: true }], deploy: {} }),
    );
    const run = await runExport(scratch, 'systemd', config);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('velos: warning: ecosystem.json: "deploy" ignored (Velos does not deploy)');
    expect(run.stderr).toContain(
      'velos: warning: ecosystem.json: apps[0] (web): unknown option "frobnicate" ignored',
    );
    expect(run.files.has('web.service')).toBe(true);
  });

  it('refuses flags of another target and a bad namespace', async () => {
    for (const [args, message] of [
      [['systemd', sboxmgr, '--image', 'x'], /--image applies to compose and kubernetes only/],
      [['kubernetes', sboxmgr, '--build', '.'], /--build applies to compose only/],
      [['compose', sboxmgr, '--namespace', 'x'], /--namespace applies to kubernetes only/],
      [['kubernetes', sboxmgr, '--namespace', 'Not_OK'], /--namespace: expected a Kubernetes name/],
    ] as const) {
      const run = await scratch.run(BIN, ['export', ...args], EXPORT_ENV);
      expect(run.code).not.toBe(0);
      expect(errorLine(run.stderr)).toMatch(message);
    }
  });
});

describe('velos export: output', () => {
  it('prints several files behind ### headers without --out', async () => {
    const run = await scratch.run(BIN, ['export', 'systemd', sboxmgr], EXPORT_ENV);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.match(/^### .*$/gm)).toEqual([
      '### sboxmgr-update.service',
      '### sboxmgr-update.timer',
    ]);
  });

  it('prints one file as it is (a YAML document)', async () => {
    const run = await scratch.run(BIN, ['export', 'kubernetes', sboxmgr, '--image', 'x:1'], EXPORT_ENV);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toContain('###');
    expect(parse(run.stdout)).toMatchObject({ kind: 'CronJob', metadata: { name: 'sboxmgr-update' } });
  });

  it('is in velos --help and has its own help', async () => {
    const help = await scratch.run(BIN, ['export', '--help'], EXPORT_ENV);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('velos export <systemd|compose|kubernetes> <config>');
    expect(help.stdout).toContain('--lossy');
    expect((await scratch.run(BIN, ['--help'], {})).stdout).toMatch(/export <target> <config>/);
  });
});
