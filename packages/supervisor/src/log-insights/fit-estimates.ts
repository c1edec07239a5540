/**
 * Estimated counts made to add up to what is known: a sampled summary counts every line of its range
 * (`lines` is exact) and its error and fatal lines (all watched), but its other levels and its
 * continuation lines are a sample's, scaled up, so they added up to a little more or less than the
 * lines it says it read (211 error · 9,825 warn · 189,610 info of 200,000 lines). The estimates are
 * scaled to the room the exact counts leave and rounded by largest remainder, so they sum to it
 * exactly and keep their proportions; a count of 0 stays 0.
 *
 * @example
 * fitEstimates({ warn: 9825, info: 189610 }, 199789); // { warn: 9842, info: 189947 }
 */
export function fitEstimates<K extends string>(
  estimates: Record<K, number>,
  room: number,
): Record<K, number> {
  const keys = Object.keys(estimates) as K[];
  const sum = keys.reduce((total, key) => total + estimates[key], 0);
  if (sum <= 0 || room <= 0) return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
  const scaled = keys.map((key) => {
    const exact = (estimates[key] * room) / sum;
    return { key, whole: Math.floor(exact), remainder: exact - Math.floor(exact) };
  });
  let left = room - scaled.reduce((total, entry) => total + entry.whole, 0);
  for (const entry of [...scaled].sort((a, b) => b.remainder - a.remainder)) {
    if (left <= 0) break;
    entry.whole += 1;
    left -= 1;
  }
  return Object.fromEntries(scaled.map((entry) => [entry.key, entry.whole])) as Record<K, number>;
}
