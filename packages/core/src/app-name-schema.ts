import * as z from 'zod/mini';
import { appNameProblem, normalizeAppName } from './app-name.js';

/**
 * An app's name, as the config and the protocol check it: normalised to NFC first (two spellings of one
 * text are one name), then held to `appNameProblem` (letters and digits of any script, 1-100 characters,
 * at most 200 UTF-8 bytes, not `all` or a number).
 */
export const appNameSchema = z.string().check(
  z.overwrite(normalizeAppName),
  z.superRefine((name, ctx) => {
    const problem = appNameProblem(name);
    if (problem !== null) ctx.issues.push({ code: 'custom', message: problem, input: name });
  }),
);

/**
 * Text that refers to an app by name (a target, a dependency, an alert's app), in the spelling names
 * have (NFC), so that it finds the app however it was typed; at most `maxChars` UTF-16 units.
 */
export function appNameText(maxChars?: number) {
  return z
    .string()
    .check(
      z.minLength(1),
      ...(maxChars === undefined ? [] : [z.maxLength(maxChars)]),
      z.overwrite(normalizeAppName),
    );
}
