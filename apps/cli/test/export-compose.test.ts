import { writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { composeConfig, FIXTURE_CONFIGS, loadSpecs, runExport, unitEnv, warnings } from './export-helpers.js';
import { Scratch } from './startup-helpers.js';

const scratch = new Scratch();
afterEach(() => scratch.cleanup());

/** The lossy options each fixture config has for Compose (app: option). */
const COMPOSE_LOSSES: Record<string, string[]> = {
  'velos.toml': ['clock: interval'],
  'sboxmgr-update.toml': ['sboxmgr-update: interval', 'sboxmgr-update: timeout'],
  'web-stack.yaml': [
    'api: liveness_probe',
    'migrate: timeout',
    'report: schedule',
    'report: timeout',
    'worker: cron_restart',
    'worker: stop_exit_codes',
  ],
};

const CONDITIONS = {
  started: 'service_started',
  healthy: 'service_healthy',
  completed_successfully: 'service_completed_successfully',
};

type Service = Record<string, unknown> & {
  command: string[];
  environment: Record<string, string>;
  deploy: { replicas: number; resources?: { limits: { memory: string } } };
};

function duration(ms: number): string {
  if (ms % 1000 !== 0) return `${ms}ms`;
  return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`;
}

describe('velos export compose', () => {
  it('covers every fixture config', () => {
    expect(FIXTURE_CONFIGS.map((file) => basename(file)).sort()).toEqual(Object.keys(COMPOSE_LOSSES).sort());
  });

  it.each(FIXTURE_CONFIGS)('exports %s into a file docker-compose config accepts', async (config) => {
    const run = await runExport(scratch, 'compose', config, ['--lossy']);
    expect(run.code, run.stderr).toBe(0);
    expect([...run.files.keys()]).toEqual(['compose.yaml']);
    expect(warnings(run.stderr)).toEqual(COMPOSE_LOSSES[basename(config)]);
    const checked = await composeConfig(scratch, run.dir, ['--quiet']);
    expect(checked.stderr).toBe('');
    expect(checked.code).toBe(0);
  });

  it.each(FIXTURE_CONFIGS)('carries every option of %s over field by field', async (config) => {
    const specs = await loadSpecs(config);
    const run = await runExport(scratch, 'compose', config, ['--lossy']);
    const text = run.files.get('compose.yaml') ?? '';
    expect(text).toMatch(/^# Exported from \S+ by `velos export compose`/);
    const { services } = parse(text) as { services: Record<string, Service> };
    expect(Object.keys(services)).toEqual(specs.map((spec) => spec.name));
    for (const spec of specs) {
      const service = services[spec.name] as Service;
      expect(service.build).toBe(spec.cwd);
      const script = resolve(spec.cwd, spec.script);
      expect(service.command).toEqual(
        spec.script.includes(' ')
          ? ['/bin/sh', '-c', spec.script]
          : [
              expect.any(String),
              script.startsWith(`${spec.cwd}/`) ? script.slice(spec.cwd.length + 1) : script,
              ...spec.args,
            ],
      );
      const env = Object.fromEntries(
        Object.entries(unitEnv(spec)).map(([name, value]) => [name, value.replaceAll('$', () => '$$')]),
      );
      expect(service.environment).toEqual(env);
      expect(service.labels).toEqual({ 'dev.velos.app': spec.name, 'dev.velos.namespace': spec.namespace });
      expect(service.restart).toBe(spec.type === 'job' || !spec.autorestart ? 'no' : 'unless-stopped');
      expect(service.stop_signal).toBe(spec.stopSignal);
      expect(service.stop_grace_period).toBe(duration(spec.killTimeoutMs));
      expect(service.deploy.replicas).toBe(spec.instances);
      expect(service.deploy.resources?.limits.memory).toBe(
        spec.maxMemoryBytes === undefined ? undefined : `${spec.maxMemoryBytes / 1024 ** 2}m`,
      );
      const probe = spec.readinessProbe ?? spec.livenessProbe;
      if (probe === undefined) expect(service.healthcheck).toBeUndefined();
      else {
        expect(service.healthcheck).toMatchObject({
          interval: duration(probe.intervalMs),
          timeout: duration(probe.timeoutMs),
          retries: probe.failureThreshold,
          start_period: duration(probe.initialDelayMs),
        });
        const test = (service.healthcheck as { test: string[] }).test;
        if (probe.kind === 'http')
          expect(test).toEqual(['CMD', 'curl', '-fsS', '-o', '/dev/null', probe.url]);
        if (probe.kind === 'tcp') expect(test).toEqual(['CMD', 'nc', '-z', probe.host, String(probe.port)]);
        if (probe.kind === 'exec') expect(test).toEqual(['CMD-SHELL', probe.command]);
      }
      expect(service.depends_on).toEqual(
        spec.dependsOn.length === 0
          ? undefined
          : Object.fromEntries(
              spec.dependsOn.map((dep) => {
                const target = specs.find((other) => other.name === dep.name);
                const checked = target?.readinessProbe ?? target?.livenessProbe;
                const condition =
                  dep.condition === 'healthy' && checked === undefined ? 'started' : dep.condition;
                return [dep.name, { condition: CONDITIONS[condition] }];
              }),
            ),
      );
    }
  });

  it('uses --image for every service ({name}: per app), or --build as the build context', async () => {
    const config = FIXTURE_CONFIGS.find((file) => file.endsWith('web-stack.yaml')) ?? '';
    const withImage = await runExport(scratch, 'compose', config, [
      '--lossy',
      '--image',
      'registry.example/web:1',
    ]);
    const imaged = parse(withImage.files.get('compose.yaml') ?? '') as { services: Record<string, Service> };
    expect(Object.values(imaged.services).map((s) => [s.image, s.build])).toEqual(
      Array(4).fill(['registry.example/web:1', undefined]),
    );
    const perApp = await runExport(scratch, 'compose', config, [
      '--lossy',
      '--image',
      'registry.example/{name}:1',
    ]);
    const named = parse(perApp.files.get('compose.yaml') ?? '') as { services: Record<string, Service> };
    expect(Object.values(named.services).map((s) => s.image)).toEqual(
      ['migrate', 'api', 'worker', 'report'].map((name) => `registry.example/${name}:1`),
    );
    const dir = scratch.dir();
    const withBuild = await runExport(scratch, 'compose', config, ['--lossy', '--build', dir]);
    const built = parse(withBuild.files.get('compose.yaml') ?? '') as { services: Record<string, Service> };
    expect(Object.values(built.services).map((s) => s.build)).toEqual(Array(4).fill(dir));
  });

  it('waits for service_healthy only on a dependency that has a healthcheck, else service_started', async () => {
    const config = join(scratch.dir(), 'velos.yaml');
    writeFileSync(
      config,
      [
        'apps:',
        '  - name: db',
        '    script: node db.js',
        '  - name: api',
        '    script: node api.js',
        '    readiness_probe: { exec: "true" }',
        '  - name: web',
        '    script: node web.js',
        '    depends_on: { db: healthy, api: healthy }',
        '',
      ].join('\n'),
    );
    const run = await runExport(scratch, 'compose', config, ['--lossy']);
    expect(run.code, run.stderr).toBe(0);
    const { services } = parse(run.files.get('compose.yaml') ?? '') as { services: Record<string, Service> };
    expect(services.web?.depends_on).toEqual({
      db: { condition: 'service_started' },
      api: { condition: 'service_healthy' },
    });
    expect(services.db?.healthcheck).toBeUndefined();
  });

  it('notes restart_delay as a delay Docker cannot take, and offers restart: on-failure for max_restarts only', async () => {
    const config = join(scratch.dir(), 'velos.yaml');
    writeFileSync(
      config,
      'apps:\n  - name: slow\n    script: node\n    restart_delay: 2s\n  - name: capped\n    script: node\n    max_restarts: 3\n',
    );
    const run = await runExport(scratch, 'compose', config);
    expect(run.code, run.stderr).toBe(0);
    const notes = run.stderr
      .split('\n')
      .filter((line) => /: (restart_delay|max_restarts): /.test(line))
      .sort();
    expect(notes).toEqual([
      'velos export: note: capped: max_restarts: Docker restarts without a limit, with its own growing delay; instead: restart: on-failure:<n> caps failed restarts',
      "velos export: note: slow: restart_delay: Docker waits its own delay before a restart (100ms, doubled at each restart in a row), not 2s; instead: nothing to set: Docker's delay cannot be chosen; an app that must not start again at once waits at its start (sleep in its entrypoint)",
    ]);
  });
});

describe('velos export compose of an app with a umask', () => {
  it('refuses it without --lossy (Compose has no umask), and with --lossy says where to set it', async () => {
    const config = join(scratch.dir(), 'umask.yaml');
    writeFileSync(
      config,
      'apps:\n  - name: web\n    script: node\n    umask: "027"\n  - name: api\n    script: node\n',
    );
    const refused = await runExport(scratch, 'compose', config);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(
      "velos: web: umask: compose cannot express it (umask 027 is not carried: the container's processes get the image's (022 by default)); set it in the image's entrypoint (umask 027 before exec), or pass --lossy to export without it",
    );
    expect([...refused.files.keys()]).toEqual([]);
    const run = await runExport(scratch, 'compose', config, ['--lossy']);
    expect(run.code, run.stderr).toBe(0);
    expect(warnings(run.stderr)).toEqual(['web: umask']);
    expect(run.files.get('compose.yaml')).toContain(
      "# - web: umask: umask 027 is not carried: the container's processes get the image's (022 by default); instead: set it in the image's entrypoint (umask 027 before exec)",
    );
  });
});

describe('velos export of a Python app', () => {
  it('writes a value with a tab quoted, which docker-compose 1 (PyYAML) reads back as it is', async () => {
    const config = join(scratch.dir(), 'velos.toml');
    writeFileSync(
      config,
      '[[apps]]\nname = "tsv"\nscript = "node"\nargs = ["a\\tb"]\nenv = { SEP = "\\t", ROW = "x\\ty" }\n',
    );
    const run = await runExport(scratch, 'compose', config, ['--lossy']);
    expect(run.code, run.stderr).toBe(0);
    const text = run.files.get('compose.yaml') ?? '';
    expect(text).toContain('"a\\tb"');
    // a tab in a plain scalar: "found character '\t' that cannot start any token", exit 1
    const checked = await composeConfig(scratch, run.dir);
    expect([checked.code, checked.stderr]).toEqual([0, '']);
    const { services } = parse(checked.stdout) as { services: Record<string, Service> };
    expect(services.tsv?.command.at(-1)).toBe('a\tb');
    expect(services.tsv?.environment).toEqual({ SEP: '\t', ROW: 'x\ty' });
  });

  it('gives it PYTHONUNBUFFERED=1 as the daemon does, unless its env sets it', async () => {
    const dir = scratch.dir('velos-export-py-');
    writeFileSync(join(dir, 'worker.py'), 'print("hi")\n');
    const config = join(dir, 'velos.toml');
    writeFileSync(
      config,
      '[[apps]]\nname = "worker"\nscript = "worker.py"\n\n[[apps]]\nname = "quiet"\nscript = "worker.py"\nenv = { PYTHONUNBUFFERED = "" }\n',
    );
    const run = await runExport(scratch, 'compose', config, ['--lossy']);
    expect(run.code, run.stderr).toBe(0);
    const { services } = parse(run.files.get('compose.yaml') ?? '') as { services: Record<string, Service> };
    expect(services.worker?.environment).toEqual({ PYTHONUNBUFFERED: '1' });
    expect(services.quiet?.environment).toEqual({ PYTHONUNBUFFERED: '' });
  });
});
