import { ErrorCodes, type LogLine, type VelosControl, VelosError } from '@velos/core';
import type { CommandContext } from '../context.js';

/** How long the daemon run in this process has to answer on its socket. */
const READY_TIMEOUT_MS = 15_000;
const READY_POLL_MS = 50;

/**
 * PM2's `--no-daemon`: this process is the daemon (in the foreground, its log on stderr, for a
 * container's PID 1 or a service manager); the apps start, their lines go to stdout, and the command
 * ends when the daemon does (SIGTERM, SIGINT, `velos kill`), after it stopped every app. As
 * pm2-runtime, it runs only the apps it starts: the saved state is neither restored nor saved.
 */
export async function runInForeground(
  ctx: CommandContext,
  startApps: (client: VelosControl) => Promise<void>,
): Promise<void> {
  const probe = await ctx.client({ autoStart: false });
  if (await answers(probe)) {
    throw new VelosError(
      ErrorCodes.DAEMON_RUNNING,
      `--no-daemon runs its own daemon, and one already runs for ${ctx.home}; stop it first (velos kill)`,
    );
  }
  const daemon = (await import('./daemon.js')).runDaemon(ctx, { foreground: true, isEphemeral: true });
  let isDone = false;
  const done = daemon.finally(() => {
    isDone = true;
  });
  const client = await ctx.client({ autoStart: false });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await answers(client))) {
    if (isDone) return done;
    if (Date.now() > deadline)
      throw new VelosError(ErrorCodes.DAEMON_START_FAILED, 'the daemon did not answer on its socket in time');
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
  // followed before the apps start, or their first lines (printed before the start's answer) are lost;
  // what comes while they start is held until the start's output is out
  const follow = client.followLogs({ lines: 0 });
  const held: string[] = [];
  let isStarted = false;
  void (async () => {
    for await (const lines of follow) {
      const text = lines.map(formatLine).join('');
      if (isStarted) process.stdout.write(text);
      else held.push(text);
    }
  })().catch(() => undefined);
  try {
    await startApps(client);
  } catch (error) {
    follow.cancel();
    throw error;
  }
  isStarted = true;
  if (held.length > 0) process.stdout.write(held.join(''));
  held.length = 0;
  await done;
  follow.cancel();
}

async function answers(client: VelosControl): Promise<boolean> {
  return client.ping().then(
    () => true,
    () => false,
  );
}

/** `name | line`, `name (err) | line` for stderr; `name:id` for a cluster instance's line, as `velos logs` shows it. */
function formatLine(line: LogLine): string {
  const name = line.isIdKnown ? `${line.name}:${line.id}` : line.name;
  return `${name}${line.stream === 'err' ? ' (err)' : ''} | ${line.line}\n`;
}
