import type { Subscription, VelosControl } from './control.js';
import { commandEntries } from './protocol-commands.js';

/** Where a remote `VelosControl` sends its commands: a socket client, later an HTTP client. */
export interface CommandTransport {
  /** Sends one request/response command and resolves with its result. */
  request(cmd: string, payload: unknown): Promise<unknown>;
  /** Opens a streaming command. */
  stream(cmd: string, payload: unknown): Subscription<unknown>;
}

/**
 * A `VelosControl` whose every method sends its command through `transport`, derived from
 * `PROTOCOL_COMMANDS`: arguments become the payload, the result becomes the method's value.
 * @example
 * const control = createRemoteControl({ request: (cmd, payload) => send(cmd, payload), stream });
 * console.log(await control.list());
 */
export function createRemoteControl(transport: CommandTransport): VelosControl {
  const methods: Record<string, (...args: unknown[]) => unknown> = {};
  for (const entry of commandEntries()) {
    if (entry.kind === 'stream') {
      methods[entry.method] = (...args) =>
        mapSubscription(transport.stream(entry.name, entry.toPayload(...args)), entry.fromItem);
      continue;
    }
    const call = async (args: unknown[]) =>
      entry.fromResult(await transport.request(entry.name, entry.toPayload(...args)));
    methods[entry.method] = (...args) => call(args);
    for (const [view, project] of Object.entries(entry.views ?? {})) {
      methods[view] = async (...args) => project(await call(args));
    }
  }
  return methods as unknown as VelosControl;
}

/** A subscription whose items are `map` of the items of `source`; cancelling it cancels `source`. */
export function mapSubscription<T, U>(source: Subscription<T>, map: (item: T) => U): Subscription<U> {
  return {
    cancel: () => source.cancel(),
    [Symbol.asyncIterator]() {
      const inner = source[Symbol.asyncIterator]();
      return {
        async next(): Promise<IteratorResult<U>> {
          const result = await inner.next();
          return result.done ? { done: true, value: undefined } : { done: false, value: map(result.value) };
        },
        async return(): Promise<IteratorResult<U>> {
          source.cancel();
          return { done: true, value: undefined };
        },
      };
    },
  };
}
