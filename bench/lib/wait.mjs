// Bounded polling: every wait in the harness has a deadline.
import { setTimeout as delay } from 'node:timers/promises';

/** Wall-clock epoch milliseconds with sub-millisecond precision, comparable across processes. */
export function epochMs() {
  return performance.timeOrigin + performance.now();
}

/**
 * Calls `check` every `intervalMs` until it returns a truthy value (which is returned), or throws once
 * `timeoutMs` has passed, naming `what` was awaited.
 */
export async function waitFor(check, { timeoutMs, intervalMs = 50, what = 'a condition' }) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (performance.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(intervalMs);
  }
}

/** Waits for `promise` to settle, but never longer than `timeoutMs` (then resolves with undefined). */
export async function settleWithin(promise, timeoutMs) {
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  try {
    return await Promise.race([promise.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
