import type * as z from 'zod/mini';
import { innermostIssue } from './config-issues.js';
import { quoteValue } from './config-position.js';
import { ErrorCodes, VelosError } from './errors.js';
import { keysAt, suggestKey } from './key-suggestion.js';

/** One problem of a config file: its whole one-line message (`velos.toml: apps[0].nme: …`) and its key path. */
export interface ConfigIssue {
  message: string;
  keyPath: PropertyKey[];
  /** The line of the key in the file, once known (`withLine`). */
  line?: number;
  /**
   * An unknown key's table (`velos.toml: apps[0]: `) and its quoted name with a suggestion: the error's
   * message names the unknown keys of one table together (`configIssuesError`); not in the error's data.
   */
  unknownKey?: { at: string; named: string };
}

/** The most issues one config error lists in its data; the others are counted (`more`). */
export const MAX_CONFIG_ISSUES = 10;

/**
 * The INVALID_CONFIG error of a failed parse: file label, key path, what was expected (and a key
 * suggestion), for its first issue; `data.issues` lists every issue the same way (see `configIssuesError`).
 */
export function configError(
  label: string,
  error: z.core.$ZodError,
  doc: unknown,
  schema: z.core.$ZodType,
): VelosError {
  return configIssuesError(zodConfigIssues(label, error, doc, schema));
}

/**
 * One INVALID_CONFIG error for all the problems of a file: its message is the first issue's (one
 * line, as a single problem reads; the unknown keys of one table together, `namedTogether` counting
 * them), its data carries that issue's `keyPath` and `issues`, at most `MAX_CONFIG_ISSUES` of them,
 * with `more` counting the rest.
 */
export function configIssuesError(issues: readonly ConfigIssue[]): VelosError {
  const [first] = issues;
  if (first === undefined) throw new Error('configIssuesError needs at least one issue');
  const listed = issues.slice(0, MAX_CONFIG_ISSUES);
  const named = namedTogether(issues);
  return new VelosError(ErrorCodes.INVALID_CONFIG, named > 1 ? headline(issues, named) : first.message, {
    data: {
      keyPath: first.keyPath,
      // the first issues the message names together: a list prints the message in their place
      ...(named > 1 ? { namedTogether: named } : {}),
      issues: listed.map(({ unknownKey: _, ...issue }) => issue),
      ...(issues.length > listed.length ? { more: issues.length - listed.length } : {}),
    },
  });
}

/** How many of the first issues are unknown keys of one table (1 when the first is not one). */
function namedTogether(issues: readonly ConfigIssue[]): number {
  const at = issues[0]?.unknownKey?.at;
  if (at === undefined) return 1;
  const other = issues.findIndex((issue) => issue.unknownKey?.at !== at);
  return other < 0 ? issues.length : other;
}

/** One line naming the first `count` issues, unknown keys of one table: `apps[0]: unknown options "nme", "evn"`. */
function headline(issues: readonly ConfigIssue[], count: number): string {
  const named = issues.slice(0, count).map((issue) => issue.unknownKey!.named);
  return `${issues[0]!.unknownKey!.at}unknown options ${named.join(', ')}`;
}

/** The issues of a config error: `data.issues`, or the error itself as the only one (errors of one problem). */
export function issuesOf(error: VelosError): ConfigIssue[] {
  const data = (error.data ?? {}) as { issues?: unknown; keyPath?: unknown };
  if (Array.isArray(data.issues) && data.issues.length > 0) return data.issues as ConfigIssue[];
  return [{ message: error.message, keyPath: Array.isArray(data.keyPath) ? data.keyPath : [] }];
}

/**
 * Every issue of a failed parse, the reported one first (see `reportedIssue`); an issue of several
 * unknown keys gives one per key (each has its own line), and a required key missing beside its
 * misspelling is left out (the misspelling's suggestion names it).
 */
export function zodConfigIssues(
  label: string,
  error: z.core.$ZodError,
  doc: unknown,
  schema: z.core.$ZodType,
): ConfigIssue[] {
  const all = error.issues.map(innermostIssue);
  const first = reportedIssue(all, doc);
  const explained = first === all[0] ? undefined : all[0];
  const rest = all.filter((issue) => issue !== first && issue !== explained);
  return [first, ...rest].flatMap((issue) => describeIssue(label, issue, doc, schema));
}

/** `a.b[2].c` of a key path. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    '',
  );
}

/** The value at `path` of a parsed document (undefined when there is none). */
export function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = doc;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function describeIssue(
  label: string,
  issue: z.core.$ZodIssue,
  doc: unknown,
  schema: z.core.$ZodType,
): ConfigIssue[] {
  const at = (path: readonly PropertyKey[]): string => {
    const text = formatPath(path);
    return `${label}: ${text ? `${text}: ` : ''}`;
  };
  if (issue.code === 'unrecognized_keys') {
    const known = keysAt(schema, issue.path);
    const named = issue.keys.map((key) => {
      const meant = suggestKey(key, known);
      return meant === null ? `"${key}"` : `"${key}" (did you mean "${meant}"?)`;
    });
    // one issue per key (each has its own line); the error's message names them together (`headline`)
    return issue.keys.map((key, i) => ({
      message: `${at(issue.path)}unknown option ${named[i]}`,
      keyPath: [...issue.path, key],
      unknownKey: { at: at(issue.path), named: named[i]! },
    }));
  }
  const got = valueAt(doc, issue.path);
  const text =
    got !== undefined && !issue.message.includes('got')
      ? `${issue.message}, got ${quoteValue(got)}`
      : issue.message;
  return [{ message: `${at(issue.path)}${text}`, keyPath: [...issue.path] }];
}

/**
 * The issue to report: the first, except that a missing key with a misspelling of it beside it
 * (`scrpit = …`: `script` missing) reports the unknown key, whose suggestion names the fix.
 */
function reportedIssue(issues: readonly z.core.$ZodIssue[], doc: unknown): z.core.$ZodIssue {
  const first = issues[0]!;
  const missing = first.path.at(-1);
  if (typeof missing !== 'string' || valueAt(doc, first.path) !== undefined) return first;
  const table = first.path.slice(0, -1);
  const misspelt = issues.find(
    (issue) =>
      issue.code === 'unrecognized_keys' &&
      issue.path.length === table.length &&
      issue.path.every((key, at) => key === table[at]) &&
      issue.keys.some((key) => suggestKey(key, [missing]) === missing),
  );
  return misspelt ?? first;
}
