import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  type ToolAnnotations,
} from '@modelcontextprotocol/sdk/types.js';
import {
  ErrorCodes,
  findCommand,
  isVelosError,
  type OptionSpelling,
  parseDurationMs,
  parseTimeBound,
  quoteValue,
  renameField,
  spellOptions,
  TARGET_MAX_CHARS,
  timeBoundProblem,
  type VelosControl,
  VelosError,
} from '@velos/core';
import * as z from 'zod';
import { argumentsError } from './tool-arguments.js';

/** What every tool runs against: the control, and the MCP server's own working directory and environment. */
export interface ToolContext {
  control: VelosControl;
  /** Relative script and config paths of `process_start` resolve against it. */
  cwd: string;
  /** The environment started apps inherit (as with `velos start`). */
  env: NodeJS.ProcessEnv;
  cpuCount: number;
  /** How long a tool that reads waits for its answer, and one that acts (`REQUEST_BOUNDS_MS`). */
  boundsMs: RequestBounds;
}

/** How long a tool call waits for the daemon, in ms: a tool that only reads, and one that acts. */
export interface RequestBounds {
  readMs: number;
  actionMs: number;
}

/**
 * The defaults of `RequestBounds`: a read three times the daemon's own 10 s budget of a log query
 * (and within the MCP SDK client's 60 s), an action as long as `velos serve` gives one (its work waits
 * for the apps' kill_timeout and listen_timeout). Without them a daemon stopped with SIGSTOP or stuck
 * held every call for as long as the client waited: for ever in a client without a request timeout.
 */
export const REQUEST_BOUNDS_MS: RequestBounds = { readMs: 30_000, actionMs: 300_000 };

/** One MCP tool: its name, the protocol command it maps to, its input fields and what it answers. */
export interface ToolDefinition<Shape extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  title: string;
  /** The command of `PROTOCOL_COMMANDS` whose description and traits the tool takes. */
  command: string;
  /** What the answer holds (appended to the command's description). */
  answer: string;
  /** What the tool does, when it does less than its command (else the command's description). */
  description?: string;
  input: Shape;
  /** Payload fields its arguments name otherwise, for errors: `{ grep: 'pattern' }` (`fieldError`). */
  fields?: Readonly<Record<string, string>>;
  run: (args: z.infer<z.ZodObject<Shape>>, ctx: ToolContext) => Promise<unknown>;
}

/** Types one tool definition (keeps the inferred argument type of its input shape). */
export function defineTool<Shape extends z.ZodRawShape>(tool: ToolDefinition<Shape>): ToolDefinition<Shape> {
  return tool;
}

/** The description and annotations of a tool, derived from its command's entry in the protocol table. */
export function toolMeta(tool: ToolDefinition): { description: string; annotations: ToolAnnotations } {
  const entry = findCommand(tool.command);
  if (!entry) throw new Error(`MCP tool ${tool.name}: unknown command ${tool.command}`);
  return {
    description: `${tool.description ?? entry.description} ${tool.answer}`,
    annotations: {
      title: tool.title,
      readOnlyHint: entry.isReadOnly,
      destructiveHint: entry.isDestructive,
      idempotentHint: entry.isIdempotent,
      openWorldHint: false,
    },
  };
}

/**
 * Registers tools on a server; each answer is compact JSON (or text), each failure a tool error.
 * `tools/list` is the SDK's (input schemas from the zod shapes); `tools/call` is answered here, the
 * arguments checked against the tool's shape first: the SDK's own handler would answer arguments that
 * do not fit as `MCP error -32602: Input validation error: …` with one line per issue, where every
 * other failure is one `CODE: message` line (`INVALID_ARGUMENT: limit: expected a number >= 1, got -1`).
 */
