import { ErrorCodes, isVelosError, VelosError } from '@velos/core';

/**
 * `velos trigger api foo` typed as PM2's `trigger <app> <action>`: the daemon's "'api' is not a job",
 * when a word follows the target, says PM2's custom actions (`@pm2/io` `action()`) have no Velos
 * equivalent and what to use; any other error (and a lone target's) is returned as it is.
 * @example withPm2ActionHint(notAJob, ['api', 'foo']) // "'api' is not a job (…); PM2's trigger <app> <action> …"
 */
export function withPm2ActionHint(error: unknown, targets: readonly string[]): unknown {
  if (!isVelosError(error) || error.code !== ErrorCodes.INVALID_ARGUMENT) return error;
  const target = (error.data as { target?: unknown } | undefined)?.target;
  if (typeof target !== 'string' || !/ is not a job\b/.test(error.message)) return error;
  const action = targets[targets.indexOf(target) + 1];
  if (action === undefined) return error;
  return new VelosError(
    error.code,
    `${error.message}; PM2's custom actions (as in pm2 trigger ${target} ${action}) are not supported: velos trigger runs jobs; to make a running app act, send it a signal (velos signal SIGUSR2 ${target}) and handle it in the app`,
    { cause: error, data: error.data },
  );
}
