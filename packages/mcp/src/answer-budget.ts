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

/**
 * `answer` as it is when its JSON fits in `maxBytes`; else with the lists at `paths` (each a path of
 * keys to an array) filled in that order with their first items that fit beside the rest of the answer,
 * and `omitted` (added to one the answer had) and `hint` beside them, so that `health_check` or
 * `log_summary` in full over a large fleet answers 48 KB rather than a flood.
 */
export function fitLists<T extends object>(
  answer: T,
  paths: readonly (readonly string[])[],
  hint: string,
  maxBytes: number = ANSWER_BYTES_MAX,
): T | (T & { omitted: number; hint: string }) {
  if (bytesOf(answer) <= maxBytes) return answer;
  const before = (answer as { omitted?: unknown }).omitted;
  const omitted = typeof before === 'number' ? before : 0;
  const lists = paths.map((path) => valueAt(answer, path)).map((list) => (Array.isArray(list) ? list : []));
  // every list emptied, then each filled in turn with what fits (a larger omitted's digits kept aside)
  let cut: Record<string, unknown> = {
    ...answer,
    omitted,
    hint: `the answer holds ${maxBytes / 1024} KB: ${hint}`,
  };
  paths.forEach((path, n) => {
    if (lists[n]!.length > 0) cut = withValueAt(cut, path, []);
  });
  let dropped = 0;
  paths.forEach((path, n) => {
    const list = lists[n]!;
    if (list.length === 0) return;
    const room = maxBytes - bytesOf(cut) - 8;
    let { kept } = firstThatFit(list, Math.max(room, 0));
    // firstThatFit keeps a first item of any size: here one that does not fit is left out
    if (kept.length === 1 && bytesOf(kept[0]) + 1 > room) kept = [];
    dropped += list.length - kept.length;
    cut = withValueAt(cut, path, kept);
  });
  return { ...cut, omitted: omitted + dropped } as T & { omitted: number; hint: string };
}

function bytesOf(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

function valueAt(value: unknown, path: readonly string[]): unknown {
  let at = value;
  for (const key of path)
    at = at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
  return at;
}

/** A copy of `value` with `replacement` at `path` (whose tables exist). */
function withValueAt(
  value: Record<string, unknown>,
  path: readonly string[],
  replacement: unknown,
): Record<string, unknown> {
  const [key, ...rest] = path as [string, ...string[]];
  const inner = value[key] as Record<string, unknown>;
  return { ...value, [key]: rest.length === 0 ? replacement : withValueAt(inner, rest, replacement) };
}
