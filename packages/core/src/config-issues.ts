import type * as z from 'zod/mini';
import { quoteValue } from './quote-value.js';

/**
 * The parse options of every config schema (files, flags, `config.toml`, alert rules): zod's own
 * issues worded for people who write config files, in one line naming what was expected and what
 * was written (`expected true or false, got "false"`, `required, expected a string`). A schema's
 * own message always wins over these.
 */
export const CONFIG_PARSE: z.core.ParseContext<z.core.$ZodIssue> = { error: configIssueMessage };

/** The message of a zod issue without a message of its schema; undefined leaves zod's own. */
export function configIssueMessage(issue: z.core.$ZodRawIssue): string | undefined {
  const { input } = issue;
  switch (issue.code) {
    case 'invalid_type': {
      if (input === undefined) return `required, expected ${nounOf(issue.expected)}`;
      const unquoted = issue.expected === 'boolean' && (input === 'true' || input === 'false');
      return `expected ${nounOf(issue.expected)}${unquoted ? ' (without quotes)' : ''}, got ${quoteValue(input)}`;
    }
    case 'invalid_value':
      return `expected ${valuesOf(issue.values)}${gotOf(input)}`;
    case 'invalid_union': {
      const expected = unionExpectations(issue.errors);
      if (expected === null) return undefined;
      return input === undefined ? `required, expected ${expected}` : `expected ${expected}${gotOf(input)}`;
    }
    case 'too_small':
    case 'too_big':
      return `expected ${boundOf(issue)}${gotOf(input)}`;
    default:
      return undefined;
  }
}

/** zod's message of a union issue that neither the schema nor `configIssueMessage` worded. */
const ZOD_UNION_MESSAGE = 'Invalid input';

/**
 * The issue to report of a value none of a union's forms took, when neither the schema nor
 * `configIssueMessage` could word it: the value had one of the forms and failed inside it
 * (`depends_on: [{condition: "up"}]`), so that form's issue, at its full path.
 */
export function innermostIssue(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  let current = issue;
  while (current.code === 'invalid_union' && current.message === ZOD_UNION_MESSAGE) {
    const inner = current.errors.find((issues) => (issues[0]?.path.length ?? 0) > 0)?.[0];
    if (!inner) break;
    current = { ...inner, path: [...current.path, ...inner.path] };
  }
  return current;
}

function gotOf(input: unknown): string {
  return input === undefined ? '' : `, got ${quoteValue(input)}`;
}

/** `a string`, `a whole number`, `true or false` (`a boolean` among other forms), `a list`, `a table`. */
function nounOf(expected: string, isAmongOthers = false): string {
  switch (expected) {
    case 'int':
      return 'a whole number';
    case 'boolean':
      return isAmongOthers ? 'a boolean' : 'true or false';
    case 'array':
    case 'tuple':
    case 'set':
      return 'a list';
    case 'object':
    case 'record':
    case 'map':
      return 'a table';
    case 'null':
    case 'undefined':
      return expected;
    default:
      return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
  }
}

function valuesOf(values: readonly unknown[]): string {
  const quoted = values.map((value) => quoteValue(value));
  return quoted.length === 1 ? quoted[0]! : `one of ${quoted.join(', ')}`;
}

/**
 * What a union accepts, from the first issue of each form at the union's own level: `a string, a
 * list or a table`. Null when a form failed deeper (the value had that form: its own issue tells more).
 */
function unionExpectations(errors: readonly (readonly z.core.$ZodIssue[])[]): string | null {
  const forms: string[] = [];
  for (const issues of errors) {
    const first = issues[0];
    if (!first || first.path.length > 0) return null;
    if (first.code === 'invalid_type') forms.push(nounOf(first.expected, true));
    else if (first.code === 'invalid_value') forms.push(...first.values.map((value) => quoteValue(value)));
    else return null;
  }
  const unique = [...new Set(forms)];
  if (unique.length === 0) return null;
  return unique.length === 1 ? unique[0]! : `${unique.slice(0, -1).join(', ')} or ${unique.at(-1)}`;
}

function boundOf(issue: z.core.$ZodRawIssue<z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig>): string {
  const isMin = issue.code === 'too_small';
  const limit = Number(isMin ? issue.minimum : issue.maximum);
  const exact = issue.inclusive ? limit : isMin ? limit + 1 : limit - 1;
  if (issue.origin === 'string') {
    return isMin && exact === 1
      ? 'a non-empty string'
      : `${isMin ? 'at least' : 'at most'} ${exact} characters`;
  }
  if (issue.origin === 'array' || issue.origin === 'set') {
    return `${isMin ? 'at least' : 'at most'} ${exact} item${exact === 1 ? '' : 's'}`;
  }
  return `a number ${isMin ? '>' : '<'}${issue.inclusive ? '=' : ''} ${limit}`;
}
