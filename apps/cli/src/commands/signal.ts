import { ErrorCodes, isVelosError, type ProcessInfo } from '@velos/core';
import type { CommandContext } from '../context.js';
import { forEachTarget, reportNotFound } from '../pm2/each-target.js';
import { normalizeSignal } from '../pm2/signal-name.js';

/**
 * `velos signal <signal> <target…>` and PM2's `sendSignal`: sends the signal to the running processes
 * of each target (a `/regex/` stands for the names it matches) and says which received it. A target
 * with no running process (stopped, errored, a job between runs) fails alone: the others still get the
 * signal and are listed, then it is reported (exit 1).
 */
export async function runSignal(ctx: CommandContext, signalInput: string, targets: string[]): Promise<void> {
  const signal = normalizeSignal(signalInput, 'signal', targets.length === 1 ? targets[0] : undefined);
  const client = await ctx.client();
  const signalled: ProcessInfo[] = [];
  const { notFound } = await forEachTarget(
    targets,
    () => client.list(),
    'signal',
    async (target) => {
      signalled.push(...(await client.signal(target, signal)));
    },
    { isMiss: isNotRunning },
  );
  if (ctx.mode === 'json') ctx.printJson(signalled);
  else if (ctx.mode === 'ai')
    ctx.printJson(signalled.map((info) => ({ n: info.name, i: info.id, p: info.pid })));
  else {
    const lines = signalled.map((info) => `sent ${signal} to ${info.name} (id ${info.id}, pid ${info.pid})`);
    if (lines.length > 0) ctx.print(lines.join('\n'));
  }
  reportNotFound(notFound);
}

/** The daemon's answer for a target that matched but has no running process to signal. */
export function isNotRunning(error: unknown): boolean {
  if (!isVelosError(error) || error.code !== ErrorCodes.INVALID_ARGUMENT) return false;
  const data = error.data as { target?: unknown; field?: unknown } | undefined;
  return typeof data?.target === 'string' && data.field === undefined;
}
