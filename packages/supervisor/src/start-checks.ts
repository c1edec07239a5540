import { type AppSpec, ErrorCodes, VelosError } from '@velos/core';
import { checkCommands } from './command-check.js';
import { checkStartProblems } from './config/start-problems.js';
import { isActive } from './process-record.js';
import type { ProcessTable } from './process-table.js';
import { resolveRunAs } from './run-as.js';

/**
 * Rejects a start before anything changes: a name twice, bad instances, a running name, a spec a start
 * refuses (`startProblem`: increment_var, metrics_url, a pid_file holding no regular file), then every app
 * whose script file or interpreter is not there, named together (`checkCommands`).
 */
export function checkStartable(specs: AppSpec[], table: ProcessTable, isReplace = false): void {
  const names = new Set<string>();
  for (const spec of specs) {
    if (names.has(spec.name)) {
      throw new VelosError(
        ErrorCodes.INVALID_ARGUMENT,
        `the app name '${spec.name}' appears twice in one start`,
      );
    }
    names.add(spec.name);
    if (!Number.isInteger(spec.instances) || spec.instances < 1) {
      throw new VelosError(
        ErrorCodes.INVALID_ARGUMENT,
        `${spec.name}: instances: expected a positive integer`,
      );
    }
    if (!isReplace) checkNameFree(spec.name, table);
    // an unknown account is a config error; a cwd the user cannot enter fails its spawn, as a missing one
    resolveRunAs(spec);
    // increment_var, metrics_url {port}, pid_file: worded once, as a config reload refuses them
    checkStartProblems([spec]);
  }
  checkCommands(specs);
}

/** Throws NAME_IN_USE when an app of this name runs (or is about to). */
export function checkNameFree(name: string, table: ProcessTable): void {
  const running = table.apps.get(name)?.ids.filter((id) => isActive(table.records.get(id)!.status)) ?? [];
  if (running.length > 0) {
    throw new VelosError(
      ErrorCodes.NAME_IN_USE,
      `an app named '${name}' is already running (id ${running.join(', ')}); restart it, or stop or delete it first`,
      { data: { name, ids: running } },
    );
  }
}