export function registerTools(server: McpServer, tools: readonly ToolDefinition[], ctx: ToolContext): void {
  const registered = new Map<string, { tool: ToolDefinition; schema: z.ZodObject; isEnabled(): boolean }>();
  for (const tool of tools) {
    const { description, annotations } = toolMeta(tool);
    // strict: a misspelt argument (`grep` for `pattern`) is refused, not dropped without a word, and
    // tools/list says so (`additionalProperties: false`)
    const schema = z.strictObject(tool.input);
    // the callback is what the SDK would call; the handler below calls runTool itself
    const entry = server.registerTool(
      tool.name,
      { title: tool.title, description, inputSchema: schema, annotations },
      async (args: unknown) => runTool(tool, args, ctx),
    );
    registered.set(tool.name, { tool, schema, isEnabled: () => entry.enabled });
  }
  server.server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const { name, arguments: args = {} } = request.params;
    const found = registered.get(name);
    if (!found?.isEnabled()) {
      const known = `tools/list names the ${registered.size} tools`;
      return toolError(
        new VelosError(ErrorCodes.UNKNOWN_COMMAND, `no tool named ${quoteValue(name)}; ${known}`),
      );
    }
    const parsed = found.schema.safeParse(args);
    if (!parsed.success) {
      return toolError(argumentsError(parsed.error, args, Object.keys(found.tool.input)));
    }
    return runTool(found.tool, parsed.data, ctx);
  });
}

/**
 * Runs a tool: a value becomes one text block; a thrown error an `isError` answer `CODE: message`,
 * an error about a payload field naming the tool's argument (`tool.fields`, else the argument of the
 * field's name).
 */
export async function runTool(
  tool: ToolDefinition,
  args: unknown,
  ctx: ToolContext,
): Promise<CallToolResult> {
  try {
    const value = await withinBound(tool, tool.run(args as never, ctx), ctx.boundsMs);
    return { content: [{ type: 'text', text: typeof value === 'string' ? value : JSON.stringify(value) }] };
  } catch (error) {
    // a field the tool's argument names alike is said without the command (`since: …`, not
    // `logs.search: since: …`, the daemon's form)
    const names = { ...Object.fromEntries(Object.keys(tool.input).map((key) => [key, key])), ...tool.fields };
    const spelt = spellOptions(error, toolOptionSpelling(tool));
    return toolError(await withKnownNames(renameField(spelt, names), ctx.control));
  }
}

/**
 * How a tool names an option an error's message hints at (worded by the daemon as the CLI's flag,
 * `--force`): its argument, `force: true`; none where the tool has no such argument (the hint is
 * left out rather than name an argument the call would be refused for).
 */
function toolOptionSpelling(tool: ToolDefinition): OptionSpelling {
  return (hint) => {
    const name = tool.fields?.[hint.option] ?? hint.option;
    return Object.hasOwn(tool.input, name) ? `${name}: ${JSON.stringify(hint.value ?? true)}` : null;
  };
}

/**
 * `answer`, or a `TIMEOUT` once the tool's bound has passed without it (the daemon's late answer is
 * dropped): a read changed nothing, an action may have taken effect all the same.
 */
