import {
  type CommandName,
  checkPayloadLimits,
  ErrorCodes,
  findCommand,
  formatPayloadPath,
  isVelosError,
  type VelosControl,
  VelosError,
} from '@velos/core';

type SchemasModule = typeof import('@velos/core/schemas');
let schemasModule: Promise<SchemasModule> | undefined;

/**
 * Runs protocol command `command` through `control`: the payload is checked cheaply first (sizes and
 * counts), then against the command's core schema, and the answer is the command's wire result (what
 * the daemon's IPC answers). Errors name the field as the client wrote it (`fields` renames).
 */
export async function runCommand(
  control: VelosControl,
  command: CommandName,
  payload: unknown,
  fields: Readonly<Record<string, string>> = {},
): Promise<unknown> {
  const entry = findCommand(command);
  if (entry === undefined || entry.kind !== 'request') {
    throw new VelosError(ErrorCodes.UNKNOWN_COMMAND, `unknown command '${command}'`);
  }
  try {
    checkPayloadLimits(command, payload);
    const parsed = await validate(command, payload);
    const method = control[entry.method] as (...args: unknown[]) => Promise<unknown>;
    return entry.toResult(await method.apply(control, entry.toArgs(parsed)));
  } catch (error) {
    throw renamedField(error, fields);
  }
}

async function validate(command: CommandName, payload: unknown): Promise<unknown> {
  schemasModule ??= import('@velos/core/schemas');
  const schema = (await schemasModule).requestSchemas[command];
  const result = schema.safeParse(payload);
  if (result.success) return result.data ?? {};
  const issue = result.error.issues[0]!;
  const field = formatPayloadPath(issue.path);
  throw new VelosError(ErrorCodes.INVALID_ARGUMENT, `${field || 'body'}: ${issue.message}`, {
    data: { field: field || 'body' },
  });
}

/** The error with the field its data names (`field`, else its first issue's path) as the client wrote it. */
function renamedField(error: unknown, fields: Readonly<Record<string, string>>): unknown {
  if (!isVelosError(error) || error.code !== ErrorCodes.INVALID_ARGUMENT) return error;
  const data = (error.data ?? {}) as { field?: unknown; issues?: { path?: unknown }[] };
  const raw = typeof data.field === 'string' ? data.field : data.issues?.[0]?.path;
  if (typeof raw !== 'string' || raw === '') return error;
  const head = /^[^.[]+/.exec(raw)?.[0] ?? raw;
  const renamed = fields[head];
  const field = renamed === undefined ? raw : renamed + raw.slice(head.length);
  const message = renamed === undefined ? error.message : error.message.replace(raw, field);
  return new VelosError(error.code, message, { data: { ...(error.data as object), field } });
}
