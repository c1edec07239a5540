import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { FIXTURES, homeEnv, SeenProcesses, VELOS_BIN } from './helpers.js';

/** The MCP SDK's own client, connected to `velos mcp` over stdio for `home`, and the server's pid. */
export interface McpSession {
  client: Client;
  /** The `velos mcp` process. */
  pid: number | undefined;
  /** SIGKILLs the `velos mcp` process if it still runs (by pid and start time: never a later process with its pid). */
  kill: () => void;
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
  const started = new SeenProcesses();
  started.add(transport.pid);
  return { client, pid: transport.pid ?? undefined, kill: () => started.killAll() };
}