async function withinBound<T>(tool: ToolDefinition, answer: Promise<T>, bounds: RequestBounds): Promise<T> {
  const isRead = findCommand(tool.command)?.isReadOnly === true;
  const boundMs = isRead ? bounds.readMs : bounds.actionMs;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const after = isRead
        ? 'this read changed nothing: call again later'
        : `it may have taken effect all the same: read the state (process_list) before calling ${tool.name} again`;
      const message = `the Velos daemon did not answer ${tool.name} within ${boundMs / 1000} s: it is stopped (kill -STOP) or stuck, ask the user to check it (velos ping); ${after}`;
      reject(new VelosError(ErrorCodes.TIMEOUT, message));
    }, boundMs);
  });
  try {
    return await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Names a TARGET_NOT_FOUND lists at most (a fleet of hundreds would flood the line). */
const KNOWN_NAMES_MAX = 20;

/**
 * A target that matches nothing, with the names that exist: a misspelt name is fixed without another
 * call (`no process matches 'api'; processes: api-gw, worker`).
 */
async function withKnownNames(error: unknown, control: VelosControl): Promise<unknown> {
  if (!isVelosError(error) || error.code !== ErrorCodes.TARGET_NOT_FOUND) return error;
  const names = await control.list().then(
    (processes) => [...new Set(processes.map((p) => p.name))],
    () => null,
  );
  if (names === null) return error;
  const shown = names.slice(0, KNOWN_NAMES_MAX).join(', ');
  const more = names.length > KNOWN_NAMES_MAX ? ` and ${names.length - KNOWN_NAMES_MAX} more` : '';
  const known = names.length === 0 ? 'no process exists' : `processes: ${shown}${more}`;
  return new VelosError(error.code, `${error.message}; ${known}`, { data: error.data, cause: error });
}

/** A failure as a tool error: one text block, `CODE: message`. */
function toolError(error: unknown): CallToolResult {
  return { content: [{ type: 'text', text: errorLine(error) }], isError: true };
}

/**
 * What an agent can do when the daemon does not answer: the server never starts it again once it has
 * lost it (a daemon the user stopped stays stopped), so the agent asks for it or starts it itself.
 */
const DAEMON_GONE_HINT =
  'the daemon is not running (velos kill, or it ended) and this server does not start it again, so what was stopped stays stopped; `velos resurrect` starts it with the saved processes (ask the user first), then call again';

/** A failure as one line an agent can act on: `TARGET_NOT_FOUND: no process matches "x"`. */
export function errorLine(error: unknown): string {
  if (isVelosError(error)) {
    const line = `${error.code}: ${error.message.replace(/\s*\n\s*/g, ' ')}`;
    return error.code === ErrorCodes.DAEMON_UNAVAILABLE ? `${line}; ${DAEMON_GONE_HINT}` : line;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `${ErrorCodes.INTERNAL}: ${message.replace(/\s*\n\s*/g, ' ')}`;
}

/** An INVALID_ARGUMENT error for a tool's arguments. */
export function invalidArgument(message: string): VelosError {
  return new VelosError(ErrorCodes.INVALID_ARGUMENT, message);
}

/** The `detail` field several tools take: `brief` (default) or `full`. */
export const detailField = z
  .enum(['brief', 'full'])
  .optional()
  .describe('brief (default): the compact answer; full: every field');

/** The `target` field: what a command acts on. */
export const targetField = z
  .string()
  .min(1)
  .max(TARGET_MAX_CHARS)
  .describe('A process name, an id, a namespace, "all", or a /regex/ of app names');

/** A value without its null, undefined, empty-array and empty-object members (recursively). */
export function withoutEmpty(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEmpty);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    const kept = withoutEmpty(member);
    if (kept === null || kept === undefined) continue;
    if (Array.isArray(kept) && kept.length === 0) continue;
    if (typeof kept === 'object' && !Array.isArray(kept) && Object.keys(kept).length === 0) continue;
    out[key] = kept;
  }
  return out;
}

/** A time field: a duration ago or an ISO time. */
export const timeField = z
  .string()
  .min(1)
  .optional()
  .describe('A duration ago (10m, 2h, 1d) or an ISO time (2026-12-01T10:00:00Z)');

/**
 * A span argument (`period`, metrics_history's `since`) in ms: a positive duration with its unit, at
 * most `maxMs`. A bare number is refused as `timeOf` refuses it (`60`: seconds or minutes? `parseDurationMs`
 * would read milliseconds); `like` names examples (`30m, 1h or 1d`) and `max` the bound as a duration.
 */
export function spanOf(
  field: string,
  value: string,
  limits: { maxMs: number; max: string; like: string },
): number {
  const word = value.trim();
  if (/^\d+(\.\d+)?$/.test(word))
    throw invalidArgument(`${field}: add a unit to ${JSON.stringify(word)}: s, m, h or d (e.g. 1h)`);
  const ms = parseDurationMs(word);
  if (ms !== null && ms > 0 && ms <= limits.maxMs) return ms;
  // a duration all the same (`1000d`): what is wrong is its length
  const isTooLong = /^\d+(\.\d+)?\s*(ms|s|m|h|d)$/i.test(word) && (ms === null || ms > limits.maxMs);
  const bound = isTooLong ? ` up to ${limits.max}` : '';
  throw invalidArgument(
    `${field}: expected a duration${bound} like ${limits.like}, got ${JSON.stringify(value)}`,
  );
}

/** `10m` (ago) or an ISO time, as epoch ms (a bare number has no unit: refused). */
export function timeOf(field: string, value: string): number {
  const at = parseTimeBound(value, Date.now());
  if (typeof at !== 'number') throw invalidArgument(timeBoundProblem(field, value));
  return at;
}
