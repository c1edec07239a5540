/** The most instances one app may have (the daemon's limit). */
export const MAX_INSTANCES = 1024;

/** What the scale box asks for: the instance count it leads to, or why it cannot be done. */
export type ScaleTarget = { count: number; error?: undefined } | { count?: undefined; error: string };

/**
 * Reads the scale box of an app that has `current` instances the way the daemon does: a whole number
 * N, or +N / -N to add or remove instances, leading to 1 to 1024 instances. Anything else (empty,
 * `1.5`, `-5` on a 1-instance app, `99999`) is an error that says what is expected, before any
 * confirmation is asked.
 */
export function scaleTarget(app: string, current: number, input: string): ScaleTarget {
  const text = input.trim();
  const match = /^([+-]?)(\d+)$/.exec(text);
  if (!match) {
    return {
      error: `expected a whole number of instances N (1 to ${MAX_INSTANCES}), +N or -N, got ${JSON.stringify(text)}`,
    };
  }
  const n = Number(match[2]);
  const count = match[1] === '+' ? current + n : match[1] === '-' ? current - n : n;
  if (count < 1 || count > MAX_INSTANCES) {
    const what =
      match[1] === '' ? `${n} instances` : `${text} gives ${count} instances (${app} has ${current})`;
    return {
      error: `${what}: expected 1 to ${MAX_INSTANCES} (stop or delete the app to run none)`,
    };
  }
  return { count };
}
