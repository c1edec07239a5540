import {
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
} from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import {
  answerableId,
  asInvalidParams,
  invalidMessageReason,
  invalidToolCallReason,
} from '../src/message-shape.js';

describe('stdio lines the SDK would drop or answer -32603 (fuzz findings, #15)', () => {
  it('finds messages that are not JSON-RPC 2.0 objects', () => {
    expect(invalidMessageReason(42)).toBe('a message is a JSON-RPC object, not a number');
    expect(invalidMessageReason('{"jsonrpc":"2.0"}')).toBe('a message is a JSON-RPC object, not a string');
    expect(invalidMessageReason(null)).toBe('a message is a JSON-RPC object, not null');
    expect(invalidMessageReason([{ jsonrpc: '2.0', id: 1, method: 'ping' }])).toMatch(/batches/);
    expect(invalidMessageReason({ jsonrpc: 2, id: 1, method: 'ping' })).toMatch(/jsonrpc/);
    expect(invalidMessageReason({ jsonrpc: '2.0', id: 1.5, method: 'ping' })).toMatch(/id/);
    expect(invalidMessageReason({ jsonrpc: '2.0', id: 1, method: 7 })).toMatch(/method/);
    expect(
      invalidMessageReason({ jsonrpc: '2.0', id: 1, method: 'completion/complete', params: ['x'] }),
    ).toMatch(/params/);
    expect(invalidMessageReason({ jsonrpc: '2.0', id: 1, method: 'ping' })).toBeNull();
    expect(invalidMessageReason({ jsonrpc: '2.0', method: 'notifications/initialized' })).toBeNull();
    expect(invalidMessageReason({ jsonrpc: '2.0', id: 'a', result: {} })).toBeNull();
  });

  it('finds members the strict schemas of the SDK refuse, which it would drop without an answer', () => {
    expect(invalidMessageReason({ jsonrpc: '2.0', id: 9, method: 'tools/list', extra: 1 })).toBe(
      'unknown member "extra" (a request has jsonrpc, id, method, params)',
    );
    expect(invalidMessageReason({ jsonrpc: '2.0', method: 'notifications/initialized', x: 1 })).toMatch(
      /^unknown member "x" \(a notification has/,
    );
    expect(invalidMessageReason({ jsonrpc: '2.0', id: 1, result: {}, method: 'ping' })).toMatch(
      /^unknown member "method" \(a response has/,
    );
    expect(invalidMessageReason({ jsonrpc: '2.0', id: 1, result: {}, error: {} })).toMatch(/not both/);
    expect(invalidMessageReason({ jsonrpc: '2.0', id: 1, method: 'ping', params: { _meta: 5 } })).toMatch(
      /_meta/,
    );
    const token = { jsonrpc: '2.0', id: 1, method: 'ping', params: { _meta: { progressToken: {} } } };
    expect(invalidMessageReason(token)).toMatch(/progressToken/);
  });

  it("accepts only what the SDK reads: every message it lets through is one of the SDK's messages", () => {
    const messages: unknown[] = [
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { jsonrpc: '2.0', id: 'a', method: 'tools/call', params: { name: 'x', arguments: {} } },
      { jsonrpc: '2.0', id: 1, method: 'ping', params: { _meta: { progressToken: 'p', other: 1 } } },
      { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } },
      { jsonrpc: '2.0', id: 2, result: {} },
      { jsonrpc: '2.0', id: 2, error: { code: -1, message: 'no' } },
      { jsonrpc: '2.0', id: 1, method: 'ping', extra: 1 },
      { jsonrpc: '2.0', method: 'notifications/initialized', id: null },
      { jsonrpc: '2.0', id: 1, method: 'ping', params: { _meta: [] } },
      { jsonrpc: '2.0', id: 1, method: 'ping', params: { _meta: { progressToken: 1.5 } } },
      { jsonrpc: '2.0', id: 1, result: {}, error: { code: 1, message: 'x' } },
    ];
    const sdkReads = (message: unknown) =>
      isJSONRPCRequest(message) ||
      isJSONRPCNotification(message) ||
      isJSONRPCResultResponse(message) ||
      isJSONRPCErrorResponse(message);
    for (const message of messages) {
      expect([JSON.stringify(message), invalidMessageReason(message) === null]).toEqual([
        JSON.stringify(message),
        sdkReads(message),
      ]);
    }
  });

  it('answers with the id when usable, else null', () => {
    expect(answerableId({ id: 3 })).toBe(3);
    expect(answerableId({ id: 'x' })).toBe('x');
    expect(answerableId({ id: {} })).toBeNull();
    expect(answerableId(42)).toBeNull();
  });

  it('finds tools/call params the SDK cannot read (Invalid params, not an internal error)', () => {
    expect(invalidToolCallReason({ method: 'tools/call', params: { name: 'x', arguments: [] } })).toMatch(
      /arguments/,
    );
    expect(invalidToolCallReason({ method: 'tools/call', params: { arguments: {} } })).toMatch(/name/);
    expect(invalidToolCallReason({ method: 'tools/call' })).toMatch(/name/);
    expect(invalidToolCallReason({ method: 'tools/call', params: { name: 'x' } })).toBeNull();
    expect(invalidToolCallReason({ method: 'tools/list', params: { name: 1 } })).toBeNull();
  });

  it("turns the SDK's -32603 zod dump into -32602 naming the first issue, and leaves other answers alone", () => {
    const dump = JSON.stringify([
      { code: 'invalid_type', path: ['params', 'level'], message: 'Invalid option' },
    ]);
    expect(asInvalidParams({ jsonrpc: '2.0', id: 4, error: { code: -32603, message: dump } })).toEqual({
      jsonrpc: '2.0',
      id: 4,
      error: { code: -32602, message: 'Invalid params: params.level: Invalid option' },
    });
    const other = { jsonrpc: '2.0', id: 5, error: { code: -32603, message: 'INTERNAL: boom' } };
    expect(asInvalidParams(other)).toBe(other);
    const ok = { jsonrpc: '2.0', id: 6, result: {} };
    expect(asInvalidParams(ok)).toBe(ok);
  });
});
