import { commandEntries, type VelosControl } from '@velos/core';

/** Methods that read the daemon's state and take no argument: concurrent calls can share one answer. */
const SHAREABLE = new Set<keyof VelosControl>(
  commandEntries()
    .filter((entry) => entry.kind === 'request' && entry.isReadOnly && entry.hasNoPayload === true)
    .map((entry) => entry.method),
);
/** Methods that may change the daemon's state. */
const WRITES = new Set<keyof VelosControl>(
  commandEntries()
    .filter((entry) => !entry.isReadOnly)
    .map((entry) => entry.method),
);

/**
 * Wraps `control` so that concurrent calls of an argument-free read (`list`, `metrics`, `health`…)
 * share the one call already in flight, as long as no write made through this control has completed
 * since that call was sent: a client never gets a state older than its own last change. The API's
 * REST routes, WebSocket feeds and MCP endpoint all use it, so ten dashboards polling `list` cost the
 * daemon one request.
 * @example
 * const control = sharedReads(createClient({ home }));
 * await Promise.all([control.list(), control.list()]); // one IPC request
 */
export function sharedReads(control: VelosControl): VelosControl {
  let writesDone = 0;
  const inFlight = new Map<PropertyKey, { generation: number; answer: Promise<unknown> }>();
  return new Proxy(control, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const method = property as keyof VelosControl;
      if (SHAREABLE.has(method)) {
        return (...args: unknown[]) => {
          const current = inFlight.get(property);
          if (args.length === 0 && current !== undefined && current.generation === writesDone) {
            return current.answer;
          }
          const answer = Promise.resolve(value.apply(target, args)).finally(() => {
            if (inFlight.get(property)?.answer === answer) inFlight.delete(property);
          });
          inFlight.set(property, { generation: writesDone, answer });
          return answer;
        };
      }
      if (WRITES.has(method)) {
        return (...args: unknown[]) =>
          Promise.resolve(value.apply(target, args)).finally(() => {
            writesDone += 1;
          });
      }
      return value.bind(target);
    },
  });
}
