/** How long after the last large release of a burst the collection runs: one collection per burst. */
const RELEASE_DELAY_MS = 1000;

/**
 * V8 12+ (Node 22+): a last-resort collection also gives back the heap pages it emptied (Node 24 kept
 * ~30 MB of them after a logs load with a plain one). On Node 20's V8 the same call left RSS ~20 MB
 * higher than a plain collection (bench/logs-load.mjs), so there it is a plain one.
 */
const LAST_RESORT_GIVES_BACK = Number(process.versions.v8.split('.')[0]) >= 12;
const LAST_RESORT = { type: 'major', execution: 'sync', flavor: 'last-resort' } as const;

/** Bytes of unfinished frames whose release is worth a collection. */
export const RELEASE_WORTHY_BYTES = 1024 * 1024;

/** V8's `gc` of `--expose-gc`; the options are ignored by a V8 that does not know them. */
type Collect = (options?: { type?: 'major' | 'minor'; execution?: 'sync'; flavor?: 'last-resort' }) => void;

/**
 * Frees the memory of large buffers the daemon dropped (the unfinished frames of closed connections,
 * large answers once sent, what a connection that got them held) soon after the drop, with one full
 * collection a second after the last drop of a burst: an idle daemon allocates too little for V8 to collect
 * them itself, and Node 24 kept ~11 MB of such buffers for good. Needs the daemon's `--expose-gc` flag;
 * without it this does nothing.
 */
export function createMemoryRelease(collect: Collect | undefined = exposedGc()): () => void {
  let timer: NodeJS.Timeout | null = null;
  return () => {
    if (!collect) return;
    if (timer) {
      timer.refresh();
      return;
    }
    timer = setTimeout(() => {
      timer = null;
      collectFully(collect);
    }, RELEASE_DELAY_MS);
    timer.unref();
  };
}

/**
 * How long the daemon must have answered no request before an idle collection. On Node 20 a collection
 * sooner than ~3 s after the start-up's allocations leaves the young generation at its grown size (V8
 * still sees a high allocation rate).
 */
const QUIET_MS = 3000;
/** Idle collections are at least this far apart. */
const MIN_GAP_MS = 10_000;

/**
 * Gives back the memory a burst of work left behind once the daemon is idle again: one full
 * collection when no request came for 3 s, at most one per 10 s. Startup and a burst of requests
 * (starting apps, listing them) leave the young generation at its largest size and old pages half
 * used, which V8 keeps while nothing allocates (about 1.5 MB of an idle daemon on Node 20, 2.6 MB on
 * Node 24). `touch` is called at the end of startup and after every answered request.
 */
export function createIdleCollection(
  collect: Collect | undefined = exposedGc(),
  now: () => number = nowMs,
): { touch(): void } {
  let timer: NodeJS.Timeout | null = null;
  let lastAt = Number.NEGATIVE_INFINITY;
  const run = (): void => {
    timer = null;
    lastAt = now();
    if (collect) collectFully(collect);
  };
  return {
    touch() {
      if (!collect) return;
      const delay = Math.max(QUIET_MS, lastAt + MIN_GAP_MS - now());
      if (timer) clearTimeout(timer);
      timer = setTimeout(run, delay);
      timer.unref();
    },
  };
}

/**
 * A collection that also shrinks the heap: on V8 12+ a last-resort one; on Node 20 a young one first
 * (so that the full one finds the young generation empty and shrinks it) and then a full one.
 */
function collectFully(collect: Collect): void {
  if (LAST_RESORT_GIVES_BACK) {
    collect(LAST_RESORT);
    return;
  }
  collect({ type: 'minor' });
  collect();
}

/** Monotonic ms (not `performance.now()`: the global `performance` loads perf_hooks into the daemon). */
function nowMs(): number {
  return Number(process.hrtime.bigint() / 1_000_000n);
}

function exposedGc(): Collect | undefined {
  const gc = (globalThis as { gc?: unknown }).gc;
  return typeof gc === 'function' ? (gc as Collect) : undefined;
}
