import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppSpec } from '@velos/core';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { afterEach, describe, expect, it } from 'vitest';
import { composeDocument } from '../src/export/compose.js';
import { kubernetesManifests } from '../src/export/kubernetes.js';
import { type ExportTarget, LossyReport } from '../src/export/lossy-report.js';
import { exportSystemd } from '../src/export/systemd.js';
import { loadSpecs, unitSection } from './export-helpers.js';
import { Scratch } from './startup-helpers.js';

const scratch = new Scratch();
afterEach(() => scratch.cleanup());

const OPTIONS = { source: 'velos.yaml', image: 'reg/app:1' };

/** The specs of a config written from YAML lines, read as `velos export` reads them. */
async function specsOf(...lines: string[]): Promise<AppSpec[]> {
  const config = join(scratch.dir(), 'velos.yaml');
  writeFileSync(config, ['apps:', ...lines, ''].join('\n'));
  return loadSpecs(config);
}

/** The `app: option (severity)` of every loss of one export, in order. */
function losses(report: LossyReport): string[] {
  return report.losses.map((loss) => `${loss.app}: ${loss.option} (${loss.severity})`);
}

const TARGETS: ExportTarget[] = ['systemd', 'compose', 'kubernetes'];

function render(target: ExportTarget, specs: AppSpec[], report: LossyReport): unknown {
  if (target === 'systemd') return exportSystemd(specs, report, { source: 'velos.yaml' });
  if (target === 'compose') return composeDocument(specs, report, OPTIONS);
  return kubernetesManifests(specs, report, OPTIONS);
}

describe('velos export: options of the daemon the targets lack', () => {
  const files = [
    '  - name: legacy',
    '    script: node',
    '    out_file: /var/log/legacy.log',
    '    error_file: /var/log/legacy-err.log',
    '    log_file: /var/log/legacy-all.log',
    '    pid_file: /run/legacy.pid',
  ];

  it.each(TARGETS)(
    '%s: names out_file, error_file, log_file and pid_file it does not write',
    async (target) => {
      const report = new LossyReport(target, false);
      render(target, await specsOf(...files), report);
      const expected = [
        ...(target === 'systemd' ? [] : ['legacy: out_file (note)']),
        'legacy: log_file (note)',
        'legacy: pid_file (note)',
      ];
      expect(losses(report).filter((loss) => !loss.includes('log_engine'))).toEqual(expected);
      const out = report.losses.find((loss) => loss.option === 'out_file');
      if (out) expect(out.detail).toContain('/var/log/legacy.log and /var/log/legacy-err.log');
    },
  );

  it.each(TARGETS)('%s: shutdown_with_message is lossy: the app gets a signal', async (target) => {
    const specs = await specsOf('  - name: legacy', '    script: node', '    shutdown_with_message: true');
    expect(() => render(target, specs, new LossyReport(target, false))).toThrow(
      /^legacy: shutdown_with_message: \w+ cannot express it \(the app is stopped with SIGTERM, not the message 'shutdown'\)/,
    );
    const report = new LossyReport(target, true);
    render(target, specs, report);
    expect(losses(report)).toContain('legacy: shutdown_with_message (lossy)');
  });
});

describe('velos export: restart options a container runtime lacks', () => {
  it.each(['compose', 'kubernetes'] as const)(
    '%s: notes each under the option the app sets',
    async (target) => {
      const specs = await specsOf(
        '  - name: slow',
        '    script: node',
        '    restart_delay: 2s',
        '  - name: capped',
        '    script: node',
        '    max_restarts: 3',
      );
      const report = new LossyReport(target, false);
      render(target, specs, report);
      expect(losses(report).filter((loss) => /restart/.test(loss))).toEqual([
        'slow: restart_delay (note)',
        'capped: max_restarts (note)',
      ]);
    },
  );
});

