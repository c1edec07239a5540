import type { OptionSpec } from '../command-spec.js';

const IGNORED = 'PM2 flag with no Velos equivalent: accepted and ignored, with a warning';

/** A PM2 flag that stands alone (`--no-vizion`). */
const flag: OptionSpec = { type: 'boolean', isHidden: true, description: IGNORED };

/**
 * PM2's `start` flags for the options Velos has no equivalent of (the process file keys it ignores:
 * vizion, pmx, treekill, autostart, trace…): taken so that a PM2 deploy script runs unchanged, and named
 * in one warning (`ignoredPm2FlagsWarning`); `velos start --help` names them in its details.
 */
export const PM2_IGNORED_START_OPTIONS: Record<string, OptionSpec> = {
  'no-vizion': flag,
  'no-autostart': flag,
  'no-treekill': flag,
  'no-pmx': flag,
  'no-automation': flag,
  trace: flag,
  'disable-trace': flag,
  'deep-monitoring': flag,
  'source-map-support': flag,
  'disable-source-map-support': flag,
  'append-env-to-name': flag,
  // PM2's `--filter-env [envs]` and `--log-type <type>`
  'filter-env': { type: 'string', value: 'envs', takesNextWord: true, isHidden: true, description: IGNORED },
  'log-type': { type: 'string', value: 'type', isHidden: true, description: IGNORED },
};
