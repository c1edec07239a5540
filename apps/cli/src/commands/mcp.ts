import type { CommandContext } from '../context.js';

/**
 * `velos mcp`: the Velos MCP server on stdin/stdout (MCP-1), against the daemon of this home. The
 * daemon is started for the session's first connection only (`autoStart: 'once'`, as `velos monit`):
 * a daemon the user stops during the session (`velos kill`) stays stopped, and every tool says so
 * until something else starts it again. The tool list is answered before the SDK and zod load
 * (`@velos/mcp/stdio`); it returns when the client closes stdin.
 */
export async function runMcp(ctx: CommandContext): Promise<void> {
  const [{ serveStdioLazy }, control] = await Promise.all([
    import('@velos/mcp/stdio'),
    ctx.client({ autoStart: 'once' }),
  ]);
  await new Promise<void>((resolve) => serveStdioLazy({ control, onClose: resolve }));
}
