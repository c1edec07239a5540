import { type AppSpec, ErrorCodes, VelosError } from '@velos/core';
import { escapeUnitName } from '../startup/systemd-escape.js';
import { dnsName, idnaLabel } from './export-file.js';
import type { ExportTarget } from './lossy-report.js';

// systemd: a unit name holds 255 characters; the longest an app gets is `<name>-cron-restart.service`
const SYSTEMD_UNIT_MAX_CHARS = 255;
const SYSTEMD_LONGEST_SUFFIX = '-cron-restart.service';
const COMPOSE_NAME = /^[A-Za-z0-9._-]+$/;

/**
 * The name of an app in `target`: systemd escapes it (`escapeUnitName`); Compose takes its alphabet as it
 * is and letters of other scripts in their IDNA form (`注文` → `xn--7dv27n`), null for a name it cannot
 * hold (spaces, `@`); Kubernetes takes a lowercased DNS label (`dnsName`).
 */
export function targetName(name: string, target: ExportTarget): string | null {
  if (target === 'systemd') return escapeUnitName(name);
  if (target === 'kubernetes') return dnsName(name);
  if (COMPOSE_NAME.test(name)) return name;
  if (!/^[\p{L}\p{N}\p{M}._-]+$/u.test(name)) return null;
  const ascii = name.split('.').map(idnaLabel);
  return ascii.every((label) => label !== '') ? ascii.join('.') : null;
}

/**
 * Refuses app names the target cannot use (Compose: spaces and `@`; systemd: a name whose escaped unit
 * name would pass 255 characters), or that two apps would share once made the target's names:
 * INVALID_CONFIG naming the app.
 */
export function checkTargetNames(specs: AppSpec[], target: ExportTarget): void {
  const seen = new Map<string, string>();
  for (const spec of specs) {
    const name = targetName(spec.name, target);
    if (name === null) {
      throw new VelosError(
        ErrorCodes.INVALID_CONFIG,
        `${spec.name}: name: compose names hold only letters, digits and _ . - (other scripts as IDNA, xn--…); rename the app to export it`,
      );
    }
    const longest = name.length + SYSTEMD_LONGEST_SUFFIX.length;
    if (target === 'systemd' && longest > SYSTEMD_UNIT_MAX_CHARS) {
      throw new VelosError(
        ErrorCodes.INVALID_CONFIG,
        `${spec.name}: name: its systemd unit names would be up to ${longest} characters (a character outside A-Z a-z 0-9 : _ . - is escaped as \\xNN per byte), more than systemd's ${SYSTEMD_UNIT_MAX_CHARS}; use a shorter name to export it`,
      );
    }
    const other = seen.get(name);
    if (other !== undefined) {
      throw new VelosError(
        ErrorCodes.INVALID_CONFIG,
        `${spec.name}: name: it becomes "${name}" in ${target}, like ${other}; rename one of them`,
      );
    }
    seen.set(name, spec.name);
  }
}