describe('velos export: replicas', () => {
  it.each(['compose', 'kubernetes'] as const)(
    '%s: notes that replicas get no instance index',
    async (target) => {
      const specs = await specsOf(
        '  - name: web',
        '    script: node',
        '    instances: 2',
        '    instance_var: ID',
      );
      const report = new LossyReport(target, false);
      render(target, specs, report);
      expect(report.losses.find((loss) => loss.option === 'instances')).toMatchObject({
        severity: 'note',
        detail: 'the replicas get no instance index (VELOS_INSTANCE, ID)',
      });
    },
  );
});

describe('velos export: autostart = false', () => {
  const stopped = [
    '  - name: web',
    '    script: node',
    '    instances: 2',
    '    autostart: false',
    '  - name: nightly',
    '    type: job',
    '    script: node',
    '    schedule: "0 2 * * *"',
    '    autostart: false',
    '  - name: seed',
    '    type: job',
    '    script: node',
    '    autostart: false',
  ];

  it('systemd: no unit of the app is enabled at boot, and the note says what to start', async () => {
    const report = new LossyReport('systemd', false);
    const files = exportSystemd(await specsOf(...stopped), report, { source: 'velos.yaml' });
    const names = files.map((file) => file.name).sort();
    expect(names).toEqual([
      'nightly.service',
      'nightly.timer',
      'seed.service',
      'web-0.service',
      'web-1.service',
      'web.target',
    ]);
    for (const file of files) expect(file.text, file.name).not.toContain('[Install]');
    expect(unitSection(files.find((file) => file.name === 'seed.service')?.text ?? '', 'Service')).toContain(
      'RemainAfterExit=yes',
    );
    expect(report.losses.filter((loss) => loss.option === 'autostart').map((loss) => loss.instead)).toEqual([
      'start it with systemctl start web.target',
      'start it with systemctl start nightly.timer',
      'start it with systemctl start seed.service',
    ]);
  });

  it('kubernetes: a Deployment of 0 replicas, a suspended CronJob and Job', async () => {
    const report = new LossyReport('kubernetes', false);
    const [web, nightly, seed] = kubernetesManifests(await specsOf(...stopped), report, OPTIONS);
    new Deployment(web as never).validate();
    new CronJob(nightly as never).validate();
    new Job(seed as never).validate();
    expect(web?.spec).toMatchObject({ replicas: 0 });
    expect(nightly?.spec).toMatchObject({ suspend: true });
    const template = (nightly?.spec as { jobTemplate?: { spec?: object } } | undefined)?.jobTemplate;
    expect(template?.spec).not.toHaveProperty('suspend');
    expect(seed?.spec).toMatchObject({ suspend: true });
    expect(report.losses.filter((loss) => loss.option === 'autostart').map((loss) => loss.instead)).toEqual([
      'start it with kubectl scale deployment web --replicas=2',
      `start it with kubectl patch cronjob nightly -p '{"spec":{"suspend":false}}'`,
      `start it with kubectl patch job seed -p '{"spec":{"suspend":false}}'`,
    ]);
  });

  it('compose: lossy, since `docker compose up` starts every service', async () => {
    const specs = await specsOf('  - name: web', '    script: node', '    autostart: false');
    expect(() => composeDocument(specs, new LossyReport('compose', false), OPTIONS)).toThrow(
      /^web: autostart: compose cannot express it/,
    );
  });

  it('leaves apps that start by themselves as they were', async () => {
    const specs = await specsOf('  - name: web', '    script: node');
    const report = new LossyReport('systemd', false);
    const [unit] = exportSystemd(specs, report, { source: 'velos.yaml' });
    expect(unitSection(unit?.text ?? '', 'Install')).toEqual(['WantedBy=multi-user.target']);
    const [deployment] = kubernetesManifests(specs, new LossyReport('kubernetes', false), OPTIONS);
    expect(deployment?.spec).toMatchObject({ replicas: 1 });
    expect(deployment?.spec).not.toHaveProperty('suspend');
  });
});

