/**
 * Error codes thrown by the log engine: the same strings as `ErrorCodes` in `@velos/core`, which this
 * package may not import.
 */
export const LogEngineErrorCodes = {
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  STATE_CORRUPT: 'STATE_CORRUPT',
  IO_ERROR: 'IO_ERROR',
} as const;

/** One of the `LogEngineErrorCodes` values. */
export type LogEngineErrorCode = (typeof LogEngineErrorCodes)[keyof typeof LogEngineErrorCodes];

/** An error shaped like `VelosError` (name and code), so `isVelosError` in `@velos/core` recognises it. */
export interface LogEngineError extends Error {
  readonly code: LogEngineErrorCode;
}

export function createError(code: LogEngineErrorCode, message: string, cause?: unknown): LogEngineError {
  const error = new Error(message, cause === undefined ? undefined : { cause }) as Error & {
    code: LogEngineErrorCode;
  };
  // The name and code make it a VelosError by shape (see isVelosError in @velos/core).
  error.name = 'VelosError';
  error.code = code;
  return error;
}
