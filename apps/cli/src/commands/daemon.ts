import type { CommandContext } from '../context.js';

/**
 * `velos daemon` (hidden): runs the daemon in this process; the client starts it detached, a
 * service manager with `--foreground` (log lines on stderr too, for journald).
 */
export async function runDaemon(ctx: CommandContext, options: { foreground?: boolean } = {}): Promise<void> {
  const supervisor = await import('@velos/supervisor');
  const { createMetricsExtension } = await import('../metrics-extension.js');
  const extensions = [createMetricsExtension()];
  await supervisor.runDaemon({ home: ctx.home, foreground: options.foreground === true, extensions });
}
