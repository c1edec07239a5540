/** A value that `waitFor` accepts as done. */
export type Truthy<T> = Exclude<NonNullable<T>, false | 0 | ''>;

/** How long and how often `waitFor` polls, and what it waits for (named in the timeout error). */
export interface WaitForOptions {
  /** What is awaited, e.g. `the daemon of /tmp/x to answer ping`; a function is read only on timeout. */
  what?: string | (() => string);
  /** Alias of `what`, as the end-to-end helpers named it. */
  message?: string | (() => string);
  /** Deadline from the first call; 20 s unless told. */
  timeoutMs?: number;
  /** Pause between two checks; 25 ms unless told. */
  intervalMs?: number;
}

/** Deadline of a wait when the caller names none. */
export const DEFAULT_WAIT_TIMEOUT_MS = 20_000;
/** Pause between two checks when the caller names none. */
export const DEFAULT_WAIT_INTERVAL_MS = 25;

/**
 * Polls `check` until it returns a truthy value (a throw counts as "not yet") or the deadline passes;
 * the timeout error names what was awaited, the time waited and the last value or error seen.
 * @example await waitFor(() => existsSync(pidFile), 'the pid file', 10_000);
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  what: string | WaitForOptions = {},
  timeoutMs?: number,
): Promise<Truthy<T>> {
  const options: WaitForOptions = typeof what === 'string' ? { what } : what;
  const limitMs = timeoutMs ?? options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  const intervalMs = options.intervalMs ?? DEFAULT_WAIT_INTERVAL_MS;
  const deadline = Date.now() + limitMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as Truthy<T>;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      const named = options.what ?? options.message ?? 'a condition';
      const awaited = typeof named === 'function' ? named() : named;
      throw new Error(`timed out after ${limitMs} ms waiting for ${awaited}; last: ${describe(last)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  try {
    return JSON.stringify(value)?.slice(0, 500) ?? String(value);
  } catch {
    return String(value);
  }
}
