import { ErrorCodes, VelosError } from './errors.js';
import { fieldError, fieldErrorData } from './field-error.js';

// Backreferences and lookarounds are what V8's linear-time engine cannot run, so only they can
// still backtrack without bound once the daemon's fallback to that engine is on.
const UNSAFE = /\\[1-9]|\\k<|\(\?<?[=!]/;

/** True for `/…/` (PM2's regex target): at least one character between the slashes. */
export function isRegexTarget(target: string): boolean {
  return target.length > 2 && target.startsWith('/') && target.endsWith('/');
}

/**
 * Refuses a user's regular expression the daemon will not run, as `fieldError(field, …)`: one over
 * `maxChars` characters, or one with a backreference or a lookaround. The daemon's grep and
 * `/regex/` targets and the CLI's own expansion of `/regex/` targets all check by this one rule.
 */
export function checkRegexSource(field: string, source: string, maxChars: number): void {
  if (source.length > maxChars) {
    throw fieldError(field, `expected at most ${maxChars} characters, got ${source.length}`);
  }
  if (UNSAFE.test(source)) {
    throw fieldError(
      field,
      `backreferences (\\1, \\k<name>) and lookarounds ((?=, (?!, (?<=, (?<!) are not supported, got ${JSON.stringify(source)}`,
    );
  }
}

/** `new RegExp(source, flags)`, a syntax error thrown as `fieldError(field, 'invalid regular expression "…": …')`. */
export function compileRegexSource(field: string, source: string, flags = ''): RegExp {
  try {
    return new RegExp(source, flags);
  } catch (error) {
    throw fieldError(
      field,
      `invalid regular expression ${JSON.stringify(source)}: ${(error as Error).message}`,
    );
  }
}

/**
 * The `INVALID_ARGUMENT` for a `/regex/` target refused by `checkRegexSource` or
 * `compileRegexSource`: `target /(/: invalid regular expression "(": …`, the same from every surface.
 */
export function regexTargetError(target: string, error: unknown): VelosError {
  const detail = fieldErrorData(error)?.detail ?? String(error);
  return new VelosError(ErrorCodes.INVALID_ARGUMENT, `target ${target}: ${detail}`);
}
