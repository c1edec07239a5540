import { ErrorCodes, isVelosError, VelosError } from './errors.js';

/** The data of an error about one input field: the field as the payload names it, and what is wrong. */
export interface FieldErrorData {
  field: string;
  /** What is wrong with the value, without the field's name (`expected at most 1000 characters, got 1200`). */
  detail: string;
}

/**
 * An `INVALID_ARGUMENT` error about payload field `field`: message `field: detail`, and both in its
 * data (they cross IPC, HTTP and MCP), so that a surface naming the field its own way (the CLI's
 * `--grep`, the REST query parameter and the MCP argument `pattern`) says it with `renameField`.
 * @example
 * throw fieldError('grep', 'invalid regular expression "(": Unterminated group');
 */
export function fieldError(field: string, detail: string): VelosError {
  return new VelosError(ErrorCodes.INVALID_ARGUMENT, `${field}: ${detail}`, { data: { field, detail } });
}

/** The field and detail of an error built by `fieldError` (also one rebuilt from its wire form), or null. */
export function fieldErrorData(error: unknown): FieldErrorData | null {
  if (!isVelosError(error)) return null;
  const data = error.data as Partial<FieldErrorData> | undefined;
  return typeof data?.field === 'string' && typeof data.detail === 'string'
    ? { field: data.field, detail: data.detail }
    : null;
}

/**
 * `error` with its field named as `names` says (payload field → the surface's name; a path keeps its
 * tail: `kinds[1]` → `kind[1]`), its message rebuilt from its data: `renameField(error, { grep:
 * '--grep' })` turns `grep: invalid …` into `--grep: invalid …`. Any other error, or a field whose
 * first name `names` does not list, is returned as it is.
 */
export function renameField(error: unknown, names: Readonly<Record<string, string>>): unknown {
  const about = fieldErrorData(error);
  if (about === null) return error;
  const head = /^[^.[]+/.exec(about.field)?.[0] ?? about.field;
  if (!Object.hasOwn(names, head)) return error;
  const { code, data } = error as VelosError;
  const field = names[head]! + about.field.slice(head.length);
  return new VelosError(code, `${field}: ${about.detail}`, {
    data: { ...(data as object), field },
    cause: error,
  });
}
