import { type ErrorCode, ErrorCodes, formatPayloadPath, isVelosError, toErrorPayload } from '@velos/core';

/** One of several problems of an input: the field at fault and the one-line message. */
export interface ErrorIssue {
  field?: string;
  message: string;
}

/**
 * The JSON body of every error answer: `{ error: { code, message, field?, issues?, more? } }`;
 * `issues` lists every problem when an input has several (a config text, the apps of a start).
 */
export interface ErrorBody {
  error: { code: string; message: string; field?: string; issues?: ErrorIssue[]; more?: number };
}

const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  INVALID_CONFIG: 400,
  PROTOCOL_ERROR: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  TARGET_NOT_FOUND: 404,
  CONFIG_NOT_FOUND: 404,
  UNKNOWN_COMMAND: 404,
  METHOD_NOT_ALLOWED: 405,
  NAME_IN_USE: 409,
  CONFIG_ROLLED_BACK: 409,
  NOTHING_TO_SAVE: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  DAEMON_UNAVAILABLE: 503,
  DAEMON_START_FAILED: 503,
  CONNECTION_CLOSED: 503,
  BUSY: 503,
  TIMEOUT: 504,
};

/** The HTTP status of an error code (500 for any code not listed). */
export function statusOfCode(code: string): number {
  return STATUS_BY_CODE[code as ErrorCode] ?? 500;
}

/**
 * The status and body of a thrown value: a `VelosError` keeps its code and message (with the field
 * its data names), a fastify error keeps its 4xx status, anything else is a 500 `INTERNAL`.
 */
export function errorResponse(error: unknown): { status: number; body: ErrorBody } {
  if (isVelosError(error)) {
    const payload = toErrorPayload(error);
    const field = fieldOf(error.data);
    const body: ErrorBody = { error: { code: payload.code, message: payload.message } };
    if (field !== undefined) body.error.field = field;
    const listed = issuesOf(error.data);
    if (listed !== undefined) Object.assign(body.error, listed);
    return { status: statusOfCode(payload.code), body };
  }
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const message =
      status === 415 ? unsupportedMessage(error) : error instanceof Error ? error.message : String(error);
    const body: ErrorBody = { error: { code: codeOfStatus(status), message } };
    // fastify's content-type parser errors (FST_ERR_CTP_*): the body is malformed, empty or too large
    if (String((error as { code?: unknown }).code).startsWith('FST_ERR_CTP')) body.error.field = 'body';
    return { status, body };
  }
  const payload = toErrorPayload(error);
  return { status: 500, body: { error: { code: payload.code, message: payload.message } } };
}

/** fastify's 415 says only "Unsupported Media Type": add what is taken instead. */
function unsupportedMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return /application\/json/.test(message) ? message : `${message}: send the body as application/json`;
}

function codeOfStatus(status: number): ErrorCode {
  if (status === 401) return ErrorCodes.UNAUTHORIZED;
  if (status === 403) return ErrorCodes.FORBIDDEN;
  if (status === 404) return ErrorCodes.UNKNOWN_COMMAND;
  if (status === 405) return ErrorCodes.METHOD_NOT_ALLOWED;
  if (status === 413) return ErrorCodes.PAYLOAD_TOO_LARGE;
  if (status === 429) return ErrorCodes.RATE_LIMITED;
  return ErrorCodes.INVALID_ARGUMENT;
}

/** The field an error's data names: `field`, else the path of its first issue. */
function fieldOf(data: unknown): string | undefined {
  const record = (data ?? {}) as { field?: unknown; issues?: { path?: unknown }[] };
  if (typeof record.field === 'string' && record.field !== '') return record.field;
  const path = record.issues?.[0]?.path;
  return typeof path === 'string' && path !== '' ? path : undefined;
}

/**
 * The problems an error's data lists (`issues` of config errors: `{message, keyPath}`; of payload
 * limits: `{message, path}`), when there are several; the count of those not listed (`more`).
 */
function issuesOf(data: unknown): { issues: ErrorIssue[]; more?: number } | undefined {
  const record = (data ?? {}) as { issues?: unknown; more?: unknown };
  if (!Array.isArray(record.issues)) return undefined;
  const more = typeof record.more === 'number' ? record.more : 0;
  if (record.issues.length + more < 2) return undefined;
  const issues = record.issues.flatMap((issue: { message?: unknown; keyPath?: unknown; path?: unknown }) => {
    if (typeof issue?.message !== 'string') return [];
    const field = Array.isArray(issue.keyPath)
      ? formatPayloadPath(issue.keyPath as PropertyKey[])
      : typeof issue.path === 'string'
        ? issue.path
        : '';
    return [field === '' ? { message: issue.message } : { field, message: issue.message }];
  });
  return more > 0 ? { issues, more } : { issues };
}
