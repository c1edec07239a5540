import type { CommandContext } from '../context.js';
import { createDaemonExtensions } from '../daemon-extensions.js';

/**
 * `velos daemon` (hidden): runs the daemon in this process; the client starts it detached, a
 * service manager with `--foreground` (log lines on stderr too, for journald).
 */
export async function runDaemon(
  ctx: CommandContext,
  options: { foreground?: boolean; isEphemeral?: boolean } = {},
): Promise<void> {
  const supervisor = await import('@velos/supervisor');
  await supervisor.runDaemon({
    home: ctx.home,
    foreground: options.foreground === true,
    isEphemeral: options.isEphemeral === true,
    extensions: createDaemonExtensions(),
  });
}
