import type { VelosControl } from '@velos/core';
import {
  PROTOCOL_VERSIONS,
  SERVER_CAPABILITIES,
  SERVER_INFO,
  SERVER_INSTRUCTIONS,
} from './initialize-answer.js';
import {
  answerableId,
  asInvalidParams,
  invalidMessageReason,
  invalidToolCallReason,
} from './message-shape.js';
import { TOOL_LIST } from './tool-list.js';

/** A JSON-RPC message as it crosses stdio. */
type Message = { jsonrpc: '2.0'; id?: string | number; method?: string; params?: Record<string, unknown> };

/** The SDK's transport contract, as much of it as the server uses. */
interface LineTransport {
  start(): Promise<void>;
  send(message: unknown): Promise<void>;
  close(): Promise<void>;
  onmessage?: (message: unknown) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
}

/** Options of `serveStdioLazy`. */
export interface LazyStdioOptions {
  control: VelosControl;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Called once stdin ends (the client went away). */
  onClose?: () => void;
}

/**
 * MCP over stdin/stdout that answers `initialize`, `tools/list` and `ping` from data generated from the
 * server at build time (initialize-answer.ts, tool-list.ts; pinned by a test), so an agent gets its tool
 * list before the SDK and zod have loaded; the SDK server loads right after and takes over, `initialize`
 * replayed to it.
 */
export function serveStdioLazy(options: LazyStdioOptions): void {
  const pending: Message[] = [];
  const replay: Message[] = [];
  const suppressed = new Set<string | number>();
  let transport: LineTransport | null = null;
  let loading: Promise<void> | null = null;
  // requests not answered yet: stdin's end waits for their answers before the server closes
  const unanswered = new Set<string | number>();
  let isEnded = false;
  let finish = () => {};
  const write = (message: unknown) => {
    process.stdout.write(`${JSON.stringify(message)}\n`);
    const { id } = message as Message;
    const isAnswer = 'result' in (message as object) || 'error' in (message as object);
    if (isAnswer && id != null && unanswered.delete(id) && isEnded && unanswered.size === 0) finish();
  };
  /** A JSON-RPC error answer to request `id` (null when it cannot be told). */
  const writeError = (id: unknown, code: number, message: string) =>
    write({ jsonrpc: '2.0', id, error: { code, message } });
  const load = () => {
    loading ??= (async () => {
      const { createVelosMcpServer } = await import('./server.js');
      const server = createVelosMcpServer(options);
      const ours: LineTransport = {
        start: async () => {},
        close: async () => {},
        send: async (message) => {
          const id = (message as Message).id;
          if (id !== undefined && suppressed.delete(id)) return;
          write(asInvalidParams(message));
        },
      };
      await server.connect(ours as never);
      transport = ours;
      for (const message of [...replay, ...pending.splice(0)]) ours.onmessage?.(message);
    })().catch((error: unknown) => {
      // answer what waits, and try again on the next message
      loading = null;
      const reason = error instanceof Error ? error.message : String(error);
      for (const message of pending.splice(0)) {
        if (message.id === undefined) continue;
        writeError(message.id, -32603, `INTERNAL: the MCP server did not load: ${reason}`);
      }
    });
    return loading;
  };
  const handle = (message: Message) => {
    if (message.method !== undefined && message.id !== undefined) unanswered.add(message.id);
    if (transport) return transport.onmessage?.(message);
    if (message.method === 'initialize' && message.id !== undefined) {
      write({ jsonrpc: '2.0', id: message.id, result: initializeResult(message.params) });
      suppressed.add(message.id);
      replay.push(message);
      return;
    }
    if (message.method === 'notifications/initialized') return void replay.push(message);
    if (message.method === 'tools/list' && message.id !== undefined && !message.params?.cursor) {
      write({ jsonrpc: '2.0', id: message.id, result: { tools: TOOL_LIST } });
      // the list is out: now load the server, off the critical path of the answer
      setImmediate(() => void load());
      return;
    }
    if (message.method === 'ping' && message.id !== undefined)
      return write({ jsonrpc: '2.0', id: message.id, result: {} });
    pending.push(message);
    void load();
  };
  const take = (line: string) => {
    if (line.trim() === '') return;
    let message: Message;
    try {
      message = JSON.parse(line) as Message;
    } catch {
      writeError(null, -32700, 'Parse error: a line is not JSON');
      return;
    }
    // the SDK drops a message it cannot read without a word: JSON-RPC wants an Invalid Request answer
    const reason = invalidMessageReason(message);
    if (reason !== null) {
      writeError(answerableId(message), -32600, `Invalid Request: ${reason}`);
      return;
    }
    const paramsReason = invalidToolCallReason(message);
    if (paramsReason !== null) {
      writeError(answerableId(message), -32602, `Invalid params: ${paramsReason}`);
      return;
    }
    handle(message);
  };
  let buffer = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    buffer += chunk;
    for (let at = buffer.indexOf('\n'); at >= 0; at = buffer.indexOf('\n')) {
      const line = buffer.slice(0, at).replace(/\r$/, '');
      buffer = buffer.slice(at + 1);
      take(line);
    }
  });
  process.stdin.once('end', () => {
    // a last line without its newline is a message too (`printf '…' | velos mcp`)
    take(buffer.replace(/\r$/, ''));
    buffer = '';
    isEnded = true;
    let isClosed = false;
    const close = () => {
      if (isClosed) return;
      isClosed = true;
      options.onClose?.();
    };
    // the calls in flight are answered before the control closes (else each would end CONNECTION_CLOSED),
    // for as long as a client waits for an answer
    const timer = setTimeout(close, EOF_ANSWERS_WAIT_MS);
    timer.unref();
    finish = () => {
      clearTimeout(timer);
      const settled = loading ?? Promise.resolve();
      settled.then(close, close);
    };
    if (unanswered.size === 0) finish();
  });
}

/** How long answers still in flight when stdin ends are waited for: the MCP SDK client's request timeout. */
const EOF_ANSWERS_WAIT_MS = 60_000;

/** The answer the SDK server gives to `initialize`: the client's protocol version when supported. */
function initializeResult(params: Record<string, unknown> | undefined): Record<string, unknown> {
  const asked = params?.protocolVersion;
  const version =
    typeof asked === 'string' && PROTOCOL_VERSIONS.supported.includes(asked)
      ? asked
      : PROTOCOL_VERSIONS.latest;
  return {
    protocolVersion: version,
    capabilities: SERVER_CAPABILITIES,
    serverInfo: SERVER_INFO,
    instructions: SERVER_INSTRUCTIONS,
  };
}
