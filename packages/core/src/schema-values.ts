import * as z from 'zod/mini';
import { quoteValue } from './quote-value.js';
import { durationError, parseDurationMs } from './units.js';

/** Adds a custom issue for `value` to a zod transform and gives up on it. */
export function failValue(ctx: z.core.ParsePayload<unknown>, value: unknown, message: string): never {
  ctx.issues.push({ code: 'custom', message, input: value });
  return z.NEVER;
}

/** A duration as config files write it (`500`, `"5s"`, `"2m"`) into ms, at least `minMs`. */
export function durationValue(minMs = 0) {
  return z.pipe(
    z.union([z.number(), z.string()], { error: (issue) => durationError(issue.input) }),
    z.transform((value, ctx) => {
      const ms = parseDurationMs(value);
      if (ms !== null && ms >= minMs) return ms;
      return failValue(
        ctx,
        value,
        ms === null
          ? durationError(value)
          : `expected at least ${minMs} ms, got ${quoteValue(value)}${bareNumberNote(value)}`,
      );
    }),
  );
}

/**
 * A hint for a bare number that is too small: it is milliseconds, where Kubernetes, process-compose
 * and supervisord write seconds (`timeout_seconds: 2`).
 */
function bareNumberNote(value: unknown): string {
  const text = String(value).trim();
  return /^\d+$/.test(text) && text !== '0'
    ? ` (a bare number is milliseconds: write "${text}s" for ${text} second${text === '1' ? '' : 's'})`
    : '';
}
