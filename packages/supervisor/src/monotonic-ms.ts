/**
 * Milliseconds on the monotonic clock, which a wall-clock jump (NTP step, `date -s`) does not move; the
 * origin is arbitrary, so only differences mean something. It reads `process.hrtime`, not
 * `performance.now()`: the first use of the global `performance` loads `perf_hooks` into the daemon
 * (issue 17: 0.5–0.8 MB of RSS on Node 20, 1.3 MB on Node 24, paid when the first app came online).
 */
export function monotonicMs(): number {
  const [seconds, nanoseconds] = process.hrtime();
  return seconds * 1000 + nanoseconds / 1e6;
}
