import type { ProcessRecord } from '../process-record.js';
import { namePatternOf } from '../targets.js';

/** What selecting records needs of the process table. */
export interface RecordSelector {
  select(target: string | undefined): ProcessRecord[];
}

/**
 * The records of a log target (`logs`, `logs.follow`, `logs.search`, `logs.analyze`): an app name, a
 * process id, a namespace, `all` (every process without a target), or PM2's `/regex/` of app names,
 * compiled as a grep pattern is (no backreferences or lookarounds, so it cannot stall the daemon); a
 * regex no name matches is `TARGET_NOT_FOUND`, as an unknown name is, but for a follow (`isFollow`),
 * which the apps it matches may join later, as `all` on a daemon with no app.
 */
export function selectLogRecords(
  table: RecordSelector,
  target: string | undefined,
  isFollow = false,
): ProcessRecord[] {
  const pattern = isFollow ? namePatternOf(target) : undefined;
  if (pattern === undefined) return table.select(target);
  return table.select('all').filter((record) => pattern.test(record.app.spec.name));
}

/**
 * Whether a process created after a follow began joins it: every process without a target or with
 * `all`, those of the app's name or namespace, or whose app's name the `/regex/` matches.
 */
export function logFollowMatcher(target: string | undefined): (record: ProcessRecord) => boolean {
  const pattern = namePatternOf(target);
  if (pattern !== undefined) return (record) => pattern.test(record.app.spec.name);
  return (record) =>
    target === undefined ||
    target === 'all' ||
    record.app.spec.name === target ||
    record.app.spec.namespace === target;
}
