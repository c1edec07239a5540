import { fieldError, formatPayloadPath, quoteValue, type VelosError } from '@velos/core';
import type * as z from 'zod';

/**
 * The error of tool arguments that do not fit the tool's input schema: its first issue as one
 * `INVALID_ARGUMENT` line naming the argument, what it expects and what was given
 * (`limit: expected a number >= 1, got -1`, `target: required, expected a string`); an argument the
 * tool does not take is named with the ones it does (`known`): `grep: unknown argument (expected …)`.
 */
export function argumentsError(
  error: z.core.$ZodError,
  args: unknown,
  known: readonly string[] = [],
): VelosError {
  const issue = error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const path = formatPayloadPath([...issue.path, issue.keys[0]!]);
    const expected = known.length === 0 ? 'it takes none' : `expected ${known.join(', ')}`;
    return fieldError(path, `unknown argument (${expected})`);
  }
  return fieldError(formatPayloadPath(issue.path) || 'arguments', detailOf(issue, valueAt(args, issue.path)));
}

function detailOf(issue: z.core.$ZodIssue, got: unknown): string {
  const given = got === undefined ? '' : `, got ${quoteValue(got)}`;
  switch (issue.code) {
    case 'invalid_type':
      return got === undefined
        ? `required, expected ${noun(issue.expected)}`
        : `expected ${noun(issue.expected)}${given}`;
    case 'too_small':
    case 'too_big':
      return `expected ${bound(issue)}${sizeOf(issue.origin, got) ?? given}`;
    case 'invalid_union': {
      // a value of none of the types (`1.5` for an integer or a string): name them all
      const types = issue.errors.map((branch) => branch[0]).filter((first) => first?.code === 'invalid_type');
      if (types.length !== issue.errors.length) return `${issue.message}${given}`;
      return `expected ${types.map((first) => noun((first as z.core.$ZodIssueInvalidType).expected)).join(' or ')}${given}`;
    }
    case 'invalid_value':
      return `expected ${issue.values.length === 1 ? '' : 'one of '}${issue.values.map((v) => quoteValue(v)).join(', ')}${given}`;
    default:
      return `${issue.message}${given}`;
  }
}

/** What a type check expects, in words. */
function noun(expected: string): string {
  if (expected === 'int') return 'an integer';
  if (expected === 'boolean') return 'true or false';
  if (expected === 'record') return 'an object';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** A size check in words: `a number >= 1`, `at most 1000 characters`. */
function bound(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const isMin = issue.code === 'too_small';
  const limit = Number(isMin ? issue.minimum : issue.maximum);
  if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') {
    return `a number ${isMin ? '>' : '<'}${issue.inclusive ? '=' : ''} ${limit}`;
  }
  const unit = issue.origin === 'string' ? 'character' : 'item';
  const exact = issue.inclusive ? limit : isMin ? limit + 1 : limit - 1;
  return `${isMin ? 'at least' : 'at most'} ${exact} ${unit}${exact === 1 ? '' : 's'}`;
}

/** `, got 1200 characters` for a string or array that is too long or short (quoting it helps nobody). */
function sizeOf(origin: string, got: unknown): string | undefined {
  if (origin === 'string' && typeof got === 'string') return `, got ${got.length}`;
  if (origin === 'array' && Array.isArray(got)) return `, got ${got.length}`;
  return undefined;
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let at = value;
  for (const key of path) {
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, key)) return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}
