import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome, FIXTURES, velos, velosOk } from './helpers.js';

// velos export --running: apps started by hand (or by velos import pm2) have no config file to export
describe('velos export --running', () => {
  let home = '';
  beforeAll(async () => {
    home = createHome();
    const envFile = join(home, 'api.env');
    writeFileSync(
      envFile,
      'API_TOKEN=tok-0123456789\nSLACK_WEBHOOK_URL=https://hooks.slack.com/services/T0/B0/abcdef\nMODE=prod\n',
    );
    // a variable of the shell that starts the app is inherited, not the app's own: not exported
    await velosOk(['start', join(FIXTURES, 'server.js'), '--name', 'api', '--env-file', envFile], {
      home,
      env: { SHELL_ONLY: 'from-the-shell' },
    });
    await velosOk(['start', 'sleep 600', '--name', 'nap'], { home });
  });
  afterAll(async () => {
    await velos(['kill'], { home });
    await cleanupHomes();
  });

  it("writes the daemon's apps as systemd units that verify, their secrets in a 0600 env file", async () => {
    const out = join(home, 'units');
    const run = await velosOk(['export', 'systemd', '--running', '--out', out], { home });
    expect(run.stdout.trim().split('\n')).toEqual(
      ['api.env', 'api.service', 'nap.service'].map((name) => `wrote ${join(out, name)}`),
    );
    expect(readdirSync(out).sort()).toEqual(['api.env', 'api.service', 'nap.service']);
    const secrets = readFileSync(join(out, 'api.env'), 'utf8');
    expect(secrets).toContain("API_TOKEN='tok-0123456789'");
    expect(secrets).toContain("SLACK_WEBHOOK_URL='https://hooks.slack.com/services/T0/B0/abcdef'");
    expect(statSync(join(out, 'api.env')).mode & 0o777).toBe(0o600);
    const api = readFileSync(join(out, 'api.service'), 'utf8');
    expect(api).toContain('# Exported from the apps the daemon runs by `velos export systemd`');
    expect(api).toContain('Environment=MODE=prod\n');
    expect(api).toContain('EnvironmentFile=%E/velos/api.env\n');
    expect(api).toContain(` ${join(FIXTURES, 'server.js')}\n`);
    expect(api).not.toContain('tok-0123456789');
    expect(api).not.toContain('SHELL_ONLY');
    expect(readFileSync(join(out, 'nap.service'), 'utf8')).toContain('ExecStart=/bin/sh -c "sleep 600"\n');
    const verified = await promisify(execFile)('systemd-analyze', [
      'verify',
      join(out, 'api.service'),
      join(out, 'nap.service'),
    ]);
    expect(verified.stderr).toBe('');
  });

  it('exports an app stopped in the daemon as autostart = false, with a note naming it', async () => {
    // it was exported as if it ran: enabled at boot (a systemd [Install], a Deployment's replicas)
    await velosOk(['stop', 'nap'], { home });
    try {
      const out = join(home, 'stopped-units');
      const run = await velosOk(['export', 'systemd', '--running', '--out', out], { home });
      expect(run.stderr).toContain(
        'velos export: note: nap: status: stopped in the daemon: exported as autostart = false, as for an app added stopped',
      );
      expect(run.stderr).not.toMatch(/note: api: status/);
      const installOf = (name: string) =>
        readFileSync(join(out, name), 'utf8').includes('\n[Install]\nWantedBy=multi-user.target\n');
      expect([installOf('api.service'), installOf('nap.service')]).toEqual([true, false]);
      const k8s = await velosOk(['export', 'kubernetes', '--running'], { home });
      expect(k8s.stdout.match(/^ {2}replicas: \d+$/gm)).toEqual(['  replicas: 1', '  replicas: 0']);
    } finally {
      await velosOk(['start', 'nap'], { home });
    }
  });

  it('says in one line that no daemon runs, and starts none', async () => {
    const empty = createHome();
    const run = await velos(['export', 'compose', '--running'], { home: empty });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      `velos: export --running: no Velos daemon runs for ${empty}: start the apps to export, or give their config file`,
    );
    expect(readdirSync(empty).filter((name) => name === 'velos.pid')).toEqual([]);
  });
});
