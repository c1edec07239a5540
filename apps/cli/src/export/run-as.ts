import type { AppSpec } from '@velos/core';
import type { LossyReport } from './lossy-report.js';

/**
 * Compose's `user:` for an app's `uid`/`gid` (`"www-data"`, `"1000:1000"`, `"node:33"`); names are
 * left as they are, since the container resolves them in the image's /etc/passwd and /etc/group.
 * A `gid` without a `uid` is lossy: `user:` cannot name a group alone.
 */
export function composeUser(spec: AppSpec, report: LossyReport): string | undefined {
  if (spec.uid === undefined) {
    if (spec.gid !== undefined) {
      report.lossy(
        spec.name,
        'gid',
        'Compose sets a group only together with a user (user: "<user>:<group>")',
        `set uid too (the image's user, as in uid = "node"), or give the image's user group ${spec.gid}`,
      );
    }
    return undefined;
  }
  noteImageAccounts(spec, report);
  return spec.gid === undefined ? String(spec.uid) : `${spec.uid}:${spec.gid}`;
}

/**
 * Kubernetes' container `securityContext` for an app's `uid`/`gid` (`runAsUser`, `runAsGroup`).
 * Both must be numbers. A name is not looked up on the machine that exports: the pod runs the image's
 * accounts, not this machine's, so the number found here could be another user there; a name is lossy
 * (an error without `--lossy`) and says how to find the number.
 */
export function kubernetesSecurityContext(
  spec: AppSpec,
  report: LossyReport,
): Record<string, number> | undefined {
  const context: Record<string, number> = {};
  const user = numericId(spec.uid);
  const group = numericId(spec.gid);
  if (user !== undefined) context.runAsUser = user;
  else if (spec.uid !== undefined) lossyName(spec, report, 'uid', String(spec.uid));
  if (group !== undefined) context.runAsGroup = group;
  else if (spec.gid !== undefined) lossyName(spec, report, 'gid', String(spec.gid));
  return Object.keys(context).length === 0 ? undefined : context;
}

/** An id as a number: a number, or a string of digits (as `chown` reads it); undefined for a name. */
export function numericId(id: string | number | undefined): number | undefined {
  if (typeof id === 'number') return id;
  return id !== undefined && /^\d+$/.test(id) ? Number(id) : undefined;
}

function lossyName(spec: AppSpec, report: LossyReport, option: 'uid' | 'gid', name: string): void {
  const field = option === 'uid' ? 'runAsUser' : 'runAsGroup';
  const lookup = option === 'uid' ? `id <image> -u ${name}` : `getent <image> group ${name}`;
  report.lossy(
    spec.name,
    option,
    `${field} takes a number, and "${name}" names an account of the image, which velos export cannot read`,
    `set ${option} to its number in the image (docker run --rm --entrypoint ${lookup})`,
  );
}

/** A user or group name means the image's account of that name: noted, since it must exist there. */
function noteImageAccounts(spec: AppSpec, report: LossyReport): void {
  const names = [spec.uid, spec.gid].filter(
    (id): id is string => id !== undefined && numericId(id) === undefined,
  );
  if (names.length === 0) return;
  report.note(
    spec.name,
    numericId(spec.uid) === undefined ? 'uid' : 'gid',
    `${names.map((name) => `"${name}"`).join(' and ')} must exist in the image (its /etc/passwd, /etc/group), not on this machine`,
    'create the account in the Dockerfile, or give numeric ids',
  );
}
