/** Why a parsed stdin line is not a JSON-RPC 2.0 message the SDK can take, or null when it is one. */
export function invalidMessageReason(message: unknown): string | null {
  if (Array.isArray(message)) return 'a message is one JSON-RPC object (batches are not supported)';
  if (typeof message !== 'object' || message === null) {
    return `a message is a JSON-RPC object, not ${message === null ? 'null' : `a ${typeof message}`}`;
  }
  const record = message as Record<string, unknown>;
  if (record.jsonrpc !== '2.0') return 'jsonrpc must be "2.0"';
  const id = record.id;
  if (id !== undefined && typeof id !== 'string' && !Number.isSafeInteger(id)) {
    return 'id must be a string or an integer';
  }
  const isResponse = 'result' in record || 'error' in record;
  // the SDK's message schemas are strict: it drops a message with a member more without an answer
  const members = isResponse ? RESPONSE_MEMBERS : REQUEST_MEMBERS;
  const unknown = Object.keys(record).find((key) => !members.includes(key));
  if (unknown !== undefined) {
    const kind = isResponse ? 'response' : id === undefined ? 'notification' : 'request';
    return `unknown member ${JSON.stringify(unknown)} (a ${kind} has ${members.join(', ')})`;
  }
  if (isResponse) {
    if (id === undefined) return 'a response needs an id';
    return 'result' in record && 'error' in record ? 'a response has result or error, not both' : null;
  }
  if (typeof record.method !== 'string') return 'method must be a string';
  const params = record.params;
  if (params === undefined) return null;
  if (!isPlainObject(params)) return 'params must be an object';
  const meta = params._meta;
  if (meta === undefined) return null;
  if (!isPlainObject(meta)) return 'params._meta must be an object';
  const token = meta.progressToken;
  if (token !== undefined && typeof token !== 'string' && !Number.isSafeInteger(token)) {
    return 'params._meta.progressToken must be a string or an integer';
  }
  return null;
}

/** The members of a JSON-RPC request or notification (`id` only in a request), and of a response. */
const REQUEST_MEMBERS: readonly string[] = ['jsonrpc', 'id', 'method', 'params'];
const RESPONSE_MEMBERS: readonly string[] = ['jsonrpc', 'id', 'result', 'error'];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The id an error answer to `message` carries: its own when usable, else null (JSON-RPC 2.0). */
export function answerableId(message: unknown): string | number | null {
  const id = (message as { id?: unknown } | null)?.id;
  return typeof id === 'string' || Number.isSafeInteger(id) ? (id as string | number) : null;
}

/** Why the params of a `tools/call` are unusable (the SDK would answer -32603 with a raw zod dump), or null. */
export function invalidToolCallReason(message: { method?: unknown; params?: unknown }): string | null {
  if (message.method !== 'tools/call') return null;
  const params = (message.params ?? {}) as Record<string, unknown>;
  if (typeof params.name !== 'string') return 'params.name must be the name of a tool';
  const args = params.arguments;
  if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args))) {
    return 'params.arguments must be an object';
  }
  return null;
}

/**
 * The SDK answers params its request schema refuses with -32603 and the zod issues as JSON text:
 * such an answer becomes -32602 Invalid params naming the first issue; any other is returned as is.
 */
export function asInvalidParams(message: unknown): unknown {
  const error = (message as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (error?.code !== -32603 || typeof error.message !== 'string' || !error.message.startsWith('['))
    return message;
  let issues: unknown;
  try {
    issues = JSON.parse(error.message);
  } catch {
    return message;
  }
  const first = Array.isArray(issues)
    ? (issues[0] as { path?: unknown; message?: unknown } | undefined)
    : undefined;
  if (!first || !Array.isArray(first.path) || typeof first.message !== 'string') return message;
  const where = first.path.length ? `${first.path.join('.')}: ` : '';
  return {
    ...(message as object),
    error: { code: -32602, message: `Invalid params: ${where}${first.message}` },
  };
}
