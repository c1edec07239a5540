import { describeSchemaIssue, fieldError, formatPayloadPath, type VelosError } from '@velos/core';
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
  const { path, detail } = describeSchemaIssue(error.issues, args, known);
  return fieldError(formatPayloadPath(path) || 'arguments', detail);
}
