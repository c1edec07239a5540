import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { AppSpec } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { cronToOnCalendar } from '../src/export/cron-calendar.js';
import { FIXTURE_CONFIGS, loadSpecs, runExport, unitEnv, unitSection, warnings } from './export-helpers.js';
import { runTool, Scratch } from './startup-helpers.js';

const scratch = new Scratch();
afterEach(() => scratch.cleanup());

/** The lossy options each fixture config has for systemd (app: option). */
const SYSTEMD_LOSSES: Record<string, string[]> = {
  'velos.toml': ['api: exec_mode'],
  'sboxmgr-update.toml': [],
  'web-stack.yaml': ['api: exec_mode', 'api: liveness_probe', 'api: readiness_probe', 'worker: depends_on'],
};

/** `systemd-analyze verify` of the unit files `names` an export wrote into `dir`. */
function verifyUnits(dir: string, names: string[]): ReturnType<typeof runTool> {
  return runTool(
    scratch,
    'systemd-analyze',
    ['verify', ...names.map((name) => join(dir, name))],
    dir,
    'systemd',
  );
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** The unit names of an app's services. */
function serviceFiles(spec: AppSpec): string[] {
  if (spec.type === 'job' || spec.instances === 1) return [`${spec.name}.service`];
  return Array.from({ length: spec.instances }, (_, i) => `${spec.name}-${i}.service`);
}

describe('velos export systemd', () => {
  it('covers every fixture config', () => {
    expect(FIXTURE_CONFIGS.map((file) => basename(file)).sort()).toEqual(Object.keys(SYSTEMD_LOSSES).sort());
  });

  it.each(FIXTURE_CONFIGS)('exports %s into units that pass systemd-analyze verify', async (config) => {
    const run = await runExport(scratch, 'systemd', config, ['--lossy']);
    expect(run.code, run.stderr).toBe(0);
    expect(warnings(run.stderr)).toEqual(SYSTEMD_LOSSES[basename(config)]);
    const names = [...run.files.keys()];
    const verified = await verifyUnits(run.dir, names);
    const ours = verified.stderr.split('\n').filter((line) => names.some((name) => line.includes(name)));
    expect(ours).toEqual([]);
    expect(verified.code).toBe(0);
  });

  it.each(FIXTURE_CONFIGS)('carries every option of %s over field by field', async (config) => {
    const specs = await loadSpecs(config);
    const run = await runExport(scratch, 'systemd', config, ['--lossy']);
    const expectedFiles: string[] = [];
    for (const spec of specs) {
      const services = serviceFiles(spec);
      expectedFiles.push(...services);
      const isScheduled =
        spec.type === 'job' && (spec.schedule !== undefined || spec.intervalMs !== undefined);
      if (isScheduled) expectedFiles.push(`${spec.name}.timer`);
      if (services.length > 1) expectedFiles.push(`${spec.name}.target`);
      if (spec.cronRestart)
        expectedFiles.push(`${spec.name}-cron-restart.service`, `${spec.name}-cron-restart.timer`);
      services.forEach((file, instance) => {
        const unit = run.files.get(file) ?? '';
        const service = unitSection(unit, 'Service');
        expect(service, file).toContain(`Type=${spec.type === 'job' ? 'oneshot' : 'simple'}`);
        expect(service).toContain(`WorkingDirectory=${spec.cwd}`);
        const execStart = service.find((line) => line.startsWith('ExecStart=')) ?? '';
        const scriptPath = resolve(spec.cwd, spec.script);
        expect(execStart).toContain(spec.script.includes(' ') ? `"${spec.script}"` : scriptPath);
        if (spec.args.length > 0) expect(execStart.endsWith(` ${spec.args.join(' ')}`), execStart).toBe(true);
        for (const [name, value] of Object.entries(unitEnv(spec))) {
          expect(
            service.some((line) => line.startsWith('Environment=') && line.includes(`${name}=`)),
            name,
          ).toBe(true);
          if (!/[\s"%\\]/.test(value)) expect(service).toContain(`Environment=${name}=${value}`);
        }
        expect(service).toContain(`Environment=VELOS_INSTANCE=${instance}`);
        expect(service).toContain(`KillSignal=${spec.stopSignal}`);
        expect(service).toContain(`TimeoutStopSec=${seconds(spec.killTimeoutMs)}`);
        if (spec.maxMemoryBytes !== undefined) expect(service).toContain(`MemoryMax=${spec.maxMemoryBytes}`);
        const unitLines = unitSection(unit, 'Unit');
        for (const dep of spec.dependsOn) {
          const depSpec = specs.find((s) => s.name === dep.name);
          const depUnit =
            depSpec && depSpec.type === 'service' && depSpec.instances > 1
              ? `${dep.name}.target`
              : `${dep.name}.service`;
          expect(unitLines.find((line) => line.startsWith('After='))?.split(/[= ]/)).toContain(depUnit);
          expect(unitLines.find((line) => line.startsWith('Requires='))?.split(/[= ]/)).toContain(depUnit);
        }
        if (spec.type === 'job') {
          expect(service).toContain('Restart=no');
          expect(service).toContain(
            `TimeoutStartSec=${spec.jobTimeoutMs === undefined ? 'infinity' : seconds(spec.jobTimeoutMs)}`,
          );
          // a one-shot job runs at boot and stays active for the units that require it
          expect(service.includes('RemainAfterExit=yes')).toBe(!isScheduled);
          expect(unit.includes('WantedBy=multi-user.target')).toBe(!isScheduled);
          return;
        }
        expect(service).toContain(spec.autorestart ? 'Restart=always' : 'Restart=no');
        const delay = spec.expBackoffRestartDelayMs > 0 ? spec.expBackoffRestartDelayMs : spec.restartDelayMs;
        expect(service).toContain(`RestartSec=${seconds(delay)}`);
        if (spec.stopExitCodes.length > 0) {
          expect(service).toContain(`RestartPreventExitStatus=${spec.stopExitCodes.join(' ')}`);
        }
        expect(unitLines).toContain(`StartLimitBurst=${spec.maxRestarts + 1}`);
        const window = Math.ceil(((spec.maxRestarts + 1) * (spec.minUptimeMs + spec.restartDelayMs)) / 1000);
        expect(unitLines).toContain(`StartLimitIntervalSec=${window}s`);
        expect(unitSection(unit, 'Install')).toEqual(['WantedBy=multi-user.target']);
      });
      if (isScheduled) {
        const timer = unitSection(run.files.get(`${spec.name}.timer`) ?? '', 'Timer');
        expect(timer).toContain(`Unit=${spec.name}.service`);
        if (spec.schedule !== undefined) {
          const calendar = cronToOnCalendar(spec.schedule);
          expect(calendar.ok).toBe(true);
          if (calendar.ok) expect(timer).toContain(`OnCalendar=${calendar.value}`);
          // the daemon makes up a run due while it was down: so does a persistent timer
          expect(timer).toContain('Persistent=true');
        } else {
          expect(timer).toContain(`OnUnitActiveSec=${seconds(spec.intervalMs ?? 0)}`);
        }
      }
      if (services.length > 1) {
        expect(unitSection(run.files.get(`${spec.name}.target`) ?? '', 'Unit')).toContain(
          `Wants=${services.join(' ')}`,
        );
      }
      if (spec.cronRestart !== undefined) {
        const restart = unitSection(run.files.get(`${spec.name}-cron-restart.service`) ?? '', 'Service');
        const verb = !spec.autorestart || spec.stopExitCodes.length > 0 ? 'restart' : 'try-restart';
        expect(restart).toContain(`ExecStart=/usr/bin/systemctl ${verb} ${services.join(' ')}`);
        // a cron restart due while no daemon ran is not made up
        const timer = unitSection(run.files.get(`${spec.name}-cron-restart.timer`) ?? '', 'Timer');
        expect(timer).not.toContain('Persistent=true');
      }
    }
    expect([...run.files.keys()].sort()).toEqual(expectedFiles.sort());
  });

  it('puts what did not carry over in the header of the app units and on stderr', async () => {
    const config = FIXTURE_CONFIGS.find((file) => file.endsWith('web-stack.yaml')) ?? '';
    const run = await runExport(scratch, 'systemd', config, ['--lossy']);
    const api = run.files.get('api-0.service') ?? '';
    expect(api).toMatch(/^# Exported from web-stack\.yaml by `velos export systemd`/);
    expect(api).toContain('# Not carried over to systemd (velos export --lossy):');
    expect(api).toContain('# - api: liveness_probe: systemd runs no tcp probes; instead: use WatchdogSec=');
    expect(api).not.toContain('# - worker:');
    expect(run.stderr).toContain(
      'velos export: note: worker: log_max_size: Velos log rotation is not exported',
    );
    expect(run.stderr).toMatch(/velos export: note: [a-z, -]*api[a-z, -]*: log_engine: no live log engine/);
  });

  it('escapes % and quotes in Environment= and ExecStart=', async () => {
    const config = FIXTURE_CONFIGS.find((file) => file.endsWith('web-stack.yaml')) ?? '';
    const run = await runExport(scratch, 'systemd', config, ['--lossy']);
    expect(unitSection(run.files.get('api-1.service') ?? '', 'Service')).toEqual(
      expect.arrayContaining([
        'Environment="GREETING=hello \\"world\\" 100%% $HOME"',
        'Environment=PORT=3000',
      ]),
    );
  });

  it("restarts with cron_restart an app that ends by itself, as PM2's cron starts it again (try-restart would not)", async () => {
    const config = join(scratch.dir(), 'ecosystem.config.js');
    writeFileSync(
      config,
      `module.exports = { apps: [
        { name: 'report', script: 'node', args: '-e 0', cron_restart: '*/5 * * * *', autorestart: false },
        { name: 'api', script: 'node', cron_restart: '0 3 * * *' },
      ] };\n`,
    );
    const run = await runExport(scratch, 'systemd', config);
    expect(run.code, run.stderr).toBe(0);
    expect(unitSection(run.files.get('report-cron-restart.service') ?? '', 'Service')).toContain(
      'ExecStart=/usr/bin/systemctl restart report.service',
    );
    expect(unitSection(run.files.get('api-cron-restart.service') ?? '', 'Service')).toContain(
      'ExecStart=/usr/bin/systemctl try-restart api.service',
    );
    expect(run.stderr).toContain(
      'velos export: note: report: cron_restart: each tick starts the units again, also after a `systemctl stop` (`velos stop` keeps an app stopped); instead: stop the timer as well: systemctl stop report-cron-restart.timer',
    );
  });

  it('carries uid and gid over as User= and Group=', async () => {
    const config = join(scratch.dir(), 'as-user.yaml');
    writeFileSync(config, 'apps:\n  - name: web\n    script: node\n    uid: www-data\n    gid: 33\n');
    const run = await runExport(scratch, 'systemd', config);
    expect(run.code, run.stderr).toBe(0);
    expect(unitSection(run.files.get('web.service') ?? '', 'Service')).toEqual(
      expect.arrayContaining(['User=www-data', 'Group=33']),
    );
  });

  it("carries umask over as UMask=, and writes none for an app that inherits the daemon's", async () => {
    const config = join(scratch.dir(), 'umask.yaml');
    writeFileSync(
      config,
      'apps:\n  - name: web\n    script: node\n    umask: "027"\n  - name: api\n    script: node\n',
    );
    const run = await runExport(scratch, 'systemd', config);
    expect(run.code, run.stderr).toBe(0);
    expect(unitSection(run.files.get('web.service') ?? '', 'Service')).toContain('UMask=0027');
    expect(
      unitSection(run.files.get('api.service') ?? '', 'Service').filter((line) => line.startsWith('UMask=')),
    ).toEqual([]);
  });

  it('escapes line breaks, $ and % so that systemd reads the values back as written', async () => {
    const dir = scratch.dir();
    const config = join(dir, 'odd.yaml');
    writeFileSync(
      config,
      'apps:\n  - name: odd\n    script: node\n    args: ["-e", "console.log(process.argv)", "$HOME", "50% off", "a;b"]\n    env:\n      MULTI: "line 1\\nline 2"\n',
    );
    const run = await runExport(scratch, 'systemd', config);
    expect(run.code, run.stderr).toBe(0);
    const service = unitSection(run.files.get('odd.service') ?? '', 'Service');
    expect(service).toContain('Environment="MULTI=line 1\\nline 2"');
    expect(service.find((line) => line.startsWith('ExecStart='))).toMatch(
      / -e console.log\(process.argv\) \$\$HOME "50%% off" "a;b"$/,
    );
    const verified = await verifyUnits(run.dir, ['odd.service']);
    expect(verified.stderr.split('\n').filter((line) => line.includes('odd.service'))).toEqual([]);
    expect(verified.code).toBe(0);
  });
});

describe('velos export systemd: paths', () => {
  it('writes paths with blanks and % unquoted, as WorkingDirectory= and StandardOutput= read them', async () => {
    const dir = join(scratch.dir(), 'my app');
    mkdirSync(dir);
    const config = join(dir, 'paths.yaml');
    writeFileSync(
      config,
      'apps:\n  - name: my api\n    script: node\n    out_file: "/var/log/my app 100%.log"\n    error_file: /var/log/err.log\n    env:\n      API_TOKEN: abc\n',
    );
    const run = await runExport(scratch, 'systemd', config);
    expect(run.code, run.stderr).toBe(0);
    const name = 'my\\x20api.service';
    expect(unitSection(run.files.get(name) ?? '', 'Service')).toEqual(
      expect.arrayContaining([
        `WorkingDirectory=${dir}`,
        'StandardOutput=append:/var/log/my app 100%%.log',
        'StandardError=append:/var/log/err.log',
        'EnvironmentFile=%E/velos/my\\x20api.env',
      ]),
    );
    const verified = await verifyUnits(run.dir, [name]);
    expect(verified.stderr.split('\n').filter((line) => line.includes('api.service'))).toEqual([]);
    expect(verified.code).toBe(0);
  });

  it('leaves out, as lossy, the variables systemd would ignore (MY-VAR, 1START)', async () => {
    const config = join(scratch.dir(), 'names.yaml');
    writeFileSync(
      config,
      'apps:\n  - name: edge\n    script: node\n    env:\n      MY-VAR: "1"\n      1START: x\n      OK_1: y\n      API-TOKEN: s\n',
    );
    const refused = await runExport(scratch, 'systemd', config);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(
      /^velos: edge: env: systemd cannot express it \(systemd ignores the variables MY-VAR, 1START, API-TOKEN /,
    );
    const run = await runExport(scratch, 'systemd', config, ['--lossy']);
    expect(run.code, run.stderr).toBe(0);
    expect(warnings(run.stderr)).toEqual(['edge: env']);
    const names = [...run.files.keys()];
    expect(names).toEqual(['edge.service']);
    // (a node outside systemd's PATH, as under nvm or in CI, adds the PATH line of its directory)
    expect(
      unitSection(run.files.get('edge.service') ?? '', 'Service').filter(
        (l) => l.startsWith('Environment') && !l.startsWith('Environment=PATH='),
      ),
    ).toEqual([
      'Environment=OK_1=y',
      'Environment=VELOS_NAME=edge',
      'Environment=VELOS_INSTANCE=0',
      'Environment=NODE_APP_INSTANCE=0',
    ]);
    const verified = await verifyUnits(run.dir, ['edge.service']);
    expect(verified.stderr).not.toContain('Invalid environment assignment');
    expect(verified.code).toBe(0);
  });
});
