/** The subscriber side of an emitter: what observers are given. */
export interface EventSource<E> {
  /** Calls `listener` with every event from now on; returns the function that unsubscribes it. */
  subscribe(listener: (event: E) => void): () => void;
  /** Stops calling `listener` (nothing when it is not subscribed). */
  unsubscribe(listener: (event: E) => void): void;
}

/** A synchronous in-process emitter of one event type. */
export interface Emitter<E> extends EventSource<E> {
  /** Calls every subscriber in subscription order; one that throws is reported and the others still run. */
  emit(event: E): void;
}

/** Creates an emitter; `onListenerError` receives what a subscriber throws (an emit never throws). */
export function createEmitter<E>(onListenerError: (error: unknown) => void = () => undefined): Emitter<E> {
  const listeners = new Set<(event: E) => void>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    unsubscribe(listener) {
      listeners.delete(listener);
    },
    emit(event) {
      for (const listener of [...listeners]) {
        try {
          listener(event);
        } catch (error) {
          onListenerError(error);
        }
      }
    },
  };
}
