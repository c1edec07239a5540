import {
  checkPayloadLimits,
  describeSchemaIssue,
  ErrorCodes,
  findCommand,
  formatPayloadPath,
  type VelosControl,
  VelosError,
} from '@velos/core';
import type { CommandDispatcher } from './ipc-server.js';

/** Options of the command dispatcher. */
export interface DispatcherOptions {
  /** What the commands run on: the supervisor, in the daemon. */
  control: VelosControl;
  /** Called with the command's name once its answer has been handed to the transport (the daemon ends after `kill`). */
  onAnswered?: (cmd: string) => void;
}

type SchemasModule = typeof import('@velos/core/schemas');

let schemasModule: Promise<SchemasModule> | null = null;

/**
 * Serves every command of `PROTOCOL_COMMANDS` with the `VelosControl` method it names, validating
 * payloads with the protocol schemas (loaded on the first payload that needs checking, so an idle
 * daemon never loads zod).
 */
export function createDispatcher(options: DispatcherOptions): CommandDispatcher {
  const { control, onAnswered } = options;
  const methods = control as unknown as Record<string, (...args: unknown[]) => unknown>;

  return {
    isStream: (cmd) => findCommand(cmd)?.kind === 'stream',

    async request(cmd, payload) {
      const entry = findCommand(cmd);
      if (entry?.kind !== 'request') throw unknownCommand(cmd);
      const args = entry.toArgs(await validatePayload(cmd, payload));
      const result = entry.toResult(await methods[entry.method]!(...args));
      // after the answer's write, which runs in this promise's continuation
      if (onAnswered) setImmediate(onAnswered, cmd);
      return result;
    },

    async stream(cmd, payload, sink) {
      const entry = findCommand(cmd);
      if (entry?.kind !== 'stream') throw unknownCommand(cmd);
      const args = entry.toArgs(await validatePayload(cmd, payload));
      const subscription = methods[entry.method]!(...args) as ReturnType<VelosControl['followLogs']>;
      const isPaced = READER_PACED_STREAMS.has(cmd);
      (async () => {
        for await (const value of subscription) {
          sink.push(entry.toItem(value));
          // a follow whose reader is behind takes nothing more: it counts what it skips (followLogs)
          const room = isPaced ? sink.whenWritable?.() : null;
          if (room) await room;
        }
        sink.end();
      })().catch((error) => sink.end(error));
      return () => subscription.cancel();
    },
  };
}

/**
 * Streams whose next item is taken only once the transport sends items at once again: their producer
 * counts what its reader misses meanwhile and says so in the stream (`LogLine.skipped`), or gives it
 * later (the event bus reads a lagging follower's events back from its file), where other streams rely
 * on the connection's bounded queue, which encodes items and drops the oldest.
 */
const READER_PACED_STREAMS = new Set(['logs.follow', 'events.follow']);

/** Issues listed in the `data` of an `INVALID_ARGUMENT` answer. */
const MAX_REPORTED_ISSUES = 10;

/**
 * Checks the payload of command `cmd` cheaply first (sizes and counts, `checkPayloadLimits`), then
 * against its schema, and resolves the parsed payload; the error names the path and what was expected.
 */
export async function validatePayload(cmd: string, payload: unknown): Promise<unknown> {
  const entry = findCommand(cmd);
  if (!entry) throw unknownCommand(cmd);
  // an empty payload of a command without arguments needs no schema, and so no zod
  if (entry.hasNoPayload && isEmpty(payload)) return {};
  checkPayloadLimits(cmd, payload);
  schemasModule ??= import('@velos/core/schemas');
  const schema = (await schemasModule).requestSchemas[cmd as keyof SchemasModule['requestSchemas']];
  const result = schema.safeParse(payload ?? {});
  if (result.success) return result.data ?? {};
  // worded as the REST, MCP and WebSocket surfaces word theirs (`lines: expected a number <= 1000000,
  // got 5000000`), with the field and detail a client renames to its own (`--lines`)
  const issues = result.error.issues.slice(0, MAX_REPORTED_ISSUES).map((issue) => {
    const { path, detail } = describeSchemaIssue([issue], payload);
    return { path: formatPayloadPath(path), message: detail };
  });
  const { path: field, message: detail } = issues[0]!;
  throw new VelosError(ErrorCodes.INVALID_ARGUMENT, `${cmd}: ${field || 'payload'}: ${detail}`, {
    data: { field: field || 'payload', detail, issues },
  });
}

function unknownCommand(cmd: string): VelosError {
  return new VelosError(ErrorCodes.UNKNOWN_COMMAND, `unknown command '${cmd}'`, { data: { cmd } });
}

function isEmpty(payload: unknown): boolean {
  if (payload === undefined || payload === null) return true;
  if (typeof payload !== 'object' || Array.isArray(payload)) return false;
  // stops at the first key: a huge payload of an empty-payload command costs nothing here
  for (const key in payload) if (Object.hasOwn(payload, key)) return false;
  return true;
}
