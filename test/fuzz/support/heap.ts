import WebSocket from 'ws';

/**
 * The Node.js flag that opens the inspector on a free loopback port; the process prints its DevTools
 * URL on stderr ("Debugger listening on ws://127.0.0.1:<port>/<id>"), which `inspectorUrlIn` reads.
 */
export const INSPECT_FLAG = '--inspect=127.0.0.1:0';

/** A process's memory after a full garbage collection, in MB. */
export interface HeapAfterGc {
  /** V8 heap in use (`process.memoryUsage().heapUsed`). */
  heap: number;
  /** Memory of Buffers and ArrayBuffers held by live objects (`external`), outside the V8 heap. */
  external: number;
  /** heap + external: what a leak of JS objects or of retained buffers makes grow. */
  total: number;
}

/** The DevTools URL in what a process started with `INSPECT_FLAG` wrote, or undefined before it did. */
export function inspectorUrlIn(output: string): string | undefined {
  return /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[\w-]+)/.exec(output)?.[1];
}

/**
 * Connects to a process's inspector (Chrome DevTools Protocol), runs a full garbage collection
 * (`HeapProfiler.collectGarbage`: V8's low-memory notification, several full mark-compacts) and reads
 * `process.memoryUsage()`; then disconnects. What it reads does not depend on when the process last
 * collected, as RSS does (RSS swings by tens of MB with GC timing and the allocator).
 */
export async function heapAfterGc(url: string, timeoutMs = 30_000): Promise<HeapAfterGc> {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  const timer = setTimeout(() => socket.terminate(), timeoutMs);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
      socket.once('close', () => reject(new Error(`inspector ${url} closed (timeout ${timeoutMs} ms?)`)));
    });
    const call = devtoolsCaller(socket, url);
    await call('HeapProfiler.collectGarbage');
    const answer = (await call('Runtime.evaluate', {
      expression: 'JSON.stringify(process.memoryUsage())',
      returnByValue: true,
    })) as { result: { value: string } };
    const usage = JSON.parse(answer.result.value) as { heapUsed: number; external: number };
    const mb = (bytes: number) => bytes / 1024 / 1024;
    return {
      heap: mb(usage.heapUsed),
      external: mb(usage.external),
      total: mb(usage.heapUsed + usage.external),
    };
  } finally {
    clearTimeout(timer);
    socket.terminate();
  }
}

/** Sends DevTools commands over `socket`; each resolves with its result or rejects with its error. */
function devtoolsCaller(socket: WebSocket, url: string) {
  let nextId = 1;
  const pending = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as {
      id?: number;
      result?: unknown;
      error?: { message: string };
    };
    const waiter = message.id === undefined ? undefined : pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id!);
    if (message.error) waiter.reject(new Error(`inspector ${url}: ${message.error.message}`));
    else waiter.resolve(message.result);
  });
  socket.on('close', () => {
    for (const waiter of pending.values()) waiter.reject(new Error(`inspector ${url} closed`));
    pending.clear();
  });
  return (method: string, params: Record<string, unknown> = {}): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = nextId;
      nextId += 1;
      pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params }));
    });
}

/**
 * How much the heap after a GC grew from the first batch to the last, in MB; the first batch is the
 * baseline because it warms the process up (modules loaded on first use, code compiled, pools filled).
 */
export function growthMb(afterEachBatch: readonly HeapAfterGc[]): number {
  return afterEachBatch.at(-1)!.total - afterEachBatch[0]!.total;
}

/** `12.3, 12.5, 12.4 MB`: a series of heaps after a GC, for a log line or a failure message. */
export function formatHeaps(afterEachBatch: readonly HeapAfterGc[]): string {
  return `${afterEachBatch.map((h) => h.total.toFixed(1)).join(', ')} MB`;
}
