import type { CommandContext } from '../context.js';

/**
 * `velos mcp`: the Velos MCP server on stdin/stdout (MCP-1), against the daemon of this home
 * (started on the first tool call when none runs). The SDK and zod load here only; it returns
 * when the client closes stdin.
 */
export async function runMcp(ctx: CommandContext): Promise<void> {
  const [{ serveStdio }, control] = await Promise.all([import('@velos/mcp'), ctx.client()]);
  await new Promise<void>((resolve, reject) => {
    serveStdio({ control, onClose: resolve }).catch(reject);
  });
}
