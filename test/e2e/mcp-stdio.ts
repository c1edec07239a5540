import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { FIXTURES, homeEnv, VELOS_BIN } from './helpers.js';

/** The MCP SDK's own client, connected to `velos mcp` over stdio for `home`, and the server's pid. */
export interface McpSession {
  client: Client;
  /** The `velos mcp` process: the test kills it in teardown. */
  pid: number | undefined;
}

/**
 * Starts `velos mcp` for `home` (in fixtures/, the environment of the test with VELOS_HOME) and connects
 * the SDK's client to it; `timeout` bounds the initialize exchange.
 */
export async function connectMcpStdio(home: string, name: string, timeout?: number): Promise<McpSession> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [VELOS_BIN, 'mcp'],
    env: homeEnv(home) as Record<string, string>,
    cwd: FIXTURES,
    stderr: 'pipe',
  });
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(transport, timeout === undefined ? undefined : { timeout });
  return { client, pid: transport.pid ?? undefined };
}
