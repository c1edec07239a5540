import { type AppSpec, ErrorCodes, VelosError } from '@velos/core';
import { dnsName } from './export-file.js';
import type { ExportTarget } from './lossy-report.js';

// Velos names may hold spaces and `@`: systemd units (`@` starts a template instance) and Compose
// services cannot; Kubernetes names are lowercased DNS labels (dnsName).
const VALID: Record<Exclude<ExportTarget, 'kubernetes'>, RegExp> = {
  systemd: /^[A-Za-z0-9:_.-]+$/,
  compose: /^[A-Za-z0-9._-]+$/,
};

/**
 * Refuses app names the target cannot use as they are (systemd, Compose), or that two apps would
 * share once made Kubernetes names: INVALID_CONFIG naming the app.
 */
export function checkTargetNames(specs: AppSpec[], target: ExportTarget): void {
  const seen = new Map<string, string>();
  for (const spec of specs) {
    if (target !== 'kubernetes' && !VALID[target].test(spec.name)) {
      throw new VelosError(
        ErrorCodes.INVALID_CONFIG,
        `${spec.name}: name: ${target} names hold only letters, digits and ${target === 'systemd' ? ': _ . -' : '_ . -'}; rename the app to export it`,
      );
    }
    const name = target === 'kubernetes' ? dnsName(spec.name) : spec.name;
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
