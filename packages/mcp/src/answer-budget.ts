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
