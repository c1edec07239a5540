import { type AppSpec, ErrorCodes, incrementVarProblem, VelosError } from '@velos/core';
import { metricsUrlProblem } from '../metrics/instance-metrics-url.js';
import { pidFileProblem } from '../pid-files.js';

/**
 * Refuses, before any step of a reload, the apps it would start or restart whose spec a start refuses
 * (as `checkStartable` words it): an `increment_var` whose variable is no whole number, a `metrics_url`
 * `{port}` without one, a `pid_file` path that holds no regular file. Found by the start instead, the
 * running app had been stopped first and the reload was then rolled back.
 */
export function checkStartProblems(specs: readonly AppSpec[]): void {
  for (const spec of specs) {
    const problem = incrementVarProblem(spec) ?? metricsUrlProblem(spec);
    if (problem) throw new VelosError(ErrorCodes.INVALID_ARGUMENT, problem);
    const pidProblem = pidFileProblem(spec);
    if (pidProblem)
      throw new VelosError(ErrorCodes.INVALID_ARGUMENT, `${spec.name} cannot start: ${pidProblem}`);
  }
}
