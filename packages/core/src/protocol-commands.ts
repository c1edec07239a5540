import type { AppSpec } from './app-spec.js';
import type { Subscription, VelosControl } from './control.js';
import type { ProcessInfo } from './process-info.js';
import type { LogsRequest, LogsResult, TargetRequest } from './protocol.js';

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

type RequestMethod = {
  [M in keyof VelosControl]: ReturnType<VelosControl[M]> extends Promise<unknown> ? M : never;
}[keyof VelosControl];
type StreamMethod = Exclude<keyof VelosControl, RequestMethod>;
type Args<M extends keyof VelosControl> = Parameters<VelosControl[M]>;
type Value<M extends RequestMethod> = Awaited<ReturnType<VelosControl[M]>>;
type ItemOf<M extends StreamMethod> = ReturnType<VelosControl[M]> extends Subscription<infer T> ? T : never;

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

type EnvRequest = TargetRequest & { env?: Record<string, string> };

const READS = { isReadOnly: true, isIdempotent: true, isDestructive: false } as const;
const noPayload = { hasNoPayload: true, toPayload: (): Record<string, never> => ({}), toArgs: (): [] => [] };
const targetPayload = {
  toPayload: (target: string): TargetRequest => ({ target }),
  toArgs: (payload: TargetRequest): [string] => [payload.target],
};
const optionalTargetPayload = {
  toPayload: (target?: string): { target?: string } => (target === undefined ? {} : { target }),
  toArgs: (payload: { target?: string }): [string?] => (payload.target === undefined ? [] : [payload.target]),
};
const envPayload = {
  toPayload: (target: string, options: { env?: Record<string, string> } = {}): EnvRequest =>
    options.env === undefined ? { target } : { target, env: options.env },
  toArgs: (payload: EnvRequest): [string, { env?: Record<string, string> }?] =>
    payload.env === undefined ? [payload.target] : [payload.target, { env: payload.env }],
};
const logsPayload = {
  toPayload: (request: LogsRequest) => request,
  toArgs: (payload: LogsRequest): [LogsRequest] => [payload],
};
const processesResult = {
  toResult: (processes: ProcessInfo[]) => ({ processes }),
  fromResult: (result: { processes: ProcessInfo[] }) => result.processes,
};
const sameResult = <T>() => ({ toResult: (value: T) => value, fromResult: (result: T) => result });

/**
 * Every command of the protocol, defined once: the protocol types (`CommandMap`), the client's
 * methods, the daemon's dispatcher and in-process validation derive from it, and so do the REST
 * routes and MCP tools. Request schemas are in `@velos/core/schemas`, by the same names, so this
 * table loads no zod.
 */
