import { stripAnsi } from '@velos/log-engine';

/**
 * Whether a log line matches a compiled grep (`compileGrep`): its text as written, or, when it holds
 * terminal escape sequences, its text without them, so `ERROR boom` finds a line a logger coloured
 * (`\x1b[31mERROR\x1b[39m boom`) and a pattern naming an escape code still finds it too.
 */
export function grepMatches(regex: RegExp, text: string): boolean {
  return regex.test(text) || (text.includes('\x1b') && regex.test(stripAnsi(text)));
}
