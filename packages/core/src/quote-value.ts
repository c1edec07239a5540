/** The longest `got …` value an error message quotes; a longer one is cut with `…`. */
export const MAX_QUOTED_CHARS = 80;

/** A value as an error message quotes it: JSON, at most `MAX_QUOTED_CHARS`, never throwing (BigInt, cycles, depth). */
export function quoteValue(value: unknown): string {
  let text: string;
  try {
    text =
      typeof value === 'bigint'
        ? value.toString()
        : (JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ??
          String(value));
  } catch {
    text = Array.isArray(value) ? '[…]' : typeof value === 'object' ? '{…}' : String(value);
  }
  return text.length > MAX_QUOTED_CHARS ? `${text.slice(0, MAX_QUOTED_CHARS)}…` : text;
}
