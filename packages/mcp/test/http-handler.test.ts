import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { VelosControl } from '@velos/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMcpHttpHandler } from '../src/http-handler.js';

const TOKEN = 'a-token-of-sixteen-characters-or-more';
let server: Server;
let url: string;

beforeAll(async () => {
  // none of these requests reaches a tool: the control is never called
  const handle = createMcpHttpHandler({ control: {} as VelosControl, token: TOKEN });
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      void handle(req, res, text ? JSON.parse(text) : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** A JSON-RPC answer as the tests read it. */
type Rpc = { id?: unknown; error?: { code: number; message: string } };

async function post(
  message: unknown,
): Promise<{ status: number; body: { id?: unknown; error?: { code: number; message: string } } }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${TOKEN}`,
      accept: 'application/json, text/event-stream',
      'content-type': 'application/json',
    },
    body: JSON.stringify(message),
  });
  return { status: response.status, body: (await response.json()) as Rpc };
}

describe('the MCP HTTP handler answers malformed messages as the stdio server does (found by fuzzing, #15)', () => {
  it('answers a message that is not JSON-RPC 2.0 with -32600 and the reason', async () => {
    const answer = await post({ jsonrpc: '1.0', id: 3, method: 'ping' });
    expect(answer).toMatchObject({ status: 400, body: { id: 3, error: { code: -32600 } } });
    expect(answer.body.error!.message).toBe('Invalid Request: jsonrpc must be "2.0"');
    const params = await post({ jsonrpc: '2.0', id: 'q', method: 'ping', params: [1] });
    expect(params.body).toMatchObject({
      id: 'q',
      error: { code: -32600, message: 'Invalid Request: params must be an object' },
    });
  });

  it('answers tools/call without params, a name or object arguments with -32602, not -32603 and a zod dump', async () => {
    for (const params of [undefined, {}, { name: 'process_list', arguments: 'x' }]) {
      const answer = await post({
        jsonrpc: '2.0',
        id: 4,
        method: 'tools/call',
        ...(params ? { params } : {}),
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ id: 4, error: { code: -32602 } });
      expect(answer.body.error!.message).toMatch(/^Invalid params: params\.(name|arguments)/);
    }
  });

  it('turns the SDK -32603 for params its schemas refuse into -32602 naming the field', async () => {
    const answer = await post({ jsonrpc: '2.0', id: 5, method: 'initialize', params: { capabilities: 7 } });
    expect(answer.body).toMatchObject({ id: 5, error: { code: -32602 } });
    expect(answer.body.error!.message).toMatch(/^Invalid params: /);
    expect(answer.body.error!.message).not.toContain('[');
  });
});
