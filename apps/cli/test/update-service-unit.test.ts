import { describe, expect, it } from 'vitest';
import { serviceUnitIn } from '../src/commands/service-unit.js';

const UNIT_ARGV = ['/usr/bin/node', '--expose-gc', '/opt/velos/bin/velos.js', 'daemon', '--foreground', ''];
// what the CLI runs when it starts a daemon on demand
const CLI_ARGV = ['/usr/bin/node', '--expose-gc', '/opt/velos/dist/daemon.cjs', 'daemon', ''];

describe('velos update: is the daemon run by a service manager', () => {
  it('names the unit of a daemon run as the unit of velos startup runs it', () => {
    expect(serviceUnitIn('0::/system.slice/velos.service\n', UNIT_ARGV)).toBe('velos.service');
    expect(serviceUnitIn('9:name=systemd:/system.slice/velos-b.service\n0::/\n', UNIT_ARGV)).toBe(
      'velos-b.service',
    );
    const userUnit = '0::/user.slice/user-1000.slice/user@1000.service/app.slice/velos.service\n';
    expect(serviceUnitIn(userUnit, UNIT_ARGV)).toBe('velos.service');
  });

  it('names none for a daemon a CLI started inside another service (a cron job, a CI runner)', () => {
    expect(serviceUnitIn('0::/system.slice/cron.service\n', CLI_ARGV)).toBeNull();
    expect(serviceUnitIn('0::/system.slice/gitlab-runner.service\n', CLI_ARGV)).toBeNull();
  });

  it('names none outside a service: a login session, a container, the user manager itself', () => {
    expect(serviceUnitIn('0::/user.slice/user-1000.slice/session-3.scope\n', UNIT_ARGV)).toBeNull();
    expect(serviceUnitIn('0::/\n', UNIT_ARGV)).toBeNull();
    expect(serviceUnitIn('0::/user.slice/user-1000.slice/user@1000.service\n', UNIT_ARGV)).toBeNull();
  });
});
