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
type Collect = (options?: { type?: 'major'; execution?: 'sync'; flavor?: 'last-resort' }) => void;

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
      collect(LAST_RESORT_GIVES_BACK ? LAST_RESORT : undefined);
    }, RELEASE_DELAY_MS);
    timer.unref();
  };
}

function exposedGc(): Collect | undefined {
  const gc = (globalThis as { gc?: unknown }).gc;
  return typeof gc === 'function' ? (gc as Collect) : undefined;
}
