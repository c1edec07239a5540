/** Error codes shared by every Velos package; they cross IPC, HTTP and MCP unchanged. */
export const ErrorCodes = {
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  INVALID_CONFIG: 'INVALID_CONFIG',
  CONFIG_NOT_FOUND: 'CONFIG_NOT_FOUND',
  /** CFG-2: a config reload's changed apps did not come up; their previous specs run again. */
  CONFIG_ROLLED_BACK: 'CONFIG_ROLLED_BACK',
  TARGET_NOT_FOUND: 'TARGET_NOT_FOUND',
  /**
   * A `save` with no process listed, which would replace the saved list with an empty one (as PM2,
   * refused unless forced: a save before `resurrect` would lose the whole list).
   */
  NOTHING_TO_SAVE: 'NOTHING_TO_SAVE',
  NAME_IN_USE: 'NAME_IN_USE',
  SPAWN_FAILED: 'SPAWN_FAILED',
  DAEMON_UNAVAILABLE: 'DAEMON_UNAVAILABLE',
  DAEMON_START_FAILED: 'DAEMON_START_FAILED',
  DAEMON_RUNNING: 'DAEMON_RUNNING',
  /** OBS-4: the daemon answers but reports itself unhealthy (`velos health` exits 2). */
  DAEMON_UNHEALTHY: 'DAEMON_UNHEALTHY',
  PROTOCOL_ERROR: 'PROTOCOL_ERROR',
  FRAME_TOO_LARGE: 'FRAME_TOO_LARGE',
  UNKNOWN_COMMAND: 'UNKNOWN_COMMAND',
  CONNECTION_CLOSED: 'CONNECTION_CLOSED',
  /** The daemon is at a capacity limit (connections, buffered frames, open streams); retry later. */
  BUSY: 'BUSY',
  CANCELLED: 'CANCELLED',
  /** A stream subscriber fell too far behind on a connection shared with others; its stream was ended. */
  SLOW_CONSUMER: 'SLOW_CONSUMER',
  TIMEOUT: 'TIMEOUT',
  STATE_CORRUPT: 'STATE_CORRUPT',
  IO_ERROR: 'IO_ERROR',
  UNSAFE_HOME: 'UNSAFE_HOME',
  SERVICE_MANAGER_FAILED: 'SERVICE_MANAGER_FAILED',
  /** API-3: a request without a valid bearer token (HTTP 401). */
  UNAUTHORIZED: 'UNAUTHORIZED',
  /** API-3: a valid token whose scope does not allow the request (HTTP 403). */
  FORBIDDEN: 'FORBIDDEN',
  /** API: a route's path asked with a method none of its routes takes (HTTP 405, `Allow` lists them). */
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  /** API-3: a request body over the server's limit (HTTP 413). */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** API-3: too many requests from one address; retry after the time the answer gives (HTTP 429). */
  RATE_LIMITED: 'RATE_LIMITED',
  INTERNAL: 'INTERNAL',
} as const;

/** One of the `ErrorCodes` values. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** The serialisable form of an error, as it travels over IPC, HTTP and MCP. */
export interface ErrorPayload {
  code: string;
  message: string;
  data?: unknown;
}

/** The one error class of Velos: a code, a message a user can act on, optional data and cause. */
export class VelosError extends Error {
  readonly code: ErrorCode;
  readonly data?: unknown;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; data?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VelosError';
    this.code = code;
    if (options.data !== undefined) this.data = options.data;
  }
}

/** True when `value` is a `VelosError` (also across bundle copies, by shape). */
export function isVelosError(value: unknown): value is VelosError {
  return (
    value instanceof VelosError ||
    (value instanceof Error && value.name === 'VelosError' && typeof (value as VelosError).code === 'string')
  );
}

/** Turns any thrown value into the wire form; unknown throws become `INTERNAL`. */
export function toErrorPayload(error: unknown): ErrorPayload {
  if (isVelosError(error)) {
    return error.data === undefined
      ? { code: error.code, message: error.message }
      : { code: error.code, message: error.message, data: error.data };
  }
  if (isMissingModule(error)) {
    // a lazily loaded chunk of a long-running process (the daemon) is gone: Velos was upgraded or rebuilt
    // under it; the message is one line (Node's own carries the whole require stack)
    const [first] = error.message.split('\n');
    return {
      code: ErrorCodes.INTERNAL,
      message: `internal error: ${first}: this Velos process was started from files that were replaced since (an upgrade or a rebuild); run \`velos update\` to restart the daemon on the installed version (the apps keep running)`,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: ErrorCodes.INTERNAL, message: `internal error: ${message}` };
}

function isMissingModule(error: unknown): error is Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return error instanceof Error && (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND');
}

/** Rebuilds a `VelosError` from its wire form. */
export function fromErrorPayload(payload: unknown): VelosError {
  const p = (payload ?? {}) as Partial<ErrorPayload>;
  const code = (Object.values(ErrorCodes) as string[]).includes(String(p.code))
    ? (p.code as ErrorCode)
    : ErrorCodes.INTERNAL;
  return new VelosError(code, typeof p.message === 'string' ? p.message : 'unknown error', { data: p.data });
}
