import { type Dependency, ErrorCodes, optionHint, optionMessage, VelosError } from '@velos/core';
import type { ProcessRecord } from '../process-record.js';

/** The dependencies a process still waits for (`DependencyGate.unmetOf`); null when it does not wait. */
export type UnmetDependencies = (record: ProcessRecord) => Dependency[] | null;

/**
 * SUP-8/SUP-12: refuses `velos trigger` of jobs that still wait for their `depends_on`, or whose
 * dependency no longer meets its condition (`unmetNow`: stopped, errored, deleted since), before any
 * of the selected jobs runs: a run now would bypass the unmet dependencies, and its end would cancel
 * the wait and the schedule that is to follow it. Throws `INVALID_ARGUMENT` naming each such job and
 * its dependency: `mig2 waits for db (healthy); not triggered`, `backup: dependency 'db' is stopped; not triggered
 * (--force runs it anyway)`. Only a dependency down since can be forced: a run before the first start
 * would cancel the wait, so the hint is left out while one job of the selection still waits.
 */
export function checkTriggerable(
  records: ProcessRecord[],
  unmetOf: UnmetDependencies,
  unmetNow: (record: ProcessRecord) => string | null = () => null,
): void {
  const waiting = records.flatMap((record) => {
    const unmet = unmetOf(record);
    const name = record.app.spec.name;
    if (unmet === null) {
      const why = unmetNow(record);
      return why === null ? [] : [{ name, what: `${name}: ${why}`, isForceable: true }];
    }
    const what =
      unmet.length === 0
        ? `${name} is starting (its dependencies were just met)`
        : `${name} waits for ${unmet.map((d) => `${d.name} (${d.condition})`).join(', ')}`;
    return [{ name, what, isForceable: false }];
  });
  if (waiting.length === 0) return;
  const isAll = waiting.length === records.length;
  const refused = `${waiting.map((w) => w.what).join('; ')}; ${isAll ? 'not triggered' : 'nothing triggered'}`;
  // the switch as each surface takes it: the CLI's --force, REST's force: true, MCP's force
  const { message, options } = waiting.every((w) => w.isForceable)
    ? optionMessage`${refused}${optionHint('force', true, { lead: ' (', trail: ' runs it anyway)' })}`
    : { message: refused, options: [] };
  throw new VelosError(ErrorCodes.INVALID_ARGUMENT, message, {
    data: { waiting: waiting.map((w) => w.name), ...(options.length === 0 ? {} : { options }) },
  });
}
