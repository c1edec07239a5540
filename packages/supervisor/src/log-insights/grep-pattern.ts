import { createRequire } from 'node:module';
import { checkRegexSource, compileRegexSource } from '@velos/core';

/** Longest grep pattern accepted. */
export const MAX_GREP_LENGTH = 1000;

/** Backtracks after which V8 reruns a regexp on its linear-time engine. */
const BACKTRACKS_BEFORE_FALLBACK = 1000;

let isFallbackOn = false;

/**
 * Compiles a user's grep pattern (the payload's `grep`) safely: at most 1000 characters, no
 * backreferences or lookarounds, and V8 told to rerun a regexp that backtracks more than 1000 times
 * on its linear-time engine (`--enable-experimental-regexp-engine-on-excessive-backtracks`, set on
 * the first grep, not at daemon start), so `(a+)+$` costs a fraction of a millisecond a line, not
 * the event loop; the scan's deadline (checked every 1024 lines) bounds the whole query. A bad
 * pattern is an `INVALID_ARGUMENT` naming it, by core's one rule (`checkRegexSource`), with field
 * `grep`: each surface names the field its own way (the CLI `--grep`, REST and MCP `pattern`).
 */
export function compileGrep(source: string, ignoreCase = false): RegExp {
  checkRegexSource('grep', source, MAX_GREP_LENGTH);
  if (!isFallbackOn) {
    // node:v8 is loaded here, not with the module: the daemon imports this one for /regex/ log targets
    const { setFlagsFromString } = createRequire(import.meta.url)('node:v8') as typeof import('node:v8');
    setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
    // 1000 instead of 50,000 backtracks: a pathological pattern then costs ~0.2 ms a line, not ~2 ms
    setFlagsFromString(`--regexp-backtracks-before-fallback=${BACKTRACKS_BEFORE_FALLBACK}`);
    isFallbackOn = true;
  }
  return compileRegexSource('grep', source, ignoreCase ? 'i' : '');
}
