import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { escapeUnitName } from '../src/startup/systemd-escape.js';
import { EXPORT_ENV, runExport, unitSection } from './export-helpers.js';
import { BIN, runTool, Scratch } from './startup-helpers.js';

const scratch = new Scratch();
afterEach(() => scratch.cleanup());

// заказы-api as systemd-escape writes it, but with its - kept (`systemd-escape заказы-api` gives \x2d)
const ORDERS_UNIT = String.raw`\xd0\xb7\xd0\xb0\xd0\xba\xd0\xb0\xd0\xb7\xd1\x8b-api`;
const CHUMON_UNIT = String.raw`\xe6\xb3\xa8\xe6\x96\x87`;

/** A config of apps named in three scripts: one with instances, a dependency, a cron_restart. */
function unicodeConfig(): string {
  const file = join(scratch.dir(), 'apps.yaml');
  writeFileSync(
    file,
    [
      'apps:',
      '  - name: 注文',
      '    script: node',
      '    args: [worker.js]',
      '  - name: заказы-api',
      '    script: node',
      '    instances: 2',
      '    depends_on: [注文]',
      '  - name: Ölpreis',
      '    script: node',
      '    cron_restart: "0 3 * * *"',
      '',
    ].join('\n'),
  );
  return file;
}

describe('velos export: app names of any script', () => {
  it('systemd: escapes the unit names (\\xNN per byte), units that systemd-analyze verifies', async () => {
    expect(escapeUnitName('заказы-api')).toBe(ORDERS_UNIT);
    expect(escapeUnitName('.hidden')).toBe(String.raw`\x2ehidden`);
    expect(escapeUnitName('api-v1.2')).toBe('api-v1.2');
    const run = await runExport(scratch, 'systemd', unicodeConfig());
    expect(run.code, run.stderr).toBe(0);
    expect([...run.files.keys()].sort()).toEqual(
      [
        `${CHUMON_UNIT}.service`,
        `${ORDERS_UNIT}-0.service`,
        `${ORDERS_UNIT}-1.service`,
        `${ORDERS_UNIT}.target`,
        String.raw`\xc3\x96lpreis.service`,
        String.raw`\xc3\x96lpreis-cron-restart.service`,
        String.raw`\xc3\x96lpreis-cron-restart.timer`,
      ].sort(),
    );
    const instance = run.files.get(`${ORDERS_UNIT}-1.service`)!;
    expect(unitSection(instance, 'Unit')).toEqual(
      expect.arrayContaining([
        'Description=Velos app заказы-api (instance 1)',
        `After=network.target ${CHUMON_UNIT}.service`,
        `Requires=${CHUMON_UNIT}.service`,
      ]),
    );
    expect(unitSection(instance, 'Service')).toContain('Environment=VELOS_NAME=заказы-api');
    const timer = run.files.get(String.raw`\xc3\x96lpreis-cron-restart.timer`)!;
    expect(unitSection(timer, 'Timer')).toContain(String.raw`Unit=\xc3\x96lpreis-cron-restart.service`);
    const names = [...run.files.keys()];
    const verified = await runTool(
      scratch,
      'systemd-analyze',
      ['verify', ...names.map((name) => join(run.dir, name))],
      run.dir,
      'systemd',
    );
    expect(verified.stderr.split('\n').filter((line) => names.some((name) => line.includes(name)))).toEqual(
      [],
    );
    expect(verified.code).toBe(0);
  });

  it('systemd: refuses a name whose escaped unit names would pass 255 characters', async () => {
    const file = join(scratch.dir(), 'long.yaml');
    writeFileSync(file, `apps:\n  - name: ${'注'.repeat(60)}\n    script: node\n`);
    const run = await scratch.run(BIN, ['export', 'systemd', file], EXPORT_ENV);
    expect(run.code).not.toBe(0);
    expect(run.stderr.trim()).toMatch(
      /^velos: 注+: name: its systemd unit names would be up to 741 characters .*more than systemd's 255; use a shorter name to export it$/,
    );
  });

  it('compose and kubernetes: IDNA names (xn--…) that stay apart, the real name in labels', async () => {
    const config = unicodeConfig();
    const compose = await runExport(scratch, 'compose', config, ['--lossy']);
    expect(compose.code, compose.stderr).toBe(0);
    type Service = { labels: Record<string, string>; depends_on?: Record<string, unknown> };
    const { services } = parse(compose.files.get('compose.yaml')!) as { services: Record<string, Service> };
    expect(Object.keys(services)).toEqual(['xn--7dv27n', 'xn---api-43da1ccz6o', 'xn--lpreis-vxa']);
    expect(services['xn---api-43da1ccz6o']!.labels['dev.velos.app']).toBe('заказы-api');
    expect(Object.keys(services['xn---api-43da1ccz6o']!.depends_on ?? {})).toEqual(['xn--7dv27n']);

    const kubernetes = await runExport(scratch, 'kubernetes', config, ['--lossy']);
    expect(kubernetes.code, kubernetes.stderr).toBe(0);
    const text = [...kubernetes.files.values()].join('\n');
    for (const name of ['xn--7dv27n', 'xn---api-43da1ccz6o', 'xn--lpreis-vxa']) {
      expect(text).toContain(`name: ${name}\n`);
    }
  });
});
