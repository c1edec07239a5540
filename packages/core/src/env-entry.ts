import { quoteValue } from './quote-value.js';

/**
 * What is wrong with one environment variable, or null: a name that is empty or holds `=` or NUL, a
 * value that holds NUL. No process environment can carry them: the app would get another variable, or
 * fail to spawn (a restart with one would stop the app and leave it errored), so the config loader and
 * the protocol's schemas refuse them before anything changes.
 * @example envEntryProblem('A=B', 'x') // 'expected a variable name (not empty, without = or NUL), got "A=B"'
 */
export function envEntryProblem(name: string, value: string): string | null {
  if (name === '' || /[=\0]/.test(name)) {
    return `expected a variable name (not empty, without = or NUL), got ${quoteValue(name)}`;
  }
  return value.includes('\0') ? 'expected a value without NUL characters' : null;
}
