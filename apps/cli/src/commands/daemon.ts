import type { CommandContext } from '../context.js';

/** `velos daemon` (hidden): runs the daemon in this process; the client starts it detached. */
export async function runDaemon(ctx: CommandContext): Promise<void> {
  const supervisor = await import('@velos/supervisor');
  await supervisor.runDaemon({ home: ctx.home });
}
