import { existsSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { ErrorCodes, VelosError } from '@velos/core';
import { runTool } from './run-tool.js';

/** Where a unit goes, and whether it belongs to the system or to the user's own manager. */
export interface SystemdTarget {
  serviceName: string;
  isUserUnit: boolean;
}

/** Path of the unit file: `/etc/systemd/system/<name>.service`, or the user's `systemd/user` directory. */
export function systemdUnitPath(target: SystemdTarget, env: NodeJS.ProcessEnv = process.env): string {
  const file = `${target.serviceName}.service`;
  if (!target.isUserUnit) return join('/etc/systemd/system', file);
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'systemd', 'user', file);
}

/**
 * Writes the unit, then `systemctl daemon-reload` and `systemctl enable`; when systemctl fails the
 * file stays and the error says why (systemd not being PID 1 is named as such).
 */
export async function installSystemdUnit(target: SystemdTarget, unit: string): Promise<string> {
  const unitPath = systemdUnitPath(target);
  mkdirSync(dirname(unitPath), { recursive: true });
  const temporary = `${unitPath}.${process.pid}.tmp`;
  writeFileSync(temporary, unit, { mode: 0o644 });
  renameSync(temporary, unitPath);
  const kept = `the unit is kept in ${unitPath}`;
  await systemctl(target, ['daemon-reload'], kept);
  await systemctl(target, ['enable', `${target.serviceName}.service`], kept);
  return unitPath;
}

/**
 * `systemctl disable`, then removes the unit and reloads systemd; resolves with the removed path,
 * or null when there was no unit to remove.
 */
export async function uninstallSystemdUnit(target: SystemdTarget): Promise<string | null> {
  const unitPath = systemdUnitPath(target);
  if (!existsSync(unitPath)) return null;
  await systemctl(target, ['disable', `${target.serviceName}.service`], `${unitPath} is kept`);
  unlinkSync(unitPath);
  await systemctl(target, ['daemon-reload'], `${unitPath} was removed`);
  return unitPath;
}

/** True when systemd is the running init system (what `sd_booted()` checks). */
export function isSystemdBooted(): boolean {
  return existsSync('/run/systemd/system');
}

async function systemctl(target: SystemdTarget, args: string[], outcome: string): Promise<void> {
  const fullArgs = target.isUserUnit ? ['--user', ...args] : args;
  const result = await runTool('systemctl', fullArgs);
  if (result.isOk) return;
  const why = result.isMissing
    ? 'systemctl is not on PATH (is this a systemd machine?)'
    : isSystemdBooted()
      ? result.reason
      : `systemd is not running as PID 1 here (PID 1 is ${initName()}): ${result.reason}`;
  throw new VelosError(
    ErrorCodes.SERVICE_MANAGER_FAILED,
    `systemctl ${fullArgs.join(' ')} failed: ${why}; ${outcome}`,
    {
      data: { exitCode: 1 },
    },
  );
}

function initName(): string {
  try {
    return readFileSync('/proc/1/comm', 'utf8').trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}
