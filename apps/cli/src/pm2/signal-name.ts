import { constants } from 'node:os';
import { usageError } from '../parse-argv.js';

/**
 * A signal as users write it (`SIGUSR2`, `usr2`, `USR2`, `12`) as the name the daemon takes
 * (`SIGUSR2`); a name or number this platform does not know is a usage error. `target`, the word
 * after it, is named in the error when it is the signal (PM2's order swapped: `sendSignal api USR2`).
 */
export function normalizeSignal(input: string, command: string, target?: string): string {
  const name = signalName(input);
  if (name !== null) return name;
  const swapped = target === undefined ? null : signalName(target);
  const hint = swapped === null ? '' : `; the signal goes first: velos ${command} ${swapped} ${input}`;
  throw usageError(
    `unknown signal ${JSON.stringify(input)}; expected a name such as SIGUSR2 or HUP${hint}`,
    command,
  );
}

function signalName(input: string): string | null {
  const signals = constants.signals as Record<string, number>;
  if (/^\d+$/.test(input)) return Object.keys(signals).find((key) => signals[key] === Number(input)) ?? null;
  const upper = input.toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  return Object.hasOwn(signals, name) ? name : null;
}
