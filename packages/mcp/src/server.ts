import { availableParallelism } from 'node:os';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { VELOS_VERSION, type VelosControl } from '@velos/core';
import {
  REQUEST_BOUNDS_MS,
  type RequestBounds,
  registerTools,
  type ToolContext,
  type ToolDefinition,
} from './tool-kit.js';
import { CONFIG_TOOLS } from './tools/config-tools.js';
import { LOG_TOOLS } from './tools/log-tools.js';
import { OBSERVE_TOOLS } from './tools/observe-tools.js';
import { PROCESS_TOOLS } from './tools/process-tools.js';

/** Every tool of the Velos MCP server, in the order `tools/list` gives them. */
export const VELOS_TOOLS: readonly ToolDefinition[] = [
  ...PROCESS_TOOLS,
  ...LOG_TOOLS,
  ...OBSERVE_TOOLS,
  ...CONFIG_TOOLS,
] as readonly ToolDefinition[];

/** Options of `createVelosMcpServer`. */
export interface VelosMcpServerOptions {
  control: VelosControl;
  /** Base of relative paths in `process_start` (default: `process.cwd()`). */
  cwd?: string;
  /** Environment started apps inherit (default: `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** How long a tool that reads and one that acts wait for the daemon (default 30 s and 5 min): then `TIMEOUT`. */
  boundsMs?: Partial<RequestBounds>;
}

const INSTRUCTIONS =
  'Velos is a process manager. Answers are compact JSON with short keys (each tool says which); ' +
  'targets are a process name, an id, a namespace or "all". Start with process_list or health_check; ' +
  "log_summary digests an app's logs (or several apps', each app's share beside) in a few hundred tokens before log_search or log_read.";

/**
 * An MCP server with every Velos tool registered over `control`; connect it to a transport.
 * @example
 * const server = createVelosMcpServer({ control: createClient({ home }) });
 * await server.connect(new StdioServerTransport());
 */
export function createVelosMcpServer(options: VelosMcpServerOptions): McpServer {
  const server = new McpServer(
    { name: 'velos', version: VELOS_VERSION },
    { capabilities: { tools: {} }, instructions: INSTRUCTIONS },
  );
  const ctx: ToolContext = {
    control: options.control,
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? process.env,
    cpuCount: availableParallelism(),
    boundsMs: { ...REQUEST_BOUNDS_MS, ...options.boundsMs },
  };
  registerTools(server, VELOS_TOOLS, ctx);
  return server;
}
