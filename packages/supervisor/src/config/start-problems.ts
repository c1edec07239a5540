import { type AppSpec, ErrorCodes, incrementVarProblem, VelosError } from '@velos/core';
import { metricsUrlProblem } from '../metrics/instance-metrics-url.js';
import { pidFileProblem } from '../pid-files.js';

/** Why a start refuses an app's spec: the key at fault and the line every surface says. */
export interface StartProblem {
  key: 'increment_var' | 'metrics_url' | 'pid_file';
  message: string;
}

/**
 * Why a start refuses an app's spec, in the words every surface gives (`velos start` and its
 * `--dry-run`, `velos config validate`, a config reload or `config set`), or null: an `increment_var`
 * whose variable is no whole number, a `metrics_url` `{port}` without one, a `pid_file` path that holds
 * no regular file.
 */
export function startProblem(spec: AppSpec): StartProblem | null {
  const incrementProblem = incrementVarProblem(spec);
  if (incrementProblem !== null) return { key: 'increment_var', message: incrementProblem };
  const metricsProblem = metricsUrlProblem(spec);
  if (metricsProblem !== null) return { key: 'metrics_url', message: metricsProblem };
  const pidProblem = pidFileProblem(spec);
  return pidProblem === null
    ? null
    : { key: 'pid_file', message: `${spec.name} cannot start: ${pidProblem}` };
}

/**
 * Refuses (INVALID_ARGUMENT) the first spec a start refuses (`startProblem`): called by `checkStartable`,
 * and before any step of a reload for the apps it would start or restart (found by the start instead,
 * the running app had been stopped first and the reload was then rolled back).
 */
export function checkStartProblems(specs: readonly AppSpec[]): void {
  for (const spec of specs) {
    const problem = startProblem(spec);
    if (problem !== null) throw new VelosError(ErrorCodes.INVALID_ARGUMENT, problem.message);
  }
}
