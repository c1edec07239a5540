import {
  type CommandName,
  checkPayloadLimits,
  describeSchemaIssue,
  ErrorCodes,
  fieldError,
  findCommand,
  formatPayloadPath,
  renameField,
  type VelosControl,
  VelosError,
} from '@velos/core';

type SchemasModule = typeof import('@velos/core/schemas');
let schemasModule: Promise<SchemasModule> | undefined;

/**
 * Runs protocol command `command` through `control`: the payload is checked cheaply first (sizes and
 * counts), then against the command's core schema, and the answer is the command's wire result (what
 * the daemon's IPC answers). Errors about a field (`fieldError`: the schema's, the daemon's) name it
 * as the client wrote it (`fields` renames: the protocol's `grep` is the query parameter `pattern`).
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
    throw renameField(error, fields);
  }
}

async function validate(command: CommandName, payload: unknown): Promise<unknown> {
  schemasModule ??= import('@velos/core/schemas');
  const schema = (await schemasModule).requestSchemas[command];
  const result = schema.safeParse(payload);
  if (result.success) return result.data ?? {};
  const { path, detail } = describeSchemaIssue(result.error.issues, payload);
  throw fieldError(formatPayloadPath(path) || 'body', detail);
}