describe('velos export systemd: instance_var', () => {
  it('names the instance index as the daemon does (PM2 instance_var renames NODE_APP_INSTANCE)', async () => {
    const specs = await specsOf(
      '  - name: web',
      '    script: node',
      '    instances: 2',
      '    instance_var: INSTANCE_ID',
    );
    const files = exportSystemd(specs, new LossyReport('systemd', false), { source: 'velos.yaml' });
    const service = unitSection(files.find((file) => file.name === 'web-1.service')?.text ?? '', 'Service');
    expect(service).toEqual(
      expect.arrayContaining(['Environment=INSTANCE_ID=1', 'Environment=VELOS_INSTANCE=1']),
    );
    expect(service.some((line) => line.startsWith('Environment=NODE_APP_INSTANCE='))).toBe(false);
  });
});

describe('velos export kubernetes: the time zone of a schedule', () => {
  const jobs = [
    '  - name: report',
    '    type: job',
    '    script: node',
    '    schedule: "30 9 * * 1-5"',
    '  - name: tick',
    '    type: job',
    '    script: node',
    '    interval: 30m',
  ];
  const savedTz = process.env.TZ;
  afterEach(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  it("gives the CronJob of a cron schedule this machine's zone, as the daemon here reads it", async () => {
    process.env.TZ = 'Europe/Berlin';
    const report = new LossyReport('kubernetes', false);
    const [report_, tick] = kubernetesManifests(await specsOf(...jobs), report, OPTIONS);
    new CronJob(report_ as never).validate();
    expect(report_?.spec).toMatchObject({ schedule: '30 9 * * 1-5', timeZone: 'Europe/Berlin' });
    // an interval runs every so long, whatever the zone
    expect(tick?.spec).not.toHaveProperty('timeZone');
    expect(report.losses.find((loss) => loss.option === 'schedule')?.detail).toContain(
      'the CronJob has timeZone: Europe/Berlin',
    );
  });

  it('leaves the zone out, with a note, when TZ names none', async () => {
    process.env.TZ = 'Not/A_Zone';
    const report = new LossyReport('kubernetes', false);
    const [cron] = kubernetesManifests(await specsOf(...jobs), report, OPTIONS);
    expect(cron?.spec).not.toHaveProperty('timeZone');
    expect(report.losses.find((loss) => loss.option === 'schedule')?.detail).toContain(
      "the CronJob runs in the cluster's",
    );
  });
});

describe('velos export: a program found on PATH', () => {
  it('systemd runs it by its path on this PATH; a container by its name', async () => {
    const bin = scratch.dir();
    writeFileSync(join(bin, 'myinterp'), '#!/bin/sh\nexec "$@"\n', { mode: 0o755 });
    const script = join(bin, 'task.txt');
    writeFileSync(script, '');
    const specs = await specsOf(
      '  - name: task',
      `    script: ${script}`,
      '    interpreter: myinterp',
      '    env:',
      `      PATH: ${bin}:/usr/bin:/bin`,
    );
    const [unit] = exportSystemd(specs, new LossyReport('systemd', false), { source: 'velos.yaml' });
    expect(unitSection(unit?.text ?? '', 'Service')).toContain(
      `ExecStart=${join(bin, 'myinterp')} ${script}`,
    );
    const { services } = composeDocument(specs, new LossyReport('compose', false), OPTIONS) as {
      services: Record<string, { command: string[] }>;
    };
    expect(services.task?.command[0]).toBe('myinterp');
  });
});

describe('velos export systemd: a program outside systemd PATH', () => {
  it("puts its directory first on the unit's PATH (npm of nvm runs #!/usr/bin/env node)", async () => {
    const bin = scratch.dir();
    writeFileSync(join(bin, 'mytool'), '#!/usr/bin/env node\n', { mode: 0o755 });
    const shellPath = process.env.PATH;
    // found on the PATH of the shell that exports, as nvm's npm is, not on systemd's
    process.env.PATH = `${bin}:${shellPath ?? ''}`;
    try {
      const [own, set] = await specsOf(
        '  - name: tool',
        '    script: mytool',
        '    args: start',
        '  - name: set',
        '    script: mytool',
        '    env:',
        '      PATH: /opt/x/bin:/usr/bin',
      );
      const [unit, other] = exportSystemd([own!, set!], new LossyReport('systemd', false), {
        source: 'velos.yaml',
      });
      const service = unitSection(unit?.text ?? '', 'Service');
      expect(service).toContain(`ExecStart=${join(bin, 'mytool')} start`);
      // systemd's own PATH lacks the directory: node (beside npm under nvm) was not found, exit 127
      expect(service.filter((line) => line.startsWith('Environment=PATH='))).toEqual([
        `Environment=PATH=${bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      ]);
      // an app that sets PATH keeps its own
      expect(
        unitSection(other?.text ?? '', 'Service').filter((line) => line.startsWith('Environment=PATH=')),
      ).toEqual(['Environment=PATH=/opt/x/bin:/usr/bin']);
    } finally {
      process.env.PATH = shellPath;
    }
  });
});

describe('velos export systemd: a command line', () => {
  it('gets the PATH it runs with (npm of npm start is found as under the daemon)', async () => {
    const bin = scratch.dir();
    const shellPath = process.env.PATH;
    process.env.PATH = `${bin}:/usr/bin:/bin`;
    try {
      const specs = await specsOf(
        '  - name: line',
        '    script: npm start',
        '  - name: shell',
        '    script: /bin/sh',
        '    args: ["-c", "npm start"]',
        '  - name: own',
        '    script: npm start',
        '    env:',
        '      PATH: /opt/x/bin:/usr/bin',
      );
      // an app the daemon runs: its env holds the PATH it inherited, its own env does not
      const running = {
        ...specs[0]!,
        name: 'running',
        env: { PATH: '/home/u/.nvm/bin:/usr/bin' },
        ownEnv: {},
      };
      const units = exportSystemd([...specs, running], new LossyReport('systemd', false), {
        source: 'velos.yaml',
      });
      const paths = units.map((unit) => [
        unit.name,
        unitSection(unit.text, 'Service').filter((line) => line.startsWith('Environment=PATH=')),
      ]);
      expect(paths).toEqual([
        ['line.service', [`Environment=PATH=${bin}:/usr/bin:/bin`]],
        ['shell.service', [`Environment=PATH=${bin}:/usr/bin:/bin`]],
        ['own.service', ['Environment=PATH=/opt/x/bin:/usr/bin']],
        ['running.service', ['Environment=PATH=/home/u/.nvm/bin:/usr/bin']],
      ]);
    } finally {
      process.env.PATH = shellPath;
    }
  });
});

describe('velos export compose: the port of an app', () => {
  it('exposes it to the other services and notes that the host no longer reaches it', async () => {
    const specs = await specsOf('  - name: web', '    script: node', '    env:', '      PORT: "3000"');
    const report = new LossyReport('compose', false);
    const { services } = composeDocument(specs, report, OPTIONS) as {
      services: Record<string, Record<string, unknown>>;
    };
    expect(services.web?.expose).toEqual(['3000']);
    expect(services.web).not.toHaveProperty('ports');
    expect(report.losses.find((loss) => loss.option === 'port')).toMatchObject({
      severity: 'note',
      instead: 'publish it with ports: ["3000:3000"]',
    });
  });
});

describe('velos export systemd: a dependency outside the config', () => {
  it('notes the unit name it assumed', async () => {
    const specs = await specsOf('  - name: a', '    script: node', '    depends_on: [db]');
    const report = new LossyReport('systemd', false);
    const [unit] = exportSystemd(specs, report, { source: 'velos.yaml' });
    expect(unitSection(unit?.text ?? '', 'Unit')).toContain('Requires=db.service');
    expect(report.losses.find((loss) => loss.option === 'depends_on')).toMatchObject({
      severity: 'note',
      detail: expect.stringContaining('db is not an app of this config'),
    });
  });
});

describe('velos export systemd: log_per_instance', () => {
  it('notes that the instance units share the log files', async () => {
    const specs = await specsOf(
      '  - name: web',
      '    script: node',
      '    instances: 2',
      '    log_per_instance: true',
      '    out_file: /var/log/web.log',
    );
    const report = new LossyReport('systemd', false);
    exportSystemd(specs, report, { source: 'velos.yaml' });
    expect(report.losses.find((loss) => loss.option === 'log_per_instance')).toMatchObject({
      severity: 'note',
      detail: 'the instance units append to the same out_file and error_file',
    });
  });
});
