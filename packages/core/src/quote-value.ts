/** The longest `got …` value an error message quotes; a longer one is cut with `…`. */
export const MAX_QUOTED_CHARS = 80;

/** Thrown by the writer on a cycle: the quote falls back to `[…]` / `{…}` as JSON.stringify's error did. */
class CycleError extends Error {}

/**
 * A value as an error message quotes it: JSON, at most `MAX_QUOTED_CHARS`, never throwing (BigInt, cycles,
 * depth). Only the quoted part is written: a payload of a million keys costs what its first keys do, not a
 * whole JSON.stringify (~0.6 s for a 7 MB request refused by its schema).
 */
export function quoteValue(value: unknown): string {
  let text: string;
  try {
    // a number JSON has no text for (Infinity, NaN: a JSON 1e400 parses as Infinity) is no null
    // a RegExp (PM2's ignore_watch in a JS file) has no JSON text but `{}`, which names nothing
    text =
      typeof value === 'bigint' ||
      (typeof value === 'number' && !Number.isFinite(value)) ||
      value instanceof RegExp
        ? String(value)
        : (boundedJson(value) ?? String(value));
  } catch {
    text = Array.isArray(value) ? '[…]' : typeof value === 'object' ? '{…}' : String(value);
  }
  return text.length > MAX_QUOTED_CHARS ? `${text.slice(0, MAX_QUOTED_CHARS)}…` : text;
}

/**
 * JSON.stringify's text of `value` (BigInts as strings), written only until it is longer than
 * `MAX_QUOTED_CHARS`: the prefix is the same as the whole text's; undefined where JSON.stringify gives
 * undefined (a function, a symbol, undefined).
 */
function boundedJson(value: unknown): string | undefined {
  const out: string[] = [];
  let length = 0;
  const full = () => length > MAX_QUOTED_CHARS;
  const push = (part: string) => {
    out.push(part);
    length += part.length;
  };
  const ancestors = new Set<object>();

  /** Writes `v`; false when it has no JSON form (skipped in an object, `null` in an array). */
  const write = (key: string, v: unknown): boolean => {
    let current = v;
    if (
      current !== null &&
      typeof current === 'object' &&
      typeof (current as { toJSON?: unknown }).toJSON === 'function'
    )
      current = (current as { toJSON: (key: string) => unknown }).toJSON(key);
    switch (typeof current) {
      case 'string':
        // a long string's prefix: the closing quote is past the cut anyway
        push(
          JSON.stringify(
            current.length > MAX_QUOTED_CHARS ? current.slice(0, MAX_QUOTED_CHARS + 1) : current,
          ),
        );
        return true;
      case 'number':
      case 'boolean':
        push(JSON.stringify(current));
        return true;
      case 'bigint':
        push(JSON.stringify(current.toString()));
        return true;
      case 'object':
        break;
      default:
        return false;
    }
    if (current === null) {
      push('null');
      return true;
    }
    if (ancestors.has(current)) throw new CycleError();
    ancestors.add(current);
    if (Array.isArray(current)) {
      push('[');
      for (let i = 0; i < current.length && !full(); i += 1) {
        if (i > 0) push(',');
        if (!write(String(i), current[i])) push('null');
      }
      push(']');
    } else {
      push('{');
      let first = true;
      for (const name of Object.keys(current)) {
        if (full()) break;
        const mark = out.length;
        const markLength = length;
        if (!first) push(',');
        push(`${JSON.stringify(name)}:`);
        if (write(name, (current as Record<string, unknown>)[name])) first = false;
        else {
          out.length = mark;
          length = markLength;
        }
      }
      push('}');
    }
    ancestors.delete(current);
    return true;
  };

  return write('', value) ? out.join('') : undefined;
}
