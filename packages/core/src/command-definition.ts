import type { Subscription, VelosControl } from './control.js';

/** What the REST routes and MCP tools need to know about a command besides its types. */
export interface CommandTraits {
  /** One line for help texts, the OpenAPI summary and the MCP tool description. */
  description: string;
  /** It only reads the daemon's state. */
  isReadOnly: boolean;
  /** Sending it again with the same payload changes nothing more. */
  isIdempotent: boolean;
  /** It may stop or remove processes, or throw data away. */
  isDestructive: boolean;
  /** It takes no arguments: its payload is `{}` (checked without loading a schema). */
  hasNoPayload?: boolean;
}

/** `VelosControl` methods that answer once. */
export type RequestMethod = {
  [M in keyof VelosControl]: ReturnType<VelosControl[M]> extends Promise<unknown> ? M : never;
}[keyof VelosControl];
/** `VelosControl` methods that answer with a subscription. */
export type StreamMethod = Exclude<keyof VelosControl, RequestMethod>;
/** The arguments of method `M`. */
export type Args<M extends keyof VelosControl> = Parameters<VelosControl[M]>;
/** What request method `M` resolves with. */
export type Value<M extends RequestMethod> = Awaited<ReturnType<VelosControl[M]>>;
/** The items of stream method `M`. */
export type ItemOf<M extends StreamMethod> =
  ReturnType<VelosControl[M]> extends Subscription<infer T> ? T : never;

/**
 * A request/response command: the `VelosControl` method that serves it, and how the method's
 * arguments become the payload and back, and its value the result and back.
 */
export interface RequestCommand<M extends RequestMethod, Req, Res> extends CommandTraits {
  kind: 'request';
  method: M;
  toPayload: (...args: Args<M>) => Req;
  toArgs: (payload: Req) => Args<M>;
  toResult: (value: Value<M>) => Res;
  fromResult: (result: Res) => Value<M>;
  /** Further methods answered by this command, each a projection of the method's value. */
  views?: Views<M>;
}

/** Methods that answer with a projection of the value of method `M`, by name. */
export type Views<M extends RequestMethod> = { [V in RequestMethod]?: (value: Value<M>) => Value<V> };

/** A streaming command: like a request, with items instead of one result. */
export interface StreamCommand<M extends StreamMethod, Req, Item> extends CommandTraits {
  kind: 'stream';
  method: M;
  toPayload: (...args: Args<M>) => Req;
  toArgs: (payload: Req) => Args<M>;
  toItem: (value: ItemOf<M>) => Item;
  fromItem: (item: Item) => ItemOf<M>;
}

/** A table entry as the generic derivations (client, dispatcher, validation) walk it, without its types. */
export type CommandEntry = CommandTraits & {
  name: string;
  method: keyof VelosControl;
  toPayload: (...args: unknown[]) => unknown;
  toArgs: (payload: unknown) => unknown[];
} & (
    | {
        kind: 'request';
        toResult: (value: unknown) => unknown;
        fromResult: (result: unknown) => unknown;
        views?: Partial<Record<keyof VelosControl, (value: unknown) => unknown>>;
      }
    | { kind: 'stream'; toItem: (value: unknown) => unknown; fromItem: (item: unknown) => unknown }
  );

/** Types one request/response entry of the table (`V` keeps the names of its views in its type). */
export function requestCommand<M extends RequestMethod, Req, Res, V extends Views<M> = Record<never, never>>(
  entry: Omit<RequestCommand<M, Req, Res>, 'kind' | 'views'> & { views?: V },
): Omit<RequestCommand<M, Req, Res>, 'views'> & { views?: V } {
  return { kind: 'request', ...entry };
}

/** Types one streaming entry of the table. */
export function streamCommand<M extends StreamMethod, Req, Item>(
  entry: Omit<StreamCommand<M, Req, Item>, 'kind'>,
): StreamCommand<M, Req, Item> {
  return { kind: 'stream', ...entry };
}
