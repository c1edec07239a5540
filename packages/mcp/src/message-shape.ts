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
  if ('result' in record || 'error' in record) return id === undefined ? 'a response needs an id' : null;
  if (typeof record.method !== 'string') return 'method must be a string';
  const params = record.params;
  if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) {
    return 'params must be an object';
  }
  return null;
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
