import type { CommandInput } from '../command-spec.js';
import { PM2_IGNORED_START_OPTIONS } from '../command-table/pm2-ignored-options.js';

/**
 * The warning for the PM2 flags of a `velos start` line that Velos ignores (`--no-vizion`, `--no-pmx`…),
 * worded as the one for the same keys in a process file, each named once; null when there are none.
 * @example ignoredPm2FlagsWarning(input) // 'PM2 options with no Velos equivalent, ignored: --no-vizion, --no-pmx'
 */
export function ignoredPm2FlagsWarning(input: CommandInput): string | null {
  const given = Object.keys(PM2_IGNORED_START_OPTIONS).filter((name) => input.options[name] !== undefined);
  if (given.length === 0) return null;
  return `PM2 options with no Velos equivalent, ignored: ${given.map((name) => `--${name}`).join(', ')}`;
}
