import type { $ZodIssue, $ZodIssueInvalidType, $ZodIssueTooBig, $ZodIssueTooSmall } from 'zod/v4/core';
import { quoteValue } from './quote-value.js';

/** The first issue of input that does not fit a schema: where it is and what is wrong, in words. */
export interface SchemaIssue {
  /** The path of the field (an unknown key's own name included); empty for the whole input. */
  path: (string | number)[];
  /** What is wrong, without the field's name: `expected a number >= 1, got -1`. */
  detail: string;
}

/**
 * The first of the `issues` of a zod parse of `input`, worded for a user: what the field expects and
 * what was given (`expected a number >= 1, got -1`, `required, expected a string`), a key the schema
 * does not take as `unknown key`, or with `known` (an MCP tool's arguments) named with the ones it
 * does take (`unknown argument (expected …)`), instead of
 * zod's own wording (`Invalid input: expected string, received undefined`). The MCP tools, the REST
 * bodies and the WebSocket messages word their errors with it.
 */
export function describeSchemaIssue(
  issues: readonly $ZodIssue[],
  input: unknown,
  known?: readonly string[],
): SchemaIssue {
  const issue = issues[0]!;
  const path = issue.path.map((key) => (typeof key === 'number' ? key : String(key)));
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    if (known === undefined) return { path: [...path, key], detail: 'unknown key' };
    const expected = known.length === 0 ? 'it takes none' : `expected ${known.join(', ')}`;
    return { path: [...path, key], detail: `unknown argument (${expected})` };
  }
  return { path, detail: detailOf(issue, valueAt(input, issue.path)) };
}

function detailOf(issue: $ZodIssue, got: unknown): string {
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
      // a discriminated union whose discriminator matches none has no branch errors to list
      if (issue.errors.length === 0) return `not a value it takes${given}`;
      const types = issue.errors.map((branch) => branch[0]).filter((first) => first?.code === 'invalid_type');
      if (types.length !== issue.errors.length) return `${issue.message}${given}`;
      // each type once: a union of several object shapes (an alert's `when`) expects "an object"
      const nouns = new Set(types.map((first) => noun((first as $ZodIssueInvalidType).expected)));
      const expected = `expected ${[...nouns].join(' or ')}`;
      return got === undefined ? `required, ${expected}` : `${expected}${given}`;
    }
    case 'invalid_value':
      return `expected ${issue.values.length === 1 ? '' : 'one of '}${issue.values.map((v) => quoteValue(v)).join(', ')}${given}`;
    case 'custom':
      // a check of ours words its message in full (it may quote the value itself)
      return issue.message;
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
function bound(issue: $ZodIssueTooSmall | $ZodIssueTooBig): string {
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
