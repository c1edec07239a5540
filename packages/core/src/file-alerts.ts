import type { AlertRule } from './alert-rule.js';
import type { VelosControl } from './control.js';
import { ErrorCodes, isVelosError } from './errors.js';

/**
 * OBS-3: starts a config file's apps with the file's `[[alerts]]` already in, so that an app that
 * exits in its first milliseconds is seen by them (`event exited`, the first restarts counted by
 * `restarts >= N`). `rules` replace the file's earlier rules; a name clash with another source is
 * refused by the daemon before anything starts. When `start` throws (the daemon refused the start,
 * for example `NAME_IN_USE`), the file's earlier rules are put back: a refused command changes nothing.
 * A daemon from before alerts (`UNKNOWN_COMMAND`) starts the apps of a file without rules.
 * @example await startWithFileAlerts(client, '/srv/app.toml', rules, () => client.start(specs))
 */
export async function startWithFileAlerts<T>(
  control: Pick<VelosControl, 'alerts' | 'setAlerts'>,
  file: string,
  rules: AlertRule[],
  start: () => Promise<T>,
): Promise<T> {
  let earlier: AlertRule[];
  try {
    earlier = (await control.alerts()).filter((s) => s.rule.source === file).map((s) => s.rule);
  } catch (error) {
    const isOldDaemon = isVelosError(error) && error.code === ErrorCodes.UNKNOWN_COMMAND;
    if (isOldDaemon && rules.length === 0) return start();
    throw error;
  }
  if (rules.length > 0 || earlier.length > 0) await control.setAlerts(file, rules);
  try {
    return await start();
  } catch (error) {
    if (rules.length > 0 || earlier.length > 0) await control.setAlerts(file, earlier).catch(() => undefined);
    throw error;
  }
}
