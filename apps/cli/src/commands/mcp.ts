import type { CommandContext } from '../context.js';

/**
 * `velos mcp`: the Velos MCP server on stdin/stdout (MCP-1), against the daemon of this home
 * (started on the first tool call when none runs). The tool list is answered before the SDK and
 * zod load (`@velos/mcp/stdio`); it returns when the client closes stdin.
 */
export async function runMcp(ctx: CommandContext): Promise<void> {
  const [{ serveStdioLazy }, control] = await Promise.all([import('@velos/mcp/stdio'), ctx.client()]);
  await new Promise<void>((resolve) => serveStdioLazy({ control, onClose: resolve }));
}
