/** Where a stream handler sends its items; `end(error)` ends it with an error response. */
export interface StreamSink {
  push(item: unknown): void;
  end(error?: unknown): void;
  /**
   * Null while the transport sends items at once; else a promise resolved once it does again (its
   * reader caught up, or it closed). Optional: a transport without it takes every item.
   */
  whenWritable?(): Promise<void> | null;
}

/** What the IPC server calls for each request; it never sees frames or sockets. */
export interface CommandDispatcher {
  isStream(cmd: string): boolean;
  /** Answers one request; a rejection becomes an `error` response (unknown command included). */
  request(cmd: string, payload: unknown): Promise<unknown>;
  /** Opens a stream and resolves to the function that cancels it. */
  stream(cmd: string, payload: unknown, sink: StreamSink): Promise<() => void>;
}
