import {
  type CommandMap,
  type CommandName,
  checkPayloadLimits,
  ErrorCodes,
  formatPayloadPath,
  type LogsRequest,
  type StreamCommandName,
  VelosError,
} from '@velos/core';
import type { CommandDispatcher } from './ipc-server.js';
import type { Supervisor } from './supervisor.js';

/** Options of the command dispatcher. */
export interface DispatcherOptions {
  supervisor: Supervisor;
  /** Called once the `kill` answer has been handed to the socket: the host shuts down. */
  onKill?: () => void;
}

type SchemasModule = typeof import('@velos/core/schemas');
type Handlers = { [K in CommandName]: (payload: CommandMap[K]['req']) => Promise<unknown> };

/** Commands whose payload is empty: an absent or `{}` payload needs no schema (and no zod). */
const EMPTY_PAYLOAD_COMMANDS = new Set<string>(['ping', 'list', 'save', 'resurrect', 'kill']);
const STREAM_COMMANDS = new Set<string>(['logs.follow'] satisfies StreamCommandName[]);

let schemasModule: Promise<SchemasModule> | null = null;

/**
 * Maps every protocol command onto a `Supervisor`, validating payloads with the protocol schemas
 * (loaded on the first payload that needs checking, so an idle daemon never loads zod).
 */
export function createDispatcher(options: DispatcherOptions): CommandDispatcher {
  const { supervisor } = options;
  const handlers: Handlers = {
    ping: async () => ({ ...(await supervisor.ping()), warnings: supervisor.warnings() }),
    start: async (req) => ({ processes: await supervisor.start(req.apps) }),
    stop: async (req) => ({ processes: await supervisor.stop(req.target) }),
    restart: async (req) => ({
      processes: await supervisor.restart(req.target, req.env ? { env: req.env } : undefined),
    }),
    delete: async (req) => ({ processes: await supervisor.delete(req.target) }),
    list: async () => ({ processes: await supervisor.list() }),
    describe: async (req) => ({ processes: await supervisor.describe(req.target) }),
    logs: async (req) => supervisor.logsResult(req ?? {}),
    flush: async (req) => ({ flushed: await supervisor.flush(req?.target) }),
    reload: async (req) => ({
      processes: await supervisor.reload(req.target, req.env ? { env: req.env } : undefined),
    }),
    scale: async (req) => ({ processes: await supervisor.scale(req.name, req.instances) }),
    runs: async (req) => ({ runs: await supervisor.runs(req.target, req.limit) }),
    trigger: async (req) => ({ processes: await supervisor.trigger(req.target) }),
    reloadLogs: async (req) => ({ reopened: await supervisor.reloadLogs(req?.target) }),
    save: () => supervisor.save(),
    resurrect: async () => ({ processes: await supervisor.resurrect(), warnings: supervisor.warnings() }),
    kill: async () => {
      const result = await supervisor.kill();
      // after the answer's write, which runs in this promise's continuation
      if (options.onKill) setImmediate(options.onKill);
      return result;
    },
  };

  return {
    isStream: (cmd) => STREAM_COMMANDS.has(cmd),

    async request(cmd, payload) {
      if (!Object.hasOwn(handlers, cmd)) {
        throw new VelosError(ErrorCodes.UNKNOWN_COMMAND, `unknown command '${cmd}'`, { data: { cmd } });
      }
      const name = cmd as CommandName;
      const handler = handlers[name] as (payload: unknown) => Promise<unknown>;
      return handler(await validatePayload(name, payload));
    },

    async stream(cmd, payload, sink) {
      if (cmd !== 'logs.follow') {
        throw new VelosError(ErrorCodes.UNKNOWN_COMMAND, `unknown command '${cmd}'`, { data: { cmd } });
      }
      const request = (await validatePayload(cmd, payload)) as LogsRequest;
      const subscription = supervisor.followLogs(request ?? {});
      (async () => {
        for await (const lines of subscription) sink.push({ lines });
        sink.end();
      })().catch((error) => sink.end(error));
      return () => subscription.cancel();
    },
  };
}

/** Issues listed in the `data` of an `INVALID_ARGUMENT` answer. */
const MAX_REPORTED_ISSUES = 10;

/**
 * Checks a payload cheaply first (sizes and counts, `checkPayloadLimits`), then against the
 * command's schema; the error names the path and what was expected.
 */
export async function validatePayload(
  cmd: CommandName | StreamCommandName,
  payload: unknown,
): Promise<unknown> {
  if (EMPTY_PAYLOAD_COMMANDS.has(cmd) && isEmpty(payload)) return {};
  checkPayloadLimits(cmd, payload);
  schemasModule ??= import('@velos/core/schemas');
  const schema = (await schemasModule).requestSchemas[cmd];
  const result = schema.safeParse(payload ?? {});
  if (result.success) return result.data ?? {};
  const issues = result.error.issues.slice(0, MAX_REPORTED_ISSUES);
  const path = formatPayloadPath(issues[0]!.path);
  throw new VelosError(ErrorCodes.INVALID_ARGUMENT, `${cmd}: ${path || 'payload'}: ${issues[0]!.message}`, {
    data: { issues: issues.map((i) => ({ path: formatPayloadPath(i.path), message: i.message })) },
  });
}

function isEmpty(payload: unknown): boolean {
  if (payload === undefined || payload === null) return true;
  if (typeof payload !== 'object' || Array.isArray(payload)) return false;
  // stops at the first key: a huge payload of an empty-payload command costs nothing here
  for (const key in payload) if (Object.hasOwn(payload, key)) return false;
  return true;
}
