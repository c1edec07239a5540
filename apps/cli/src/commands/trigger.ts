import type { ProcessInfo } from '@velos/core';
import { toAiProcess } from '@velos/core/ai';
import type { CommandContext } from '../context.js';
import { withPm2ActionHint } from '../pm2/action-hint.js';

/** `velos trigger <job…>`: runs each job now, unless a run of it is still going (SUP-8). */
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
  const lines = triggered.map((p) => {
    const last = p.job?.lastRun;
    if (!last) return `${p.name}: not run`;
    if ((p.job?.runs ?? 0) <= (runsBefore.get(p.id) ?? 0)) {
      return `${p.name}: run ${last.seq} is still going (pid ${last.pid ?? '-'}); not triggered`;
    }
    return last.outcome === 'spawn-error'
      ? `${p.name}: run ${last.seq} failed to start (see velos logs ${p.name} --err)`
      : `${p.name}: run ${last.seq} started (pid ${last.pid ?? '-'})`;
  });
  ctx.print(lines.join('\n'));
}