export const PROTOCOL_COMMANDS = {
  ping: request({
    method: 'ping',
    description: "The daemon's version, pid, uptime and process count, and its restore warnings.",
    ...READS,
    ...noPayload,
    ...sameResult<Value<'ping'>>(),
  }),
  start: request({
    method: 'start',
    description: 'Starts apps from their specs (all or nothing).',
    isReadOnly: false,
    isIdempotent: false,
    isDestructive: false,
    toPayload: (apps: AppSpec[]) => ({ apps }),
    toArgs: (payload: { apps: AppSpec[] }): [AppSpec[]] => [payload.apps],
    ...processesResult,
  }),
  stop: request({
    method: 'stop',
    description: "Stops the target's processes; they stay listed.",
    isReadOnly: false,
    isIdempotent: true,
    isDestructive: true,
    ...targetPayload,
    ...processesResult,
  }),
  restart: request({
    method: 'restart',
    description: "Restarts the target's processes, optionally with a new env.",
    isReadOnly: false,
    isIdempotent: false,
    isDestructive: true,
    ...envPayload,
    ...processesResult,
  }),
  reload: request({
    method: 'reload',
    description:
      'Replaces cluster instances one at a time, each ready before the old one stops; fork mode restarts.',
    isReadOnly: false,
    isIdempotent: false,
    isDestructive: true,
    ...envPayload,
    ...processesResult,
  }),
  scale: request({
    method: 'scale',
    description: "Sets an app's instance count to N, or changes it by +N or -N.",
    isReadOnly: false,
    isIdempotent: false,
    isDestructive: true,
    toPayload: (name: string, instances: string) => ({ name, instances }),
    toArgs: (payload: { name: string; instances: string }): [string, string] => [
      payload.name,
      payload.instances,
    ],
    ...processesResult,
  }),
  runs: request({
    method: 'runs',
    description: "The run history of the target's jobs, newest first.",
    ...READS,
    toPayload: (target: string, limit?: number): TargetRequest & { limit?: number } =>
      limit === undefined ? { target } : { target, limit },
    toArgs: (payload: TargetRequest & { limit?: number }): [string, number?] =>
      payload.limit === undefined ? [payload.target] : [payload.target, payload.limit],
    toResult: (runs: Value<'runs'>) => ({ runs }),
    fromResult: (result: { runs: Value<'runs'> }) => result.runs,
  }),
  trigger: request({
    method: 'trigger',
    description: "Runs the target's jobs now; a job already running is left alone.",
    isReadOnly: false,
    isIdempotent: false,
    isDestructive: false,
    ...targetPayload,
    ...processesResult,
  }),
  delete: request({
    method: 'delete',
    description: "Stops the target's processes and removes them from the list.",
    isReadOnly: false,
    isIdempotent: true,
    isDestructive: true,
    ...targetPayload,
    ...processesResult,
  }),
  list: request({
    method: 'list',
    description: 'Every process with its status, pid, restarts, CPU and memory.',
    ...READS,
    ...noPayload,
    ...processesResult,
  }),
  describe: request({
    method: 'describe',
    description: "The target's processes in detail: spec, paths, health, jobs.",
    ...READS,
    ...targetPayload,
    toResult: (processes: Value<'describe'>) => ({ processes }),
    fromResult: (result: { processes: Value<'describe'> }) => result.processes,
  }),
  logs: request({
    method: 'logsResult',
    description: 'The most recent captured log lines of the target, and what the byte limit left out.',
    ...READS,
    ...logsPayload,
    ...sameResult<Value<'logsResult'>>(),
    views: { logs: (result: LogsResult) => result.lines },
  }),
  'logs.follow': stream({
    method: 'followLogs',
    description: 'The most recent log lines of the target, then new lines as they are written.',
    ...READS,
    ...logsPayload,
    toItem: (lines: ItemOf<'followLogs'>) => ({ lines }),
    fromItem: (item: { lines: ItemOf<'followLogs'> }) => item.lines,
  }),
  flush: request({
    method: 'flush',
    description: "Empties the target's log files; resolves their paths.",
    isReadOnly: false,
    isIdempotent: true,
    isDestructive: true,
    ...optionalTargetPayload,
    toResult: (flushed: string[]) => ({ flushed }),
    fromResult: (result: { flushed: string[] }) => result.flushed,
  }),
  reloadLogs: request({
    method: 'reloadLogs',
    description: "Closes and reopens the target's log files by path, for external rotators.",
    isReadOnly: false,
    isIdempotent: true,
    isDestructive: false,
    ...optionalTargetPayload,
    toResult: (reopened: string[]) => ({ reopened }),
    fromResult: (result: { reopened: string[] }) => result.reopened,
  }),
  save: request({
    method: 'save',
    description: 'Writes the process list to the state file, for resurrect and the next daemon start.',
    isReadOnly: false,
    isIdempotent: true,
    isDestructive: false,
    ...noPayload,
    ...sameResult<Value<'save'>>(),
  }),
  resurrect: request({
    method: 'resurrect',
    description: 'Starts the apps of the last save again.',
    isReadOnly: false,
    isIdempotent: false,
    isDestructive: false,
    ...noPayload,
    ...sameResult<Value<'resurrect'>>(),
  }),
  kill: request({
    method: 'kill',
    description: 'Saves the state, stops every process and ends the daemon.',
    isReadOnly: false,
    isIdempotent: false,
    isDestructive: true,
    ...noPayload,
    ...sameResult<Value<'kill'>>(),
  }),
};

type Table = typeof PROTOCOL_COMMANDS;
type RequestName = { [K in keyof Table]: Table[K]['kind'] extends 'request' ? K : never }[keyof Table];
type StreamName = Exclude<keyof Table, RequestName>;

/** Request payloads and results of every request/response command, by name (derived from `PROTOCOL_COMMANDS`). */
export type CommandMap = {
  [K in RequestName]: {
    req: ReturnType<Table[K]['toPayload']>;
    res: Table[K] extends { toResult: (value: never) => infer Res } ? Res : never;
  };
};

/** Request payloads and items of every streaming command, by name (derived from `PROTOCOL_COMMANDS`). */
export type StreamCommandMap = {
  [K in StreamName]: {
    req: ReturnType<Table[K]['toPayload']>;
    item: Table[K] extends { toItem: (value: never) => infer Item } ? Item : never;
  };
};

/** Name of a request/response command. */
export type CommandName = keyof CommandMap;
/** Name of a streaming command. */
export type StreamCommandName = keyof StreamCommandMap;

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

// The one place the typed table is seen untyped; the entries' own types were checked where they are written.
const ENTRIES = new Map<string, CommandEntry>(
  Object.entries(PROTOCOL_COMMANDS).map(([name, entry]) => [
    name,
    { ...entry, name } as unknown as CommandEntry,
  ]),
);

/** Every command the daemon knows, in table order. */
export const COMMAND_NAMES: readonly (CommandName | StreamCommandName)[] = [...ENTRIES.keys()] as (
  | CommandName
  | StreamCommandName
)[];

/** The entries of every command, in table order. */
export function commandEntries(): readonly CommandEntry[] {
  return [...ENTRIES.values()];
}

/** The entry of the command called `name`, or undefined for an unknown name. */
export function findCommand(name: string): CommandEntry | undefined {
  return ENTRIES.get(name);
}

// `V` keeps the names of an entry's views in its type, so the test of served methods sees them.
function request<M extends RequestMethod, Req, Res, V extends Views<M> = Record<never, never>>(
  entry: Omit<RequestCommand<M, Req, Res>, 'kind' | 'views'> & { views?: V },
): Omit<RequestCommand<M, Req, Res>, 'views'> & { views?: V } {
  return { kind: 'request', ...entry };
}

function stream<M extends StreamMethod, Req, Item>(
  entry: Omit<StreamCommand<M, Req, Item>, 'kind'>,
): StreamCommand<M, Req, Item> {
  return { kind: 'stream', ...entry };
}
