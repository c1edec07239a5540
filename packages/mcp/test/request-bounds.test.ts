import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { VelosControl } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { createVelosMcpServer } from '../src/server.js';
import { REQUEST_BOUNDS_MS } from '../src/tool-kit.js';

/** A daemon stopped with SIGSTOP: its socket takes every request and answers none. */
const never = () => new Promise<never>(() => {});
const stuck = { list: never, stop: never, health: never } as unknown as VelosControl;

/** Calls `tool` on a server over `stuck` whose reads wait 40 ms and actions 60 ms; gives the answer. */
async function callStuck(tool: string, args: Record<string, unknown>) {
  const server = createVelosMcpServer({ control: stuck, boundsMs: { readMs: 40, actionMs: 60 } });
  const client = new Client({ name: 't', version: '1' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  await client.connect(clientSide);
  try {
    const answer = (await client.callTool({ name: tool, arguments: args }, undefined, { timeout: 5000 })) as {
      content: { text: string }[];
      isError?: boolean;
    };
    return { isError: answer.isError, text: answer.content[0]!.text };
  } finally {
    await client.close();
    await server.close();
  }
}

describe('a daemon that does not answer', () => {
  it('gets a read a TIMEOUT that says what to do, not a call held as long as the client waits', async () => {
    expect(await callStuck('process_list', {})).toEqual({
      isError: true,
      text: 'TIMEOUT: the Velos daemon did not answer process_list within 0.04 s: it is stopped (kill -STOP) or stuck, ask the user to check it (velos ping); this read changed nothing: call again later',
    });
    expect((await callStuck('health_check', {})).text).toMatch(/^TIMEOUT: .* health_check within 0\.04 s/);
  });

  it('gets an action a TIMEOUT after the longer bound, which says it may have taken effect', async () => {
    expect(await callStuck('process_stop', { target: 'api' })).toEqual({
      isError: true,
      text: 'TIMEOUT: the Velos daemon did not answer process_stop within 0.06 s: it is stopped (kill -STOP) or stuck, ask the user to check it (velos ping); it may have taken effect all the same: read the state (process_list) before calling process_stop again',
    });
  });

  it('is waited for 30 s on a read and 5 min on an action by default', () => {
    expect(REQUEST_BOUNDS_MS).toEqual({ readMs: 30_000, actionMs: 300_000 });
  });
});
