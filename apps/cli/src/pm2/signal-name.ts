import { constants } from 'node:os';
import { usageError } from '../parse-argv.js';

/**
 * A signal as users write it (`SIGUSR2`, `usr2`, `USR2`, `12`) as the name the daemon takes
 * (`SIGUSR2`); a name or number this platform does not know is a usage error.
 */
export function normalizeSignal(input: string, command: string): string {
  const signals = constants.signals as Record<string, number>;
  if (/^\d+$/.test(input)) {
    const name = Object.keys(signals).find((key) => signals[key] === Number(input));
    if (name) return name;
  } else {
    const upper = input.toUpperCase();
    const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
    if (Object.hasOwn(signals, name)) return name;
  }
  throw usageError(
    `unknown signal ${JSON.stringify(input)}; expected a name such as SIGUSR2 or HUP`,
    command,
  );
}
