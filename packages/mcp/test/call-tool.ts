import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { VelosControl } from '@velos/core';
import { createVelosMcpServer } from '../src/server.js';

/** A tool's answer as the MCP client reads it. */
export interface ToolAnswer {
  content: { type?: string; text: string }[];
  isError?: boolean;
}

/**
 * Calls tool `name` with `args` through the MCP SDK's own client, on a server over `control` linked in
 * memory (both closed after the answer).
 */
export async function callTool(
  control: VelosControl,
  name: string,
  args: Record<string, unknown>,
): Promise<ToolAnswer> {
  const server = createVelosMcpServer({ control });
  const client = new Client({ name: 't', version: '1' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  await client.connect(clientSide);
  try {
    return (await client.callTool({ name, arguments: args })) as ToolAnswer;
  } finally {
    await client.close();
    await server.close();
  }
}
