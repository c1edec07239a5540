import { ErrorCodes, type ProcessInfo, VelosError } from '@velos/core';
import { toAiProcess } from '@velos/core/ai';
import type { CommandContext } from '../context.js';
import { withPm2ActionHint } from '../pm2/action-hint.js';

/**
 * `velos trigger <job…>`: runs each job now, unless a run of it is still going (SUP-8). When no job
 * started a run, the command fails (exit 1) in one line, so `velos trigger backup || …` can tell.
 */
export async function runTrigger(ctx: CommandContext, targets: string[]): Promise<void> {
  const client = await ctx.client();
  const runsBefore = new Map((await client.list()).map((p) => [p.id, p.job?.runs ?? 0]));
  const triggered: ProcessInfo[] = [];
  for (const target of targets) {
    triggered.push(
      ...(await client.trigger(target).catch((error: unknown) => {
        throw withPm2ActionHint(error, targets);
      })),
    );
  }
  if (ctx.mode !== 'text') {
    ctx.printJson(ctx.mode === 'ai' ? triggered.map((p) => toAiProcess(p)) : triggered);
    return;
  }
  const { lines, hasStarted } = describeTriggered(triggered, runsBefore);
  if (!hasStarted && lines.length > 0) {
    throw new VelosError(ErrorCodes.BUSY, lines.join('; '), {
      data: { names: triggered.map((p) => p.name) },
    });
  }
  ctx.print(lines.join('\n'));
}

/** One line per job `velos trigger` reached; `hasStarted` is false when none of them started a run. */
export function describeTriggered(
  triggered: ProcessInfo[],
  runsBefore: ReadonlyMap<number, number>,
): { lines: string[]; hasStarted: boolean } {
  let hasStarted = false;
  const lines = triggered.map((p) => {
    const last = p.job?.lastRun;
    if (!last) return `${p.name}: not run`;
    if ((p.job?.runs ?? 0) <= (runsBefore.get(p.id) ?? 0)) {
      return `${p.name}: run ${last.seq} is still going (pid ${last.pid ?? '-'}); not triggered`;
    }
    if (last.outcome === 'spawn-error')
      return `${p.name}: run ${last.seq} failed to start (see velos logs ${p.name} --err)`;
    hasStarted = true;
    return `${p.name}: run ${last.seq} started (pid ${last.pid ?? '-'})`;
  });
  return { lines, hasStarted };
}
