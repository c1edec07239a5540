/**
 * Bytes of JSON the items of one answer hold at most (≈12,000 tokens): an agent takes about 25,000
 * tokens from one tool call (Claude Code's default) and has a whole session to fit in its context, where
 * `log_search` with `limit: 10000` would answer close to 1 MB.
 */
export const ANSWER_BYTES_MAX = 48 * 1024;

/** What `newestThatFit` keeps, and how many older items it left out. */
export interface FittedItems<T> {
  kept: T[];
  dropped: number;
}

/**
 * The newest of `items` (oldest first) whose JSON fits in `maxBytes`, oldest first, and how many older
 * ones were left out; the newest item is kept whatever its size (log messages are cut before).
 */
export function newestThatFit<T>(items: readonly T[], maxBytes: number = ANSWER_BYTES_MAX): FittedItems<T> {
  let bytes = 0;
  let first = items.length;
  while (first > 0) {
    // the item and the comma that separates it from the next one
    const size = Buffer.byteLength(JSON.stringify(items[first - 1])) + 1;
    if (bytes + size > maxBytes && first < items.length) break;
    bytes += size;
    first -= 1;
  }
  return { kept: items.slice(first), dropped: first };
}

/** The first of `items` (in their order) whose JSON fits in `maxBytes`, and how many after them were left out. */
export function firstThatFit<T>(items: readonly T[], maxBytes: number = ANSWER_BYTES_MAX): FittedItems<T> {
  let bytes = 0;
  let count = 0;
  while (count < items.length) {
    const size = Buffer.byteLength(JSON.stringify(items[count])) + 1;
    if (bytes + size > maxBytes && count > 0) break;
    bytes += size;
    count += 1;
  }
  return { kept: items.slice(0, count), dropped: items.length - count };
}

/**
 * `rows` as they are when their JSON fits in `maxBytes`; else `{ps: the first rows that fit, omitted, hint}`
 * with `hint` saying how to ask for the others, so that `process_info all` of a fleet does not flood an
 * agent's context (278 KB for 150 apps in full).
 */
export function fitRows(
  rows: readonly unknown[],
  hint: string,
  maxBytes: number = ANSWER_BYTES_MAX,
): unknown {
  const { kept, dropped } = firstThatFit(rows, maxBytes);
  if (dropped === 0) return rows;
  return { ps: kept, omitted: dropped, hint: `the answer holds ${maxBytes / 1024} KB: ${hint}` };
}
